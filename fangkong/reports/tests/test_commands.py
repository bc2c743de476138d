"""``reports_overdue`` opens alerts for missing reports, submission closes them;
``reports_rebuild`` recomputes the roll-up."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command

from fangkong.core.models import Alert
from fangkong.reports.models import Rollup
from fangkong.reports.tests.base import ReportsTestCase


class OverdueTestCase(ReportsTestCase):
    def test_it_alerts_missing_reports_once_and_closes_on_submission(self) -> None:
        self.form.deadline_days = 0
        self.form.save()
        day = (self.today - dt.timedelta(days=1)).isoformat()
        self.submit(self.r_comm_a, self.today - dt.timedelta(days=1))
        out = StringIO()
        call_command("reports_overdue", "--date", day, stdout=out)
        self.assertIn("5 missing", out.getvalue())
        call_command("reports_overdue", "--date", day, stdout=StringIO())
        alerts = Alert.objects.filter(kind="report_missing", status="open")
        self.assertEqual(alerts.count(), 5)
        self.assertTrue(alerts.filter(title__contains="紫阳县").exists())
        self.assertEqual(Alert.objects.visible_to(self.county_a).open().count(), 2)
        self.submit(self.r_county_b, self.today - dt.timedelta(days=1), user=self.county_b)
        self.assertEqual(alerts.count(), 4)

    def test_the_dashboard_and_the_inbox_name_the_kind(self) -> None:
        self.form.deadline_days = 0
        self.form.save()
        call_command("reports_overdue", "--date",
                     (self.today - dt.timedelta(days=1)).isoformat(), stdout=StringIO())
        self.login(self.hq)
        for url in ("/reports/dashboard/", "/core/alerts/?kind=report_missing"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "日报未报送")
                self.assertNotContains(response, "report_missing<")


class RebuildTestCase(ReportsTestCase):
    def test_it_recomputes_the_roll_up(self) -> None:
        self.submit(self.r_comm_a)
        Rollup.objects.all().delete()
        out = StringIO()
        call_command("reports_rebuild", "--form", "daily", stdout=out)
        self.assertIn("reports_rebuild", out.getvalue())
        row = Rollup.objects.get(unit=self.city, date=self.today)
        self.assertEqual(row.sums["people_screened"], "100")
