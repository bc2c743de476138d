"""The supplies sentence of the daily briefing, read from the ledger (``indicators``): the
masks in stock and issued in the unit's warehouses, and the needs not yet met with the
most pressing one named (the shortage board's first)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from fangkong.core.registries import sentence
from fangkong.supplies import indicators


@sentence(order=55)
def supplies_sentence(unit: Any, day: date) -> str | None:
    from fangkong.supplies.models import LedgerEntry, Need
    from fangkong.supplies.services import fmt, shortage_board

    if not LedgerEntry.objects.under(unit).filter(day__lte=day).exists():
        return None
    issued = indicators.masks_issued(unit, day)
    today = issued - indicators.masks_issued(unit, day - timedelta(days=1))
    board = shortage_board(list(Need.objects.under(unit).filter(posted_on__lte=day)
                                .select_related("item", "warehouse")), day)
    worst = ""
    if board:
        first = board[0]
        need = first.need
        state = (_("quantity not known") if first.short is None else
                 _("%(short)s %(unit)s short") % {"short": fmt(first.short),
                                                  "unit": need.item.unit})
        if first.days_late and first.days_late > 0:
            state += _(", %(days)d days overdue") % {"days": first.days_late}
        worst = _("; the most pressing: %(item)s for %(warehouse)s (%(state)s)") % {
            "item": need.item.name, "warehouse": need.warehouse.name, "state": state}
    return _("Supplies in %(unit)s: %(stock)s masks in stock, %(today)s issued that day "
             "(%(total)s in all); %(needs)d supply needs not yet met%(worst)s.") % {
        "unit": unit.name, "stock": fmt(Decimal(indicators.masks_in_stock(unit, day))),
        "today": fmt(Decimal(today)), "total": fmt(Decimal(issued)), "needs": len(board),
        "worst": worst}
