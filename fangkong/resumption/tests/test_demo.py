"""The demo's work resumption (fangkong/demo/resumption.py), read from the session's city:
紫阳县's 119 projects on 2020-03-02 through the API, the briefing and the daily report."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase

from fangkong.core.models import OrgUnit
from fangkong.resumption.briefing import resumption_sentence
from fangkong.resumption.models import Enterprise, Status, TransportBatch

DAY = date(2020, 3, 2)


@pytest.mark.demo
class ResumptionDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.ziyang = OrgUnit.objects.get(code="610924")

    def test_ziyang_has_119_projects_resumed_on_2_march_and_more_preparing(self) -> None:
        self.client.force_login(get_user_model().objects.get(username="ziyang"))
        data = self.client.get("/api/v1/resumption/summary",
                               {"date": DAY.isoformat(), "unit": "610924"}).json()
        self.assertEqual(data["resumed"], 119)
        self.assertEqual(data["projects"], 136)
        self.assertEqual(data["preparing"], 17)
        earlier = self.client.get("/api/v1/resumption/summary",
                                  {"date": "2020-02-20", "unit": "610924"}).json()
        self.assertLess(earlier["resumed"], 119)
        self.assertIn("已复工重点项目119个", resumption_sentence(self.ziyang, DAY))

    def test_the_daily_reports_projects_resumed_comes_from_these_records(self) -> None:
        from fangkong.reports.models import SubmissionValue

        value = SubmissionValue.objects.get(
            submission__form__code="county_daily", submission__reporter__unit=self.ziyang,
            submission__date=DAY, indicator__code="projects_resumed")
        self.assertEqual(int(value.number), 119)
        self.assertEqual(int(value.computed), 119)

    def test_qiye01_has_a_filing_to_complete_and_other_counties_have_projects(self) -> None:
        tea = Enterprise.objects.get(organisation__code="zy-tea")
        self.assertEqual(tea.status, Status.NOT_STARTED)
        self.assertTrue(tea.filing.items.exclude(answer="").exists())
        self.assertTrue(tea.filing.items.filter(answer="").exists())
        self.assertTrue(Enterprise.objects.exclude(unit_path__startswith=self.ziyang.path)
                        .filter(is_key_project=True).exists())
        self.assertTrue(TransportBatch.objects.filter(direction="inbound").exists())
        self.assertTrue(TransportBatch.objects.filter(direction="outbound").exists())
        self.client.force_login(get_user_model().objects.get(username="qiye01"))
        self.assertEqual(self.client.get("/resumption/mine/").status_code, 302)
        other = Enterprise.objects.exclude(pk=tea.pk).first()
        self.assertEqual(self.client.get(f"/resumption/enterprises/{other.pk}/").status_code,
                         404)
