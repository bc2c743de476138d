"""The person registry: one row per real person, keyed by ID card number."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models.scoped import ScopedModel, ScopedQuerySet
from fangkong.lib import masking


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class PersonQuerySet(ScopedQuerySet):
    pass


class Person(ScopedModel):
    """A real person. ``org_unit`` is where they live or were first registered.

    Modules that meet the same person (a returning migrant worker who later passes a
    checkpoint and volunteers) go through ``core.services.people.lookup_or_create_person``
    so that they share this one row.
    """

    id_number = models.CharField(_("ID card number"), max_length=18, unique=True)
    name = models.CharField(_("full name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    #: Personal data and its mask (``core.pii``). The birth date is not here: the person
    #: page shows it, though exports and the API withhold it when they mask.
    PII = {
        "id_number": masking.mask_id_number,
        "phone": masking.mask_phone,
        "address": masking.mask_address,
    }

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit_path", "name"]

    def __str__(self) -> str:
        return f"{masking.mask_name(self.name)} {masking.mask_id_number(self.id_number)}"

    @property
    def masked_name(self) -> str:
        """The name as duty screens and the public self-registration page show it. Not a
        ``PII`` field: lists, exports and the history show names in full."""
        return masking.mask_name(self.name)
