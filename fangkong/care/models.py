"""One-to-one support (一对一保障, 帮老扶老): task forces, the frontline medical workers and
elderly residents they look after, the helpers paired to them and what was done.

Every record is scoped twice: territorially (``org_unit``: the family's home unit, or the
city for the task force's own rows) and through ``CareQuerySet.extra_visibility``: a
task-force coordinator sees its task force's records city-wide, a member unit's liaison
the records its unit is responsible for, a helper only the families paired to them.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.care.access import CARE_SCOPED_ROLES
from fangkong.core.models import Organisation, Person, PersonRecord
from fangkong.core.models.scoped import KeyedModel, ScopedModel, ScopedQuerySet
from fangkong.core.roles import Role
from fangkong.lib import masking


class CareQuerySet(ScopedQuerySet):
    """Records of the care module. ``TASK_FORCE``/``MEMBER_UNIT``/``HELPER`` name the
    lookups from the record to its task force's lead organisation, its responsible member
    unit and its family (a worker or an elderly resident)."""

    scoped_roles = CARE_SCOPED_ROLES
    TASK_FORCE = "task_force__organisation_id"
    MEMBER_UNIT = "member_unit_id"
    WORKER = "worker_id"
    ELDERLY = ""

    def helper_q(self, user: Any) -> Q | None:
        """The records of the families actively paired to ``user`` as a helper."""
        active = Pairing.objects.filter(helper__user_id=user.pk, ended_on__isnull=True)
        q = Q(pk__in=[])
        if self.WORKER:
            q |= Q(**{f"{self.WORKER}__in": active.filter(worker__isnull=False)
                      .values("worker_id")})
        if self.ELDERLY:
            q |= Q(**{f"{self.ELDERLY}__in": active.filter(elderly__isnull=False)
                      .values("elderly_id")})
        return q

    def extra_visibility(self, user: Any, scope: Any, capability: str) -> Q | None:
        q: Q | None = None

        def add(more: Q) -> None:
            nonlocal q
            q = more if q is None else q | more

        for role, field in ((Role.TASK_FORCE, self.TASK_FORCE),
                            (Role.MEMBER_UNIT, self.MEMBER_UNIT)):
            if capability not in self.scoped_roles[role] or not field:
                continue
            orgs = {g.organisation_id for g in scope.grants
                    if g.role == role and g.organisation_id}
            if orgs:
                add(Q(**{f"{field}__in": orgs}))
        if (capability in self.scoped_roles[Role.HELPER]
                and any(g.role == Role.HELPER for g in scope.grants)):
            add(self.helper_q(user))
        return q


class Deployment(models.TextChoices):
    HUBEI = "hubei", _("Sent to Hubei")
    LOCAL = "local", _("Local frontline")


class Category(models.TextChoices):
    LIFE = "life", _("Daily life (生活保障)")
    MIND = "mind", _("Psychological (心理保障)")
    CARE = "care", _("Humanistic care (人文保障)")
    SAFETY = "safety", _("Safety (安全保障)")
    OTHER = "other", _("Other (其他保障)")


class Unit(models.TextChoices):
    SET = "套", _("sets (套)")
    KG = "公斤", _("kilograms (公斤)")
    SESSION = "人次", _("sessions (人次)")
    YUAN = "元", _("yuan (元)")


class PaymentKind(models.TextChoices):
    CONDOLENCE = "condolence", _("Condolence money (慰问金)")
    SUBSIDY = "subsidy", _("Temporary work subsidy (临时性工作补助)")


class BenefitKind(models.TextChoices):
    TITLE = "title", _("Title promotion (职称晋升)")
    GRADE = "grade", _("Salary grade one level up (高聘一级)")
    COMMENDATION = "commendation", _("Commendation (表彰)")


class VisitMode(models.TextChoices):
    IN_PERSON = "in_person", pgettext_lazy("visit", "In person")
    VIDEO = "video", _("Video call")


class ElderlyKind(models.TextChoices):
    ELDERLY = "elderly", _("Elderly resident")
    RETIRED_CADRE = "retired_cadre", _("Retired cadre")


class RequestKind(models.TextChoices):
    GROCERIES = "groceries", _("Groceries")
    MASKS = "masks", _("Masks")
    MEDICINE = "medicine", _("Medicine")
    OTHER = "other", _("Other")


class RequestStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("care request", "Open")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


# --- the task force ----------------------------------------------------------------------

class TaskForceQuerySet(CareQuerySet):
    TASK_FORCE = "organisation_id"
    MEMBER_UNIT = ""  # a member unit's liaison sees the task forces it belongs to (below)
    WORKER = ""

    def extra_visibility(self, user: Any, scope: Any, capability: str) -> Q | None:
        q = super().extra_visibility(user, scope, capability)
        orgs = {g.organisation_id for g in scope.grants
                if g.role == Role.MEMBER_UNIT and g.organisation_id}
        if orgs and capability in self.scoped_roles[Role.MEMBER_UNIT]:
            mine = Q(pk__in=TaskForceMember.objects.filter(organisation_id__in=orgs)
                     .values("task_force_id"))
            q = mine if q is None else q | mine
        return q

    def helper_q(self, user: Any) -> Q:
        return Q(pk__in=Helper.objects.filter(user_id=user.pk).values("task_force_id"))


class TaskForce(ScopedModel):
    """A task force (工作专班), led by one organisation, with member units."""

    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("lead organisation"))
    leader = models.CharField(_("responsible leader"), max_length=50)
    contact_name = models.CharField(_("contact"), max_length=50)
    contact_phone = models.CharField(_("contact's phone"), max_length=11, blank=True)
    #: The key of the page's form that created it (``KeyedForm``): a form sent again
    #: finds this row. Empty for rows made otherwise (the demo, an import).
    client_id = models.UUIDField(_("submission key"), null=True, blank=True, unique=True,
                                 editable=False)

    objects = TaskForceQuerySet.as_manager()
    PII = {"contact_phone": masking.mask_phone}

    class Meta:
        verbose_name = _("task force")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="care_taskforce_unique_name")]

    def __str__(self) -> str:
        return self.name


class TaskForceMember(models.Model):
    """A member unit of a task force, with its responsible leader and contact."""

    task_force = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("member unit"))
    leader = models.CharField(_("responsible leader"), max_length=50)
    contact_name = models.CharField(_("contact"), max_length=50)
    contact_phone = models.CharField(_("contact's phone"), max_length=11, blank=True)
    #: As ``TaskForce.client_id``.
    client_id = models.UUIDField(_("submission key"), null=True, blank=True, unique=True,
                                 editable=False)

    PII = {"contact_phone": masking.mask_phone}

    class Meta:
        verbose_name = _("member unit")
        constraints = [models.UniqueConstraint(fields=["task_force", "organisation"],
                                               name="care_member_once")]

    def __str__(self) -> str:
        return self.organisation.short_name or self.organisation.name


class HelperQuerySet(CareQuerySet):
    MEMBER_UNIT = "organisation_id"
    WORKER = ""

    def helper_q(self, user: Any) -> Q:
        return Q(user_id=user.pk)


class Helper(ScopedModel):
    """A helper (帮扶责任人) of a member unit; ``user`` when they log in themselves."""

    task_force = models.ForeignKey(TaskForce, on_delete=models.PROTECT, related_name="helpers")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("member unit"))
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=11, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="care_helper")
    code = models.CharField(_("number"), max_length=20)
    #: A helper who no longer helps stays (their pairings and services name them) but is
    #: offered for no new pairing; a helper with active pairings cannot be deactivated.
    is_active = models.BooleanField(_("active"), default=True)
    #: As ``TaskForce.client_id``.
    client_id = models.UUIDField(_("submission key"), null=True, blank=True, unique=True,
                                 editable=False)

    objects = HelperQuerySet.as_manager()
    PII = {"phone": masking.mask_phone}

    class Meta:
        verbose_name = _("helper")
        constraints = [models.UniqueConstraint(fields=["task_force", "code"],
                                               name="care_helper_code")]

    def __str__(self) -> str:
        return self.name


# --- the families --------------------------------------------------------------------------

def submission_key() -> models.UUIDField:
    """``client_id`` of a person record the register pages create (``KeyedForm``): the
    same form sent twice finds the first record. The import and the demo create them
    without a form; they get a key of their own."""
    return models.UUIDField(_("submission key"), unique=True, default=uuid.uuid4,
                            editable=False)


class WorkerQuerySet(CareQuerySet):
    WORKER = "id"


class MedicalWorker(PersonRecord, ScopedModel):
    """A frontline medical worker (一线医务人员) under one-to-one support; ``org_unit`` is
    where the family lives. A worker sent to Hubei has dates and a named contact in the
    responsible member unit (a database CHECK)."""

    task_force = models.ForeignKey(TaskForce, on_delete=models.PROTECT, related_name="workers")
    member_unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("responsible member unit"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    hospital = models.CharField(_("hospital"), max_length=100)
    department = models.CharField(_("department"), max_length=50, blank=True)
    deployment = models.CharField(_("deployment"), max_length=8, choices=Deployment.choices)
    deployed_from = models.DateField(_("deployed from"), null=True, blank=True)
    deployed_until = models.DateField(_("back on"), null=True, blank=True)
    unit_contact = models.CharField(_("member-unit contact"), max_length=50, blank=True)
    unit_contact_phone = models.CharField(_("contact's phone"), max_length=11, blank=True)
    registered_on = models.DateField(_("under support since"))
    number = models.CharField(_("number"), max_length=20)
    client_id = submission_key()

    objects = WorkerQuerySet.as_manager()
    PII = {**PersonRecord.PII, "unit_contact_phone": masking.mask_phone}

    class Meta:
        verbose_name = _("frontline medical worker")
        constraints = [
            models.UniqueConstraint(fields=["task_force", "number"], name="care_worker_number"),
            models.UniqueConstraint(fields=["task_force", "person"], name="care_worker_once"),
            models.CheckConstraint(
                condition=~Q(deployment="hubei") | (Q(deployed_from__isnull=False)
                                                    & ~Q(unit_contact="")),
                name="care_hubei_has_contact"),
            models.CheckConstraint(
                condition=Q(deployed_until__isnull=True) | Q(deployed_from__isnull=False,
                                                             deployed_until__gte=models.F(
                                                                 "deployed_from")),
                name="care_deployment_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class FamilyMember(PersonRecord):
    """A member of a worker's family (seen through the worker)."""

    worker = models.ForeignKey(MedicalWorker, on_delete=models.CASCADE, related_name="family")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    relationship = models.CharField(_("relationship"), max_length=20)
    address = models.CharField(_("address"), max_length=200, blank=True)
    needs = models.CharField(pgettext_lazy("care family", "needs"), max_length=300, blank=True)
    client_id = submission_key()

    PII = {**PersonRecord.PII, "address": masking.mask_address}

    class Meta:
        verbose_name = _("family member")
        constraints = [models.UniqueConstraint(fields=["worker", "person"],
                                               name="care_family_once")]

    def __str__(self) -> str:
        return f"{self.masked_name} ({self.relationship})"

    def get_additional_data(self) -> dict[str, int]:
        """Stored with each change-history entry (auditlog), so the worker's page lists
        the family's changes, a removed member's included."""
        return {"worker": self.worker_id}


