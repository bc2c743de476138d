"""Relief (扶贫资金政策): the registry of registered poor households (建档立卡贫困户)
and poverty-relief entities, applications for the five measures, acceptance (验收) and
payment (兑付) batches, and the frozen results that say why an amount was paid.

- ``PoorHousehold`` (a village's register; 一卡通 account masked, ``PII``) and its
  ``PoorMember`` records (``PersonRecord``: people from the core registry, linked through
  ``link_person``; months worked away for measure 2).
- ``ReliefEntity`` (workshop, enterprise, east–west cooperation enterprise,
  cooperative) with its ``EntityWorker`` rows (registered poor workers), the households
  it leads (``led_households``) and its ``Loan`` rows.
- ``Application`` for one measure and one subject (a household, an entity, a loan); at
  most one live application per measure and subject (database constraint).
- ``Evaluation``: a result frozen with its inputs, explanation, trace and the rule
  versions it read (``ParameterValue``, protected), so "why 1,000 yuan" is answered
  from the record months later, whatever the rules became.
- ``AcceptanceBatch`` and ``PaymentBatch``; ``Payment`` is one row of a payment batch
  (one household or entity account). Nobody is paid twice for one measure: a unique
  constraint on (measure, subject) over every payment not returned by the bank.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.models import KeyedModel, Person, PersonRecord, ScopedModel
from fangkong.core.models.rules import ParameterValue
from fangkong.lib import masking


class Measure(models.TextChoices):
    INDUSTRY = "industry", _("Industry direct subsidy (产业发展直补到户)")
    EMPLOYMENT = "employment", _("Employment living subsidy (外出务工一次性生活补贴)")
    ENTITY = "entity", _("Production subsidy to entities (带贫主体一次性生产补贴)")
    SUPPLIES = "supplies", _("Production supplies by tier (生产物资分级发放)")
    LOAN_INTEREST = "loan_interest", _("Loan interest subsidy extension (扶贫贷款贴息延长)")


#: Measures whose subject is a household; the others' is an entity (a loan for measure 5).
HOUSEHOLD_MEASURES = (Measure.INDUSTRY, Measure.EMPLOYMENT)


class ProjectType(models.TextChoices):
    PLANTING = "planting", _("Planting (种植业)")
    BREEDING = "breeding", _("Breeding (养殖业)")
    SPECIALTY = "specialty", _("Specialty industry (特色产业)")
    COURTYARD = "courtyard", _("Courtyard economy (庭院经济)")
    STARTUP = "startup", _("Own business (自主创业)")


class EntityKind(models.TextChoices):
    WORKSHOP = "workshop", _("Poverty-relief workshop (扶贫车间)")
    ENTERPRISE = "enterprise", _("Local enterprise (本地企业)")
    EAST_WEST = "east_west", _("East–west cooperation enterprise (东西部协作企业)")
    COOPERATIVE = "cooperative", _("Cooperative (合作社)")


class PoorHousehold(KeyedModel):
    """A registered poor household (建档立卡贫困户) of a village (``org_unit``)."""

    number = models.CharField(_("registration number"), max_length=30, unique=True)
    head = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("head of household"))
    head_name = models.CharField(_("head of household"), max_length=50)
    account_number = models.CharField(_("一卡通 account"), max_length=30)
    account_bank = models.CharField(_("bank"), max_length=50)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    PII = {"account_number": masking.mask_bank_card}
    #: Not shown in the change history (the form's key, its timing, the entry's author,
    #: which the history names anyway).
    internal_fields = frozenset({"client_id", "made_at", "arrived_late", "created_by"})

    class Meta:
        verbose_name = _("registered poor household")
        verbose_name_plural = _("registered poor households")
        ordering = ["unit_path", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.head_name}"

    @property
    def subject(self) -> str:
        return f"household:{self.pk}"


class PoorMember(PersonRecord):
    """A member of a poor household: a person of the core registry, with the name and
    phone as typed here, and the months worked away from home (measure 2)."""

    household = models.ForeignKey(PoorHousehold, on_delete=models.CASCADE,
                                  related_name="members", verbose_name=_("household"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    relation = models.CharField(_("relation to the head"), max_length=20, blank=True)
    away_from = models.DateField(_("worked away from"), null=True, blank=True)
    away_to = models.DateField(_("worked away until"), null=True, blank=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["household", "person"],
                                    name="relief_member_once_per_household"),
            models.CheckConstraint(
                condition=Q(away_to__isnull=True) | Q(away_from__isnull=False,
                                                       away_to__gte=models.F("away_from")),
                name="relief_member_away_ordered"),
        ]

    def __str__(self) -> str:
        return self.masked_name

    def get_additional_data(self) -> dict[str, int]:
        """Stored with each change-history entry (auditlog), so the household's page
        lists its members' changes, a removed member's included."""
        return {"household": self.household_id}


class ReliefEntity(KeyedModel):
    """A poverty-relief entity (带贫主体) registered in a town or village."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=EntityKind.choices)
    resumed_on = models.DateField(_("resumed work on"), null=True, blank=True)
    account_number = models.CharField(_("account"), max_length=30)
    account_bank = models.CharField(_("bank"), max_length=50)
    led_households = models.ManyToManyField(PoorHousehold, blank=True, related_name="led_by",
                                            verbose_name=_("households led"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    PII = {"account_number": masking.mask_bank_card}

    class Meta:
        verbose_name = _("poverty-relief entity")
        verbose_name_plural = _("poverty-relief entities")
        ordering = ["unit_path", "name"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "name"],
                                               name="relief_entity_name_per_unit")]

    def __str__(self) -> str:
        return self.name

    @property
    def subject(self) -> str:
        return f"entity:{self.pk}"


