"""The reports a person files themselves for a day: the reports page's "my reports" and
the home page's panel read the same list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fangkong.reports import access
from fangkong.reports.models import Submission


def my_reports(user: Any, day: dt.date) -> list[dict[str, Any]]:
    """Each reporter the user files for, active on ``day``, with its submission of that
    day (None when not started) and its deadline."""
    own = list(access.own_reporters(user).select_related("form").order_by(
        "form__code", "unit_path", "code"))
    subs = {s.reporter_id: s for s in Submission.objects.filter(reporter__in=own, date=day)}
    return [{"reporter": r, "submission": subs.get(r.pk), "due": r.form.deadline_for(day)}
            for r in own if r.is_active_on(day)]


def left_to_file(mine: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Those still to fill in or to send again: not started, a draft, or returned."""
    return [m for m in mine if m["submission"] is None or m["submission"].is_editable]
