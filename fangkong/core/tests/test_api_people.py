"""/api/v1/people: register (idempotent by ID number), list and fetch, scoped and masked."""

from __future__ import annotations

import threading
from datetime import date
from unittest import mock

import pytest
from django.db import connection
from django.test import Client, TransactionTestCase
from django.utils import translation

from fangkong.core import pii
from fangkong.core.models import ApiToken, Person, PiiAccess, Role
from fangkong.core.models.people import PersonQuerySet
from fangkong.core.models.territory import Level
from fangkong.core.testing import FangkongTestCase, make_person, make_unit, make_user
from fangkong.lib.identity import make_id_number, validate_id_number

PEOPLE_URL = "/api/v1/people"


def id_number_ending_in_x() -> str:
    for seq in range(1000):
        number = make_id_number("610902", date(1990, 3, 7), seq)
        if number.endswith("X"):
            return number
    raise AssertionError("no X check character in 1000 sequence numbers")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def message_in(language: str, raw_id_number: str) -> str:
    """The validator's message for ``raw_id_number`` as the given language renders it."""
    try:
        validate_id_number(raw_id_number)
    except Exception as exc:  # noqa: BLE001 - IdentityError, rendered below
        with translation.override(language):
            return str(exc.message)
    raise AssertionError(f"{raw_id_number} is valid")


