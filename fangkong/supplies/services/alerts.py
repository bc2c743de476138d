"""Low stock: a balance below its reorder level, or holding fewer days of use than the
dated rule ``supplies.days_of_use`` asks (average daily issues over the last
``USE_WINDOW_DAYS`` days), opens one alert per (warehouse, item) (``open_alert`` keeps one
open per subject); it is closed in core's inbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from fangkong.core import rules
from fangkong.core.services.alerts import open_alert
from fangkong.supplies.alerts import LOW_STOCK
from fangkong.supplies.models import Balance, Kind, LedgerEntry
from fangkong.supplies.rules import DAYS_OF_USE_CODE, USE_WINDOW_DAYS


def subject(balance: Balance) -> str:
    return f"supplies:{balance.warehouse_id}:{balance.item_id}"


def daily_use(balance: Balance, day: date) -> Decimal:
    """Average issued per day over the ``USE_WINDOW_DAYS`` days up to ``day``."""
    issued = (LedgerEntry.objects.filter(
        warehouse_id=balance.warehouse_id, item_id=balance.item_id, movement__kind=Kind.ISSUE,
        day__gt=day - timedelta(days=USE_WINDOW_DAYS), day__lte=day,
    ).aggregate(s=Sum("delta"))["s"] or Decimal(0))
    return -issued / USE_WINDOW_DAYS


def check_low_stock(actor: Any, balances: Iterable[Balance], day: date,
                    taken: Iterable[tuple[int, int]] = ()) -> None:
    """Open the alerts the movement of ``day`` calls for. ``taken``: the (warehouse id,
    item id) it took stock from (days of use are looked at only there)."""
    from fangkong.supplies.services.ledger import fmt

    taken = set(taken)
    days = None
    for b in balances:
        detail = None
        if b.reorder_level is not None and b.quantity < b.reorder_level:
            detail = _("Below the reorder level of %(level)s %(unit)s.") % {
                "level": fmt(b.reorder_level), "unit": b.item.unit}
        elif (b.warehouse_id, b.item_id) in taken:
            if days is None:
                try:
                    days = rules.value_on(DAYS_OF_USE_CODE, day).typed
                except rules.NoRuleInForce:
                    days = 0
            use = daily_use(b, day) if days else Decimal(0)
            if use > 0 and b.quantity < use * days:
                detail = _("Less than %(days)d days of use left (about %(use)s %(unit)s a "
                           "day over the last %(window)d days).") % {
                    "days": days, "use": fmt(use.quantize(Decimal("0.1"))),
                    "unit": b.item.unit, "window": USE_WINDOW_DAYS}
        if detail is None:
            continue
        open_alert(
            kind=LOW_STOCK, org_unit=b.warehouse.org_unit, subject=subject(b), actor=actor,
            title=_("%(warehouse)s: %(item)s low (%(n)s %(unit)s left)") % {
                "warehouse": b.warehouse.name, "item": b.item.name,
                "n": fmt(b.quantity), "unit": b.item.unit},
            detail=detail,
        )
