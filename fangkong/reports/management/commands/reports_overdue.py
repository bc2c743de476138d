"""``fangkong reports_overdue [--date YYYY-MM-DD]``: open an alert for every missing report
whose deadline has passed (kind ``report_missing``), for the dashboard's alert list.

Run it from cron a few minutes after the deadline. Idempotent and safe to run twice at
once: an alert is unique per (kind, subject) while open. Submitting the report closes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from fangkong.lib.dates import day_option
from fangkong.reports import services
from fangkong.reports.completeness import completeness
from fangkong.reports.models import Reporter, ReportForm


class Command(BaseCommand):
    help = "Open alerts for reports missing after their deadline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Reporting day (default: the latest day whose "
                                           "deadline has passed).")

    def handle(self, *args: Any, **options: Any) -> None:
        from fangkong.core.models import OrgUnit
        from fangkong.core.services.alerts import open_alert

        now = timezone.now()
        opened = 0
        root = OrgUnit.objects.order_by("path").first()
        if root is None:
            raise CommandError("The territory is empty.")
        with translation.override(settings.LANGUAGE_CODE):
            for form in ReportForm.objects.filter(is_active=True):
                if options["date"]:
                    day = day_option(options["date"])
                else:
                    day = timezone.localdate()
                    while form.deadline_for(day) > now:
                        day -= dt.timedelta(days=1)
                if form.deadline_for(day) > now:
                    continue
                missing = completeness(form, day, root).missing
                reporters = Reporter.objects.in_bulk([r.reporter_id for r in missing])
                for row in missing:
                    reporter = reporters[row.reporter_id]
                    open_alert(
                        kind=services.MISSING_ALERT_KIND,
                        org_unit=reporter.territorial_unit,
                        title=f"{reporter.name}未报“{form.name}”({day.isoformat()})",
                        subject=services.missing_subject(reporter, day),
                        opened_at=now,
                    )
                    opened += 1
        self.stdout.write(f"reports_overdue: {opened} missing report(s) alerted")
