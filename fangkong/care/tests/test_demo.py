"""The demo city's one-to-one support figures, through the API and the briefing
(issue #13 item 6; SCENARIO.md). Reads the session's demo city (conftest.py)."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase

from fangkong.care.models import Helper, Pairing
from fangkong.core.models import Alert, OrgUnit
from fangkong.core.registries import render_sentences

EXPECTED = {"workers": 910, "helpers": 577, "sent_to_hubei": 10, "necessities_sets": 932,
            "goods_kg": "4868.00", "counselling_sessions": 593,
            "condolence_yuan": "253900.00", "temporary_subsidy_yuan": "340200.00"}


@pytest.mark.demo
class DemoCareTests(TestCase):
    def test_the_totals_api_gives_the_pages_figures(self) -> None:
        for username in ("hq", "renshe01"):
            with self.subTest(username):
                self.client.force_login(get_user_model().objects.get(username=username))
                answer = self.client.get("/api/v1/care/totals?until=2020-02-28&unit=610900")
                self.assertEqual(answer.status_code, 200)
                self.assertEqual(answer.json(), EXPECTED)

    def test_a_helper_counts_only_their_own_families(self) -> None:
        self.client.force_login(get_user_model().objects.get(username="helper01"))
        body = self.client.get("/api/v1/care/totals?until=2020-02-28").json()
        self.assertEqual((body["workers"], body["helpers"]), (2, 1))

    def test_the_briefing_has_the_pages_sentences(self) -> None:
        text = "\n".join(render_sentences(OrgUnit.objects.get(code="610900"),
                                          date(2020, 2, 28)))
        self.assertIn("生活必需品932套", text)
        self.assertIn("生活物资4868公斤", text)
        self.assertIn("心理咨询593人次", text)
        self.assertIn("累计发放慰问金25.39万元，累计发放临时性工作补助34.02万元。", text)

    def test_helper01_has_families_and_the_reassignment_kept_its_history(self) -> None:
        helper = Helper.objects.get(user__username="helper01")
        self.assertEqual(Pairing.objects.active().filter(helper=helper).count(), 3)
        self.assertTrue(Pairing.objects.filter(ended_on__isnull=False).exists())
        self.client.force_login(helper.user)
        page = self.client.get("/")
        self.assertContains(page, 'id="my-families"')
        self.assertContains(page, "/care/workers/")

    def test_an_overdue_request_opened_an_alert(self) -> None:
        self.assertTrue(Alert.objects.filter(kind="care_request_overdue").exists())
