"""The demo step's records and the figures read back from them (SCENARIO.md: 62 trainees
at 镇坪县's first hospitality course on 2020-03-02). Reads the session's demo city."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase

from fangkong.core.models import OrgUnit
from fangkong.core.registries import render_sentences
from fangkong.training import indicators, services
from fangkong.training.models import Attendance, Enrolment, Session

DAY = date(2020, 3, 2)


@pytest.mark.demo
class DemoTraining(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.county = OrgUnit.objects.get(code="610927")
        cls.session = Session.objects.get(course__title="疫情应对与质效提升", number=1)

    def test_the_first_session_had_62_trainees_seated_apart_on_five_topics(self) -> None:
        s = self.session
        self.assertEqual((s.org_unit.code, s.mode), ("610927100", "both"))
        self.assertEqual(indicators.trainees_attended(self.county, DAY), 62)
        self.assertEqual(indicators.trainees_attended(self.county, date(2020, 3, 1)), 0)
        self.assertEqual(s.topics.count(), 5)
        seats = list(Enrolment.objects.filter(session=s, attend_mode="offline")
                     .values_list("seat_row", "seat_number"))
        self.assertEqual(len(seats), services.capacity(s))
        plan = {(p.row, p.number) for p in services.seat_plan(s)}
        self.assertEqual(set(seats), plan)
        # Seated apart: no two trainees side by side or one behind the other.
        for row, number in seats:
            for near in ((row, number + 1), (row + 1, number)):
                self.assertNotIn(near, seats)
        self.assertFalse(Attendance.objects.filter(session=s, method__in=("qr", "staff"),
                                                   mask_worn=False).exists())

    def test_the_briefing_and_the_api_read_the_records(self) -> None:
        sentence = [t for t in render_sentences(self.county, DAY) if "62" in t]
        self.assertTrue(sentence, render_sentences(self.county, DAY))
        self.client.force_login(get_user_model().objects.get(username="zhenping01"))
        [row] = self.client.get(
            "/api/v1/training/sessions?date=2020-03-02&unit=610927100").json()
        self.assertEqual((row["capacity"], row["enrolled"], row["attended"]), (64, 67, 62))

    def test_the_trainees_are_of_chengguan_hotels_and_restaurants(self) -> None:
        kinds = set(Enrolment.objects.filter(session=self.session)
                    .values_list("business__kind", flat=True))
        self.assertEqual(kinds, {"hotel", "restaurant", "homestay"})
        self.assertTrue(Enrolment.objects.filter(session=self.session,
                                                 business__name="秦老四凉皮").exists())
        self.assertEqual(Enrolment.objects.filter(session=self.session,
                                                  certificate__isnull=False).count(), 62)
