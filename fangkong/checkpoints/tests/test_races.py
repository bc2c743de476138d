"""Identical submissions racing: one record, every request answered, never a 500.

Each create path read first and inserted after; on PostgreSQL two requests both read
"none", the second insert waited for the first one's commit and failed on the unique
constraint, and the IntegrityError answered 500. Real threads, real connections
(``run_together``): on PostgreSQL and on the suite's SQLite file (conftest.py).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, TransactionTestCase
from django.utils import timezone

from fangkong.checkpoints import services
from fangkong.checkpoints.models import (
    Checkpoint,
    DutyRoster,
    Household,
    HouseholdMember,
    Inspection,
    Outsider,
    PatrolLog,
    ScreeningVisit,
    TemperatureCheck,
)
from fangkong.checkpoints.tests.base import ID_A
from fangkong.core.models import Alert, OrgUnit, Role
from fangkong.core.models.territory import Level
from fangkong.core.services.people import clean_person_data, lookup_or_create_person
from fangkong.core.testing import make_unit, make_user, run_together

THREADS = 8


class RaceBase(TransactionTestCase):
    def setUp(self) -> None:
        root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        self.community = make_unit(OrgUnit.objects.get(pk=root.pk), "610902002002",
                                   "文昌社区", Level.COMMUNITY)
        self.worker = make_user("worker", Role.COMMUNITY_WORKER, self.community)
        self.today = timezone.localdate()
        self.household = Household.objects.create(org_unit=self.community, number="1-101",
                                                  address="文昌路1号")

    def person(self) -> Any:
        return clean_person_data(id_number=ID_A, name="张伟", phone="13800001111")

    def known_person(self) -> None:
        """The person is already registered (the usual case: the population was
        imported). Otherwise the racers queue on the person's insert first, and the
        later create is never reached at the same moment."""
        lookup_or_create_person(self.worker, self.person(), self.community)

    def outsider(self) -> Outsider:
        return services.register_outsider(
            self.worker, self.community, self.person(), arrived_on=self.today,
            origin="武汉", host_address="文昌路1号")[0]

    def assert_one(self, model: Any, results: list[Any], errors: list[Exception]) -> Any:
        """No error, one row, every request answered with it, one of them created it."""
        self.assertEqual(errors, [])
        row = model.objects.get()
        self.assertEqual({obj.pk for obj, _created in results}, {row.pk})
        self.assertEqual(sum(created for _obj, created in results), 1)
        return row

    def post_together(self, url: str, data: dict[str, Any]) -> list[int]:
        """``THREADS`` logged-in clients POST the same form at once: their status codes.
        An unhandled exception in the view is raised by the test client (a 500)."""
        return self.post_together_each(url, lambda: data)

    def post_together_each(self, url: str, make: Any) -> list[int]:
        """As ``post_together``, each client with its own form data (``make()``)."""
        forms = [make() for _ in range(THREADS)]
        clients = []
        for _ in range(THREADS):
            client = Client()
            client.force_login(self.worker)
            clients.append(client)

        def post() -> int:
            return clients.pop().post(url, forms.pop()).status_code

        statuses, errors = run_together(post, THREADS)
        self.assertEqual(errors, [])
        return statuses


@pytest.mark.race
class ServiceRaceTests(RaceBase):
    def test_it_registers_an_outsider_once_when_identical_registrations_race(self) -> None:
        self.known_person()
        results, errors = run_together(lambda: services.register_outsider(
            self.worker, self.community, self.person(), arrived_on=self.today,
            origin="武汉", host_address="文昌路1号"), THREADS)
        self.assert_one(Outsider, results, errors)

    def test_it_adds_a_member_once_when_identical_additions_race(self) -> None:
        self.known_person()
        results, errors = run_together(lambda: services.add_member(
            self.worker, self.household, self.person(), relation="head", permanent=True),
            THREADS)
        self.assert_one(HouseholdMember, results, errors)

    def test_it_refuses_a_racing_member_of_another_household_with_a_field_error(self) -> None:
        self.known_person()
        other = Household.objects.create(org_unit=self.community, number="1-102",
                                         address="文昌路2号")
        households = [self.household, other] * (THREADS // 2)

        def add() -> Any:
            return services.add_member(self.worker, households.pop(), self.person(),
                                       relation="head", permanent=True)

        results, errors = run_together(add, THREADS)
        member = HouseholdMember.objects.get()
        self.assertEqual(len(results) + len(errors), THREADS)
        self.assertTrue(all(isinstance(e, ValidationError) and "id_number" in e.message_dict
                            for e in errors), errors)
        self.assertEqual({m.pk for m, _created in results}, {member.pk})

    def test_it_records_a_temperature_check_once_when_identical_checks_race(self) -> None:
        outsider = self.outsider()
        results, errors = run_together(lambda: services.record_temperature(
            self.worker, outsider, day=self.today, slot="am", temperature=Decimal("38.5")),
            THREADS)
        check = self.assert_one(TemperatureCheck, results, errors)
        self.assertTrue(check.fever)
        self.assertEqual(Alert.objects.filter(status="open").count(), 1)

    def test_it_creates_a_checkpoint_once_and_answers_the_others_with_a_field_error(
            self) -> None:
        results, errors = run_together(lambda: services.create_checkpoint(
            self.worker, self.community, name="东门", kind="gate"), THREADS)
        self.assertEqual([c.pk for c in results], [Checkpoint.objects.get().pk])
        self.assertEqual(len(errors), THREADS - 1)
        for exc in errors:
            self.assertIsInstance(exc, ValidationError)
            self.assertIn("name", exc.message_dict)

    def test_it_creates_a_new_household_once_and_refuses_the_others(self) -> None:
        results, errors = run_together(lambda: services.save_household(
            self.worker, self.community, number="2-201", address="文昌路3号", new_only=True),
            THREADS)
        self.assertEqual(len(results), 1)
        self.assertEqual(Household.objects.filter(number="2-201").count(), 1)
        self.assertEqual(len(errors), THREADS - 1)
        for exc in errors:
            self.assertIsInstance(exc, ValidationError)
            self.assertIn("number", exc.message_dict)

    def test_it_rosters_a_user_once_when_identical_rosterings_race(self) -> None:
        gate = Checkpoint.objects.create(org_unit=self.community, name="东门")
        duty = make_user("gate", Role.CHECKPOINT_DUTY, self.community)
        results, errors = run_together(
            lambda: services.roster(self.worker, gate, duty, self.today), THREADS)
        self.assert_one(DutyRoster, results, errors)

    def test_it_keeps_one_visit_when_the_same_visit_form_races(self) -> None:
        key = uuid.uuid4()
        results, errors = run_together(lambda: services.record_visit(
            self.worker, self.household, client_id=key, visited_on=self.today,
            people_present=3), THREADS)
        self.assert_one(ScreeningVisit, results, errors)

    def test_it_keeps_one_inspection_and_one_patrol_when_identical_ones_race(self) -> None:
        key = uuid.uuid4()
        results, errors = run_together(lambda: services.record_inspection(
            self.worker, self.community, client_id=key, kind="venue", place="棋牌室",
            day=self.today), THREADS)
        self.assert_one(Inspection, results, errors)
        key = uuid.uuid4()
        results, errors = run_together(lambda: services.record_patrol(
            self.worker, self.community, client_id=key, day=self.today, area="滨江路"),
            THREADS)
        self.assert_one(PatrolLog, results, errors)


@pytest.mark.race
class PageRaceTests(RaceBase):
    """Two identical POSTs of a page at once (a double tap, a resent form): the loser is
    answered like a second submission would be, never with a 500."""

    def person_fields(self) -> dict[str, str]:
        return {"name": "张伟", "id_number": ID_A, "phone": "13800001111"}

    def test_it_answers_every_racing_outsider_registration(self) -> None:
        self.known_person()
        statuses = self.post_together("/checkpoints/outsiders/new", {
            **self.person_fields(), "community": self.community.code,
            "arrived_on": self.today.isoformat(), "origin": "武汉", "host_address": "文昌路1号",
            "client_id": str(uuid.uuid4()),
        })
        self.assertEqual(statuses, [302] * THREADS)
        self.assertEqual(Outsider.objects.count(), 1)

    def test_it_answers_every_racing_temperature_check(self) -> None:
        outsider = self.outsider()
        statuses = self.post_together(f"/checkpoints/outsiders/{outsider.pk}/check", {
            "day": self.today.isoformat(), "slot": "pm", "temperature": "36.6"})
        self.assertEqual(statuses, [302] * THREADS)
        self.assertEqual(TemperatureCheck.objects.count(), 1)

    def test_it_answers_every_racing_member_addition(self) -> None:
        self.known_person()
        statuses = self.post_together(f"/checkpoints/households/{self.household.pk}/member", {
            **self.person_fields(), "relation": "head", "permanent": "on",
            "client_id": str(uuid.uuid4())})
        self.assertEqual(statuses, [302] * THREADS)
        self.assertEqual(HouseholdMember.objects.count(), 1)

    def test_it_answers_every_racing_new_checkpoint_form(self) -> None:
        # The same form sent at once (one key): every request lands on the one checkpoint.
        same = {"community": self.community.code, "name": "东门", "kind": "gate",
                "opened_on": (self.today - timedelta(days=1)).isoformat(),
                "client_id": str(uuid.uuid4())}
        self.assertEqual(self.post_together("/checkpoints/", same), [302] * THREADS)
        self.assertEqual(Checkpoint.objects.count(), 1)
        # Different forms with the same name (two people at once): one wins, the others
        # are told the name is in use.
        statuses = self.post_together_each("/checkpoints/", lambda: {
            **same, "name": "西门", "client_id": str(uuid.uuid4())})
        self.assertEqual(sorted(statuses), [200] * (THREADS - 1) + [302])
        self.assertEqual(Checkpoint.objects.count(), 2)

    def test_it_answers_every_racing_new_household_form(self) -> None:
        same = {"community": self.community.code, "number": "2-201", "address": "文昌路3号",
                "client_id": str(uuid.uuid4())}
        self.assertEqual(self.post_together("/checkpoints/households/new", same),
                         [302] * THREADS)
        statuses = self.post_together_each("/checkpoints/households/new", lambda: {
            **same, "number": "2-202", "client_id": str(uuid.uuid4())})
        self.assertEqual(sorted(statuses), [200] * (THREADS - 1) + [302])
        self.assertEqual(Household.objects.filter(number__in=["2-201", "2-202"]).count(), 2)
