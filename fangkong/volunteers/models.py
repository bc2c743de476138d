"""Volunteers (志愿服务): drives and their public sign-ups, volunteer profiles, teams,
organisations' paired communities (包联社区), shifts at sites, assignments (with the
waiting list, check-in and check-out, credited hours), the duty log, and certificates.

Scoping: territorial staff see the records under their unit; a member unit's liaison
sees its organisation's drives, teams and volunteers; a volunteer sees their own
profile, their own assignments and duty log, and the shifts in the communities their
organisation is paired with (to join them). The rules are in ``services``.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.models import KeyedModel, ScopedModel, ScopedQuerySet
from fangkong.core.models.accounts import Cap, Role
from fangkong.core.models.people import PersonRecord
from fangkong.core.models.scoped import OrganisationScopedQuerySet

_ORG_CAPS = frozenset({Cap.VIEW, Cap.EDIT})


def new_key() -> str:
    """An unguessable token for a public page or a feed (not an id anyone can count)."""
    return secrets.token_urlsafe(16)


def _volunteer_grants(scope: Any) -> bool:
    return any(g.role == Role.VOLUNTEER for g in scope.grants)


class Political(models.TextChoices):
    PARTY = "party", _("Communist Party member")
    LEAGUE = "league", _("Youth League member")
    NONE = "none", _("Neither")


class OrgQuerySet(OrganisationScopedQuerySet):
    """Records of an organisation: territorially, and to its member-unit liaison."""

    scoped_roles = {Role.MEMBER_UNIT: _ORG_CAPS}


def submission_key() -> Any:
    """The key of the page's form that created the record (``KeyedForm``): a form sent
    again finds it. Empty for records made otherwise (the demo, an import, the admin)."""
    return models.UUIDField(_("submission key"), null=True, blank=True, unique=True,
                            editable=False)


class PairingQuerySet(OrgQuerySet):
    def active(self, day: Any = None) -> Any:
        """Pairings in force on ``day`` (default today): an ended one stays as history."""
        from django.utils import timezone

        day = day or timezone.localdate()
        return self.filter(Q(since__isnull=True) | Q(since__lte=day),
                           Q(until__isnull=True) | Q(until__gte=day))


class Pairing(ScopedModel):
    """An organisation's paired community (包联社区): its staff go to help there, from
    ``since`` until ``until`` (the last day; empty while it lasts). Ending a pairing
    keeps it as history; the same pair may be paired again later, never twice at once
    (the service refuses overlapping periods; one open pairing per pair is a database
    constraint)."""

    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("organisation"))
    since = models.DateField(_("paired since"), null=True, blank=True)
    until = models.DateField(pgettext_lazy("pairing", "until"), null=True, blank=True)
    client_id = submission_key()

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("paired community")
        verbose_name_plural = _("paired communities")
        ordering = ["unit_path", "-since"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "org_unit"],
                                    condition=Q(until__isnull=True),
                                    name="volunteers_pairing_once_open"),
            models.CheckConstraint(condition=Q(until__isnull=True) | Q(since__isnull=True)
                                   | Q(until__gte=models.F("since")),
                                   name="volunteers_pairing_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.org_unit}"


class Team(ScopedModel):
    """A volunteer team (an organisation's youth league branch, a community's
    party-member service team), based in a unit."""

    name = models.CharField(_("name"), max_length=60)
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("organisation"))
    leader = models.ForeignKey("Volunteer", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("team leader"))
    client_id = submission_key()

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["unit_path", "name"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "name"],
                                               name="volunteers_team_unique_name"),
                       models.UniqueConstraint(fields=["organisation", "name"],
                                               name="volunteers_team_unique_name_in_org")]

    def __str__(self) -> str:
        return self.name


class Drive(KeyedModel):
    """A call for volunteers: a public sign-up page (``public_key`` in its QR code), a
    target size, and the moment it filled (``filled_at``, set by the sign-up that
    reached the target, in the same transaction)."""

    title = models.CharField(_("title"), max_length=80)
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("organisation"))
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="drives", verbose_name=_("team"),
                             help_text=_("Volunteers taken on from this drive join it."))
    description = models.TextField(_("what volunteers will do"), blank=True)
    target = models.PositiveIntegerField(_("volunteers wanted"))
    opened_at = models.DateTimeField(pgettext_lazy("drive", "opened at"))
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    filled_at = models.DateTimeField(_("target reached at"), null=True, blank=True)
    signup_count = models.PositiveIntegerField(_("sign-ups"), default=0)
    public_key = models.CharField(_("sign-up link key"), max_length=32, unique=True,
                                  default=new_key, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    objects = OrgQuerySet.as_manager()
    RECORD_DAY = "opened_at"

    class Meta:
        verbose_name = _("drive")
        verbose_name_plural = _("drives")
        ordering = ["-opened_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(target__gt=0),
                                              name="volunteers_drive_target_positive")]

    def __str__(self) -> str:
        return self.title

    @property
    def minutes_to_fill(self) -> int | None:
        if self.filled_at is None:
            return None
        return int((self.filled_at - self.opened_at).total_seconds() // 60)


class ThroughDriveQuerySet(OrganisationScopedQuerySet):
    organisation_field = "drive__organisation_id"
    scoped_roles = {Role.MEMBER_UNIT: _ORG_CAPS}


class SignupStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("volunteer signup", "New")
    ACCEPTED = "accepted", _("Taken on")
    DECLINED = "declined", _("Not taken on")


class Signup(PersonRecord, KeyedModel):
    """A resident's sign-up to a drive, from the public page (no account). One per
    person and drive (a database constraint): the same person signing up again is told
    so, and nothing is added."""

    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="signups",
                              verbose_name=_("drive"))
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    skills = models.CharField(_("skills"), max_length=120, blank=True)
    political = models.CharField(_("political status"), max_length=8,
                                 choices=Political.choices, default=Political.NONE)
    submitted_at = models.DateTimeField(_("signed up at"))
    status = models.CharField(_("status"), max_length=10, choices=SignupStatus.choices,
                              default=SignupStatus.NEW)
    volunteer = models.ForeignKey("Volunteer", on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name=_("volunteer"))

    PII = {**PersonRecord.PII}
    RECORD_DAY = "submitted_at"
    # A landline is a valid contact number too (``lib.identity.validate_contact_phone``).
    phone = models.CharField(_("contact phone"), max_length=13)

    objects = ThroughDriveQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["drive", "submitted_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["drive", "person"],
                                               name="volunteers_signup_once_per_drive")]

    def __str__(self) -> str:
        return f"{self.masked_name} · {self.drive}"


class VolunteerQuerySet(OrganisationScopedQuerySet):
    scoped_roles = {Role.MEMBER_UNIT: _ORG_CAPS, Role.VOLUNTEER: frozenset({Cap.VIEW})}

    def extra_visibility(self, user: Any, scope: Any, capability: str) -> Q | None:
        # The organisation's records open to its liaison only: a volunteer's grant also
        # names the organisation, but opens only their own profile.
        orgs = {g.organisation_id for g in scope.grants
                if g.role == Role.MEMBER_UNIT and g.organisation_id and capability in _ORG_CAPS}
        q = Q(organisation_id__in=orgs) if orgs else None
        if capability == Cap.VIEW and _volunteer_grants(scope):
            own = Q(user_id=user.pk)
            q = own if q is None else q | own
        return q


class Volunteer(PersonRecord, ScopedModel):
    """A volunteer's profile: the person (from the registry), their organisation and
    team, party or league membership, skills, availability and health declaration.
    ``org_unit`` is the community they serve in. ``user`` is their login, if any."""

    person = models.OneToOneField("core.Person", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("person"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="volunteer_profile",
                                verbose_name=_("login"))
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("organisation"))
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="members", verbose_name=_("team"))
    political = models.CharField(_("political status"), max_length=8,
                                 choices=Political.choices, default=Political.NONE)
    skills = models.CharField(_("skills"), max_length=120, blank=True)
    availability = models.CharField(_("availability"), max_length=120, blank=True)
    health_declared_on = models.DateField(_("health declared on"), null=True, blank=True)
    health_ok = models.BooleanField(_("declared healthy (no fever, no contact)"),
                                    default=False)
    feed_key = models.CharField(_("calendar feed key"), max_length=32, unique=True,
                                default=new_key, editable=False)
    client_id = submission_key()

    PII = {**PersonRecord.PII}

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["unit_path", "name", "pk"]

    def __str__(self) -> str:
        return self.masked_name


class SiteKind(models.TextChoices):
    CHECKPOINT = "checkpoint", _("Checkpoint")
    COMMUNITY = "community", _("Community")


def _led_communities(scope: Any, capability: str) -> Q | None:
    """Communities paired with an organisation whose liaison the user is."""
    orgs = {g.organisation_id for g in scope.grants
            if g.role == Role.MEMBER_UNIT and g.organisation_id and capability in _ORG_CAPS}
    if not orgs:
        return None
    return Q(org_unit_id__in=Pairing.objects.active().filter(organisation_id__in=orgs)
             .values("org_unit_id"))


class SiteQuerySet(ScopedQuerySet):
    """Sites: territorially, and (to look at) to the liaison of a paired organisation."""

    scoped_roles = {Role.MEMBER_UNIT: frozenset({Cap.VIEW})}

    def extra_visibility(self, user: Any, scope: Any, capability: str) -> Q | None:
        return _led_communities(scope, capability) if capability == Cap.VIEW else None


class Site(ScopedModel):
    """Where shifts happen: a checkpoint, or a community as a whole. Its QR code is
    signed with the site's id and ``qr_version`` (``services.site_token``); a new
    version retires every printed code of the site."""

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=12, choices=SiteKind.choices)
    checkpoint = models.OneToOneField("checkpoints.Checkpoint", on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="+",
                                      verbose_name=_("checkpoint"))
    qr_version = models.PositiveIntegerField(_("QR code version"), default=1)
    client_id = submission_key()

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["unit_path", "name"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "name"],
                                               name="volunteers_site_unique_name")]

    def __str__(self) -> str:
        return self.name


class ShiftQuerySet(ScopedQuerySet):
    scoped_roles = {Role.VOLUNTEER: frozenset({Cap.VIEW}), Role.MEMBER_UNIT: _ORG_CAPS}

    def extra_visibility(self, user: Any, scope: Any, capability: str) -> Q | None:
        led = _led_communities(scope, capability)
        if capability != Cap.VIEW or not _volunteer_grants(scope):
            return led
        own = Assignment.objects.filter(volunteer__user_id=user.pk).values("shift_id")
        orgs = Volunteer.objects.filter(user_id=user.pk, organisation__isnull=False).values(
            "organisation_id")
        paired = Pairing.objects.active().filter(organisation_id__in=orgs).values("org_unit_id")
        mine = Q(pk__in=own) | Q(org_unit_id__in=paired)
        return mine if led is None else mine | led


class Shift(KeyedModel):
    """A shift at a site: a time window, how many volunteers it needs, and what they
    must bring or be."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="shifts",
                             verbose_name=_("site"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("volunteers needed"))
    tasks = models.CharField(_("tasks"), max_length=120, blank=True)
    requirements = models.CharField(_("requirements"), max_length=120, blank=True)
    party_members_only = models.BooleanField(_("party members only"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("coordinator"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("cancelled by"))
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    objects = ShiftQuerySet.as_manager()
    RECORD_DAY = "starts_at"

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "site", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="volunteers_shift_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gt=0),
                                   name="volunteers_shift_capacity_positive"),
        ]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{self.site} {timezone.localtime(self.starts_at):%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        """A cancelled shift is kept (with who cancelled it, when and why); its
        volunteers' places are cancelled with it."""
        return self.cancelled_at is not None


class Status(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    OFFERED = "offered", _("Place offered, to confirm")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Offer expired, not confirmed in time")


#: Statuses that hold the volunteer's time (overlaps are refused among them).
ACTIVE = (Status.CONFIRMED, Status.OFFERED, Status.WAITING)
#: Statuses that hold a place on the shift.
PLACED = (Status.CONFIRMED, Status.OFFERED)


class Method(models.TextChoices):
    QR = "qr", _("Scanned the site's QR code")
    COORDINATOR = "coordinator", _("By the coordinator")
    AUTO = "auto", _("Closed automatically")


class OwnQuerySet(ScopedQuerySet):
    """Records of a volunteer: territorially, to the liaison of the volunteer's
    organisation, and to the volunteer themself (view only)."""

    volunteer_field = "volunteer__user_id"
    organisation_field = "volunteer__organisation_id"
    scoped_roles = {Role.VOLUNTEER: frozenset({Cap.VIEW}), Role.MEMBER_UNIT: _ORG_CAPS}

    def extra_visibility(self, user: Any, scope: Any, capability: str) -> Q | None:
        orgs = {g.organisation_id for g in scope.grants
                if g.role == Role.MEMBER_UNIT and g.organisation_id and capability in _ORG_CAPS}
        q = Q(**{f"{self.organisation_field}__in": orgs}) if orgs else None
        if capability == Cap.VIEW and _volunteer_grants(scope):
            own = Q(**{self.volunteer_field: user.pk})
            q = own if q is None else q | own
        return q


class Assignment(ScopedModel):
    """A volunteer on a shift: once per shift (a database constraint), with the waiting
    list, the check-in and check-out, and the credited time the coordinator approves."""

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="assignments",
                              verbose_name=_("shift"))
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT,
                                  related_name="assignments", verbose_name=_("volunteer"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    queued_at = models.DateTimeField(_("joined at"))
    offered_at = models.DateTimeField(_("place offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("to confirm by"), null=True, blank=True)
    status_reason = models.CharField(_("why"), max_length=200, blank=True,
                                     help_text=_("Why an offer expired or a place was "
                                                 "cancelled."))
    override_reason = models.CharField(_("reason for overriding the overlap"),
                                       max_length=200, blank=True)
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    check_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    check_in_method = models.CharField(_("check-in"), max_length=12,
                                       choices=Method.choices, blank=True)
    check_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    check_out_method = models.CharField(_("check-out"), max_length=12,
                                        choices=Method.choices, blank=True)
    auto_closed = models.BooleanField(_("left open, closed automatically"), default=False)
    credited_minutes = models.PositiveIntegerField(_("credited minutes"), null=True,
                                                   blank=True)
    approved_at = models.DateTimeField(_("hours approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("approved by"))

    objects = OwnQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["shift__starts_at", "queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"],
                                    name="volunteers_once_per_shift"),
            models.CheckConstraint(
                condition=Q(check_out_at__isnull=True) | Q(check_in_at__isnull=False)
                & Q(check_out_at__gte=models.F("check_in_at")),
                name="volunteers_check_out_after_in"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.shift}"

    @property
    def confirm_by(self) -> Any:
        """Until when an offered place can be confirmed (an offer made before offers
        had a deadline: until the shift starts)."""
        if self.status != Status.OFFERED:
            return None
        return self.offer_expires_at or self.shift.starts_at

    @property
    def credited_hours(self) -> Any:
        from decimal import Decimal

        if self.credited_minutes is None:
            return None
        return (Decimal(self.credited_minutes) / 60).quantize(Decimal("0.1"))


class Task(models.TextChoices):
    MONITORING = "monitoring", _("Checked monitoring points")
    REGISTERS = "registers", _("Checked registers")
    DELIVERY = "delivery", _("Delivered supplies")
    CROWDS = "crowds", _("Dispersed gatherings")
    OTHER = "other", _("Other")


class DutyLogQuerySet(OwnQuerySet):
    volunteer_field = "assignment__volunteer__user_id"
    organisation_field = "assignment__volunteer__organisation_id"


class DutyLog(KeyedModel):
    """What a volunteer did on a shift. A delivery may draw from a supplies warehouse:
    the issue (``movement``) is made by the supplies services in the same transaction,
    with this entry as its recipient."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT,
                                   related_name="duty_logs", verbose_name=_("shift"))
    day = models.DateField(_("day"))
    task = models.CharField(_("task"), max_length=12, choices=Task.choices)
    count = models.PositiveIntegerField(_("how many"), null=True, blank=True,
                                        help_text=_("Points checked, people persuaded, "
                                                    "households delivered to …"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    movement = models.OneToOneField("supplies.Movement", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("issue from stock"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")

    objects = DutyLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty log entry")
        verbose_name_plural = _("duty log")
        ordering = ["-day", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_task_display()} · {self.assignment.volunteer}"


class CertificateQuerySet(OwnQuerySet):
    pass


class Certificate(ScopedModel):
    """An hours certificate: the approved hours of a volunteer over a period, as they
    were when it was issued. ``code`` is in its QR code; the public verify page shows
    what it certifies (the name masked)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT,
                                  related_name="certificates", verbose_name=_("volunteer"))
    code = models.CharField(_("verification code"), max_length=32, unique=True,
                            default=new_key, editable=False)
    period_from = models.DateField(pgettext_lazy("period", "from"))
    period_until = models.DateField(_("until"))
    minutes = models.PositiveIntegerField(_("approved minutes"))
    shifts = models.PositiveIntegerField(_("shifts"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("hours certificate")
        verbose_name_plural = _("hours certificates")
        ordering = ["-issued_at"]
        constraints = [models.UniqueConstraint(
            fields=["volunteer", "period_from", "period_until", "minutes"],
            name="volunteers_certificate_once")]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.period_from}–{self.period_until}"

    @property
    def hours(self) -> str:
        return f"{self.minutes / 60:.1f}"

