"""Totals of the relief measures under a unit (county, town, village): what was
accepted, what was paid and to how many, per measure and per child unit. The overview
page, the indicators and the briefing read these; nothing is counted twice: amounts
come from the frozen results and the payments the bank settled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from fangkong.core.models import OrgUnit
from fangkong.relief.engine import MEASURES
from fangkong.relief.models import (
    Application,
    ApplicationStatus,
    Payment,
    PaymentBatchStatus,
    PaymentStatus,
)

ZERO = Decimal("0.00")
ACCEPTED_STATES = (ApplicationStatus.ACCEPTED, ApplicationStatus.IN_PAYMENT,
                   ApplicationStatus.PAID, ApplicationStatus.ISSUED)


@dataclass
class Row:
    label: str
    unit: OrgUnit | None = None
    submitted: int = 0
    accepted: int = 0
    accepted_amount: Decimal = ZERO
    paid: int = 0
    paid_amount: Decimal = ZERO
    returned: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _applications(unit: OrgUnit, day: date | None) -> Any:
    qs = Application.objects.filter(unit_path__startswith=unit.path)
    if day is not None:
        qs = qs.filter(submitted_on__lte=day)
    return qs


def _payments(unit: OrgUnit, day: date | None) -> Any:
    # By the applicant's area (a payment's own unit is its batch's county).
    qs = Payment.objects.filter(application__unit_path__startswith=unit.path)
    if day is not None:
        qs = qs.filter(Q(batch__paid_on__lte=day) | Q(batch__paid_on__isnull=True))
    return qs


def by_measure(unit: OrgUnit, day: date | None = None) -> list[Row]:
    """One row per measure under ``unit`` (up to ``day`` if given)."""
    apps = _applications(unit, day)
    counts = {r["measure"]: r for r in apps.values("measure").annotate(
        submitted=Count("pk"),
        accepted=Count("pk", filter=Q(status__in=ACCEPTED_STATES)),
        accepted_amount=Sum("evaluation__amount", filter=Q(status__in=ACCEPTED_STATES)))}
    paid = {r["measure"]: r for r in _paid(_payments(unit, day)).values("measure").annotate(
        paid=Count("pk"), paid_amount=Sum("amount"))}
    returned = dict(_payments(unit, day).filter(status=PaymentStatus.RETURNED)
                    .values_list("measure").annotate(n=Count("pk")))
    rows = []
    for measure, label in MEASURES.items():
        c, p = counts.get(measure, {}), paid.get(measure, {})
        rows.append(Row(str(label), submitted=c.get("submitted", 0),
                        accepted=c.get("accepted", 0),
                        accepted_amount=c.get("accepted_amount") or ZERO,
                        paid=p.get("paid", 0), paid_amount=p.get("paid_amount") or ZERO,
                        returned=returned.get(measure, 0), extra={"measure": measure}))
    return rows


def _paid(payments: Any) -> Any:
    return payments.filter(status=PaymentStatus.PAID, batch__status=PaymentBatchStatus.SETTLED)


def by_child(unit: OrgUnit, day: date | None = None) -> list[Row]:
    """One row per child unit of ``unit`` (towns of a county, villages of a town) that
    has any application."""
    rows = []
    children = OrgUnit.objects.filter(path__startswith=unit.path,
                                      depth=unit.depth + 1).order_by("path")
    for child in children:
        apps = _applications(child, day)
        agg = apps.aggregate(
            submitted=Count("pk"),
            accepted=Count("pk", filter=Q(status__in=ACCEPTED_STATES)),
            accepted_amount=Sum("evaluation__amount", filter=Q(status__in=ACCEPTED_STATES)))
        if not agg["submitted"]:
            continue
        paid = _paid(_payments(child, day)).aggregate(n=Count("pk"), total=Sum("amount"))
        rows.append(Row(child.name, unit=child, submitted=agg["submitted"],
                        accepted=agg["accepted"],
                        accepted_amount=agg["accepted_amount"] or ZERO,
                        paid=paid["n"], paid_amount=paid["total"] or ZERO))
    return rows


def total(rows: list[Row]) -> Row:
    out = Row("")
    for r in rows:
        out.submitted += r.submitted
        out.accepted += r.accepted
        out.accepted_amount += r.accepted_amount
        out.paid += r.paid
        out.paid_amount += r.paid_amount
        out.returned += r.returned
    return out


def paid_total(unit: OrgUnit, day: date | None = None) -> Decimal:
    return _paid(_payments(unit, day)).aggregate(t=Sum("amount"))["t"] or ZERO


def paid_count(unit: OrgUnit, day: date | None = None) -> int:
    return _paid(_payments(unit, day)).count()


def awaiting_payment(unit: OrgUnit, day: date | None = None) -> int:
    """Accepted with money due and not paid yet (waiting for a batch, or in one the bank
    has not settled)."""
    return _applications(unit, day).filter(
        status__in=(ApplicationStatus.ACCEPTED, ApplicationStatus.IN_PAYMENT),
        evaluation__amount__gt=0).count()