class EntityWorker(models.Model):
    """A registered poor worker in stable employment at an entity."""

    entity = models.ForeignKey(ReliefEntity, on_delete=models.CASCADE, related_name="workers")
    member = models.ForeignKey(PoorMember, on_delete=models.PROTECT, related_name="jobs",
                               verbose_name=_("worker"))
    since = models.DateField(_("employed since"))

    class Meta:
        verbose_name = _("poor worker")
        verbose_name_plural = _("poor workers")
        constraints = [models.UniqueConstraint(fields=["entity", "member"],
                                               name="relief_worker_once_per_entity")]

    def __str__(self) -> str:
        return f"{self.entity_id}: {self.member}"


class Loan(models.Model):
    """A poverty-relief loan of an entity (measure 5)."""

    entity = models.ForeignKey(ReliefEntity, on_delete=models.CASCADE, related_name="loans")
    contract_number = models.CharField(_("contract number"), max_length=40)
    bank = models.CharField(_("lender"), max_length=50)
    principal = models.DecimalField(_("principal (yuan)"), max_digits=14, decimal_places=2)
    annual_rate = models.DecimalField(_("subsidised annual rate"), max_digits=8,
                                      decimal_places=6)
    due_date = models.DateField(_("due date"))
    for_production = models.BooleanField(_("used for production"), default=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["entity", "due_date"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "contract_number"],
                                    name="relief_loan_contract_per_entity"),
            models.CheckConstraint(condition=Q(principal__gte=0) & Q(annual_rate__gte=0)
                                   & Q(annual_rate__lte=1), name="relief_loan_amounts"),
        ]

    def __str__(self) -> str:
        return self.contract_number

    @property
    def subject(self) -> str:
        return f"loan:{self.pk}"


