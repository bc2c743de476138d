"""Work resumption (复工复产) and migrant workers (农民工返岗).

- ``Enterprise``: the registry of enterprises and key projects (统一社会信用代码, GB 32100),
  with its resumption status; every change of status is a ``StatusChange`` (rule, actor,
  reason), so the status on any past day is read from the history, not from a field.
- ``Filing``: the enterprise's resumption filing (复工报备) with its prevention checklist
  (``FilingItem``, one row per item, the county's comment and "missing" mark per item)
  and ``Attachment`` files; approval issues a numbered resumption notice (PDF).
- ``Employee``: staff returned and screened.
- ``MigrantWorker``, ``Demand``, ``TransportBatch`` and its ``ManifestEntry`` rows (a
  worker once per batch and on one batch a day, both enforced by the database).
- ``Pass`` (worker, vehicle, batch): an Ed25519-signed token (``passes.py``), revocable one
  by one; ``PassEvent`` records every status change; ``SigningKey`` holds public keys
  (the private keys live in files under FANGKONG_VAR_DIR, docs/decisions/resumption.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import Person
from fangkong.core.models.people import PersonRecord
from fangkong.core.models.scoped import KeyedModel, OrganisationScopedQuerySet, ScopedModel
from fangkong.core.roles import Cap, Role
from fangkong.lib import masking


class Industry(models.TextChoices):
    CONSTRUCTION = "construction", _("Construction")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    AGRICULTURE = "agriculture", _("Agriculture and tea")
    MINING = "mining", _("Mining and energy")
    LOGISTICS = "logistics", _("Transport and logistics")
    SERVICES = "services", _("Services and trade")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not filed")
    FILED = "filed", _("Filed")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved to resume")
    RESUMED = "resumed", _("Resumed")
    SUSPENDED = "suspended", _("Suspended")


#: Statuses counted as "preparing" (a filing under way, not yet resumed).
PREPARING = (Status.NOT_STARTED, Status.FILED, Status.RETURNED, Status.APPROVED)


class LiaisonQuerySet(OrganisationScopedQuerySet):
    """Records of an enterprise: its liaison (企业联络员) sees its own, nobody else's."""

    organisation_field = "organisation_id"
    scoped_roles = {Role.ENTERPRISE_LIAISON: frozenset({Cap.VIEW, Cap.REPORT})}


class EnterpriseRecordQuerySet(LiaisonQuerySet):
    organisation_field = "enterprise__organisation_id"


