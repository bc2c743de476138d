"""The passage register (进出人员登记表) and its daily roll-up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import KeyedModel, PersonRecord
from fangkong.core.models.counters import DailyCounter
from fangkong.core.retention import Retention


class Direction(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")


class Channel(models.TextChoices):
    STAFF = "staff", _("Staff")
    SELF = "self", _("Self-registration")


class PassageStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class PassageOutcome(models.TextChoices):
    """What the duty staff did with the person (issue #11, item 2). Only an admitted
    person counts as having gone in or out; a fever is not admitted until the staff
    say otherwise."""

    ADMITTED = "admitted", _("Let through")
    TURNED_BACK = "turned_back", _("Persuaded to turn back")
    REFUSED = "refused", _("Not let through")
    REFERRED = "referred", _("Referred for care")


class Passage(PersonRecord, KeyedModel):
    """Somebody going in or out at a checkpoint.

    ``client_id`` (``KeyedModel``) is the idempotency key the submitting device
    generated: unique, so a retried submission finds the first row instead of adding a
    second. ``name`` and ``phone`` are what was typed here (``core.models.PersonRecord``),
    not the registry's. A self-registration
    waits as ``pending`` until the duty staff confirm it; only confirmed passages count
    and raise alerts.
    """

    checkpoint = models.ForeignKey(
        "checkpoints.Checkpoint", on_delete=models.PROTECT, related_name="passages",
        verbose_name=_("checkpoint"),
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    occurred_at = models.DateTimeField(_("time"))
    day = models.DateField(_("date"), help_text=_("Local date of the passage."))
    person = models.ForeignKey(
        "core.Person", on_delete=models.PROTECT, related_name="passages",
        verbose_name=_("person"),
    )
    resident = models.BooleanField(_("resident"), default=True)
    origin = models.CharField(_("coming from"), max_length=100, blank=True)
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True,
    )
    mask = models.BooleanField(_("wearing a mask"), null=True, blank=True)
    plate = models.CharField(_("vehicle plate"), max_length=10, blank=True)
    fever = models.BooleanField(_("fever"), default=False)
    plate_flagged = models.BooleanField(_("plate flagged"), default=False)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=9, choices=PassageStatus.choices)
    outcome = models.CharField(
        _("outcome"), max_length=11, choices=PassageOutcome.choices,
        default=PassageOutcome.ADMITTED,
        help_text=_("Only a person let through counts as having gone in or out."),
    )
    #: The typed name differs from the registry's for the ID number and the duty staff
    #: said the registry is wrong without being allowed to correct it: for the
    #: community to check (issue #11, item 3).
    name_disputed = models.BooleanField(_("name differs from the registry"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The versions of the screening rule the passage was judged by (services.screening).
    # No index: nothing lists passages by rule, and the hot path inserts these rows.
    fever_rule = models.ForeignKey(
        "core.ParameterValue", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", db_index=False, verbose_name=_("fever threshold version"),
    )
    plate_rule = models.ForeignKey(
        "core.ParameterValue", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", db_index=False, verbose_name=_("watched provinces version"),
    )

    #: Retention (``core.retention``): once the period after the emergency is over, a
    #: person met only here is anonymised, with the plate; self-registrations nobody
    #: confirmed are deleted. A typed name or phone added to this model goes in ``PII``
    #: or ``clear``.
    RETENTION = Retention(
        day="day", clear=("plate",),
        purge=models.Q(channel=Channel.SELF,
                       status__in=(PassageStatus.PENDING, PassageStatus.REJECTED)),
    )

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["checkpoint", "day"]),
            models.Index(fields=["checkpoint", "status"]),
            models.Index(fields=["day", "unit_path"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def admitted(self) -> bool:
        return self.outcome == PassageOutcome.ADMITTED


class PassageDaily(DailyCounter):
    """Counters per checkpoint and day, bumped in the passage's own transaction.

    Indicators and dashboards sum these rows (unit path × day, ``DailyCounter.total``)
    instead of scanning passages (ARCHITECTURE.md, "Counting fast"); what one passage
    adds is ``services.passages.confirmed_counts``.
    """

    checkpoint = models.ForeignKey(
        "checkpoints.Checkpoint", on_delete=models.CASCADE, related_name="daily",
    )
    passages_in = models.PositiveIntegerField(default=0)
    passages_out = models.PositiveIntegerField(default=0)
    outsiders = models.PositiveIntegerField(default=0)
    fevers = models.PositiveIntegerField(default=0)
    plates_flagged = models.PositiveIntegerField(default=0)
    self_registered = models.PositiveIntegerField(default=0)

    KEY = ("checkpoint", "day")

    class Meta:
        verbose_name = _("daily passage counts")
        verbose_name_plural = _("daily passage counts")
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "day"], name="passage_daily_unique"),
        ]
        indexes = [models.Index(fields=["day", "unit_path"])]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.day}"
