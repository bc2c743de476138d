"""Door-to-door screening (households, members, visits), inspections, patrols and tips."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.checkpoints.models.keys import submission_key
from fangkong.core.models import KeyedModel, PersonRecord
from fangkong.core.retention import Retention
from fangkong.lib import masking
from fangkong.lib.numbers import natural_sort_key


class Household(KeyedModel):
    """A household of the community, as found by door-to-door screening.

    ``assigned_to`` is the community worker who screens it: that worker sees its address
    in full (they must find the door); everyone else sees it masked (``shown_address``).
    """

    client_id = submission_key()
    number = models.CharField(
        _("household number"), max_length=40,
        help_text=_("Building, unit and flat (e.g. 3-2-501) or the household register number."),
    )
    #: ``number`` as people count (``lib.numbers.natural_sort_key``): 1, 2, 10.
    sort_key = models.CharField(max_length=130, editable=False, default="")
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("assigned worker"),
    )

    #: Personal data and its mask (``core.pii``).
    PII = {"address": masking.mask_address, "phone": masking.mask_phone}

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["unit_path", "sort_key", "number"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "number"], name="household_unique_number"),
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        loaded = self.__dict__  # deferred fields are not read here (no query)
        if not loaded.get("sort_key") and loaded.get("number"):  # bulk_create too
            self.sort_key = natural_sort_key(self.number)

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs) -> None:
        key = natural_sort_key(self.number)
        if key != self.sort_key:
            self.sort_key = key
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sort_key"}
        super().save(*args, **kwargs)

    def is_assigned_to(self, user) -> bool:
        return self.assigned_to_id is not None and self.assigned_to_id == getattr(user, "pk", 0)

    def shown_address(self, user) -> str:
        """The address as ``user`` sees it: in full for the assigned worker, else masked."""
        return self.address if self.is_assigned_to(user) else masking.mask_address(self.address)


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    OTHER = "other", _("Other")


class HouseholdMember(PersonRecord, KeyedModel):
    """A person of a household. ``permanent`` marks permanent residents (常住人口):
    the others are registered here but live elsewhere, or stay only temporarily."""

    client_id = submission_key()
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="members",
        verbose_name=_("household"),
    )
    person = models.ForeignKey(
        "core.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person"),
    )
    relation = models.CharField(
        _("relation to the head"), max_length=8, choices=Relation.choices,
        default=Relation.OTHER,
    )
    permanent = models.BooleanField(_("permanent resident"), default=True)
    since = models.DateField(
        _("listed since"), default=timezone.localdate,
        help_text=_("The day the screening found the person here; population counts as of a "
                    "date include the members listed by then."),
    )

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household", "pk"]
        constraints = [
            # One person is counted once in a community's population.
            models.UniqueConstraint(fields=["org_unit", "person"], name="member_once_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.masked_name}"


class ScreeningVisit(KeyedModel):
    """A door-to-door visit (入户排查) and what it found. Every visit is kept: a second
    visit the same day is a second record, so what the first one found stays. A visit
    with a finding opens a follow-up (``services.record_visit``). Keyed (``client_id``):
    a visit sent again (a retry, the back button, the phone's queue) finds the one it
    made."""

    RECORD_DAY = "visited_on"

    client_id = submission_key()
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="visits", verbose_name=_("household"),
    )
    visited_on = models.DateField(_("visited on"))
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("visited by"),
    )
    people_present = models.PositiveSmallIntegerField(_("people at home"), default=0)
    from_hubei = models.BooleanField(_("someone came from Hubei"), default=False)
    hubei_vehicle = models.BooleanField(_("vehicle with a Hubei plate"), default=False)
    symptoms = models.BooleanField(_("fever or cough"), default=False)
    contact = models.BooleanField(_("contact with a confirmed or suspected case"), default=False)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    FLAGS = ("from_hubei", "hubei_vehicle", "symptoms", "contact")

    class Meta:
        verbose_name = _("screening visit")
        verbose_name_plural = _("screening visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["visited_on", "unit_path"]),
                   models.Index(fields=["household", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.household} {self.visited_on}"

    @property
    def flagged(self) -> bool:
        return any(getattr(self, f) for f in self.FLAGS)

    def flag_labels(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in self.FLAGS if getattr(self, f)]


class InspectionKind(models.TextChoices):
    VENUE = "venue", _("Venue closure check")
    DISINFECTION = "disinfection", _("Estate disinfection")


class VenueType(models.TextChoices):
    MAHJONG = "mahjong", _("Mahjong parlour")
    RESTAURANT = "restaurant", _("Small restaurant")
    INTERNET_CAFE = "internet_cafe", _("Internet café")
    ESTATE = "estate", _("Residential estate")
    OTHER = "other", _("Other")


class Inspection(KeyedModel):
    """A check that a venue stayed closed, or a disinfection of an estate."""

    kind = models.CharField(_("kind"), max_length=12, choices=InspectionKind.choices)
    venue_type = models.CharField(
        _("type of place"), max_length=16, choices=VenueType.choices, default=VenueType.OTHER,
    )
    place = models.CharField(_("place"), max_length=120)
    day = models.DateField(_("date"))
    found_open = models.BooleanField(
        _("found open"), default=False,
        help_text=_("For closure checks: the venue was operating although it must be closed."),
    )
    action = models.CharField(_("action taken"), max_length=200, blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("inspected by"),
    )

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-day", "-pk"]
        indexes = [models.Index(fields=["day", "unit_path"])]

    def __str__(self) -> str:
        return f"{self.place} {self.day}"


class PatrolLog(KeyedModel):
    """A patrol: how many gatherings (3 people or more) it dispersed, how many people it
    persuaded to go home (劝返)."""

    day = models.DateField(_("date"))
    area = models.CharField(_("area patrolled"), max_length=120)
    gatherings_dispersed = models.PositiveIntegerField(_("gatherings dispersed"), default=0)
    people_persuaded = models.PositiveIntegerField(_("people persuaded to go home"), default=0)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("patrol log")
        verbose_name_plural = _("patrol logs")
        ordering = ["-day", "-pk"]
        indexes = [models.Index(fields=["day", "unit_path"])]

    def __str__(self) -> str:
        return f"{self.area} {self.day}"


class TipChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    WALK_IN = "walk_in", _("In person")
    ONLINE = "online", _("Online form")


class TipCategory(models.TextChoices):
    GATHERING = "gathering", _("Gathering")
    OUTSIDER = "outsider", _("Unregistered arrival")
    VENUE_OPEN = "venue_open", _("Venue open")
    SYMPTOMS = "symptoms", _("Someone with symptoms")
    OTHER = "other", _("Other")


class TipStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("community tip", "New")
    DISPATCHED = "dispatched", _("Dispatched")
    RESOLVED = "resolved", _("Resolved")


class Tip(KeyedModel):
    """A resident's report (群众举报), phoned in or sent from the public form.

    Response time is from receipt to dispatch; resolution time from receipt to outcome.
    """

    RECORD_DAY = "received_at"

    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(_("channel"), max_length=8, choices=TipChannel.choices)
    category = models.CharField(
        _("category"), max_length=12, choices=TipCategory.choices, default=TipCategory.OTHER,
    )
    content = models.TextField(_("what was reported"), max_length=1000)
    caller_name = models.CharField(_("caller"), max_length=50, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TipStatus.choices, default=TipStatus.NEW,
    )
    dispatched_to = models.CharField(_("dispatched to"), max_length=100, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )

    #: Personal data and its mask (``core.pii``).
    PII = {"caller_phone": masking.mask_phone}
    #: Retention (``core.retention``): the caller's name and phone of the emergency's tips
    #: go once the period after it is over; what was reported stays.
    RETENTION = Retention(person=None, day="received_at__date", clear=("caller_name",))

    class Meta:
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "unit_path"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.received_at:%m-%d %H:%M}"

    @property
    def response_time(self) -> timedelta | None:
        return self.dispatched_at - self.received_at if self.dispatched_at else None

    @property
    def resolution_time(self) -> timedelta | None:
        return self.resolved_at - self.received_at if self.resolved_at else None
