"""Pages: fill in (pre-filled, draft, submit), detail and review, lists, scoping (404)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.urls import reverse

from fangkong.reports import services
from fangkong.reports.models import Rule, Status, Submission
from fangkong.reports.tests.base import LIVE_VALUES, ReportsTestCase


class FillPageTestCase(ReportsTestCase):
    def fill_url(self, unit: str = "610902002002", day: dt.date | None = None) -> str:
        day = day or self.today
        return reverse("reports:fill", args=["daily"]) + f"?unit={unit}&date={day.isoformat()}"

    def post_data(self, **values) -> dict:
        data = {"unit": "610902002002", "date": self.today.isoformat()}
        data.update({f"v_{k}": v for k, v in self.values(**values).items()})
        return data

    def test_it_prefills_from_the_live_indicator(self) -> None:
        LIVE_VALUES["610902002002"] = 321
        self.login(self.community_a)
        r = self.client.get(self.fill_url())
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'value="321"')
        self.assertContains(r, "321")

    def test_it_saves_a_draft_then_submits_and_locks(self) -> None:
        self.login(self.community_a)
        r = self.client.post(reverse("reports:fill", args=["daily"]),
                             {**self.post_data(), "save": "1"})
        sub = Submission.objects.get()
        self.assertRedirects(r, reverse("reports:submission", args=["daily", sub.pk]))
        self.assertEqual(sub.status, Status.DRAFT)
        r = self.client.post(reverse("reports:fill", args=["daily"]),
                             {**self.post_data(people_screened=120), "submit": "1"})
        sub.refresh_from_db()
        self.assertEqual(sub.status, Status.SUBMITTED)
        self.assertEqual(Submission.objects.count(), 1)
        # Locked: the fill page sends the reporter to the read-only page.
        r = self.client.get(self.fill_url())
        self.assertRedirects(r, reverse("reports:submission", args=["daily", sub.pk]))

    def test_it_shows_field_errors_and_saves_nothing(self) -> None:
        self.login(self.community_a)
        r = self.client.post(reverse("reports:fill", args=["daily"]),
                             {**self.post_data(projects_resumed=12, fever_found="x"),
                              "submit": "1"})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "复工项目数不能超过重点项目总数。", status_code=400)
        self.assertContains(r, 'aria-invalid="true"', status_code=400)
        self.assertFalse(Submission.objects.exists())

    def test_it_answers_404_for_another_countys_unit(self) -> None:
        self.login(self.county_b)
        r = self.client.get(self.fill_url())
        self.assertEqual(r.status_code, 404)
        r = self.client.post(reverse("reports:fill", args=["daily"]),
                             {**self.post_data(), "submit": "1"})
        self.assertEqual(r.status_code, 404)
        self.assertFalse(Submission.objects.exists())

    def test_it_lists_my_reports_on_the_index(self) -> None:
        self.login(self.county_a)
        r = self.client.get(reverse("reports:index"))
        self.assertContains(r, "汉滨区")
        self.assertContains(r, self.fill_url("610902").replace("&", "&amp;"))


class SubmissionPageTestCase(ReportsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.sub = self.submit(self.r_comm_a, user=self.community_a)
        self.url = reverse("reports:submission", args=["daily", self.sub.pk])

    def test_it_hides_the_report_outside_the_area(self) -> None:
        self.login(self.county_b)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.login(self.county_a)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_it_lets_the_county_approve_and_shows_versions(self) -> None:
        self.login(self.county_a)
        r = self.client.post(reverse("reports:review", args=["daily", self.sub.pk]),
                             {"action": "approve"})
        self.assertRedirects(r, self.url)
        self.sub.refresh_from_db()
        self.assertEqual(self.sub.status, Status.APPROVED)
        r = self.client.get(self.url)
        self.assertContains(r, "v2")
        self.assertContains(r, "v1")

    def test_it_forbids_review_by_the_reporter_itself(self) -> None:
        self.login(self.community_a)
        r = self.client.post(reverse("reports:review", args=["daily", self.sub.pk]),
                             {"action": "approve"})
        self.assertEqual(r.status_code, 403)
        self.sub.refresh_from_db()
        self.assertEqual(self.sub.status, Status.SUBMITTED)

    def test_it_requires_a_reason_to_return(self) -> None:
        self.login(self.county_a)
        self.client.post(reverse("reports:review", args=["daily", self.sub.pk]),
                         {"action": "return", "reason": ""})
        self.sub.refresh_from_db()
        self.assertEqual(self.sub.status, Status.SUBMITTED)
        self.client.post(reverse("reports:review", args=["daily", self.sub.pk]),
                         {"action": "return", "reason": "发热人数有误"})
        self.sub.refresh_from_db()
        self.assertEqual(self.sub.status, Status.RETURNED)
        self.assertEqual(self.sub.review_reason, "发热人数有误")

    def test_it_lists_reports_waiting_for_review(self) -> None:
        self.login(self.county_a)
        r = self.client.get(reverse("reports:submissions", args=["daily"]))
        self.assertContains(r, "文昌社区")
        self.login(self.county_b)
        r = self.client.get(reverse("reports:submissions", args=["daily"]) + "?status=all")
        self.assertNotContains(r, "文昌社区")


class OverviewPagesTestCase(ReportsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.submit(self.r_comm_a, user=self.community_a)
        self.submit(self.r_county_b, user=self.county_b, people_screened=50)

    def test_it_renders_every_overview_page_for_hq(self) -> None:
        self.login(self.hq)
        day = self.today.isoformat()
        for name, args in [("reports:index", []), ("reports:dashboard", []),
                           ("reports:briefing", []), ("reports:completeness", ["daily"]),
                           ("reports:rollup", ["daily"]), ("reports:submissions", ["daily"]),
                           ("reports:form_list", []), ("reports:form_detail", ["daily"])]:
            r = self.client.get(reverse(name, args=args) + f"?date={day}")
            self.assertEqual(r.status_code, 200, name)

    def test_it_drills_down_and_hides_other_counties(self) -> None:
        self.login(self.county_a)
        r = self.client.get(reverse("reports:dashboard"))
        self.assertContains(r, "汉滨区")
        r = self.client.get(reverse("reports:dashboard") + "?unit=610924")
        self.assertEqual(r.status_code, 404)
        r = self.client.get(reverse("reports:rollup", args=["daily"]) + "?unit=610924")
        self.assertEqual(r.status_code, 404)
        r = self.client.get(reverse("reports:completeness", args=["daily"]) + "?unit=610902002")
        self.assertEqual(r.status_code, 200)

    def test_it_serves_the_trend_data(self) -> None:
        self.login(self.hq)
        r = self.client.get(reverse("reports:dashboard_data") + "?form=daily&days=30")
        data = r.json()
        self.assertEqual(len(data["dates"]), 30)
        screened = next(s for s in data["series"] if s["code"] == "people_screened")
        self.assertEqual(screened["values"][-1], 150)
        self.assertEqual(data["completeness"]["submitted"][-1], 2)

    def test_it_keeps_liaisons_off_the_overviews(self) -> None:
        self.login(self.sjj_liaison)
        r = self.client.get(reverse("reports:dashboard"))
        self.assertRedirects(r, reverse("reports:index"))
        r = self.client.get(reverse("reports:dashboard") + "?unit=610900")
        self.assertEqual(r.status_code, 404)
        r = self.client.get(reverse("reports:index"))
        self.assertContains(r, "安康市审计局")

    def test_it_offers_the_reminder_and_its_export(self) -> None:
        self.login(self.hq)
        r = self.client.get(reverse("reports:completeness", args=["daily"]))
        self.assertContains(r, 'id="remind-form"')  # one click, not text to copy
        self.assertContains(r, "临江社区")
        r = self.client.get(reverse("reports:reminders_xlsx", args=["daily"]))
        self.assertEqual(r.status_code, 200)
        self.assertIn("spreadsheetml", r["Content-Type"])
        book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)
                                                 if r.streaming else r.content))
        cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
        self.assertIn("临江社区", cells)  # a missing reporter is listed


class ConfigPagesTestCase(ReportsTestCase):
    def test_a_new_indicators_code_is_derived_when_left_empty(self) -> None:
        from fangkong.reports.models import Indicator, ReportForm

        self.login(self.hq)
        ReportForm.objects.create(code="water_daily", name="供水日报")
        url = reverse("reports:indicator_new", args=["water_daily"])
        base = {"new-type": "integer", "new-aggregation": "sum", "new-measure": "stock",
                "new-decimal_places": "0", "new-position": "0", "new-is_active": "on"}
        page = self.client.get(url)
        self.assertFalse(page.context["f"].fields["code"].required)
        self.assertContains(page, "可留空")

        def add(**fields) -> str:
            r = self.client.post(url, {**base, **{f"new-{k}": v for k, v in fields.items()}},
                                 HTTP_HX_REQUEST="true")
            self.assertEqual(r.status_code, 200, r.content[:500])
            return Indicator.objects.filter(form__code="water_daily").latest("pk").code

        self.assertEqual(add(name="在岗人员", name_en="Staff on duty"), "staff_on_duty")
        self.assertEqual(add(name="在岗人员（夜班）", name_en="Staff on duty!"),
                         "staff_on_duty_2")
        self.assertEqual(add(name="通行人次", source="checkpoints.passages"),
                         "checkpoints_passages")
        self.assertEqual(add(name="管网巡查"), "indicator_4")
        self.assertEqual(add(name="水质", name_en="2nd test"), "i_2nd_test")
        self.assertEqual(add(name="自定", code="my_code"), "my_code")  # still editable
        # A typed code that is taken is refused under the field, nothing saved.
        r = self.client.post(url, {**base, "new-name": "重复", "new-code": "my_code"},
                             HTTP_HX_REQUEST="true")
        # htmx swaps no 4xx: the refused form comes back into the editor it came from.
        self.assertEqual((r.status_code, r["HX-Retarget"]), (200, "#indicator-editor"))
        self.assertIn("code", r.context["f"].errors)
        self.assertContains(r, "本报表已有使用此代码的指标")
        r = self.client.post(url, {**base, "new-name": "重复", "new-code": "my_code"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Indicator.objects.filter(form__code="water_daily").count(), 6)

    def test_it_creates_a_form_with_an_indicator_and_a_rule(self) -> None:
        self.login(self.hq)
        r = self.client.post(reverse("reports:form_new"), {
            "code": "water_daily", "name": "供水日报", "name_en": "Water daily",
            "deadline_time": "10:00", "deadline_days": "1", "in_briefing": "on",
            "is_active": "on"})
        self.assertRedirects(r, reverse("reports:form_detail", args=["water_daily"]))
        url = reverse("reports:indicator_new", args=["water_daily"])
        r = self.client.post(url, {"new-code": "staff_on_duty", "new-name": "在岗人员",
                                   "new-type": "integer", "new-aggregation": "sum",
                                   "new-measure": "stock", "new-decimal_places": "0",
                                   "new-position": "0", "new-is_active": "on"},
                             HTTP_HX_REQUEST="true")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "在岗人员")
        # Rules are built from the form's indicators (issue #11 item 14), not typed.
        r = self.client.post(reverse("reports:rule_new", args=["water_daily"]),
                             {"rule-left": "staff_on_duty", "rule-op": "<=",
                              "rule-right": "nonsense", "rule-message": "x"},
                             HTTP_HX_REQUEST="true")
        self.assertIn("right", r.context["rule_form"].errors)
        self.assertFalse(Rule.objects.filter(expression__contains="nonsense").exists())
        r = self.client.post(reverse("reports:rule_new", args=["water_daily"]),
                             {"rule-left": "staff_on_duty", "rule-op": "<=",
                              "rule-right": "__number__", "rule-message": "x"},
                             HTTP_HX_REQUEST="true")
        self.assertIn("number", r.context["rule_form"].errors)
        r = self.client.post(reverse("reports:rule_new", args=["water_daily"]),
                             {"rule-left": "staff_on_duty", "rule-op": "<=",
                              "rule-right": "__number__", "rule-number": "500",
                              "rule-message": "在岗人员不超过500人"}, HTTP_HX_REQUEST="true")
        self.assertContains(r, "在岗人员 ≤ 500")
        self.assertNotContains(r, "staff_on_duty &lt;= 500")
        self.assertTrue(Rule.objects.filter(expression="staff_on_duty <= 500").exists())

    def test_it_refuses_configuration_to_county_staff(self) -> None:
        self.login(self.county_a)
        self.assertEqual(self.client.get(reverse("reports:form_list")).status_code, 403)
        r = self.client.post(reverse("reports:rule_new", args=["daily"]),
                             {"rule-expression": "fever_found <= 1", "rule-message": "x"})
        self.assertEqual(r.status_code, 403)

    def test_it_adds_and_stops_reporters(self) -> None:
        self.login(self.hq)
        r = self.client.post(reverse("reports:reporters_add", args=["daily"]),
                             {"rep-level": "town", "rep-under": "610902"})
        self.assertEqual(r.status_code, 302)
        self.assertTrue(self.form.reporters.filter(code="610902002").exists())
        reporter = self.form.reporters.get(code="610902002")
        self.client.post(reverse("reports:reporter_stop", args=["daily", reporter.pk]))
        reporter.refresh_from_db()
        self.assertIsNotNone(reporter.active_until)
        _ = services


class ReadOnlyViewerTestCase(ReportsTestCase):
    def test_a_read_only_viewer_is_not_offered_forms_to_fill(self) -> None:
        self.client.force_login(self.province)
        r = self.client.get(reverse("reports:index"))
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, reverse("reports:fill", args=["daily"]))
        self.client.force_login(self.county_a)
        self.assertContains(self.client.get(reverse("reports:index")),
                            reverse("reports:fill", args=["daily"]))
