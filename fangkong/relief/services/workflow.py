"""Applications → acceptance (验收) batches → payment (兑付) batches → the bank's
settlement. Every write authorises its actor (EDIT to apply, APPROVE for batches) over
the county or the record's unit, and is audited.

Nobody is paid twice for one measure: ``Payment`` carries a unique constraint on
(measure, subject) over every payment the bank has not returned, so two batches built at
once cannot both pay one household; the refusal names the batch that holds the payment.
A payment the bank returns frees the constraint and puts its application back among
those to pay: the next batch takes it again.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from fangkong.core.audit import acting_as
from fangkong.core.models import OrgUnit
from fangkong.core.models.territory import Level
from fangkong.core.roles import Cap
from fangkong.core.scoping import require_capability
from fangkong.relief import engine
from fangkong.relief.models import (
    HOUSEHOLD_MEASURES,
    AcceptanceBatch,
    Application,
    ApplicationStatus,
    Evaluation,
    EvaluationRule,
    Loan,
    Measure,
    Payment,
    PaymentBatch,
    PaymentBatchStatus,
    PaymentStatus,
    PoorHousehold,
    ReliefEntity,
)

#: Results are frozen in the platform's language (the explanation is read months later
#: by whoever asks; the trace is language-neutral).
FROZEN_LANGUAGE = "zh-hans"


# --- facts from the registry ------------------------------------------------------------
def facts_for(application: Application, *, accepted: bool) -> dict[str, Any]:
    """The facts the engine reads for ``application``, from the registry as it is now."""
    measure = application.measure
    if measure == Measure.INDUSTRY:
        return {"project_type": application.project_type, "accepted": accepted}
    if measure == Measure.EMPLOYMENT:
        members = []
        for m in application.household.members.order_by("pk"):
            if m.away_from and m.away_to:
                members.append({"name": m.masked_name, "away_from": m.away_from,
                                "away_to": m.away_to})
            else:
                members.append({"name": m.masked_name, "months_away": 0})
        return {"members": members}
    entity = application.entity
    facts: dict[str, Any] = {"resumed": entity.resumed_on is not None,
                             "resumed_on": entity.resumed_on}
    if measure == Measure.ENTITY:
        facts["poor_workers"] = entity.workers.count()
    elif measure == Measure.SUPPLIES:
        facts["households_led"] = entity.led_households.count()
    else:
        loan = application.loan
        facts.update({"for_production": loan.for_production, "principal": loan.principal,
                      "annual_rate": loan.annual_rate, "due_date": loan.due_date})
    return facts


def freeze(result: engine.Result, actor: Any) -> Evaluation:
    """Store ``result`` with its inputs, explanation, trace and the versions it read."""
    evaluation = Evaluation.objects.create(
        measure=result.measure, as_of=result.as_of, facts=result.trace["facts"],
        status=result.status, amount=result.amount, tier=result.tier,
        explanation=result.explanation, trace=result.trace, created_by=actor)
    EvaluationRule.objects.bulk_create(
        [EvaluationRule(evaluation=evaluation, version_id=v) for v in result.versions])
    return evaluation


def evaluate_application(application: Application, day: date, *, accepted: bool
                         ) -> engine.Result:
    with translation.override(FROZEN_LANGUAGE):
        return engine.quote(application.measure, facts_for(application, accepted=accepted),
                            day)


# --- applications -------------------------------------------------------------------------
def _subject_of(measure: str, household: PoorHousehold | None, entity: ReliefEntity | None,
                loan: Loan | None) -> tuple[str, Any]:
    if measure in HOUSEHOLD_MEASURES:
        if household is None:
            raise ValidationError({"household": [_("Choose the household.")]})
        return household.subject, household.org_unit
    if entity is None:
        raise ValidationError({"entity": [_("Choose the entity.")]})
    if measure == Measure.LOAN_INTEREST:
        if loan is None or loan.entity_id != entity.pk:
            raise ValidationError({"loan": [_("Choose one of the entity's loans.")]})
        return loan.subject, entity.org_unit
    return entity.subject, entity.org_unit


def already_paid_message(payment: Payment) -> str:
    return _("Already paid for this measure by payment batch %(batch)s (%(amount)s yuan).") % {
        "batch": payment.batch.number, "amount": payment.amount}


def live_application_error(measure: str, subject: str) -> ValidationError:
    """The refusal of a second application: by which batch it was paid, or that one is
    under way."""
    payment = (Payment.objects.filter(measure=measure, subject=subject)
               .exclude(status=PaymentStatus.RETURNED).select_related("batch").first())
    if payment is not None:
        return ValidationError({"measure": [already_paid_message(payment)]})
    live = Application.objects.filter(measure=measure, subject=subject).exclude(
        status=ApplicationStatus.REJECTED).first()
    status = live.get_status_display() if live else ""
    return ValidationError({"measure": [_(
        "An application for this measure is already under way (%(status)s).")
        % {"status": status}]})


def apply(
    actor: Any, measure: str, *, client_id: uuid.UUID, submitted_on: date,
    household: PoorHousehold | None = None, entity: ReliefEntity | None = None,
    loan: Loan | None = None, project_type: str = "",
) -> tuple[Application, bool]:
    """An application for ``measure`` by a household, an entity or an entity's loan."""
    if measure not in Measure.values:
        raise ValidationError({"measure": [_("Choose one of the five measures.")]})
    subject, unit = _subject_of(measure, household, entity, loan)
    require_capability(actor, Cap.EDIT, unit.path)
    if measure == Measure.INDUSTRY and not project_type:
        raise ValidationError({"project_type": [_("Choose the project type.")]})
    with acting_as(actor), transaction.atomic():
        same = {"org_unit": unit, "measure": measure, "subject": subject,
                "household": household if measure in HOUSEHOLD_MEASURES else None,
                "entity": entity if measure not in HOUSEHOLD_MEASURES else None,
                "loan": loan if measure == Measure.LOAN_INTEREST else None,
                "project_type": project_type if measure == Measure.INDUSTRY else ""}
        existing = Application.objects.filter(client_id=client_id).first()
        if existing is None and Application.objects.filter(
                measure=measure, subject=subject).exclude(
                status=ApplicationStatus.REJECTED).exists():
            raise live_application_error(measure, subject)
        try:
            return Application.create_keyed(client_id, same=same, defaults={
                "submitted_on": submitted_on, "submitted_by": actor})
        except IntegrityError:
            # A concurrent application for the same subject won the unique constraint.
            raise live_application_error(measure, subject) from None


