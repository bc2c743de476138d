"""The person registry across areas (issue #9, items 1-2).

Every register looks a person up by ID number city-wide. Before, the new record showed
the registry's row whoever registered: a worker in 汉滨区 read the full name of a person
of 紫阳县 on the outsider, household and register pages and in the fever alert; county
staff got the other county's phone in unmasked exports; and an anonymous QR submission or
a worker's passage filled a registered person's missing phone. Each test here fails on
that code: a record shows what was typed where it was made, and a register never writes
to the registry's row.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.urls import reverse

from fangkong.checkpoints import services
from fangkong.checkpoints.models import Household, HouseholdMember, Outsider, Passage
from fangkong.checkpoints.tests.base import CheckpointTestCase, passage_body
from fangkong.checkpoints.tests.test_exports import sheet
from fangkong.core.models import Alert, PiiAccess
from fangkong.core.services.people import clean_person_data
from fangkong.core.testing import make_person

TYPED = {"name": "孙强", "phone": "13800001111"}


class RegistryAcrossAreasTests(CheckpointTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Registered in 紫阳县 (county B), with no phone on file and an address.
        cls.other = make_person(cls.community_b_unit, name="王芳", phone="",
                                address="紫阳县北城路1号")

    def typed(self, **extra):
        return clean_person_data(id_number=self.other.id_number, **{**TYPED, **extra})

    def assert_untouched(self) -> None:
        self.other.refresh_from_db()
        self.assertEqual((self.other.name, self.other.phone, self.other.address),
                         ("王芳", "", "紫阳县北城路1号"))

    def assert_shows_typed(self, url: str) -> None:
        page = self.client.get(url).content.decode()
        self.assertIn("孙强", page)
        self.assertNotIn("王芳", page)
        self.assertNotIn("北城路", page)

    def test_a_passage_by_api_keeps_what_was_typed_and_leaves_the_person_alone(self) -> None:
        body = passage_body(id_number=self.other.id_number, temperature=38.4, **TYPED)
        response = self.post_passage(self.gate_a, body, token=self.token_for(self.gate))
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["person"]["name"], "孙*")
        passage = Passage.objects.get()
        self.assertEqual((passage.name, passage.phone, passage.person_id),
                         ("孙强", "13800001111", self.other.pk))
        self.assert_untouched()
        # The fever alert names the man who typed 孙强, not the registry's 王芳.
        alert = Alert.objects.get(kind="fever")
        self.assertIn("孙*", alert.detail)
        self.assertNotIn("王", alert.detail)
        self.login(self.community_a)
        self.assert_shows_typed(reverse("checkpoints:detail", args=[self.gate_a.pk]))

    def test_the_duty_screen_keeps_what_was_typed(self) -> None:
        self.login(self.gate)
        response = self.client.post(
            reverse("checkpoints:duty_register", args=[self.gate_a.pk]),
            {"client_id": str(uuid.uuid4()), "direction": "in", "id_number":
             self.other.id_number, "temperature": "36.6", "mask": "on", "resident": "on",
             **TYPED}, HTTP_HX_REQUEST="true")
        page = response.content.decode()
        # Name and ID number disagree: the worker is asked (issue #11, item 3), without
        # the registry's name, which belongs to another area; nothing is registered yet.
        self.assertIn("孙强", page)
        self.assertIn("姓名与身份证号码不一致", page)
        self.assertNotIn("王", page)
        self.assertFalse(Passage.objects.exists())
        response = self.client.post(
            reverse("checkpoints:duty_register", args=[self.gate_a.pk]),
            {"client_id": str(uuid.uuid4()), "direction": "in", "id_number":
             self.other.id_number, "temperature": "36.6", "mask": "on", "resident": "on",
             "name_check": "registry", **TYPED}, HTTP_HX_REQUEST="true")
        page = response.content.decode()
        self.assertIn("孙*", page)
        self.assertNotIn("王*", page)
        # The gate may not correct another area's registry: kept as typed, flagged.
        self.assertIn("社区核对", page)
        self.assertTrue(Passage.objects.get().name_disputed)
        self.assert_untouched()

    def test_an_anonymous_self_registration_fills_in_nothing(self) -> None:
        url = reverse("checkpoints:selfreg", args=[self.gate_a.public_key])
        key = str(uuid.uuid4())
        response = self.client.post(url, {
            "client_id": key, "direction": "in", "id_number": self.other.id_number,
            "temperature": "36.6", "mask": "on", "resident": "on", **TYPED,
        }, follow=True)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("孙*", page)
        self.assertNotIn("王*", page)
        self.assert_untouched()
        self.assertEqual(Passage.objects.get().phone, "13800001111")

    def test_an_outsider_shows_what_was_typed_and_exports_only_that(self) -> None:
        self.other.phone = "13900009999"
        self.other.save()
        outsider, _ = services.register_outsider(
            self.community_a, self.community_a_unit, self.typed(),
            arrived_on=date(2020, 2, 10), origin="湖北武汉", host_address="文昌路2号",
        )
        self.other.refresh_from_db()
        self.assertEqual(self.other.phone, "13900009999")
        self.assertEqual((outsider.name, outsider.phone), ("孙强", "13800001111"))
        self.login(self.community_a)
        self.assert_shows_typed(reverse("checkpoints:outsider", args=[outsider.pk]))
        self.assert_shows_typed(reverse("checkpoints:outsiders"))
        # County staff's unmasked export carries the typed phone, never the registry's.
        self.login(self.county_a)
        text = sheet(self.client.post(reverse("checkpoints:outsiders_export"),
                                      {"reason": "核查名单"}))
        self.assertIn("13800001111", text)
        self.assertIn("孙强", text)
        for held in ("13900009999", "王芳", "北城路"):
            self.assertNotIn(held, text)
        # The access log says whose data the file carried.
        access = PiiAccess.objects.get()
        self.assertEqual(list(access.people.values_list("person_id", flat=True)),
                         [self.other.pk])

    def test_a_household_member_shows_what_was_typed(self) -> None:
        household = Household.objects.create(org_unit=self.community_a_unit, number="1-101",
                                             address="文昌路1号")
        member, created = services.add_member(self.community_a, household, self.typed(),
                                              relation="head", permanent=True)
        self.assertTrue(created)
        self.assertEqual((member.name, member.phone), ("孙强", "13800001111"))
        self.assert_untouched()
        self.login(self.community_a)
        self.assert_shows_typed(reverse("checkpoints:household", args=[household.pk]))
        self.login(self.county_a)
        text = sheet(self.client.post(reverse("checkpoints:households_export"),
                                      {"reason": "核查名单"}))
        self.assertIn("孙强", text)
        self.assertNotIn("王芳", text)
        self.assertEqual(HouseholdMember.objects.get().person_id, self.other.pk)

    def test_the_registry_is_still_written_by_who_may_edit_the_person(self) -> None:
        """A new number makes a registry row from what was typed; the registry's own
        staff still see and correct their row."""
        fresh = clean_person_data(id_number=passage_body()["id_number"], **TYPED)
        outsider, _ = services.register_outsider(
            self.community_a, self.community_a_unit, fresh,
            arrived_on=date(2020, 2, 10), origin="湖北武汉", host_address="文昌路2号",
        )
        self.assertEqual((outsider.person.name, outsider.person.phone), ("孙强", "13800001111"))
        self.assertEqual(Outsider.objects.count(), 1)
        self.login(self.county_b)
        page = self.client.get(reverse("core:person", args=[self.other.pk])).content.decode()
        self.assertIn("王芳", page)


class PiiLogByPersonTests(CheckpointTestCase):
    def test_it_finds_the_exports_that_carried_a_persons_data(self) -> None:
        person = make_person(self.community_a_unit, name="张伟")
        services.register_outsider(
            self.community_a, self.community_a_unit,
            clean_person_data(id_number=person.id_number, name="张伟"),
            arrived_on=date(2020, 2, 10), origin="湖北武汉", host_address="文昌路2号",
        )
        self.login(self.county_a)
        self.client.post(reverse("checkpoints:outsiders_export"), {"reason": "核查名单"})
        self.login(self.hq)
        url = reverse("core:pii_log")
        found = self.client.get(url, {"id_number": person.id_number})
        self.assertEqual(found.context["page"].paginator.count, 1)
        other = make_person(self.community_b_unit, name="李四")
        none = self.client.get(url, {"id_number": other.id_number})
        self.assertEqual(none.context["page"].paginator.count, 0)