class ElderlyQuerySet(CareQuerySet):
    WORKER = ""
    ELDERLY = "id"


class Elderly(PersonRecord, ScopedModel):
    """An elderly resident or retired cadre helped by the task force (帮老扶老)."""

    task_force = models.ForeignKey(TaskForce, on_delete=models.PROTECT, related_name="elderly")
    member_unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("responsible member unit"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=ElderlyKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    needs = models.CharField(pgettext_lazy("care family", "needs"), max_length=300, blank=True)
    registered_on = models.DateField(_("under support since"))
    client_id = submission_key()

    objects = ElderlyQuerySet.as_manager()
    PII = {**PersonRecord.PII, "address": masking.mask_address}

    class Meta:
        verbose_name = _("elderly resident")
        constraints = [models.UniqueConstraint(fields=["task_force", "person"],
                                               name="care_elderly_once")]

    def __str__(self) -> str:
        return self.masked_name


# --- pairing --------------------------------------------------------------------------------

class PairingQuerySet(CareQuerySet):
    WORKER = ""

    def helper_q(self, user: Any) -> Q:
        return Q(helper__user_id=user.pk, ended_on__isnull=True)

    def active(self):
        return self.filter(ended_on__isnull=True)


class Pairing(ScopedModel):
    """A helper paired to a family (a worker's, or an elderly resident). At most one
    active primary helper per family (partial unique indexes); a reassignment ends the
    old pairing (``ended_on``, ``end_reason``), so the history stays."""

    task_force = models.ForeignKey(TaskForce, on_delete=models.PROTECT, related_name="+")
    member_unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    helper = models.ForeignKey(Helper, on_delete=models.PROTECT, related_name="pairings")
    worker = models.ForeignKey(MedicalWorker, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="pairings")
    elderly = models.ForeignKey(Elderly, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="pairings")
    primary = models.BooleanField(_("primary helper"), default=True)
    started_on = models.DateField(_("paired on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("pairing")
        constraints = [
            models.CheckConstraint(condition=Q(worker__isnull=True) ^ Q(elderly__isnull=True),
                                   name="care_pairing_one_family"),
            models.UniqueConstraint(fields=["worker"], name="care_one_active_primary_worker",
                                    condition=Q(primary=True, ended_on__isnull=True,
                                                worker__isnull=False)),
            models.UniqueConstraint(fields=["elderly"], name="care_one_active_primary_elderly",
                                    condition=Q(primary=True, ended_on__isnull=True,
                                                elderly__isnull=False)),
        ]


# --- what was done --------------------------------------------------------------------------

class WorkerRecordQuerySet(CareQuerySet):
    TASK_FORCE = "worker__task_force__organisation_id"
    MEMBER_UNIT = "worker__member_unit_id"


class ServiceLog(KeyedModel):
    """A service given to a worker's family: category, quantity and unit. Necessities and
    food may be drawn from a warehouse (``movement``: the supplies issue it made)."""

    worker = models.ForeignKey(MedicalWorker, on_delete=models.PROTECT, related_name="services")
    helper = models.ForeignKey(Helper, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="services")
    day = models.DateField(_("date"))
    category = models.CharField(_("kind of support"), max_length=8, choices=Category.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=4, choices=Unit.choices)
    note = models.CharField(_("what was done"), max_length=200, blank=True)
    movement = models.OneToOneField("supplies.Movement", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    objects = WorkerRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0),
                                              name="care_service_positive")]
        indexes = [models.Index(fields=["day", "category", "unit"])]

    def __str__(self) -> str:
        quantity = Decimal(str(self.quantity)).normalize()
        return f"{self.get_category_display()} {quantity:f}{self.unit}"


class Payment(KeyedModel):
    """Money paid to a worker's family (慰问金, 临时性工作补助)."""

    worker = models.ForeignKey(MedicalWorker, on_delete=models.PROTECT, related_name="payments")
    day = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=PaymentKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    objects = WorkerRecordQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("care", "payment")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=Decimal(0)),
                                              name="care_payment_positive")]


