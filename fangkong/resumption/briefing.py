"""The briefing's sentence on work resumption."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from fangkong.core.registries import sentence
from fangkong.resumption.indicators import summary


@sentence(order=56)
def resumption_sentence(unit: Any, day: dt.date) -> str | None:
    s = summary(unit, day)
    if not (s["projects"] or s["employees_returned"] or s["workers_transported"]):
        return None
    text = _("As of %(month)d月%(day)d日, %(unit)s has resumed %(resumed)d key projects, "
             "with %(preparing)d more preparing to resume") % {
        "month": day.month, "day": day.day, "unit": unit.name, "resumed": s["resumed"],
        "preparing": s["preparing"]}
    if s["employees_returned"]:
        text += _("; %(n)d employees have returned and been screened") % {
            "n": s["employees_returned"]}
    if s["workers_transported"]:
        text += _("; %(n)d migrant workers have been taken back to work point to point") % {
            "n": s["workers_transported"]}
    return text + _(".")