class PeopleCreateTests(FangkongTestCase):
    def setUp(self) -> None:
        self.login(self.county_a)
        self.number = make_id_number("610902", date(1985, 6, 15), 11)

    def post(self, language: str = "en", **fields):
        body = {"id_number": self.number, "name": "张三", "phone": "13800138000",
                "address": "新城街道文昌路1号", "org_unit": "610902002002", **fields}
        return self.client.post(PEOPLE_URL, body, content_type="application/json",
                                HTTP_ACCEPT_LANGUAGE=language)

    def test_it_registers_a_person_and_answers_masked(self) -> None:
        response = self.post()
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        person = Person.objects.get()
        self.assertEqual(body["id"], person.pk)
        self.assertEqual(body["id_number"], pii.value(person, "id_number"))
        self.assertNotIn(self.number, response.content.decode())
        self.assertEqual(body["phone"], "138****8000")
        self.assertIsNone(body["birth_date"])
        self.assertTrue(body["masked"])
        self.assertEqual(body["org_unit"], "610902002002")
        self.assertEqual((person.sex, person.birth_date), ("M", date(1985, 6, 15)))
        self.assertEqual(person.org_unit, self.community_a_unit)

    def test_it_answers_a_repeated_registration_with_the_same_person(self) -> None:
        first = self.post()
        second = self.post(phone="")
        self.assertEqual(second.status_code, 200)
        self.assertEqual(second.json()["id"], first.json()["id"])
        self.assertEqual(Person.objects.count(), 1)

    def test_it_resolves_a_lost_insert_race_to_the_existing_person(self) -> None:
        existing = make_person(self.community_a_unit, name="张三")
        # Both look-ups miss, as when another request inserts between look-up and insert:
        # the unique constraint then decides, and the service returns the winner's row.
        with mock.patch.object(PersonQuerySet, "first", return_value=None):
            response = self.post(id_number=existing.id_number)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["id"], existing.pk)
        self.assertEqual(Person.objects.count(), 1)

    def test_it_accepts_a_lowercase_x_and_stores_it_upper_case(self) -> None:
        number = id_number_ending_in_x()
        response = self.post(id_number=number.lower())
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(Person.objects.get().id_number, number)

    def test_it_normalises_full_width_digits(self) -> None:
        response = self.post(id_number=full_width(self.number), phone=full_width("13800138000"))
        self.assertEqual(response.status_code, 201, response.content)
        person = Person.objects.get()
        self.assertEqual((person.id_number, person.phone), (self.number, "13800138000"))

    def test_it_rejects_a_15_digit_number_with_the_legacy_message(self) -> None:
        response = self.post(id_number="610902850615001")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["fields"], {"id_number": [
            "15-digit legacy ID numbers are not accepted; please enter the 18-digit number.",
        ]})
        self.assertFalse(Person.objects.exists())

    def test_it_reports_a_bad_id_number_and_phone_in_the_request_language(self) -> None:
        bad = self.number[:-1] + ("0" if self.number[-1] != "0" else "1")
        for language in ("en", "zh-hans"):
            with self.subTest(language=language):
                response = self.post(language="zh-CN" if language == "zh-hans" else "en",
                                     id_number=bad, phone="12345")
                self.assertEqual(response.status_code, 400)
                fields = response.json()["fields"]
                self.assertEqual(fields["id_number"], [message_in(language, bad)])
                self.assertEqual(set(fields), {"id_number", "phone"})
        self.assertIn("check character", message_in("en", bad))
        self.assertFalse(Person.objects.exists())

    def test_it_rejects_a_unit_outside_the_callers_area(self) -> None:
        response = self.post(org_unit="610924100001")  # county B's community
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["fields"],
                         {"org_unit": ["No org unit with this code in your area."]})
        unknown = self.post(org_unit="999999")
        self.assertEqual(unknown.json()["fields"], response.json()["fields"])
        self.assertFalse(Person.objects.exists())

    def test_it_names_a_bad_id_number_and_a_bad_unit_in_one_answer(self) -> None:
        """Validation once stopped at the first failing step: the unit was reported, the
        ID number only after the client had fixed the unit."""
        bad = self.number[:-1] + ("0" if self.number[-1] != "0" else "1")
        for unit, unit_message in (("999999", "No org unit with this code in your area."),
                                   ("610924100001", "No org unit with this code in your area."),
                                   (None, "This field is required.")):
            body = {"id_number": bad, "name": "张三", "org_unit": unit, "phone": "12345"}
            if unit is None:
                body.pop("org_unit")
            response = self.client.post(PEOPLE_URL, body, content_type="application/json",
                                        HTTP_ACCEPT_LANGUAGE="en")
            self.assertEqual(response.status_code, 400, unit)
            fields = response.json()["fields"]
            self.assertEqual(set(fields), {"id_number", "org_unit", "phone"}, unit)
            self.assertEqual(fields["org_unit"], [unit_message])
            self.assertEqual(fields["id_number"], [message_in("en", bad)])
            self.assertEqual(response.json()["error"], "Please correct the errors below.")
        self.assertFalse(Person.objects.exists())

    def test_it_answers_a_number_registered_elsewhere_as_a_new_one(self) -> None:
        """No existence oracle (#9 item 3): the answer was 409 "registered in another
        area" for a number known anywhere in the city and 201 for a fresh one."""
        other = make_person(self.community_b_unit, name="李秀英", phone="",
                            address="紫阳县北城路1号")
        fresh = self.post(name="王五")
        elsewhere = self.post(id_number=other.id_number, name="孙强")
        self.assertEqual((fresh.status_code, elsewhere.status_code), (201, 201),
                         elsewhere.content)
        self.assertEqual(set(fresh.json()), set(elsewhere.json()))
        body = elsewhere.json()
        self.assertEqual((body["name"], body["org_unit"]), ("孙强", "610902002002"))
        self.assertEqual(body["phone"], "138****8000")
        for held in ("李秀英", "北城", "610924"):
            self.assertNotIn(held, elsewhere.content.decode())
        # What the area registered is what it finds again, by id, list and search.
        detail = self.client.get(f"{PEOPLE_URL}/{body['id']}").json()
        self.assertEqual((detail["name"], detail["org_unit"]), ("孙强", "610902002002"))
        listed = self.client.get(PEOPLE_URL, {"id_number": other.id_number}).json()
        self.assertEqual([p["name"] for p in listed["results"]], ["孙强"])
        self.assertEqual(self.post(id_number=other.id_number, name="孙强").status_code, 200)
        # The registry's row elsewhere is untouched and still theirs alone.
        other.refresh_from_db()
        self.assertEqual((other.name, other.phone, other.address),
                         ("李秀英", "", "紫阳县北城路1号"))
        self.login(self.county_b)
        mine = self.client.get(f"{PEOPLE_URL}/{other.pk}").json()
        self.assertEqual((mine["name"], mine["org_unit"]), ("李秀英", "610924100001"))

    def test_it_does_not_find_a_person_by_data_held_elsewhere(self) -> None:
        other = make_person(self.community_b_unit, name="李秀英", phone="13900001111")
        self.post(id_number=other.id_number, name="孙强", phone="")
        self.login(self.county_a)
        for text in ("李秀英", "13900001111"):
            page = self.client.get("/core/people/", {"q": text})
            self.assertEqual(page.context["page"].paginator.count, 0, text)
        page = self.client.get("/core/people/", {"q": "孙强"})
        self.assertEqual([p.name for p in page.context["page"].object_list], ["孙强"])

    def test_it_fills_in_a_missing_phone_of_a_known_person(self) -> None:
        known = make_person(self.community_a_unit, phone="")
        response = self.post(id_number=known.id_number)
        self.assertEqual(response.status_code, 200)
        known.refresh_from_db()
        self.assertEqual(known.phone, "13800138000")

    def test_it_refuses_callers_without_the_edit_capability(self) -> None:
        self.login(self.gate)
        self.assertEqual(self.post().status_code, 403)
        self.assertFalse(Person.objects.exists())