class Benefit(KeyedModel):
    """A policy benefit granted to a worker (职称晋升, 高聘一级, 表彰)."""

    worker = models.ForeignKey(MedicalWorker, on_delete=models.PROTECT, related_name="benefits")
    day = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=BenefitKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    objects = WorkerRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy benefit")


class Visit(KeyedModel):
    """A leader's visit to a worker's family, in person or by video call."""

    worker = models.ForeignKey(MedicalWorker, on_delete=models.PROTECT, related_name="visits")
    day = models.DateField(_("date"))
    mode = models.CharField(_("how"), max_length=10, choices=VisitMode.choices)
    leader = models.CharField(_("leader"), max_length=50)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    objects = WorkerRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")


class HelpRequestQuerySet(CareQuerySet):
    TASK_FORCE = "elderly__task_force__organisation_id"
    MEMBER_UNIT = "elderly__member_unit_id"
    WORKER = ""
    ELDERLY = "elderly_id"


class HelpRequest(KeyedModel):
    """An elderly resident's request (groceries, masks, medicine) and its fulfilment."""

    elderly = models.ForeignKey(Elderly, on_delete=models.PROTECT, related_name="requests")
    day = models.DateField(_("date"))
    kind = models.CharField(_("what is needed"), max_length=10, choices=RequestKind.choices)
    detail = models.CharField(pgettext_lazy("care", "detail"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    due_by = models.DateTimeField(_("due by"))
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.OPEN)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    fulfilled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    objects = HelpRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("help request")
        constraints = [
            models.CheckConstraint(condition=Q(due_by__gt=models.F("requested_at")),
                                   name="care_request_due_after"),
            models.CheckConstraint(
                condition=~Q(status="fulfilled") | Q(fulfilled_at__isnull=False),
                name="care_request_fulfilled_at"),
        ]
        indexes = [models.Index(fields=["status", "due_by"])]

    @property
    def hours_to_fulfil(self) -> float | None:
        if self.fulfilled_at is None:
            return None
        return round((self.fulfilled_at - self.requested_at).total_seconds() / 3600, 1)
