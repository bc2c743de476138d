"""Relief figures for the daily report and the home page, and the briefing sentence.
Each answers for the unit's subtree up to the day (``reports``): paid figures count
payments the bank settled on or before the day."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.registries import has_records, indicator, sentence
from fangkong.core.roles import Role
from fangkong.relief import reports

#: Home cards for the staff who run relief (the county's poverty-alleviation office) and
#: oversee it, where there are registered poor households or relief entities (白河县's five
#: measures): not for community workers, nor for a county without relief records.
HAS_RELIEF = has_records("relief.PoorHousehold", "relief.ReliefEntity")
RELIEF_ROLES = (Role.PROVINCE_VIEWER, Role.HQ_STAFF, Role.TERRITORY_STAFF)


@indicator("relief.paid_amount", gettext_lazy("Relief funds paid"), "元", cumulative=True,
           home_card=True,
           home_roles=RELIEF_ROLES, home_if=HAS_RELIEF)
def paid_amount(unit: Any, day: date) -> int:
    """Whole yuan (the report's figures are whole numbers; the pages show the fen)."""
    return int(reports.paid_total(unit, day).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@indicator("relief.payments", gettext_lazy("Relief payments made"), "笔", cumulative=True)
def payments(unit: Any, day: date) -> int:
    return reports.paid_count(unit, day)


@indicator("relief.awaiting_payment", gettext_lazy("Relief applications awaiting payment"),
           "件", home_card=True,
           home_roles=RELIEF_ROLES, home_if=HAS_RELIEF)
def awaiting_payment(unit: Any, day: date) -> int:
    return reports.awaiting_payment(unit, day)


@sentence(order=60)
def relief_sentence(unit: Any, day: date) -> str | None:
    rows = reports.by_measure(unit, day)
    all_rows = reports.total(rows)
    if not all_rows.submitted:
        return None
    paid = [r for r in rows if r.paid]
    detail = "；".join(f"{r.label} {r.paid} 笔 {r.paid_amount:,.2f} 元" for r in paid)
    return _("Relief funds in %(unit)s: %(accepted)d of %(submitted)d applications accepted; "
             "%(paid)d payments of %(amount)s yuan made in all%(detail)s; %(waiting)d "
             "accepted applications await payment.") % {
        "unit": unit.name, "accepted": all_rows.accepted, "submitted": all_rows.submitted,
        "paid": all_rows.paid, "amount": f"{all_rows.paid_amount:,.2f}",
        "detail": f"（{detail}）" if detail else "",
        "waiting": reports.awaiting_payment(unit, day)}
