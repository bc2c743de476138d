"""The ledger export of a warehouse for a period: one row per item it stocks, with the
opening balance, what came in, what went out and the closing balance, summed from the
ledger (never from the cached balances, so a past period reads as it was)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fangkong.core.exports import RegisterExporter
from fangkong.core.registries import export_kind
from fangkong.core.roles import Cap
from fangkong.core.scoping import get_for_user
from fangkong.lib.dates import parse_day
from fangkong.lib.tabular import Column
from fangkong.supplies.models import QTY, Balance, LedgerEntry, Warehouse

_QTY = DecimalField(**QTY)


def _sum(start: date | None, end: date | None, sign: int = 0) -> Coalesce:
    entries = LedgerEntry.objects.filter(warehouse_id=OuterRef("warehouse_id"),
                                         item_id=OuterRef("item_id"))
    if start is not None:
        entries = entries.filter(day__gte=start)
    if end is not None:
        entries = entries.filter(day__lte=end)
    if sign > 0:
        entries = entries.filter(delta__gt=0)
    elif sign < 0:
        entries = entries.filter(delta__lt=0)
    total = entries.order_by().values("warehouse_id").annotate(s=Sum("delta")).values("s")
    return Coalesce(Subquery(total, output_field=_QTY), Value(Decimal(0)), output_field=_QTY)


def period_summary(balances: QuerySet[Balance], start: date, end: date) -> QuerySet[Balance]:
    """``balances`` with ``opening``, ``received`` (in), ``issued`` (out, positive) and
    ``closing`` for the days ``start`` to ``end``."""
    from datetime import timedelta

    return balances.annotate(
        opening=_sum(None, start - timedelta(days=1)),
        inflow=_sum(start, end, +1),
        outflow=_sum(start, end, -1),
    ).select_related("item").order_by("item__category", "item__name", "item__code")


class LedgerExporter(RegisterExporter):
    filename = gettext_lazy("Stock ledger")
    columns = (
        Column("code", gettext_lazy("Item code"), "text", 14),
        Column("item", gettext_lazy("Item"), "text", 18),
        Column("standard", gettext_lazy("Standard"), "text", 16),
        Column("unit", pgettext_lazy("measure", "Unit"), "text", 6),
        Column("opening", gettext_lazy("Opening balance"), "decimal"),
        Column("received", pgettext_lazy("stock", "In"), "decimal"),
        Column("issued", pgettext_lazy("stock", "Out"), "decimal"),
        Column("closing", gettext_lazy("Closing balance"), "decimal"),
    )

    def row(self, b: Balance) -> dict[str, Any]:
        return {"code": b.item.code, "item": b.item.name, "standard": b.item.standard,
                "unit": b.item.unit, "opening": b.opening, "received": b.inflow,
                "issued": -b.outflow, "closing": b.opening + b.inflow + b.outflow}

    def people(self) -> Iterator[int]:
        return iter(())  # stock carries nobody's personal data


@export_kind("supplies_ledger", gettext_lazy("Stock ledger"), LedgerExporter)
def build_ledger(user: Any, params: Any, capability: str) -> tuple[QuerySet[Balance], str]:
    """One warehouse (``warehouse``) from ``date_from`` to ``date_to``."""
    try:
        pk = int(params.get("warehouse", ""))
    except ValueError as exc:
        raise Http404 from exc
    warehouse = get_for_user(Warehouse, user, Cap.VIEW, pk=pk)
    start = parse_day(params.get("date_from"), "date_from")
    end = parse_day(params.get("date_to"), "date_to")
    if start > end:
        raise ValidationError({"date_to": [_("The end date is before the start date.")]})
    rows = period_summary(Balance.objects.filter(warehouse=warehouse), start, end)
    return rows, f"{warehouse.name} {start}~{end}"
