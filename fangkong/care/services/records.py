"""What was done for the families: services (with supplies drawn from a warehouse),
payments, policy benefits, visits, and the elderly's help requests."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fangkong.care import alerts
from fangkong.care.models import Benefit as BenefitRecord
from fangkong.care.models import (
    BenefitKind,
    Category,
    Elderly,
    Helper,
    HelpRequest,
    MedicalWorker,
    Pairing,
    PaymentKind,
    RequestKind,
    RequestStatus,
    ServiceLog,
    Unit,
    VisitMode,
)
from fangkong.care.models import Payment as PaymentRecord
from fangkong.care.models import Visit as VisitRecord
from fangkong.care.services.access import require_coordinator, require_edit
from fangkong.core.audit import acting_as
from fangkong.lib.dates import check_record_day

#: A help request not fulfilled within this many hours is overdue (an alert opens).
REQUEST_HOURS = 24
MAX_QUANTITY = Decimal("1000000")


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def clean_amount(value: Any, field: str, *, decimals: int = 2) -> Decimal:
    """A positive decimal with at most ``decimals`` places (a quantity, an amount)."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if not number.is_finite():
        raise ValidationError({field: [_("Enter a number.")]})
    if number <= 0:
        raise ValidationError({field: [_("Enter a number greater than zero.")]})
    if number >= MAX_QUANTITY or number != number.quantize(Decimal(1).scaleb(-decimals)):
        raise ValidationError({field: [_("Enter at most %(n)d decimals below a million.")
                                       % {"n": decimals}]})
    return number


def helper_of(actor: Any) -> Helper | None:
    return Helper.objects.filter(user_id=getattr(actor, "pk", None)).first()


def log_service(actor: Any, worker: MedicalWorker, *, client_id: uuid.UUID | str, day: date,
                category: str, quantity: Any, unit: str, note: str = "",
                made_at: datetime | None = None, warehouse: Any = None, item: Any = None,
                ) -> tuple[ServiceLog, bool]:
    """A service given to ``worker``'s family. With ``warehouse`` and ``item`` the goods
    are issued from that store as one supplies issue (``supplies.services.issue``, a
    "care service" recipient naming this log), in the same transaction: the log and its
    issue are saved together or not at all."""
    require_edit(actor, worker)
    errors: dict[str, list[str]] = {}
    if category not in Category.values:
        errors["category"] = [_("Choose the kind of support.")]
    if unit not in Unit.values:
        errors["unit"] = [_("Choose the unit.")]
    try:
        amount = clean_amount(quantity, "quantity")
    except ValidationError as exc:
        errors.update(exc.error_dict)
        amount = None
    try:
        check_record_day(day, "day")
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if (warehouse is None) != (item is None):
        errors["item" if warehouse is not None else "warehouse"] = [
            _("Choose both the warehouse and the item, or neither.")]
    elif item is not None:
        if category != Category.LIFE:
            errors["category"] = [_("Only daily-life support draws goods from a warehouse.")]
        if item.unit != unit:
            errors["unit"] = [_("%(item)s is counted in %(unit)s.")
                              % {"item": item.name, "unit": item.unit}]
    if errors:
        raise ValidationError(errors)
    helper = helper_of(actor)
    if helper is None:
        current = worker.pairings.filter(ended_on__isnull=True, primary=True).first()
        helper = current.helper if current else None
    with acting_as(actor), transaction.atomic():
        log, created = ServiceLog.create_keyed(client_id, same={
            "worker": worker, "day": day, "category": category, "quantity": amount,
            "unit": unit, "note": _text(note, 200)},
            defaults={"org_unit": worker.org_unit, "helper": helper, "recorded_by": actor,
                      "made_at": made_at}, actor=actor)
        if created and item is not None:
            from fangkong.supplies import services as supplies
            from fangkong.supplies.services import Line

            movement, _new = supplies.issue(
                actor, warehouse, client_id=uuid.uuid5(log.client_id, "care-issue"), day=day,
                lines=[Line(item, amount)], recipient_kind="care", recipient=log,
                recipient_label=_("Family of %(name)s") % {"name": worker.name},
                reason=_text(note, 200))
            log.movement = movement
            log.save(update_fields=["movement", "updated_at"])
        return log, created


def pay(actor: Any, worker: MedicalWorker, *, client_id: uuid.UUID | str, day: date,
        kind: str, amount: Any, note: str = "") -> tuple[PaymentRecord, bool]:
    """Money paid to the family: condolence money or the temporary work subsidy."""
    require_coordinator(actor, worker.task_force)
    require_edit(actor, worker)
    errors: dict[str, list[str]] = {}
    if kind not in PaymentKind.values:
        errors["kind"] = [_("Choose the kind of payment.")]
    try:
        value = clean_amount(amount, "amount")
    except ValidationError as exc:
        errors.update(exc.error_dict)
        value = None
    try:
        check_record_day(day, "day")
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        return PaymentRecord.create_keyed(client_id, same={
            "worker": worker, "day": day, "kind": kind, "amount": value,
            "note": _text(note, 200)},
            defaults={"org_unit": worker.org_unit, "recorded_by": actor})


