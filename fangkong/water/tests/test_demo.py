"""The demo's 安康水务集团 (fangkong/demo/water.py), read from the session's demo city."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase

from fangkong.core.models import Alert, Organisation, OrgUnit
from fangkong.core.registries import render_sentences
from fangkong.water import indicators
from fangkong.water.models import Exceedance, Fault, Patrol, Reading, SamplingPoint

LAST = date(2020, 3, 2)


@pytest.mark.demo
class WaterDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.city = OrgUnit.objects.get(code="610900")
        cls.utility = Organisation.objects.get(code="swater")

    def test_a_month_of_readings_with_one_exceedance_retested_and_closed(self) -> None:
        readings = Reading.objects.filter(organisation=self.utility)
        self.assertGreater(readings.filter(day__month=2).count(), 500)
        exc = Exceedance.objects.get(organisation=self.utility)
        self.assertEqual(exc.reading.point.name, "江北水厂出厂水")
        self.assertEqual(exc.reading.limit_text, "≥ 0.3 mg/L (GB 5749-2022 表2)")
        self.assertTrue(exc.retest.within_limits)
        self.assertFalse(exc.is_open)
        self.assertEqual(Alert.objects.get(pk=exc.alert_id).status, "closed")
        self.assertEqual(readings.filter(within_limits=False).count(), 1)

    def test_points_near_hospitals_patrols_and_two_faults(self) -> None:
        hospitals = SamplingPoint.objects.filter(organisation=self.utility,
                                                 near_kind="hospital")
        self.assertIn("安康市中心医院", {p.near_name for p in hospitals})
        self.assertGreater(Patrol.objects.filter(organisation=self.utility).count(), 10)
        faults = Fault.objects.filter(organisation=self.utility)
        self.assertEqual(faults.count(), 2)
        burst = faults.get(kind="burst")
        self.assertTrue(burst.hospital)
        self.assertEqual(burst.minutes_to_repair, 145)

    def test_the_daily_figures_and_the_briefing_come_from_the_records(self) -> None:
        day = date(2020, 2, 18)
        self.assertEqual(indicators.exceedances(self.city, day), 1)
        self.assertEqual(indicators.samples(self.city, day),
                         Reading.objects.filter(day=day, within_limits__isnull=False)
                         .exclude(indicator__in=("pressure", "flow")).count())
        # The pressure stations keep above the minimum pressure all month; flow is not
        # judged.
        pressure = Reading.objects.filter(indicator="pressure")
        self.assertTrue(pressure.exists())
        self.assertEqual(set(pressure.values_list("within_limits", flat=True)), {True})
        self.assertEqual(set(Reading.objects.filter(indicator="flow").values_list(
            "within_limits", flat=True)), {None})
        self.assertEqual(indicators.exceedances_open(self.city, day), 0)
        self.assertEqual(indicators.repair_minutes(self.city, date(2020, 2, 9)), 145)
        text = " ".join(render_sentences(self.city, date(2020, 2, 9)))
        self.assertIn("GB 5749-2022", text)

    def test_the_gap_in_cover_is_alerted_and_shuiwu01_sees_it(self) -> None:
        alert = Alert.objects.get(kind="water_cover_gap", status="open")
        self.assertIn("新城加压站", alert.title)
        user = get_user_model().objects.get(username="shuiwu01")
        self.assertIn(alert, Alert.objects.visible_to(user))
        self.client.force_login(user)
        self.assertEqual(self.client.get("/water/").status_code, 200)

    def test_the_bulletin_of_february(self) -> None:
        self.client.force_login(get_user_model().objects.get(username="shuiwu01"))
        r = self.client.get(f"/water/bulletin/export/?utility={self.utility.pk}&month=2020-02")
        self.assertEqual(r.status_code, 200)
        data = b"".join(r.streaming_content) if r.streaming else r.content
        rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
        self.assertEqual(rows[1][0], "限值（GB 5749-2022）")
        by_point = {row[0]: row for row in rows[2:]}
        self.assertEqual(by_point["江北水厂出厂水"][-1], "曾超标（已复检）")
        self.assertEqual(by_point["马坑水厂出厂水"][-1], "合格")
        # The document to publish: the same rows.
        from pypdf import PdfReader

        pdf = self.client.get(f"/water/bulletin/export/?utility={self.utility.pk}"
                              "&month=2020-02&format=pdf")
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        flat = text.replace("\n", "").replace(" ", "")
        for row in rows[2:]:
            self.assertIn(f"{row[0]}{row[1]}", flat)
        self.assertIn("江北水厂出厂水出厂水", flat)
        self.assertIn("曾超标（已复检）", flat)

    def test_the_staff_health_form_is_reported_by_the_utility(self) -> None:
        from fangkong.reports.models import Submission

        self.assertTrue(Submission.objects.filter(
            form__code="water_staff_daily", reporter__organisation=self.utility,
            date=LAST).exists())