class Enterprise(KeyedModel):
    """An enterprise or key project (重点项目) of the registry."""

    organisation = models.OneToOneField(
        "core.Organisation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="resumption_enterprise", verbose_name=_("organisation"),
        help_text=_("The organisation its liaison's login is granted for."))
    name = models.CharField(_("name"), max_length=120)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    industry = models.CharField(_("industry"), max_length=16, choices=Industry.choices)
    is_key_project = models.BooleanField(_("key project"), default=False)
    headcount = models.PositiveIntegerField(_("headcount"))
    liaison_name = models.CharField(_("liaison"), max_length=50)
    liaison_phone = models.CharField(_("liaison phone"), max_length=11)
    registered_on = models.DateField(_("registered on"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.NOT_STARTED)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    resumed_on = models.DateField(_("resumed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)

    objects = LiaisonQuerySet.as_manager()

    PII = {"liaison_phone": masking.mask_phone}
    RECORD_DAY = "registered_on"

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["unit_path", "name"]

    def __str__(self) -> str:
        return self.name


class StatusChange(models.Model):
    """One change of an enterprise's status: the rule applied, who, why, when."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE,
                                   related_name="history")
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    rule = models.CharField(_("rule"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              null=True)
    actor_name = models.CharField(max_length=50, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["enterprise", "at"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.from_status}→{self.to_status}"


class Filing(ScopedModel):
    """The enterprise's resumption filing (复工报备): its checklist and the review."""

    enterprise = models.OneToOneField(Enterprise, on_delete=models.CASCADE,
                                      related_name="filing")
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    first_filed_at = models.DateTimeField(_("first filed at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    rounds = models.PositiveSmallIntegerField(_("times filed"), default=0)
    notice_number = models.CharField(_("notice number"), max_length=32, blank=True)

    objects = EnterpriseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("resumption filing")
        constraints = [models.UniqueConstraint(
            fields=["notice_number"], condition=~Q(notice_number=""),
            name="resumption_unique_notice_number")]

    @property
    def review_hours(self) -> float | None:
        if self.first_filed_at and self.decided_at:
            return (self.decided_at - self.first_filed_at).total_seconds() / 3600
        return None

    def __str__(self) -> str:
        return f"filing {self.enterprise_id}"


class FilingItem(models.Model):
    """One item of the prevention checklist: the enterprise's answer, the county's
    comment and whether the county found it missing."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=20)
    answer = models.TextField(_("answer"), blank=True)
    stock_days = models.PositiveIntegerField(_("days of stock"), null=True, blank=True)
    comment = models.TextField(_("reviewer's comment"), blank=True)
    missing = models.BooleanField(_("missing"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["filing", "code"],
                                               name="resumption_one_item_per_code")]

    def __str__(self) -> str:
        return f"{self.filing_id}:{self.code}"


class Attachment(models.Model):
    """A document attached to a checklist item; its stored name is random, its type
    checked from its first bytes (``forms.AttachmentForm``)."""

    client_id = models.UUIDField(unique=True)
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="attachments")
    item_code = models.CharField(max_length=20)
    file = models.FileField(upload_to="resumption/%Y/%m/")
    original_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class HealthStatus(models.TextChoices):
    NORMAL = "normal", _("Normal")
    OBSERVING = "observing", _("Under observation")
    FEVER = "fever", _("Fever, referred")


class Employee(PersonRecord, KeyedModel):
    """A member of staff returned to work and screened."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT,
                                   related_name="employees")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    came_from = models.CharField(_("came from"), max_length=100)
    whereabouts = models.TextField(_("whereabouts in the last 14 days"), blank=True)
    returned_on = models.DateField(_("returned on"))
    health = models.CharField(_("health status"), max_length=12,
                              choices=HealthStatus.choices, default=HealthStatus.NORMAL)
    observation_until = models.DateField(_("observation ends"), null=True, blank=True)

    objects = EnterpriseRecordQuerySet.as_manager()

    PII = {"phone": masking.mask_phone}
    RECORD_DAY = "returned_on"

    class Meta:
        ordering = ["-returned_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "person", "returned_on"],
                                               name="resumption_employee_once_a_day")]

    def __str__(self) -> str:
        return self.masked_name


class WorkerQuerySet(LiaisonQuerySet):
    organisation_field = "employer__organisation_id"


class MigrantWorker(PersonRecord, KeyedModel):
    """A migrant worker (农民工) registered in their home area (``org_unit``)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    home = models.CharField(_("home town"), max_length=100)
    skills = models.CharField(_("skills"), max_length=100, blank=True)
    employer = models.ForeignKey(Enterprise, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="workers", verbose_name=_("destination employer"))
    destination = models.CharField(_("destination"), max_length=100, blank=True)
    poor_household = models.ForeignKey(
        "relief.PoorHousehold", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("registered poor household"))
    registered_on = models.DateField(_("registered on"))

    objects = WorkerQuerySet.as_manager()

    PII = {"phone": masking.mask_phone}
    RECORD_DAY = "registered_on"

    class Meta:
        ordering = ["unit_path", "name"]
        constraints = [models.UniqueConstraint(fields=["person"],
                                               name="resumption_worker_once")]

    def __str__(self) -> str:
        return self.masked_name


class Demand(KeyedModel):
    """An employer's demand for workers (用工需求)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT,
                                   related_name="demands")
    skill = models.CharField(_("skill"), max_length=60)
    count = models.PositiveIntegerField(_("workers needed"))
    needed_by = models.DateField(_("needed by"))

    objects = EnterpriseRecordQuerySet.as_manager()
    RECORD_DAY = "needed_by"

    class Meta:
        ordering = ["needed_by", "pk"]

    def __str__(self) -> str:
        return f"{self.skill} × {self.count}"


class BatchStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DEPARTED = "departed", _("Departed")
    ARRIVED = "arrived", _("Arrived")
    HANDED_OVER = "handed_over", _("Handed over")


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("From Ankang")
    INBOUND = "inbound", _("To Ankang")


class TransportBatch(KeyedModel):
    """A point-to-point transport batch (点对点): one vehicle, one route, one day."""

    direction = models.CharField(_("transport direction"), max_length=10, choices=Direction.choices)
    origin = models.CharField(_("route from"), max_length=80)
    destination = models.CharField(_("route to"), max_length=80)
    employer = models.ForeignKey(Enterprise, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="batches", verbose_name=_("receiving employer"))
    plate = models.CharField(_("vehicle plate"), max_length=10)
    driver = models.CharField(_("driver"), max_length=50, blank=True)
    day = models.DateField(_("departure day"))
    departure_at = models.DateTimeField(_("departure time"))
    arrival_at = models.DateTimeField(_("arrival time"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=BatchStatus.choices,
                              default=BatchStatus.PLANNED)
    handed_over_to = models.CharField(_("handed over to"), max_length=50, blank=True)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)

    objects = WorkerQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "pk"]
        constraints = [models.CheckConstraint(
            condition=Q(arrival_at__isnull=True) | Q(arrival_at__gte=F("departure_at")),
            name="resumption_arrival_after_departure")]

    def __str__(self) -> str:
        return f"{self.day:%m-%d} {self.origin}→{self.destination} {self.plate}"


class ManifestEntry(models.Model):
    """A worker on a batch, with the health checks at departure and arrival. ``day`` is
    the batch's day, copied so that the database refuses a worker on two batches a day."""

    batch = models.ForeignKey(TransportBatch, on_delete=models.CASCADE,
                              related_name="manifest")
    worker = models.ForeignKey(MigrantWorker, on_delete=models.PROTECT,
                               related_name="manifest")
    day = models.DateField()
    departure_temp = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    departure_ok = models.BooleanField(null=True)
    arrival_temp = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    arrival_ok = models.BooleanField(null=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "worker"],
                                    name="resumption_worker_once_per_batch"),
            models.UniqueConstraint(fields=["worker", "day"],
                                    name="resumption_worker_one_batch_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.worker_id}"


class SigningKey(models.Model):
    """A pass-signing key: the public half here, the private half in a file."""

    kid = models.CharField(max_length=32, unique=True)
    client_id = models.UUIDField(unique=True, null=True, blank=True)
    public_key = models.CharField(max_length=64)  # raw 32 bytes, base64url
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.kid


class PassKind(models.TextChoices):
    WORKER = "worker", _("Worker")
    VEHICLE = "vehicle", _("Vehicle")
    BATCH = "batch", _("Transport batch")


class PassQuerySet(LiaisonQuerySet):
    organisation_field = "enterprise__organisation_id"


class Pass(ScopedModel):
    """A pass for a worker, a vehicle or a batch, carried as a signed token in a QR code."""

    kind = models.CharField(_("kind"), max_length=10, choices=PassKind.choices)
    jti = models.UUIDField(unique=True)
    client_id = models.UUIDField(unique=True)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="passes")
    worker = models.ForeignKey(MigrantWorker, on_delete=models.PROTECT, null=True,
                               blank=True, related_name="passes")
    batch = models.ForeignKey(TransportBatch, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="passes")
    holder = models.CharField(_("holder (masked)"), max_length=30)
    id_last4 = models.CharField(_("last four of the ID number"), max_length=4, blank=True)
    scope = models.CharField(_("scope"), max_length=120)
    issuer = models.CharField(_("issuer"), max_length=80)
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="passes")
    token = models.TextField()
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  null=True)

    objects = PassQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "pk"]
        constraints = [models.CheckConstraint(condition=Q(valid_until__gt=F("valid_from")),
                                              name="resumption_pass_validity")]

    def __str__(self) -> str:
        return f"{self.kind} {self.holder}"


class PassStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    REVOKED = "revoked", _("Revoked")


class PassEvent(models.Model):
    """A change of a pass's status (issued, revoked, key retired): rule, actor, reason."""

    pass_record = models.ForeignKey(Pass, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=PassStatus.choices)
    rule = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              null=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.pass_record_id}:{self.status}"