def grant_benefit(actor: Any, worker: MedicalWorker, *, client_id: uuid.UUID | str,
                  day: date, kind: str, note: str = "") -> tuple[BenefitRecord, bool]:
    require_coordinator(actor, worker.task_force)
    require_edit(actor, worker)
    if kind not in BenefitKind.values:
        raise ValidationError({"kind": [_("Choose the policy benefit.")]})
    check_record_day(day, "day")
    with acting_as(actor), transaction.atomic():
        return BenefitRecord.create_keyed(client_id, same={
            "worker": worker, "day": day, "kind": kind, "note": _text(note, 200)},
            defaults={"org_unit": worker.org_unit, "recorded_by": actor})


def record_visit(actor: Any, worker: MedicalWorker, *, client_id: uuid.UUID | str,
                 day: date, mode: str, leader: str, note: str = ""
                 ) -> tuple[VisitRecord, bool]:
    require_coordinator(actor, worker.task_force)
    require_edit(actor, worker)
    errors: dict[str, list[str]] = {}
    if mode not in VisitMode.values:
        errors["mode"] = [_("In person or by video call?")]
    if not _text(leader, 50):
        errors["leader"] = [_("Name the leader who visited.")]
    if errors:
        raise ValidationError(errors)
    check_record_day(day, "day")
    with acting_as(actor), transaction.atomic():
        return VisitRecord.create_keyed(client_id, same={
            "worker": worker, "day": day, "mode": mode, "leader": _text(leader, 50),
            "note": _text(note, 200)},
            defaults={"org_unit": worker.org_unit, "recorded_by": actor})


def request_help(actor: Any, elderly: Elderly, *, client_id: uuid.UUID | str, kind: str,
                 detail: str = "", requested_at: datetime | None = None,
                 made_at: datetime | None = None) -> tuple[HelpRequest, bool]:
    """An elderly resident asks for groceries, masks or medicine (logged by their helper
    or the task force); due ``REQUEST_HOURS`` later."""
    require_edit(actor, elderly)
    if kind not in RequestKind.values:
        raise ValidationError({"kind": [_("Choose what is needed.")]})
    at = requested_at or made_at or timezone.now()
    if at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"requested_at": [_("The time is in the future.")]})
    check_record_day(timezone.localtime(at).date(), "requested_at")
    with acting_as(actor), transaction.atomic():
        return HelpRequest.create_keyed(client_id, same={
            "elderly": elderly, "kind": kind, "detail": _text(detail, 200)},
            defaults={"org_unit": elderly.org_unit, "requested_at": at,
                      "day": timezone.localtime(at).date(),
                      "due_by": at + timedelta(hours=REQUEST_HOURS), "recorded_by": actor,
                      "made_at": made_at}, actor=actor)


def fulfil_request(actor: Any, request: HelpRequest, *, at: datetime | None = None
                   ) -> HelpRequest:
    """Mark a request fulfilled (once: a second click changes nothing) and close its
    overdue alert."""
    require_edit(actor, request)
    at = at or timezone.now()
    if at < request.requested_at:
        raise ValidationError({"fulfilled_at": [_("Fulfilled before it was asked for.")]})
    with acting_as(actor), transaction.atomic():
        done = HelpRequest.objects.filter(pk=request.pk, status=RequestStatus.OPEN).update(
            status=RequestStatus.FULFILLED, fulfilled_at=at, fulfilled_by=actor,
            updated_at=timezone.now())
        request.refresh_from_db()
        if done:
            _close_alert(request, actor, _("Fulfilled"))
    return request


def cancel_request(actor: Any, request: HelpRequest) -> HelpRequest:
    require_edit(actor, request)
    with acting_as(actor), transaction.atomic():
        if HelpRequest.objects.filter(pk=request.pk, status=RequestStatus.OPEN).update(
                status=RequestStatus.CANCELLED, updated_at=timezone.now()):
            _close_alert(request, actor, _("Cancelled"))
        request.refresh_from_db()
    return request


def _subject(request: HelpRequest) -> str:
    return f"care.request:{request.pk}"


def _close_alert(request: HelpRequest, actor: Any, outcome: str) -> None:
    from fangkong.core.models import Alert
    from fangkong.core.services.alerts import close_alert

    for alert in Alert.objects.filter(kind=alerts.OVERDUE_REQUEST.code,
                                      subject=_subject(request), status="open"):
        close_alert(alert, actor=actor, outcome=outcome)


def open_overdue_alerts(now: datetime | None = None, *, since: timedelta = timedelta(days=3)
                        ) -> int:
    """One alert per open request past its due time (not older than ``since`` past it:
    an old data set's requests are history, not work). Idempotent: one open alert per
    request (``open_alert``'s subject)."""
    from fangkong.core.services.alerts import open_alert

    now = now or timezone.now()
    overdue = (HelpRequest.objects.filter(status=RequestStatus.OPEN, due_by__lt=now,
                                          due_by__gte=now - since)
               .select_related("elderly", "org_unit"))
    opened = 0
    with translation.override(settings.LANGUAGE_CODE):
        for request in overdue:
            open_alert(kind=alerts.OVERDUE_REQUEST, org_unit=request.org_unit,
                       title=_("Help request overdue: %(who)s, %(what)s since %(at)s") % {
                           "who": request.elderly.masked_name,
                           "what": request.get_kind_display(),
                           "at": timezone.localtime(request.requested_at)
                           .strftime("%Y-%m-%d %H:%M")},
                       subject=_subject(request), opened_at=now)
            opened += 1
    return opened


def active_families(helper: Helper) -> Any:
    return Pairing.objects.active().filter(helper=helper)

