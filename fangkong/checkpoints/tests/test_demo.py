"""The demo step reproduces the page's figures from its own records (SCENARIO.md).

Reads the session's demo city (conftest.py); the one second run of the demo, which checks
that this step adds nothing, is in ``fangkong/demo/tests/test_loaddemo.py``.
"""

from datetime import date

import pytest
from django.test import TestCase
from django.utils import timezone

from fangkong.checkpoints import indicators
from fangkong.checkpoints.models import Checkpoint, DutyRoster, Passage
from fangkong.core.models import Alert, ApiToken, OrgUnit


@pytest.mark.demo
class DemoFiguresTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.wenchang = OrgUnit.objects.get(code="610902002002")

    def test_it_reproduces_wenchangs_figures_on_2020_03_02(self) -> None:
        day = date(2020, 3, 2)
        self.assertEqual(indicators.checkpoints(self.wenchang, day), 24)
        self.assertEqual(indicators.population(self.wenchang, day), 10_295)
        self.assertEqual(indicators.permanent_residents(self.wenchang, day), 6_339)
        self.assertEqual(indicators.gatherings_dispersed(self.wenchang, day), 31)
        self.assertGreater(indicators.passages_total(self.wenchang, day), 10_000)

    def test_it_gives_linjiang_its_own_checkpoints_and_some_alerts(self) -> None:
        self.assertGreater(Checkpoint.objects.filter(org_unit__code="610902003001").count(), 0)
        self.assertTrue(Alert.objects.filter(kind="fever", org_unit=self.wenchang).exists())
        self.assertTrue(Alert.objects.filter(kind="plate", status="open").exists()
                        or Alert.objects.filter(kind="fever", status="open").exists())
        self.assertTrue(Alert.objects.filter(kind="plate").exists())
        self.assertTrue(Alert.objects.filter(kind="fever", status="open").exists())
        self.assertTrue(Passage.objects.filter(plate_flagged=True).exists())

    def test_it_rosters_gate01_today_so_the_duty_screen_works_now(self) -> None:
        entry = DutyRoster.objects.get(user__username="gate01", day=timezone.localdate())
        self.assertEqual(entry.checkpoint.org_unit, self.wenchang)
        for day in (date(2020, 2, 10), date(2020, 3, 2)):
            self.assertTrue(DutyRoster.objects.filter(user__username="gate01", day=day).exists())
        _row, token = ApiToken.issue(entry.user)
        r = self.client.get("/api/v1/checkpoints", HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertEqual([c["id"] for c in r.json()], [entry.checkpoint_id])
