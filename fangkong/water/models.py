"""Water-supply assurance (供水保障): a utility's stations and sampling points, the duty
roster and handover log, water-quality readings judged by dated limits, exceedances and
their re-tests, network patrols and fault tickets.

Every record carries its utility (``organisation``) and the unit where it is (a station's
or point's community or town): territorial staff see it through the unit's subtree, the
utility's operators (``Role.UTILITY_OPERATOR``) through the organisation
(``UtilityQuerySet``), and nobody else.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.models import KeyedModel, ScopedModel
from fangkong.core.models.scoped import OrganisationScopedQuerySet
from fangkong.core.roles import Cap, Role
from fangkong.water.quality import Ind, spec

OPERATOR_CAPS = frozenset({Cap.VIEW, Cap.EDIT})


class UtilityQuerySet(OrganisationScopedQuerySet):
    """A utility's records: open to its operators (view and edit), territorially to the
    staff above the record's unit."""

    organisation_field = "organisation_id"
    scoped_roles = {Role.UTILITY_OPERATOR: OPERATOR_CAPS}


class StationKind(models.TextChoices):
    WORKS = "works", _("Water works")
    PRESSURE = "pressure", _("Pressure station")


class PointType(models.TextChoices):
    OUTLET = "outlet", _("Plant outlet")
    NETWORK_END = "network_end", _("Network end")
    SECONDARY = "secondary", _("Secondary supply")


class Disinfectant(models.TextChoices):
    CHLORINE = "chlorine", _("Chlorine (free chlorine)")
    CHLORAMINE = "chloramine", _("Chloramine (total chlorine)")


class NearKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    ESTATE = "estate", _("Housing estate")
    OTHER = "other", _("Other")


class UtilityRecord(ScopedModel):
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("utility"))
    objects = UtilityQuerySet.as_manager()

    class Meta:
        abstract = True


class Station(UtilityRecord):
    """A water works or a pressure (booster) station, kept on 24-hour duty."""

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=StationKind.choices)
    address = models.CharField(_("address"), max_length=120, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (m³/day)"), null=True, blank=True)
    #: The site's gate, registered through the checkpoints module.
    gate = models.ForeignKey("checkpoints.Checkpoint", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("gate"))
    is_active = models.BooleanField(_("in operation"), default=True)
    #: The key of the page's form that created it (``KeyedForm``): a form sent again
    #: finds this station. Empty for stations made otherwise (the demo, the admin).
    client_id = models.UUIDField(_("submission key"), null=True, blank=True, unique=True,
                                 editable=False)

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="water_station_unique_name")]

    def __str__(self) -> str:
        return self.name


class SamplingPoint(UtilityRecord):
    """Where water is sampled: a plant outlet, a network end (a tap near a hospital or
    an estate), a secondary-supply tank. Its type and disinfectant choose the limits."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="points",
                                verbose_name=_("supplied by"))
    name = models.CharField(_("name"), max_length=60)
    point_type = models.CharField(_("type"), max_length=12, choices=PointType.choices)
    disinfectant = models.CharField(_("disinfectant"), max_length=12,
                                    choices=Disinfectant.choices, default=Disinfectant.CHLORINE)
    near_kind = models.CharField(_("near"), max_length=10, choices=NearKind.choices,
                                 default=NearKind.OTHER)
    near_name = models.CharField(_("near (name)"), max_length=60, blank=True,
                                 help_text=_("e.g. 安康市中医医院"))
    address = models.CharField(_("address"), max_length=120, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    #: As ``Station.client_id``.
    client_id = models.UUIDField(_("submission key"), null=True, blank=True, unique=True,
                                 editable=False)

    class Meta:
        verbose_name = _("sampling point")
        verbose_name_plural = _("sampling points")
        ordering = ["point_type", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="water_point_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def priority(self) -> bool:
        return self.near_kind == NearKind.HOSPITAL


class Shift(UtilityRecord):
    """One person on duty at a station from ``starts_at`` to ``ends_at``."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="shifts",
                                verbose_name=_("station"))
    starts_at = models.DateTimeField(pgettext_lazy("shift", "from"))
    ends_at = models.DateTimeField(pgettext_lazy("shift", "to"))
    person_name = models.CharField(_("on duty"), max_length=30)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("account"))

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["station", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["station", "starts_at", "person_name"],
                                    name="water_shift_unique"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="water_shift_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.person_name}"


class Handover(KeyedModel):
    """A shift change at a station: what the outgoing person hands over, signed by both."""

    RECORD_DAY = "day"
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("utility"))
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="handovers",
                                verbose_name=_("station"))
    at = models.DateTimeField(_("handed over at"))
    day = models.DateField(_("date"))
    outgoing = models.CharField(_("outgoing"), max_length=30)
    incoming = models.CharField(_("incoming"), max_length=30)
    note = models.TextField(_("handover note"), max_length=2000)
    outgoing_signature = models.CharField(_("signed by the outgoing"), max_length=30)
    incoming_signature = models.CharField(_("signed by the incoming"), max_length=30)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("recorded by"))

    objects = UtilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outgoing_signature="") & ~Q(incoming_signature=""),
                name="water_handover_signed_by_both"),
        ]


