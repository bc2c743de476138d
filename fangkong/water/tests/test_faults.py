"""Patrols and fault tickets: hospitals first, time to repair, bad times refused."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from fangkong.water import indicators, services
from fangkong.water.models import Fault
from fangkong.water.tests.base import WaterTestCase

AT = timezone.make_aware(datetime.combine(date(2020, 2, 9), time(7, 40)))


class FaultTests(WaterTestCase):
    def report(self, point=None, kind="burst"):
        return services.report_fault(
            self.operator, self.utility, self.community_a2_unit, client_id=uuid.uuid4(),
            location="巴山路", kind=kind, reported_by="巡检一班", reported_at=AT,
            point=point)[0]

    def test_a_fault_near_a_hospital_comes_first_and_its_repair_is_timed(self) -> None:
        estate = self.report(kind="leak")
        hospital = self.report(point=self.end)  # the point near 安康市中心医院
        self.assertTrue(hospital.hospital)
        self.assertEqual(list(Fault.objects.all()), [hospital, estate])
        services.dispatch_fault(self.operator, hospital, crew="抢修二队",
                                at=AT + timedelta(minutes=10))
        services.repair_fault(self.operator, hospital, at=AT + timedelta(minutes=145),
                              note="更换管段")
        hospital.refresh_from_db()
        self.assertEqual(hospital.minutes_to_repair, 145)
        self.assertEqual(indicators.repair_minutes(self.city, AT.date()), 145)
        self.assertEqual(indicators.faults_open(self.city, AT.date()), 1)

    def test_a_repair_before_the_report_is_refused(self) -> None:
        fault = self.report()
        with self.assertRaises(ValidationError) as caught:
            services.repair_fault(self.operator, fault, at=AT - timedelta(hours=1), note="x")
        self.assertIn("repaired_at", caught.exception.message_dict)
        fault.refresh_from_db()
        self.assertIsNone(fault.repaired_at)

    def test_a_patrol_names_points_of_its_own_utility_only(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.record_patrol(self.hq, self.utility, self.city, client_id=uuid.uuid4(),
                                   day=AT.date(), route="江北大道", patroller="巡检一班",
                                   points=[self.other_point])
        self.assertIn("points", caught.exception.message_dict)
        patrol, _ = services.record_patrol(
            self.operator, self.utility, self.city, client_id=uuid.uuid4(), day=AT.date(),
            route="江北大道", patroller="巡检一班", points=[self.end])
        self.assertEqual(list(patrol.points.all()), [self.end])
        self.assertEqual(indicators.patrols(self.city, AT.date()), 1)
