"""The day a page counts when the user asks for none: today, or the data's last day.

A live deployment records something every day, so this is today. A copy of an old data
set (the demo city of 2020-03-02 on a machine whose clock says 2026, a training copy of
a past emergency) has nothing today: a page that counted today would show only zeros and
lead nobody to the data. There, the day is the latest one with records
(docs/decisions/data-day.md).

Each module says when its records end: ``FangkongModule.latest_day`` names a function
``latest(up_to) -> date | None`` (the latest day up to ``up_to`` with any record; an
indexed max). The reports pages' "current reporting day" is the same rule over the
reports alone (``reports.figures.reporting_day``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django.utils import timezone

from fangkong.core import registries

Source = Callable[[date], "date | None"]

#: Records today or yesterday: the data are live (a day's records may start late).
STALE_AFTER = timedelta(days=1)


def latest_day(up_to: date, sources: Iterable[Source] | None = None) -> date | None:
    """The latest day up to ``up_to`` on which any module (or any of ``sources``) has
    records, or None."""
    sources = registries.latest_day_sources() if sources is None else sources
    days = [d for latest in sources if (d := latest(up_to))]
    return max(days, default=None)


def data_day(today: date | None = None, sources: Iterable[Source] | None = None) -> date:
    """Today, unless nothing was recorded today or yesterday while older records exist:
    then the latest day with records (of every module, or of ``sources`` alone: the
    reports pages open on the reports' own day)."""
    today = today or timezone.localdate()
    latest = latest_day(today, sources)
    if latest is None or latest >= today - STALE_AFTER:
        return today
    return latest