class PeopleReadTests(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.person = make_person(cls.community_a_unit, name="李四", phone="13912345678",
                                 address="新城街道文昌路8号")
        cls.other = make_person(cls.community_b_unit, name="王五")

    def test_it_shows_a_person_masked(self) -> None:
        self.login(self.county_a)
        response = self.client.get(f"{PEOPLE_URL}/{self.person.pk}")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["id_number"], pii.value(self.person, "id_number"))
        self.assertNotIn(self.person.id_number, response.content.decode())
        self.assertIn("*", body["id_number"])
        self.assertEqual(body["phone"], "139****5678")
        self.assertTrue(body["masked"])
        self.assertFalse(PiiAccess.objects.exists())

    def test_it_hides_another_countys_person(self) -> None:
        self.login(self.county_b)
        self.assertEqual(self.client.get(f"{PEOPLE_URL}/{self.person.pk}").status_code, 404)
        self.login(self.helper)  # not territorial
        self.assertEqual(self.client.get(f"{PEOPLE_URL}/{self.person.pk}").status_code, 404)

    def test_it_reveals_with_a_reason_and_logs_it(self) -> None:
        self.login(self.county_a)
        response = self.client.get(f"{PEOPLE_URL}/{self.person.pk}",
                                   {"reveal": "1", "reason": "fever follow-up"})
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["id_number"], self.person.id_number)
        self.assertEqual(body["phone"], "13912345678")
        self.assertEqual(body["birth_date"], self.person.birth_date.isoformat())
        self.assertFalse(body["masked"])
        log = PiiAccess.objects.get()
        self.assertEqual((log.actor, log.action, log.subject_id, log.reason),
                         (self.county_a, "reveal", str(self.person.pk), "fever follow-up"))

    def test_it_wants_a_reason_to_reveal(self) -> None:
        self.login(self.county_a)
        response = self.client.get(f"{PEOPLE_URL}/{self.person.pk}", {"reveal": "1"},
                                   HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["fields"],
                         {"reason": ["Give the reason for viewing personal data."]})
        self.assertEqual(list(PiiAccess.objects.values_list("actor", "refused")),
                         [(self.county_a.pk, "reason")])

    def test_it_logs_a_reveal_asked_for_out_of_scope_and_answers_404(self) -> None:
        self.login(self.county_b)
        response = self.client.get(f"{PEOPLE_URL}/{self.person.pk}",
                                   {"reveal": "1", "reason": "核查"})
        self.assertEqual(response.status_code, 404)
        log = PiiAccess.objects.get()
        self.assertEqual((log.actor, log.refused, log.subject_id, log.subject_label),
                         (self.county_b, "scope", str(self.person.pk), ""))
        # Without ?reveal=1 an out-of-scope read is a plain 404, not a personal-data attempt.
        self.client.get(f"{PEOPLE_URL}/{self.person.pk}")
        self.assertEqual(PiiAccess.objects.count(), 1)

    def test_it_refuses_to_reveal_without_the_capability(self) -> None:
        self.login(self.province)
        response = self.client.get(f"{PEOPLE_URL}/{self.person.pk}",
                                   {"reveal": "1", "reason": "curious"})
        self.assertEqual(response.status_code, 403)
        log = PiiAccess.objects.get()  # the refused attempt, once
        self.assertEqual((log.actor, log.action, log.refused, log.subject_id, log.reason),
                         (self.province, "reveal", "permission", str(self.person.pk), "curious"))

    def test_it_lists_only_people_in_the_callers_area(self) -> None:
        self.login(self.county_a)
        body = self.client.get(PEOPLE_URL).json()
        self.assertEqual(body["count"], 1)
        self.assertEqual([p["id"] for p in body["results"]], [self.person.pk])
        self.assertTrue(body["results"][0]["masked"])
        self.login(self.hq)
        self.assertEqual(self.client.get(PEOPLE_URL).json()["count"], 2)

    def test_it_filters_the_list_by_id_number_and_unit(self) -> None:
        self.login(self.hq)
        by_number = self.client.get(PEOPLE_URL, {"id_number": self.other.id_number.lower()})
        self.assertEqual([p["id"] for p in by_number.json()["results"]], [self.other.pk])
        by_unit = self.client.get(PEOPLE_URL, {"unit": "610902"})
        self.assertEqual([p["id"] for p in by_unit.json()["results"]], [self.person.pk])

    def test_it_hides_units_outside_the_area_in_the_list_filter(self) -> None:
        self.login(self.county_a)
        self.assertEqual(self.client.get(PEOPLE_URL, {"unit": "610924"}).status_code, 404)


@pytest.mark.race
class PeopleCreateRaceTests(TransactionTestCase):
    """Two registrations of one number at the same moment create one person."""

    def test_it_creates_one_person_under_concurrent_requests(self) -> None:
        root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        county = make_unit(root, "610902", "汉滨区", Level.COUNTY)
        user = make_user("racer", Role.TERRITORY_STAFF, county)
        _row, raw = ApiToken.issue(user)
        number = make_id_number("610902", date(1985, 6, 15), 11)
        barrier = threading.Barrier(4)
        results: list[tuple[int, int]] = []

        def register() -> None:
            try:
                client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
                barrier.wait()
                response = client.post(PEOPLE_URL, {
                    "id_number": number, "name": "张三", "org_unit": "610902",
                }, content_type="application/json")
                results.append((response.status_code, response.json().get("id")))
            finally:
                connection.close()

        threads = [threading.Thread(target=register) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(Person.objects.count(), 1)
        person = Person.objects.get()
        self.assertEqual(sorted(code for code, _ in results), [200, 200, 200, 201])
        self.assertEqual({pk for _, pk in results}, {person.pk})
