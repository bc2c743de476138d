"""Every checkpoint service checks its actor's scope itself, whoever calls it (a view,
the API, an import, a management command): the authorisation of a business action lives
in one layer, the service."""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import PermissionDenied

from fangkong.checkpoints import services
from fangkong.checkpoints.models import Household, PatrolLog, Tip
from fangkong.checkpoints.tests.base import CheckpointTestCase
from fangkong.core.models import Alert
from fangkong.core.services.alerts import close_alert, open_alert


class ServiceAuthorisationTests(CheckpointTestCase):
    def test_it_refuses_writes_outside_the_actors_area(self) -> None:
        for actor in (self.community_b, self.county_b, self.member_liaison, self.task_force,
                      self.gate, self.province, self.nobody):
            with self.subTest(actor=actor.username):
                with self.assertRaises(PermissionDenied):
                    services.save_household(actor, self.community_a_unit, number="1-1",
                                            address="文昌路1号")
                with self.assertRaises(PermissionDenied):
                    services.record_patrol(actor, self.community_a_unit,
                                           client_id=uuid.uuid4(), day=date(2020, 3, 1),
                                           area="广场")
                with self.assertRaises(PermissionDenied):
                    services.create_checkpoint(actor, self.community_a_unit, name="南门",
                                               kind="gate")
        self.assertFalse(Household.objects.exists())
        self.assertFalse(PatrolLog.objects.exists())

    def test_it_lets_the_community_and_those_above_it_write(self) -> None:
        for n, actor in enumerate((self.community_a, self.county_a, self.hq)):
            services.save_household(actor, self.community_a_unit, number=f"{n}-1",
                                    address=f"文昌路{n}号")
        self.assertEqual(Household.objects.count(), 3)

    def test_it_takes_an_anonymous_tip_only_from_the_public_form(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.record_tip(None, self.community_a_unit, client_id=uuid.uuid4(),
                                channel="phone", category="gathering", content="打麻将")
        services.record_tip(None, self.community_a_unit, client_id=uuid.uuid4(),
                            channel="online", category="gathering", content="打麻将")
        self.assertEqual(Tip.objects.count(), 1)

    def test_it_closes_an_alert_only_in_the_actors_area(self) -> None:
        alert = open_alert(kind="fever", org_unit=self.community_a_unit, title="发热")
        with self.assertRaises(PermissionDenied):
            close_alert(alert, actor=self.community_b, outcome="已排除")
        self.assertEqual(Alert.objects.get(pk=alert.pk).status, "open")
        close_alert(alert, actor=self.community_a, outcome="已排除")
        self.assertEqual(Alert.objects.get(pk=alert.pk).status, "closed")
