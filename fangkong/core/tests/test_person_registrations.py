"""A person registered in an area whose registry row is elsewhere (#9 item 3): the area
sees what it registered, on every surface, and never the registry's row."""

from __future__ import annotations

import io

import openpyxl

from fangkong.core.models import Person, PersonRegistration, PiiAccess, Role
from fangkong.core.services.people import as_seen_by, clean_person_data, register_person
from fangkong.core.testing import FangkongTestCase, make_person, make_user


def cells(response) -> str:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row)


class PersonRegistrationTests(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.other = make_person(cls.community_b_unit, name="李秀英", phone="13900009999",
                                address="紫阳县北城路1号")
        typed = clean_person_data(id_number=cls.other.id_number, name="孙强",
                                  phone="13800001111", address="文昌路8号")
        cls.seen, cls.created = register_person(cls.county_a, typed, cls.community_a_unit)

    def test_it_registers_the_person_here_and_leaves_the_row_alone(self) -> None:
        self.assertTrue(self.created)
        self.assertEqual((self.seen.pk, self.seen.name, self.seen.org_unit),
                         (self.other.pk, "孙强", self.community_a_unit))
        self.other.refresh_from_db()
        self.assertEqual((self.other.name, self.other.phone), ("李秀英", "13900009999"))
        with self.assertRaises(TypeError):
            self.seen.save()

    def test_the_person_page_and_reveal_show_what_was_registered_here(self) -> None:
        self.login(self.community_a)
        page = self.client.get(f"/core/people/{self.other.pk}/").content.decode()
        self.assertIn("孙强", page)
        self.assertNotIn("李秀英", page)
        revealed = self.client.post(f"/core/people/{self.other.pk}/reveal",
                                    {"reason": "核实身份"}).content.decode()
        self.assertIn("13800001111", revealed)
        self.assertIn("文昌路8号", revealed)
        for held in ("13900009999", "北城路"):
            self.assertNotIn(held, revealed)

    def test_the_unmasked_export_carries_what_was_registered_here(self) -> None:
        self.login(self.county_a)
        text = cells(self.client.post("/core/people/export/",
                                      {"reason": "县疾控核查", "format": "xlsx"}))
        self.assertIn("孙强", text)
        self.assertIn("13800001111", text)
        for held in ("李秀英", "13900009999", "北城路"):
            self.assertNotIn(held, text)
        access = PiiAccess.objects.get()
        self.assertIn(self.other.pk, access.people.values_list("person_id", flat=True))

    def test_the_registry_area_still_sees_its_own_row(self) -> None:
        self.assertEqual(as_seen_by(self.county_b, [self.other])[0].name, "李秀英")
        self.assertEqual(as_seen_by(self.hq, [self.other])[0].name, "李秀英")
        self.assertEqual(as_seen_by(self.county_a, [self.other])[0].name, "孙强")

    def test_it_is_invisible_where_nobody_registered_it(self) -> None:
        linjiang = make_user("linjiang", Role.COMMUNITY_WORKER, self.community_a2_unit)
        self.assertFalse(Person.objects.visible_to(linjiang).filter(pk=self.other.pk).exists())
        self.login(linjiang)
        self.assertEqual(self.client.get(f"/core/people/{self.other.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/api/v1/people/{self.other.pk}").status_code, 404)

    def test_registering_again_updates_only_this_areas_registration(self) -> None:
        again = clean_person_data(id_number=self.other.id_number, name="孙强",
                                  phone="13700007777")
        seen, created = register_person(self.county_a, again, self.community_a_unit,
                                        update=True)
        self.assertFalse(created)
        self.assertEqual(seen.phone, "13700007777")
        self.assertEqual(PersonRegistration.objects.get().phone, "13700007777")
        self.other.refresh_from_db()
        self.assertEqual(self.other.phone, "13900009999")
