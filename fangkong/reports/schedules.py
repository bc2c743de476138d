"""Daily reporting's scheduled work (``ReportsConfig.schedules``, run by ``fangkong worker``)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone


def overdue_reminders() -> str:
    """Alerts for reports missing after their deadline (``fangkong reports_overdue``) and
    notices to the people whose report is due within two hours: both idempotent (an
    alert is unique per (kind, subject) while open, a notice per person and key)."""
    from fangkong.reports.services import notify_due_soon

    out = StringIO()
    call_command("reports_overdue", stdout=out)
    due = notify_due_soon()
    return f"{out.getvalue().strip()}; {due} reporter(s) told their report is due soon"


def rollup_check() -> str:
    """The daily roll-up check: yesterday's and today's roll-up rows recomputed from the
    reports (``rollups.rebuild``), which repairs any drift and changes nothing otherwise.
    Idempotent: the rows are replaced by what the reports say."""
    from fangkong.reports import rollups
    from fangkong.reports.models import ReportForm

    today = timezone.localdate()
    days = [today - dt.timedelta(days=1), today]
    rows = sum(rollups.rebuild(form, days) for form in ReportForm.objects.filter(is_active=True))
    return f"{rows} roll-up row(s) checked"
