"""Indicators and briefing sentences for a known dataset, and through the registry."""

import uuid
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from fangkong.checkpoints import indicators, services
from fangkong.checkpoints.models import HouseholdMember, Passage, PassageDaily
from fangkong.checkpoints.tests.base import ID_A, ID_B, CheckpointTestCase
from fangkong.checkpoints.validation import clean_passage
from fangkong.core import registries
from fangkong.core.services.people import clean_person_data
from fangkong.core.testing import make_unit

DAY = date(2020, 2, 20)


def at(hour: int, day: date = DAY) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


class IndicatorTestCase(CheckpointTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cases = [
            (cls.gate_a, ID_A, "in", "36.5", "", True, DAY),
            (cls.gate_a, ID_A, "out", None, "", True, DAY),
            (cls.gate_a2, ID_B, "in", "37.6", "鄂A12345", False, DAY),
            (cls.gate_linjiang, ID_A, "in", "36.6", "陕G12345", True, DAY),
            (cls.gate_b, ID_A, "in", "38.0", "", True, DAY),  # another county
            (cls.gate_a, ID_A, "in", "36.4", "", True, DAY - timedelta(days=1)),
        ]
        for cp, id_number, direction, temperature, plate, resident, day in cases:
            data = clean_passage({
                "client_id": str(uuid.uuid4()), "direction": direction, "name": "张伟",
                "id_number": id_number, "temperature": temperature, "plate": plate,
                "resident": resident, "origin": "" if resident else "武汉",
            })
            data.occurred_at = at(10, day)
            services.register_passage(cls.gate, cp, data)
        for day, gatherings in ((DAY - timedelta(days=1), 2), (DAY, 1), (DAY + timedelta(1), 5)):
            services.record_patrol(cls.community_a, cls.community_a_unit,
                                   client_id=uuid.uuid4(), day=day, area="广场",
                                   gatherings_dispersed=gatherings, people_persuaded=3)
        household, _ = services.save_household(cls.community_a, cls.community_a_unit,
                                               number="1-1-101", address="文昌路1号")
        services.add_member(cls.community_a, household, clean_person_data(
            id_number=ID_A, name="张伟"), relation="head", permanent=True)
        services.add_member(cls.community_a, household, clean_person_data(
            id_number=ID_B, name="李娜"), relation="spouse", permanent=False)
        HouseholdMember.objects.update(since=DAY)  # found by the screening that day
        services.record_visit(cls.community_a, household, visited_on=DAY, from_hubei=True)
        services.record_inspection(cls.community_a, cls.community_a_unit,
                                   client_id=uuid.uuid4(), kind="venue", place="麻将馆",
                                   day=DAY, venue_type="mahjong", found_open=True)
        services.record_inspection(cls.community_a, cls.community_a_unit,
                                   client_id=uuid.uuid4(), kind="disinfection",
                                   place="文昌花园", day=DAY)

    def test_it_counts_a_community_from_the_daily_rollup(self) -> None:
        unit = self.community_a_unit
        self.assertEqual(indicators.checkpoints(unit, DAY), 2)
        # The fever at gate_a2 was registered but not let through (issue #11, item 2).
        self.assertEqual(indicators.passages(unit, DAY), 2)
        self.assertEqual(indicators.passages_total(unit, DAY), 3)
        self.assertEqual(indicators.fevers(unit, DAY), 1)
        self.assertEqual(indicators.plates_flagged(unit, DAY), 1)
        self.assertEqual(indicators.gatherings_dispersed(unit, DAY), 3)
        self.assertEqual(indicators.people_persuaded(unit, DAY), 6)
        self.assertEqual(indicators.households_screened(unit, DAY), 1)
        self.assertEqual(indicators.households_flagged(unit, DAY), 1)
        self.assertEqual(indicators.venues_inspected(unit, DAY), 1)
        self.assertEqual(indicators.venues_found_open(unit, DAY), 1)
        self.assertEqual(indicators.estates_disinfected(unit, DAY), 1)

    def test_it_counts_checkpoints_running_on_the_day(self) -> None:
        """A checkpoint added today once counted for 2020; one lifted kept counting."""
        unit = self.community_a_unit
        late = services.create_checkpoint(self.community_a, unit, name="南门", kind="gate",
                                          opened_on=DAY + timedelta(days=3))
        self.assertEqual(indicators.checkpoints(unit, DAY), 2)
        self.assertEqual(indicators.checkpoints(unit, DAY + timedelta(days=3)), 3)
        services.close_checkpoint(self.community_a, late, day=DAY + timedelta(days=5))
        self.assertEqual(indicators.checkpoints(unit, DAY + timedelta(days=4)), 3)
        self.assertEqual(indicators.checkpoints(unit, DAY + timedelta(days=5)), 2)
        late.refresh_from_db()
        self.assertFalse(late.is_active)
        with self.assertRaises(ValidationError):
            services.create_checkpoint(self.community_a, unit, name="北门", kind="gate",
                                       opened_on=timezone.localdate() + timedelta(days=1))

    def test_staff_close_a_checkpoint_from_its_page(self) -> None:
        url = reverse("checkpoints:close", args=[self.gate_a2.pk])
        self.client.force_login(self.gate)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.community_a)
        page = self.client.get(reverse("checkpoints:detail", args=[self.gate_a2.pk]))
        self.assertContains(page, url)
        self.client.post(url)
        self.gate_a2.refresh_from_db()
        self.assertEqual((self.gate_a2.is_active, self.gate_a2.closed_on),
                         (False, timezone.localdate()))
        self.assertEqual(indicators.checkpoints(self.community_a_unit, DAY), 2)

    def test_it_rolls_up_to_the_county_and_city(self) -> None:
        self.assertEqual(indicators.checkpoints(self.county_a_unit, DAY), 3)
        # The two fevers were registered, not let through.
        self.assertEqual(indicators.passages(self.county_a_unit, DAY), 3)
        self.assertEqual(indicators.passages(self.city, DAY), 3)
        self.assertEqual(indicators.fevers(self.city, DAY), 2)
        self.assertEqual(indicators.fevers(self.county_b_unit, DAY), 1)

    def test_it_reads_passage_figures_from_the_rollup_not_the_rows(self) -> None:
        PassageDaily.objects.filter(checkpoint=self.gate_a, day=DAY).update(passages_in=40)
        self.assertEqual(indicators.passages(self.community_a_unit, DAY), 41)
        with self.assertNumQueries(1):
            indicators.passages(self.city, DAY)

    def test_it_counts_a_fever_as_entered_only_once_let_through(self) -> None:
        """Issue #11, item 2: a fever is registered 'not let through'; the staff's
        decision moves it into the count (and out again), audited."""
        fever = Passage.objects.get(checkpoint=self.gate_a2, fever=True)
        self.assertEqual(fever.outcome, "refused")
        services.set_outcome(self.community_a, fever, "admitted")
        self.assertEqual(indicators.passages(self.community_a_unit, DAY), 3)
        services.set_outcome(self.community_a, fever, "referred")
        self.assertEqual(indicators.passages(self.community_a_unit, DAY), 2)
        self.assertEqual(indicators.fevers(self.community_a_unit, DAY), 1)
        with self.assertRaises(PermissionDenied):
            services.set_outcome(self.community_b, fever, "admitted")
        self.assertEqual(Passage.objects.get(pk=fever.pk).outcome, "referred")

    def test_it_registers_its_indicators_and_sentences(self) -> None:
        registered = registries.indicators()
        mine = [i for i in registered.values() if i.module == "checkpoints"]
        self.assertEqual(len(mine), 21)
        self.assertEqual({i.compute.__module__ for i in mine}, {indicators.__name__})
        self.assertEqual(registered["checkpoints.passages"].compute(self.community_a_unit, DAY),
                         2)
        self.assertTrue(registered["checkpoints.gatherings_dispersed"].cumulative)
        with translation.override("zh-hans"):
            sentences = registries.render_sentences(self.community_a_unit, DAY)
        text = "".join(sentences)
        self.assertIn("文昌社区共设卡点2个", text)
        self.assertIn("当日放行进出人员2人次（累计3人次）", text)
        self.assertIn("排查鄂籍车辆1辆", text)
        self.assertIn("摸排人口2人，其中常住人口1人", text)
        self.assertIn("劝返3人以上聚集扎堆3次", text)

    def test_it_stays_silent_where_there_is_nothing(self) -> None:
        empty = make_unit(self.county_b_unit, "610924101", "高桥镇", "town")
        self.assertIsNone(indicators.checkpoint_sentence(empty, DAY))
        self.assertIsNone(indicators.screening_sentence(self.community_b_unit, DAY))
        self.assertIsNone(indicators.tip_response_minutes(self.community_a_unit, DAY))
