"""The demo city is 2020-03-02 on a machine whose clock says 2026 (issue #11):

- the home page counts the demo's last day (``core.dataday``), not an empty today;
- the missed-temperature alerts are those of the demo's day, raised at its end for the
  outsiders still under observation then, and the worker's schedule, run today, adds
  none dated today for an observation that ended years ago.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase
from django.utils import timezone

from fangkong.checkpoints.models import Outsider
from fangkong.checkpoints.schedules import missed_temperature_checks
from fangkong.core.dataday import data_day, latest_day
from fangkong.core.models import Alert

DEMO_DAY = dt.date(2020, 3, 2)


@pytest.mark.demo
class DemoDayTestCase(TestCase):
    def test_pages_that_count_today_count_the_demos_last_day(self) -> None:
        self.assertEqual(latest_day(timezone.localdate()), DEMO_DAY)
        self.assertEqual(data_day(), DEMO_DAY)
        self.assertEqual(data_day(DEMO_DAY + dt.timedelta(days=1)), DEMO_DAY + dt.timedelta(days=1))
        self.client.force_login(get_user_model().objects.get(username="hq"))
        response = self.client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        cards = {c["code"]: c["value"] for c in response.context["cards"]}
        self.assertGreater(cards["checkpoints.passages"], 0)
        self.assertContains(response, "最近有记录的一天（2020-03-02）")

    def test_the_missed_check_alerts_are_the_demo_days(self) -> None:
        missed = Alert.objects.filter(kind="temperature_missed")
        self.assertTrue(missed.exists())
        self.assertEqual({timezone.localtime(a.opened_at).date() for a in missed}, {DEMO_DAY})
        observing = {f"checkpoints.outsider:{pk}" for pk in Outsider.objects.filter(
            status="observing", arrived_on__lte=DEMO_DAY).values_list("pk", flat=True)}
        self.assertLessEqual(set(missed.values_list("subject", flat=True)), observing)
        self.assertEqual(missed_temperature_checks(), "0 outsider(s) with missed checks")
        self.assertFalse(Alert.objects.filter(kind="temperature_missed",
                                              opened_at__date__gt=DEMO_DAY).exists())
