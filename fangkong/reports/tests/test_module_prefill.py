"""Issue #13 item 13: the daily report pre-filled from the volunteers' check-ins and the
one-to-one support task force's records, in the demo city (docs/decisions/
reports-module-prefill.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from fangkong.core import registries
from fangkong.core.models import Organisation, OrgUnit
from fangkong.reports import services
from fangkong.reports.models import Measure, Reporter, ReportForm, Submission

DAY = dt.date(2020, 2, 28)
LAST_DAY = dt.date(2020, 3, 2)
#: SCENARIO.md, 2020-02-28: the task force's totals.
CARE_TOTALS = {
    "workers_supported": 910, "helpers_paired": 577, "sent_to_hubei": 10,
    "necessities_sets": 932, "goods_kg": 4868, "counselling_sessions": 593,
    "condolence_yuan": 253900, "subsidy_yuan": 340200,
}


def checked_in(unit: OrgUnit, day: dt.date) -> int:
    """People who checked in to a shift under ``unit`` on ``day``, from the assignments."""
    from fangkong.volunteers.models import Assignment

    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return len({a.volunteer_id for a in Assignment.objects.under(unit)
                if a.check_in_at and start <= a.check_in_at < start + dt.timedelta(days=1)})


@pytest.mark.demo
class VolunteersOnDutyTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.form = ReportForm.objects.get(code="county_daily")
        cls.hanbin = Reporter.objects.get(form=cls.form, unit__code="610902")
        cls.ziyang = Reporter.objects.get(form=cls.form, unit__code="610924")

    def test_the_county_form_takes_the_figure_from_the_check_ins(self) -> None:
        self.assertEqual(self.form.indicators.get(code="volunteers_on_duty").source,
                         "volunteers.on_duty")
        people = checked_in(self.hanbin.unit, DAY)
        self.assertGreater(people, 0)
        self.assertEqual(services.prefill(self.form, self.hanbin, DAY)["volunteers_on_duty"],
                         people)

    def test_the_demo_report_carries_the_live_figure(self) -> None:
        for day in (dt.date(2020, 2, 21), DAY, LAST_DAY):
            entry = Submission.objects.get(form=self.form, reporter=self.hanbin, date=day
                                           ).entries.get(indicator__code="volunteers_on_duty")
            self.assertEqual((entry.number, entry.computed, entry.overridden),
                             (checked_in(self.hanbin.unit, day),) * 2 + (False,), day)

    def test_a_county_without_volunteer_records_gets_no_prefill(self) -> None:
        self.assertEqual(checked_in(self.ziyang.unit, DAY), 0)
        self.assertIsNone(services.prefill(self.form, self.ziyang, DAY)["volunteers_on_duty"])
        entry = Submission.objects.get(form=self.form, reporter=self.ziyang, date=DAY
                                       ).entries.get(indicator__code="volunteers_on_duty")
        self.assertIsNone(entry.computed)
        self.assertGreater(entry.number, 0)  # the county's own count

    def test_a_member_unit_gets_no_prefill_either(self) -> None:
        sjj = Reporter.objects.get(form=self.form, organisation__code="sjj")
        self.assertIsNone(services.prefill(self.form, sjj, DAY)["volunteers_on_duty"])


@pytest.mark.demo
class CareDailyTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.form = ReportForm.objects.get(code="care_daily")
        cls.rsj = Reporter.objects.get(form=cls.form, organisation__code="rsj")
        cls.renshe01 = get_user_model().objects.get(username="renshe01")

    def test_it_is_reported_by_the_task_force_s_lead_only_and_kept_out_of_the_briefing(
            self) -> None:
        self.assertEqual(list(self.form.reporters.values_list("code", flat=True)), ["rsj"])
        self.assertFalse(self.form.in_briefing)

    def test_every_figure_is_a_level_on_the_day(self) -> None:
        """Totals so far and pairs in place: the HQ must not sum them over days."""
        for ind in self.form.indicators.exclude(code="notes"):
            self.assertEqual(ind.measure, Measure.STOCK, ind.code)
            self.assertTrue(ind.source.startswith("care."), ind.code)

    def test_it_prefills_the_task_force_s_totals_of_the_28th(self) -> None:
        self.assertEqual(services.prefill(self.form, self.rsj, DAY), CARE_TOTALS)

    def test_the_demo_reports_carry_the_live_figures(self) -> None:
        subs = Submission.objects.filter(form=self.form, reporter=self.rsj)
        dates = subs.values_list("date", flat=True)
        self.assertEqual((min(dates), max(dates)),
                         (dt.date(2020, 1, 28), LAST_DAY - dt.timedelta(days=1)))
        values = {e.indicator.code: e.number for e in
                  subs.get(date=DAY).entries.select_related("indicator") if e.number is not None}
        self.assertEqual(values, CARE_TOTALS)
        self.assertFalse(subs.filter(entries__overridden=True).exists())

    def test_an_organisation_leading_no_task_force_gets_nothing_from_care(self) -> None:
        sjj = Organisation.objects.get(code="sjj")
        self.assertIsNone(registries.organisation_value("care.workers", sjj, DAY))

    def test_renshe01_finds_the_form_to_fill_on_the_last_day(self) -> None:
        self.client.force_login(self.renshe01)
        text = self.client.get(reverse("reports:index")).content.decode()
        mine = text[text.index('id="my-reports"'):]
        mine = mine[:mine.index("</section>")]
        self.assertIn("一对一保障工作日报", mine)
        self.assertIn("/reports/care_daily/fill/?unit=rsj&amp;date=2020-03-02", mine)
        r = self.client.get(reverse("reports:fill", args=["care_daily"])
                            + "?unit=rsj&date=2020-03-02")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'value="910"')

    def test_the_home_page_leads_renshe01_to_the_report_left_to_file(self) -> None:
        # reports.home.panel: the day's reports not yet sent, one tap from the form; the
        # county report 市人社局 has already sent that day is not listed.
        self.client.force_login(self.renshe01)
        text = self.client.get("/").content.decode()
        panel = text[text.index('id="my-reports"'):]
        panel = panel[:panel.index("</section>")]
        self.assertIn("待填报的日报（2020-03-02）", panel)
        self.assertIn("/reports/care_daily/fill/?unit=rsj&amp;date=2020-03-02", panel)
        self.assertNotIn("县区及成员单位工作日报", panel)
        services.save_report(self.renshe01, self.rsj, LAST_DAY, CARE_TOTALS, submit=True)
        self.assertNotIn('id="my-reports"', self.client.get("/").content.decode())

    def test_an_override_is_recorded_as_overridden(self) -> None:
        values = {**CARE_TOTALS, "goods_kg": "4900"}
        result = services.save_report(self.renshe01, self.rsj, LAST_DAY, values, submit=True)
        entries = {e.indicator.code: e for e in result.submission.entries.select_related(
            "indicator")}
        kg = entries["goods_kg"]
        self.assertEqual((kg.number, kg.computed, kg.overridden),
                         (Decimal("4900"), Decimal("4868"), True))
        workers = entries["workers_supported"]
        self.assertEqual((workers.number, workers.computed, workers.overridden),
                         (910, 910, False))
        snap = result.submission.versions.get().values["goods_kg"]
        self.assertEqual(snap["overridden"], True)

    def test_a_broken_rule_is_shown_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.renshe01)
        data = {f"v_{code}": str(v) for code, v in CARE_TOTALS.items()}
        data.update({"unit": "rsj", "date": "2020-03-02", "v_sent_to_hubei": "1000",
                     "submit": "1"})
        r = self.client.post(reverse("reports:fill", args=["care_daily"]), data)
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "援鄂医务人员数不能超过保障的医务人员总数。", status_code=400)
        self.assertFalse(Submission.objects.filter(form=self.form, date=LAST_DAY).exists())
