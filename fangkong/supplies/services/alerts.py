"""Low stock: a balance below its reorder level opens one alert per (warehouse, item)
(``open_alert`` keeps one open per subject); it is closed in core's inbox."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from fangkong.core.services.alerts import open_alert
from fangkong.supplies.alerts import LOW_STOCK
from fangkong.supplies.models import Balance


def subject(balance: Balance) -> str:
    return f"supplies:{balance.warehouse_id}:{balance.item_id}"


def check_low_stock(actor: Any, balances: Iterable[Balance]) -> None:
    from fangkong.supplies.services.ledger import fmt

    for b in balances:
        if b.reorder_level is None or b.quantity >= b.reorder_level:
            continue
        open_alert(
            kind=LOW_STOCK, org_unit=b.warehouse.org_unit, subject=subject(b), actor=actor,
            title=_("%(warehouse)s: %(item)s low (%(n)s %(unit)s left)") % {
                "warehouse": b.warehouse.name, "item": b.item.name,
                "n": fmt(b.quantity), "unit": b.item.unit},
            detail=_("Below the reorder level of %(level)s %(unit)s.") % {
                "level": fmt(b.reorder_level), "unit": b.item.unit},
        )
