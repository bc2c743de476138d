"""The outsider register (外来人员登记表): 14 days of observation, temperature twice a day."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.checkpoints.models.keys import submission_key
from fangkong.core.models import KeyedModel, PersonRecord
from fangkong.core.retention import Retention
from fangkong.lib import masking

#: Days of observation, counting the day of arrival ("14天以内" includes the 14th day).
OBSERVATION_DAYS = 14


class OutsiderStatus(models.TextChoices):
    OBSERVING = "observing", _("Under observation")
    RELEASED = "released", _("Released")


class Slot(models.TextChoices):
    MORNING = "am", _("Morning")
    EVENING = "pm", _("Evening")


class Outsider(PersonRecord, KeyedModel):
    """A non-resident who arrived in the community, observed for 14 days until released.

    The observation covers the day of arrival and the 13 days after it; release is
    possible from the 15th day on.
    """

    client_id = submission_key()

    person = models.ForeignKey(
        "core.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person"),
    )
    arrived_on = models.DateField(_("arrived on"))
    origin = models.CharField(_("coming from"), max_length=100)
    from_watched_area = models.BooleanField(
        _("from a watched area"), default=False,
        help_text=_("Came from or through Hubei (or another area under watch)."),
    )
    reason = models.CharField(_("reason for coming"), max_length=100, blank=True)
    host_address = models.CharField(_("staying at"), max_length=200)
    status = models.CharField(
        _("status"), max_length=9, choices=OutsiderStatus.choices,
        default=OutsiderStatus.OBSERVING,
    )
    released_on = models.DateField(_("released on"), null=True, blank=True)
    release_note = models.CharField(_("release note"), max_length=200, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("registered by"),
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("released by"),
    )

    #: Personal data and its mask (``core.pii``): the typed phone (``PersonRecord``) and
    #: the host address; the registry's own are ``Person.PII``.
    PII = {**PersonRecord.PII, "host_address": masking.mask_address}
    #: Retention (``core.retention``): the host address (``PII``) and the free-text
    #: reason and release note go when the person is anonymised.
    RETENTION = Retention(day="arrived_on", clear=("reason", "release_note"))

    class Meta:
        verbose_name = _("outsider")
        verbose_name_plural = _("outsiders")
        ordering = ["-arrived_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "org_unit"], condition=Q(status="observing"),
                name="outsider_one_open_observation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.masked_name} {self.arrived_on}"

    @property
    def last_observation_day(self) -> date:
        return self.arrived_on + timedelta(days=OBSERVATION_DAYS - 1)

    @property
    def release_from(self) -> date:
        return self.arrived_on + timedelta(days=OBSERVATION_DAYS)


class TemperatureCheck(models.Model):
    outsider = models.ForeignKey(
        Outsider, on_delete=models.CASCADE, related_name="checks", verbose_name=_("outsider"),
    )
    day = models.DateField(_("date"))
    slot = models.CharField(_("time of day"), max_length=2, choices=Slot.choices)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    fever = models.BooleanField(_("fever"), default=False)
    fever_rule = models.ForeignKey(
        "core.ParameterValue", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", db_index=False, verbose_name=_("fever threshold version"),
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("temperature check")
        verbose_name_plural = _("temperature checks")
        ordering = ["day", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["outsider", "day", "slot"], name="temperature_check_once_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_slot_display()} {self.temperature}"
