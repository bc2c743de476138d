"""Supply figures for the daily report and the home page, read from the ledger (never
from the cached balances, so a past day reads as it was): for a unit's subtree, the
warehouses there, up to and including ``day``. Quantities of different units are never
added together: each figure is one kind of item in one unit (只, 套, 公斤)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy

from fangkong.core.registries import has_records, indicator

#: Home cards for areas with a store or a posted need of their own.
KEEPS_SUPPLIES = has_records("supplies.Warehouse", "supplies.Need")


def _ledger(unit: Any, day: date, q: Q, *, issued: bool = False) -> Decimal:
    from fangkong.supplies.models import Kind, LedgerEntry

    entries = LedgerEntry.objects.under(unit).filter(q, day__lte=day)
    if issued:
        # What went out to people, net of cancelled issues (their reversal puts it back).
        entries = entries.filter(Q(movement__kind=Kind.ISSUE)
                                 | Q(movement__kind=Kind.REVERSAL,
                                     movement__reverses__kind=Kind.ISSUE))
        return -(entries.aggregate(s=Sum("delta"))["s"] or Decimal(0))
    return entries.aggregate(s=Sum("delta"))["s"] or Decimal(0)


def _number(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral() else value


MASKS = Q(item__category="mask", item__unit="只")


@indicator("supplies.masks_in_stock", gettext_lazy("Masks in stock"), "只", home_card=True,
           home_if=KEEPS_SUPPLIES)
def masks_in_stock(unit: Any, day: date) -> int | Decimal:
    return _number(_ledger(unit, day, MASKS))


@indicator("supplies.masks_issued", gettext_lazy("Masks issued"), "只", cumulative=True,
           home_card=True,
           home_if=KEEPS_SUPPLIES)
def masks_issued(unit: Any, day: date) -> int | Decimal:
    return _number(_ledger(unit, day, MASKS, issued=True))


#: Issued to care services (one-to-one support of frontline medical workers' families):
#: the daily report's "sets of necessities" and "food" figures.
CARE = Q(movement__recipient_kind="care") | Q(movement__reverses__recipient_kind="care")


@indicator("supplies.necessities_issued", gettext_lazy("Sets of necessities issued to care "
                                                       "services"), "套", cumulative=True)
def necessities_issued(unit: Any, day: date) -> int | Decimal:
    return _number(_ledger(unit, day, CARE & Q(item__category="necessities", item__unit="套"),
                           issued=True))


@indicator("supplies.food_issued", gettext_lazy("Food issued to care services"), "公斤",
           cumulative=True)
def food_issued(unit: Any, day: date) -> int | Decimal:
    return _number(_ledger(unit, day, CARE & Q(item__category="food", item__unit="公斤"),
                           issued=True))


@indicator("supplies.open_needs", gettext_lazy("Supply needs not yet met"), "项",
           home_card=True,
           home_if=KEEPS_SUPPLIES)
def open_needs(unit: Any, day: date) -> int:
    from fangkong.supplies.models import Need
    from fangkong.supplies.services import coverage

    needs = list(Need.objects.under(unit).filter(posted_on__lte=day))
    return sum(1 for c in coverage(needs, day) if c.status != "satisfied")