class Reading(KeyedModel):
    """One measured value at a sampling point: by whom, when, with which instrument.

    ``value`` is empty exactly when ``not_detected`` (a result, not a number). The limit
    the reading was judged by is kept (``limit_rule``, ``limit_text``), so a later change
    of the limits does not rewrite what was found."""

    RECORD_DAY = "day"
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("utility"))
    point = models.ForeignKey(SamplingPoint, on_delete=models.PROTECT, related_name="readings",
                              verbose_name=_("sampling point"))
    indicator = models.CharField(_("indicator"), max_length=16, choices=Ind.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True,
                                blank=True)
    not_detected = models.BooleanField(_("not detected"), default=False)
    unit = models.CharField(_("unit"), max_length=12, blank=True)
    taken_at = models.DateTimeField(_("sampled at"))
    day = models.DateField(_("date"))
    sampler = models.CharField(_("sampler"), max_length=30)
    instrument = models.CharField(_("instrument"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("recorded by"))
    limit_rule = models.ForeignKey("core.ParameterValue", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+",
                                   verbose_name=_("limit version"))
    limit_text = models.CharField(_("limit"), max_length=80, blank=True)
    within_limits = models.BooleanField(_("within limits"), null=True)
    retest_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="retests", verbose_name=_("re-test of"))

    objects = UtilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["organisation", "day"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(not_detected=True, value__isnull=True)
                           | Q(not_detected=False, value__isnull=False)),
                name="water_reading_value_or_not_detected"),
        ]

    def __str__(self) -> str:
        return f"{self.point} · {self.get_indicator_display()}: {self.shown}"

    @property
    def shown(self) -> str:
        """The result as people read it: a number with its unit, or 未检出."""
        if self.not_detected:
            return str(_("not detected"))
        s = spec(self.indicator)
        text = f"{Decimal(self.value).normalize():f}" if self.value is not None else ""
        return f"{text} {s.unit}".strip()


class Exceedance(UtilityRecord):
    """A reading outside its limit: its alert, the re-test asked for, and how it closed."""

    reading = models.OneToOneField(Reading, on_delete=models.PROTECT,
                                   related_name="exceedance", verbose_name=_("reading"))
    alert = models.ForeignKey("core.Alert", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("alert"))
    retest = models.ForeignKey(Reading, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("re-test"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("closed by"))
    note = models.CharField(_("closing note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("exceedance")
        verbose_name_plural = _("exceedances")
        ordering = ["-created_at"]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Patrol(KeyedModel):
    """A patrol of the network: the route, the points checked, what was found."""

    RECORD_DAY = "day"
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("utility"))
    day = models.DateField(_("date"))
    route = models.CharField(_("route"), max_length=120)
    patroller = models.CharField(_("patrolled by"), max_length=60)
    points = models.ManyToManyField(SamplingPoint, blank=True, related_name="patrols",
                                    verbose_name=_("points checked"))
    findings = models.TextField(_("findings"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("recorded by"))

    objects = UtilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-day", "-created_at"]


class FaultKind(models.TextChoices):
    BURST = "burst", _("Burst main")
    LEAK = "leak", _("Leak")
    LOW_PRESSURE = "low_pressure", _("Low pressure or no water")
    QUALITY = "quality", _("Water-quality complaint")
    EQUIPMENT = "equipment", _("Pump or equipment failure")
    OTHER = "other", _("Other")


class Fault(KeyedModel):
    """A fault ticket: reported, dispatched, repaired; a fault near a hospital first."""

    RECORD_DAY = "day"
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("utility"))
    point = models.ForeignKey(SamplingPoint, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="faults", verbose_name=_("nearest point"))
    location = models.CharField(_("location"), max_length=120)
    kind = models.CharField(_("kind"), max_length=14, choices=FaultKind.choices)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    reported_by = models.CharField(_("reported by"), max_length=60)
    reported_at = models.DateTimeField(_("reported at"))
    day = models.DateField(_("date"))
    hospital = models.BooleanField(_("serves a hospital"), default=False,
                                   help_text=_("Repaired first."))
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    crew = models.CharField(_("repair crew"), max_length=60, blank=True)
    repaired_at = models.DateTimeField(_("repaired at"), null=True, blank=True)
    repair_note = models.CharField(_("repair note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("recorded by"))

    objects = UtilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("fault")
        verbose_name_plural = _("faults")
        ordering = ["repaired_at", "-hospital", "reported_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(repaired_at__isnull=True) | Q(repaired_at__gte=models.F(
                    "reported_at")), name="water_fault_repaired_after_report"),
        ]

    @property
    def minutes_to_repair(self) -> int | None:
        if self.repaired_at is None:
            return None
        return int((self.repaired_at - self.reported_at).total_seconds() // 60)

    @property
    def status(self) -> str:
        if self.repaired_at:
            return "repaired"
        return "dispatched" if self.dispatched_at else "reported"