def reject(actor: Any, application: Application, reason: str) -> Application:
    require_capability(actor, Cap.APPROVE, application.unit_path)
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError({"reason": [_("Only a submitted application can be rejected.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why.")]})
    with acting_as(actor):
        application.status = ApplicationStatus.REJECTED
        application.problem = reason.strip()[:300]
        application.save(update_fields=["status", "problem"])
    return application


# --- batches ------------------------------------------------------------------------------
def _county(unit: OrgUnit) -> OrgUnit:
    if unit.level != Level.COUNTY:
        raise ValidationError({"county": [_("Batches are made per county.")]})
    return unit


def _next_number(model: Any, prefix: str, county: OrgUnit, day: date) -> str:
    stem = f"{prefix}{county.code[:6]}-{day:%Y%m%d}-"
    taken = model.objects.filter(number__startswith=stem).count()
    return f"{stem}{taken + 1:02d}"


def accept(actor: Any, county: OrgUnit, applications: list[Application], *,
           accepted_on: date, client_id: uuid.UUID
           ) -> tuple[AcceptanceBatch, list[tuple[Application, str]]]:
    """An acceptance batch of the submitted ``applications`` of ``county``: each result
    is computed under the rules of ``accepted_on`` and frozen. An application whose
    result is "no rule in force" or a rule conflict is held back with the reason (and
    flagged on the application), not accepted. Answers ``(batch, held)``."""
    county = _county(county)
    require_capability(actor, Cap.APPROVE, county.path)
    existing = AcceptanceBatch.objects.filter(client_id=client_id).first()
    if existing is not None:
        return existing, []
    if not applications:
        raise ValidationError({"applications": [_("Choose at least one application.")]})
    held: list[tuple[Application, str]] = []
    with acting_as(actor), transaction.atomic():
        OrgUnit.objects.select_for_update().get(pk=county.pk)  # one numbering at a time
        rows = list(Application.objects.select_for_update().filter(
            pk__in=[a.pk for a in applications], unit_path__startswith=county.path,
            status=ApplicationStatus.SUBMITTED).order_by("pk"))
        if not rows:
            raise ValidationError({"applications": [_(
                "None of these applications is waiting for acceptance in this county.")]})
        batch, _created = AcceptanceBatch.create_keyed(client_id, same={
            "org_unit": county, "accepted_on": accepted_on}, defaults={
            "number": _next_number(AcceptanceBatch, "YS", county, accepted_on),
            "created_by": actor})
        for application in rows:
            result = evaluate_application(application, accepted_on, accepted=True)
            if result.status != "ok":
                application.problem = result.explanation[:300]
                application.save(update_fields=["problem"])
                held.append((application, result.explanation))
                continue
            application.evaluation = freeze(result, actor)
            application.acceptance_batch = batch
            application.problem = ""
            due = (result.tier or 0) > 0 if application.measure == Measure.SUPPLIES \
                else result.amount > 0
            if not due:
                application.status = ApplicationStatus.NOT_ELIGIBLE
            elif application.measure == Measure.SUPPLIES:
                application.status = ApplicationStatus.ISSUED
            else:
                application.status = ApplicationStatus.ACCEPTED
            application.save(update_fields=["evaluation", "acceptance_batch", "problem",
                                            "status"])
    return batch, held


