"""Counting months away (docs/decisions/relief.md).

A month is "满" (complete) on the same day of the month as the start; when the later
month is shorter, its last day counts as that day (away from 31 January: one month is
complete on 29 February 2020, two on 31 March). ``full_months(start, end)`` is the
largest ``n`` with ``add_months(start, n) <= end``.
"""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, n: int) -> date:
    """``day`` moved ``n`` months on, the day of the month clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + n
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def full_months(start: date, end: date) -> int:
    """Complete months from ``start`` to ``end`` (0 if ``end`` is before a month is)."""
    if end < start:
        return 0
    n = (end.year - start.year) * 12 + (end.month - start.month)
    while n > 0 and add_months(start, n) > end:
        n -= 1
    return n