class Evaluation(models.Model):
    """A result frozen with what it was computed from: the facts, the day whose rules
    were read, the versions read (protected: a version a result used is never deleted),
    the explanation and the trace."""

    measure = models.CharField(pgettext_lazy("relief", "measure"), max_length=16,
                               choices=Measure.choices)
    as_of = models.DateField(_("rules of"))
    facts = models.JSONField(_("facts"))
    status = models.CharField(_("result"), max_length=10)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True)
    tier = models.PositiveSmallIntegerField(_("tier"), null=True)
    explanation = models.TextField(_("explanation"))
    trace = models.JSONField(_("trace"))
    versions = models.ManyToManyField(ParameterValue, through="EvaluationRule",
                                      related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")

    class Meta:
        verbose_name = _("frozen result")
        verbose_name_plural = _("frozen results")

    def __str__(self) -> str:
        return f"{self.measure} {self.as_of.isoformat()} {self.amount}"


class EvaluationRule(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE)
    version = models.ForeignKey(ParameterValue, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.evaluation_id} → {self.version_id}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("relief", "Submitted")
    ACCEPTED = "accepted", _("Accepted, to be paid")
    NOT_ELIGIBLE = "not_eligible", _("Accepted, nothing due")
    IN_PAYMENT = "in_payment", _("In a payment batch")
    PAID = "paid", _("Paid")
    ISSUED = "issued", _("Supplies issued")
    REJECTED = "rejected", pgettext_lazy("relief", "Rejected")


class Application(KeyedModel):
    """An application for one measure by one subject (``subject``: ``household:<id>``,
    ``entity:<id>`` or ``loan:<id>``), in the subject's unit."""

    measure = models.CharField(pgettext_lazy("relief", "measure"), max_length=16,
                               choices=Measure.choices)
    subject = models.CharField(pgettext_lazy("relief", "subject"), max_length=30, editable=False)
    household = models.ForeignKey(PoorHousehold, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="applications")
    entity = models.ForeignKey(ReliefEntity, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="applications")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="applications")
    project_type = models.CharField(_("project type"), max_length=12, blank=True,
                                    choices=ProjectType.choices)
    submitted_on = models.DateField(_("submitted on"))
    status = models.CharField(_("status"), max_length=12, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    problem = models.CharField(_("why it is held"), max_length=300, blank=True)
    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="application")
    acceptance_batch = models.ForeignKey("AcceptanceBatch", on_delete=models.PROTECT,
                                         null=True, blank=True, related_name="applications")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+")

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "subject"],
                                    condition=~Q(status="rejected"),
                                    name="relief_one_live_application"),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} · {self.subject_name}"

    @property
    def subject_name(self) -> str:
        if self.loan_id:
            return f"{self.entity.name} {self.loan.contract_number}"
        if self.entity_id:
            return self.entity.name
        return str(self.household)


class AcceptanceBatch(KeyedModel):
    """验收: applications checked in the field on one day, their results frozen."""

    number = models.CharField(_("batch number"), max_length=30, unique=True)
    accepted_on = models.DateField(_("accepted on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")

    class Meta:
        verbose_name = _("acceptance batch")
        verbose_name_plural = _("acceptance batches")
        ordering = ["-accepted_on", "-pk"]

    def __str__(self) -> str:
        return self.number


class PaymentBatchStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    SETTLED = "settled", _("Settled by the bank")


class PaymentBatch(KeyedModel):
    """兑付: payments sent to the bank in one file, settled with the bank's reference."""

    number = models.CharField(_("batch number"), max_length=30, unique=True)
    prepared_on = models.DateField(_("prepared on"))
    status = models.CharField(_("status"), max_length=8, choices=PaymentBatchStatus.choices,
                              default=PaymentBatchStatus.DRAFT)
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-prepared_on", "-pk"]

    def __str__(self) -> str:
        return self.number


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Sent to the bank")
    PAID = "paid", _("Paid")
    RETURNED = "returned", _("Returned by the bank")


class Payment(ScopedModel):
    """One row of a payment batch and of its bank file (one account)."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="payments")
    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                    related_name="payments")
    measure = models.CharField(pgettext_lazy("relief", "measure"), max_length=16,
                               choices=Measure.choices)
    subject = models.CharField(pgettext_lazy("relief", "subject"), max_length=30)
    payee = models.CharField(_("payee"), max_length=100)
    payee_person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True,
                                     related_name="+")
    account_number = models.CharField(_("account"), max_length=30)
    account_bank = models.CharField(_("bank"), max_length=50)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=8, choices=PaymentStatus.choices,
                              default=PaymentStatus.PENDING)
    returned_reason = models.CharField(_("why returned"), max_length=200, blank=True)

    PII = {"account_number": masking.mask_bank_card}

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["batch", "pk"]
        constraints = [
            # Nobody is paid twice for one measure: one payment per measure and subject
            # that the bank has not returned.
            models.UniqueConstraint(fields=["measure", "subject"],
                                    condition=~Q(status="returned"),
                                    name="relief_paid_once_per_measure"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="relief_payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.batch.number} · {self.payee}"
