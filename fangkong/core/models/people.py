"""The person registry: one row per real person, keyed by ID card number."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from fangkong.core.models.accounts import Cap
from fangkong.core.models.scoped import ScopedModel, ScopedQuerySet
from fangkong.lib import masking


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class PersonQuerySet(ScopedQuerySet):
    def extra_visibility(self, user: Any, scope: Any, capability: str) -> Q | None:
        """A person registered in the user's area by someone there (``PersonRegistration``)
        is visible there too, shown as registered there (``services.people.as_seen_by``),
        never with what the registry holds elsewhere."""
        q = scope.q(capability)
        if q is None:
            return None
        return Q(Exists(PersonRegistration.objects.filter(q, person=OuterRef("pk"))))

    def search(self, user: Any, text: str, capability: str = Cap.VIEW) -> PersonQuerySet:
        """People matching ``text``: a full ID number, or a name part or phone as the
        user may see them (the registry's where it is theirs, their area's registration
        elsewhere), so a search never finds a person by data held outside the area."""
        from fangkong.core.scoping import scope_for
        from fangkong.lib.identity import normalize_id_number

        text = text.strip()
        if not text:
            return self
        scope = scope_for(user)
        typed = Q(name__contains=text) | Q(phone=text)
        own = scope.q(capability)
        registered = PersonRegistration.objects.filter(typed, person=OuterRef("pk"))
        if own is not None:
            registered = registered.filter(own)
        return self.filter(Q(id_number=normalize_id_number(text))
                           | (typed if own is None else own & typed)
                           | Q(Exists(registered)))


class Person(ScopedModel):
    """A real person. ``org_unit`` is where they live or were first registered.

    Modules that meet the same person (a returning migrant worker who later passes a
    checkpoint and volunteers) share this one row: registers link to it through
    ``core.services.people.link_person`` and keep what they were told on their own
    record (``PersonRecord``); only the registry's own paths change it.
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

    #: Set on the copy ``PersonRegistration.as_person`` makes: what one area registered,
    #: shown in the registry's shape; never saved over the registry's row.
    registration: PersonRegistration | None = None

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.registration is not None:
            raise TypeError("a person as registered in an area is not the registry's row")
        super().save(*args, **kwargs)


class PersonRecord(models.Model):
    """A register's record of a person (a passage, an outsider, a household member …):
    the registry row it links to by ID number, and the name and phone as typed there.

    The registry row is one per ID number city-wide, so a record made in one area may
    link to a person first registered in another. What the record shows and exports is
    what its registrant typed (``name``, ``phone``, and the ID number, which is the key
    they typed); what the registry holds of the person (their name as registered there,
    phone, address) is shown only to users whose scope covers the person's own unit,
    on the person's own pages. A register never writes to an existing registry row
    (``core.services.people.link_person``); docs/decisions/security-registry.md.
    Subclasses declare the ``person`` foreign key and merge ``PII`` into their own.
    """

    name = models.CharField(_("name as registered"), max_length=50)
    phone = models.CharField(_("phone as registered"), max_length=11, blank=True)

    PII = {"phone": masking.mask_phone}

    class Meta:
        abstract = True

    @property
    def masked_name(self) -> str:
        """The typed name as duty screens and the public page show it."""
        return masking.mask_name(self.name)

    @property
    def who(self) -> str:
        """Masked typed name and masked ID number, as alerts and histories name the
        person (never the registry's name: ``Person.__str__``)."""
        return f"{self.masked_name} {masking.mask_id_number(self.person.id_number)}"

    def typed_from(self, data: Any) -> None:
        """Copy what was typed (a ``PersonData``) onto the record."""
        self.name, self.phone = data.name, data.phone


class PersonRegistration(PersonRecord, ScopedModel):
    """A person registered in an area (the people API or import) whose registry row
    belongs to another area: what was typed there (name, phone, address), linked to the
    row by ID number.

    The area then sees the person as it registered them (``as_person``) and nothing the
    registry holds elsewhere; answering "registered in another area" instead would tell
    any editor whether an ID number exists anywhere in the city (issue #9, item 3).
    """

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="registrations",
        verbose_name=_("person"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("registered by"),
    )

    PII = {**PersonRecord.PII, "address": masking.mask_address}

    class Meta:
        verbose_name = _("registration in an area")
        verbose_name_plural = _("registrations in an area")
        ordering = ["unit_path", "pk"]
        constraints = [models.UniqueConstraint(fields=["person", "org_unit"],
                                               name="person_registered_once_per_unit")]

    def __str__(self) -> str:
        return self.who

    def as_person(self, person: Person) -> Person:
        """``person`` as this area registered them: the registry's identity (ID number,
        sex, birth date: what the ID number typed here says) with this registration's
        name, phone, address and unit. Same pk; refuses to be saved."""
        copy = Person(
            pk=person.pk, id_number=person.id_number, sex=person.sex,
            birth_date=person.birth_date, name=self.name, phone=self.phone,
            address=self.address, org_unit=self.org_unit, unit_path=self.unit_path,
            created_at=self.created_at, updated_at=self.updated_at,
        )
        copy._state.adding, copy._state.db = False, person._state.db
        copy.registration = self
        return copy
