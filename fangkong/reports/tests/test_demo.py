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


@pytest.mark.demo
class DemoWorkBelowTheCountyTestCase(TestCase):
    """Issue #11 item 8: on the demo's reporting day the community worker has a report to
    fill and the district has reports to review, late reporters and reminders to send;
    item 12: the county reports' figures are the checkpoint records' figures."""

    DAY = dt.date(2020, 3, 2)

    def log_in(self, username: str) -> None:
        from django.contrib.auth import get_user_model

        self.client.force_login(get_user_model().objects.get(username=username))

    def test_the_pages_open_on_the_demo_reporting_day(self) -> None:
        self.assertEqual(figures.reporting_day(), self.DAY)

    def test_wenchang_has_today_s_report_to_fill(self) -> None:
        self.log_in("wenchang")
        text = self.client.get(reverse("reports:index")).content.decode()
        mine = text[text.index('id="my-reports"'):]
        mine = mine[:mine.index("</section>")]
        self.assertIn("2020-03-02", mine)
        self.assertIn("村（社区）防控日报", mine)
        self.assertIn("未填报", mine)
        self.assertIn("/reports/community_daily/fill/?unit=610902002002&amp;date=2020-03-02",
                      mine)
        r = self.client.get(reverse("reports:fill", args=["community_daily"]))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'value="2020-03-02"')
        self.assertContains(r, "data-yesterday")  # yesterday's report is beside the fields

    def test_hanbin_has_reports_to_review_late_and_missing_reporters(self) -> None:
        from fangkong.reports import access

        self.log_in("hanbin")
        from django.contrib.auth import get_user_model

        hanbin = get_user_model().objects.get(username="hanbin")
        waiting = access.reviewable_submissions(hanbin).filter(
            status="submitted", date=self.DAY, form__code__in=["town_daily",
                                                               "community_daily"])
        self.assertGreater(waiting.count(), 30)
        hb = OrgUnit.objects.get(code="610902")
        for code in ("town_daily", "community_daily"):
            comp = completeness(ReportForm.objects.get(code=code), self.DAY, hb)
            self.assertTrue(comp.late and comp.missing, code)
        comp = completeness(ReportForm.objects.get(code="community_daily"), self.DAY, hb)
        self.assertIn("610902002002", [r.code for r in comp.missing])
        text = self.client.get(reverse("reports:completeness", args=["community_daily"])
                               + "?unit=610902").content.decode()
        self.assertIn('id="remind-form"', text)
        self.assertIn("文昌社区", text)
        returned = Submission.objects.get(form__code="community_daily", date=self.DAY,
                                          reporter__code="610902003001")
        self.assertEqual(returned.status, "returned")
        self.assertTrue(returned.review_reason)

    def test_one_figure_one_source_in_the_briefing_of_the_2nd(self) -> None:
        from fangkong.core import registries
        from fangkong.reports.briefing import build

        checkpoints = registries.get_indicator("checkpoints.checkpoints")
        passages_total = registries.get_indicator("checkpoints.passages_total")
        on_duty = checkpoints.value(self.city, self.DAY)
        values = figures.aggregate(self.form, self.DAY, self.city)
        self.assertEqual(values["checkpoints_on_duty"], on_duty)
        cumulative = figures.cumulative(self.form, self.DAY, self.city)
        self.assertEqual(cumulative["passages_registered"],
                         passages_total.value(self.city, self.DAY))
        text = build(self.city, self.DAY).text()
        self.assertIn(f"当日全市在岗卡点{on_duty}个", text)
        self.assertIn(f"共设卡点{on_duty}个", text)
        self.assertIn("据“县区及成员单位工作日报”汇总", text)
        self.assertFalse(Submission.objects.filter(
            form=self.form, entries__overridden=True).exists())

    @classmethod
    def setUpTestData(cls) -> None:
        cls.form = ReportForm.objects.get(code="county_daily")
        cls.city = OrgUnit.objects.get(code="610900")
