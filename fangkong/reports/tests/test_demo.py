"""The demo step: county_daily over 2020-02-10 … 2020-03-02, and 紫阳县's resumed projects
at 119 on 2020-03-02 (SCENARIO.md).

Reads the session's demo city (conftest.py); the one second run of the demo, which checks
that this step adds nothing, is in ``fangkong/demo/tests/test_loaddemo.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import TestCase
from django.urls import reverse

from fangkong.core.models import ApiToken, OrgUnit
from fangkong.reports import figures, rollups
from fangkong.reports.completeness import completeness
from fangkong.reports.models import ReportForm, Rollup, Submission


@pytest.mark.demo
class DemoReportsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.form = ReportForm.objects.get(code="county_daily")
        cls.city = OrgUnit.objects.get(code="610900")

    def test_it_reports_every_county_and_member_unit_over_the_period(self) -> None:
        codes = set(self.form.reporters.values_list("code", flat=True))
        self.assertEqual(len([c for c in codes if c.startswith("6109")]), 10)
        self.assertTrue({"rsj", "zzb", "tzb", "zgh", "sjj"} <= codes)
        dates = Submission.objects.filter(form=self.form).values_list("date", flat=True)
        self.assertEqual((min(dates), max(dates)), (dt.date(2020, 2, 10), dt.date(2020, 3, 2)))

    def test_it_has_late_and_missing_reports(self) -> None:
        last = completeness(self.form, dt.date(2020, 3, 2), self.city)
        self.assertEqual(last.expected, 15)
        self.assertIn("zgh", [r.code for r in last.missing])
        self.assertEqual([r.code for r in last.late], ["610929"])
        late = Submission.objects.filter(form=self.form, on_time=False).count()
        self.assertGreater(late, 10)

    def test_it_reaches_119_resumed_projects_in_ziyang(self) -> None:
        ziyang = OrgUnit.objects.get(code="610924")
        values = figures.aggregate(self.form, dt.date(2020, 3, 2), ziyang)
        self.assertEqual(values["projects_resumed"], 119)
        self.assertLessEqual(values["projects_resumed"], values["projects_total"])
        from fangkong.core.models import Role
        from fangkong.core.testing import make_user

        user = make_user("demo-province-api", Role.PROVINCE_VIEWER, self.city)
        _row, raw = ApiToken.issue(user)
        r = self.client.get(reverse("api-reports-aggregate", args=["county_daily"])
                            + "?date=2020-03-02&unit=610924",
                            HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.assertEqual(r.json()["values"]["projects_resumed"], 119)

    def test_it_keeps_the_roll_up_consistent(self) -> None:
        before = {(r.unit_id, r.date): (r.submitted, r.sums) for r in Rollup.objects.filter(
            form=self.form)}
        rollups.rebuild(self.form)
        after = {(r.unit_id, r.date): (r.submitted, r.sums) for r in Rollup.objects.filter(
            form=self.form)}
        self.assertEqual(before, after)

    def test_it_writes_the_briefing_of_the_28th(self) -> None:
        from fangkong.reports.briefing import build

        text = build(self.city, dt.date(2020, 2, 28)).text()
        self.assertIn("截至2月28日，全市累计排查人员", text)
        self.assertIn("“县区及成员单位工作日报”应报15个单位", text)
