"""The task force's figures, from the records (the page's sentence: 910 workers, 577
helpers, 10 sent to Hubei, 932 sets, 4,868 kg, 593 sessions, 25.39 and 34.02 万元)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from fangkong.care.models import (
    Category,
    Deployment,
    Helper,
    MedicalWorker,
    Pairing,
    Payment,
    PaymentKind,
    ServiceLog,
    Unit,
)


@dataclass(frozen=True)
class Totals:
    workers: int
    helpers: int
    sent_to_hubei: int
    necessities_sets: int
    goods_kg: Decimal
    counselling_sessions: int
    condolence_yuan: Decimal
    temporary_subsidy_yuan: Decimal

    def as_json(self) -> dict[str, Any]:
        """Counts as numbers, money and kilograms as strings with two decimals."""
        return {"workers": self.workers, "helpers": self.helpers,
                "sent_to_hubei": self.sent_to_hubei, "necessities_sets": self.necessities_sets,
                "goods_kg": f"{self.goods_kg:.2f}",
                "counselling_sessions": self.counselling_sessions,
                "condolence_yuan": f"{self.condolence_yuan:.2f}",
                "temporary_subsidy_yuan": f"{self.temporary_subsidy_yuan:.2f}"}


def _base(model: Any, unit: Any, user: Any, organisation: Any = None) -> Any:
    qs = model.objects.all() if user is None else model.objects.visible_to(user)
    if organisation is not None:
        qs = qs.filter(**{qs.TASK_FORCE: organisation.pk})
    return qs.under(unit) if unit is not None else qs


def _sum(qs: Any, field: str) -> Decimal:
    return qs.aggregate(s=Sum(field))["s"] or Decimal(0)


def totals(unit: Any, until: date, *, user: Any = None, organisation: Any = None) -> Totals:
    """Figures for the families whose home is under ``unit`` (all when None), up to and
    including ``until``; with ``user``, only the records that user may see; with
    ``organisation``, only the records of the task forces it leads (its daily report)."""
    workers = _base(MedicalWorker, unit, user, organisation).filter(registered_on__lte=until)
    active = Q(started_on__lte=until) & (Q(ended_on__isnull=True) | Q(ended_on__gt=until))
    pairings = _base(Pairing, unit, user, organisation).filter(active, worker__isnull=False)
    services = _base(ServiceLog, unit, user, organisation).filter(day__lte=until)
    payments = _base(Payment, unit, user, organisation).filter(day__lte=until)

    def service(category: str, measure: str) -> Decimal:
        return _sum(services.filter(category=category, unit=measure), "quantity")

    return Totals(
        workers=workers.count(),
        helpers=Helper.objects.filter(pk__in=pairings.values("helper_id")).count(),
        sent_to_hubei=workers.filter(deployment=Deployment.HUBEI, deployed_from__lte=until)
        .exclude(unit_contact="").count(),
        necessities_sets=int(service(Category.LIFE, Unit.SET)),
        goods_kg=service(Category.LIFE, Unit.KG),
        counselling_sessions=int(service(Category.MIND, Unit.SESSION)),
        condolence_yuan=_sum(payments.filter(kind=PaymentKind.CONDOLENCE), "amount"),
        temporary_subsidy_yuan=_sum(payments.filter(kind=PaymentKind.SUBSIDY), "amount"),
    )