def _payee(application: Application) -> dict[str, Any]:
    if application.household_id:
        h = application.household
        return {"payee": h.head_name, "payee_person": h.head,
                "account_number": h.account_number, "account_bank": h.account_bank}
    e = application.entity
    return {"payee": e.name, "payee_person": None, "account_number": e.account_number,
            "account_bank": e.account_bank}


def pay(application: Application, batch: PaymentBatch) -> Payment:
    """Put ``application`` in ``batch`` (inside the caller's transaction). The database
    refuses a second payment for the same measure and subject; the refusal names the
    batch that already holds it."""
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                org_unit_id=batch.org_unit_id, batch=batch, application=application,
                measure=application.measure, subject=application.subject,
                amount=application.evaluation.amount, **_payee(application))
    except IntegrityError:
        other = (Payment.objects.filter(measure=application.measure,
                                        subject=application.subject)
                 .exclude(status=PaymentStatus.RETURNED).select_related("batch").first())
        if other is None:
            raise
        raise ValidationError({"applications": [already_paid_message(other)]}) from None
    application.status = ApplicationStatus.IN_PAYMENT
    application.save(update_fields=["status"])
    return payment


def payable(county: OrgUnit):
    """Accepted applications with money due and no live payment (returned ones too)."""
    return (Application.objects.filter(
        unit_path__startswith=county.path, status=ApplicationStatus.ACCEPTED,
        measure__in=engine.MONEY_MEASURES, evaluation__amount__gt=0)
        .select_related("household", "entity", "loan", "evaluation").order_by("pk"))


def build_payment_batch(actor: Any, county: OrgUnit, *, prepared_on: date,
                        client_id: uuid.UUID) -> tuple[PaymentBatch, list[str]]:
    """A payment batch of every accepted application of ``county`` still to pay,
    including those whose payment the bank returned. Answers ``(batch, refusals)``."""
    county = _county(county)
    require_capability(actor, Cap.APPROVE, county.path)
    existing = PaymentBatch.objects.filter(client_id=client_id).first()
    if existing is not None:
        return existing, []
    refusals: list[str] = []
    with acting_as(actor), transaction.atomic():
        OrgUnit.objects.select_for_update().get(pk=county.pk)
        rows = list(payable(county).select_for_update(of=("self",)))
        if not rows:
            raise ValidationError({"county": [_("Nothing is waiting to be paid in %(county)s.")
                                              % {"county": county.name}]})
        batch, _created = PaymentBatch.create_keyed(client_id, same={
            "org_unit": county, "prepared_on": prepared_on}, defaults={
            "number": _next_number(PaymentBatch, "DF", county, prepared_on),
            "created_by": actor})
        for application in rows:
            try:
                pay(application, batch)
            except ValidationError as exc:
                refusals.append(f"{application.subject_name}: {exc.messages[0]}")
        if not batch.payments.exists():
            raise ValidationError({"county": refusals or [_("Nothing to pay.")]})
    return batch, refusals


def settle(actor: Any, batch: PaymentBatch, *, bank_reference: str, paid_on: date,
           returned: dict[int, str] | None = None) -> PaymentBatch:
    """The bank's answer: every payment paid except ``returned`` (payment id → reason),
    whose applications wait for the next batch."""
    require_capability(actor, Cap.APPROVE, batch.unit_path)
    returned = returned or {}
    errors: dict[str, list[str]] = {}
    if not (bank_reference or "").strip():
        errors["bank_reference"] = [_("Enter the bank's reference of the transfer.")]
    if paid_on < batch.prepared_on:
        errors["paid_on"] = [_("The batch was prepared on %(day)s; it cannot be paid before.")
                             % {"day": batch.prepared_on.isoformat()}]
    ids = set(batch.payments.values_list("pk", flat=True))
    if set(returned) - ids:
        errors["returned"] = [_("A returned payment is not one of this batch's.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != PaymentBatchStatus.DRAFT:
            raise ValidationError({"bank_reference": [_(
                "This batch was already settled (reference %(ref)s).")
                % {"ref": batch.bank_reference}]})
        for payment in batch.payments.select_related("application"):
            application = payment.application
            if payment.pk in returned:
                payment.status = PaymentStatus.RETURNED
                payment.returned_reason = (returned[payment.pk] or "")[:200]
                application.status = ApplicationStatus.ACCEPTED
            else:
                payment.status = PaymentStatus.PAID
                application.status = ApplicationStatus.PAID
            payment.save(update_fields=["status", "returned_reason"])
            application.save(update_fields=["status"])
        batch.status = PaymentBatchStatus.SETTLED
        batch.bank_reference = bank_reference.strip()
        batch.paid_on = paid_on
        batch.save(update_fields=["status", "bank_reference", "paid_on"])
    return batch


def visible_counties(user: Any) -> Any:
    from fangkong.core.scoping import units_visible_to

    return units_visible_to(user, Cap.APPROVE, level=Level.COUNTY)


__all__ = ["accept", "apply", "build_payment_batch", "facts_for", "freeze", "pay", "payable",
           "reject", "settle", "visible_counties"]
