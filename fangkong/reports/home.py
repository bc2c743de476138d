"""Reports' panel on the home page: the day's reports the person still has to file.

A member unit's liaison, a task force's coordinator or an enterprise's liaison files a
daily report and has few other cards on the home page; a county's staff file theirs
among many. The panel lists what is left (not started, a draft, or returned) on the
reports' day (``figures.reporting_day``: the demo's 2020-03-02 on a 2026 clock), each
one tap from its form, and is absent once everything is sent."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def panel(request: Any) -> str | None:
    from fangkong.reports import figures
    from fangkong.reports.mine import left_to_file, my_reports

    day = figures.reporting_day()
    left = left_to_file(my_reports(request.user, day))
    if not left:
        return None
    return render_to_string("reports/_my_reports.html", {
        "mine": left, "day": day, "panel": True}, request=request)
