"""Organisation roles hold EDIT and REVEAL_PII for their own organisation's records only.

Before scoping had one predicate, ``Scope.can(cap, path)`` accepted any grant over the
path while ``visible_to`` honoured only territorial grants: a member-unit liaison got 201
from ``POST /api/v1/people`` for a community in any county, and posting an existing
person's ID number elsewhere answered 200 with the person's name and wrote the given
address into their record (review §1.2). These tests fail on that code.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from fangkong.core import audit
from fangkong.core.models import Person
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import scope_for
from fangkong.core.testing import FangkongTestCase, make_person
from fangkong.lib.identity import make_id_number

PEOPLE_URL = "/api/v1/people"


class OrganisationRoleHoleTests(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.resident = make_person(cls.community_b_unit, name="李秀英", address="")

    def post(self, **fields):
        body = {"id_number": make_id_number("610924", self.resident.birth_date, 7),
                "name": "王五", "org_unit": self.community_b_unit.code, **fields}
        return self.client.post(PEOPLE_URL, body, content_type="application/json",
                                HTTP_ACCEPT_LANGUAGE="zh-hans")

    def test_it_refuses_a_liaison_a_person_in_any_community(self) -> None:
        for persona in ("member_liaison", "task_force", "enterprise_liaison", "helper",
                        "volunteer"):
            with self.subTest(persona):
                self.login(getattr(self, persona))
                response = self.post()
                self.assertEqual(response.status_code, 403, response.content)
        self.assertEqual(Person.objects.count(), 1)

    def test_it_tells_a_liaison_nothing_of_an_existing_person(self) -> None:
        self.login(self.member_liaison)
        response = self.post(id_number=self.resident.id_number, name="李秀英",
                             address="别处路9号")
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("李秀英", response.content.decode())
        self.resident.refresh_from_db()
        self.assertEqual(self.resident.address, "")

    def test_it_agrees_with_the_list_for_a_liaison(self) -> None:
        self.login(self.member_liaison)
        self.assertEqual(self.client.get(PEOPLE_URL).json()["count"], 0)
        scope = scope_for(self.member_liaison)
        self.assertFalse(scope.can(Cap.EDIT, self.community_b_unit.path))
        self.assertFalse(scope.can(Cap.EDIT))
        self.assertFalse(scope.covers(Cap.VIEW, self.city.path))

    def test_it_lets_the_task_force_reveal_nobody(self) -> None:
        with self.assertRaises(PermissionDenied):
            audit.reveal(self.task_force, self.resident, ["id_number"], "核查发热病人")

    def test_it_keeps_county_staff_to_their_county(self) -> None:
        self.login(self.county_a)
        response = self.post()
        self.assertEqual(response.status_code, 400)
        self.assertEqual(list(response.json()["fields"]), ["org_unit"])  # not in their area
        self.assertEqual(Person.objects.count(), 1)
        self.login(self.county_b)
        self.assertEqual(self.post().status_code, 201)

    def test_it_shows_a_liaison_no_territorial_page(self) -> None:
        self.login(self.member_liaison)
        labels = [str(i["label"]) for i in self.client.get("/").context["nav_items"]]
        for hidden in ("人员", "行政区划", "卡点", "社区排查"):
            self.assertNotIn(hidden, labels)
        self.assertIn("日报", labels)
        for url in ("/core/people/", "/core/units/", "/checkpoints/", "/checkpoints/households/"):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 403)
