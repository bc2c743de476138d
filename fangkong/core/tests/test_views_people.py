"""The people registry: masked list, HTMX search, unit filter, scoping."""

from __future__ import annotations

from fangkong.core import pii
from fangkong.core.testing import FangkongTestCase, make_person


class PeopleListTests(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.wang = make_person(cls.community_a_unit, name="王芳", phone="13912345678")
        cls.zhao = make_person(cls.community_a2_unit, name="赵敏", phone="13712340000")
        cls.li = make_person(cls.community_b_unit, name="李强", phone="13698765432")

    def test_it_lists_people_in_scope_masked(self) -> None:
        self.login(self.county_a)
        response = self.client.get("/core/people/")
        self.assertContains(response, "王芳")
        self.assertContains(response, "赵敏")
        self.assertNotContains(response, "李强")
        self.assertContains(response, "139****5678")
        self.assertNotContains(response, "13912345678")
        self.assertNotContains(response, self.wang.id_number)
        self.assertContains(response, pii.value(self.wang, "id_number"))

    def test_it_refuses_the_list_to_a_user_without_a_grant(self) -> None:
        self.login(self.nobody)
        response = self.client.get("/core/people/")
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "无权访问", status_code=403)

    def test_it_refuses_the_list_to_checkpoint_duty(self) -> None:
        self.login(self.gate)
        self.assertEqual(self.client.get("/core/people/").status_code, 403)

    def test_it_searches_by_name_phone_and_full_id_number(self) -> None:
        self.login(self.county_a)
        for q in ("王", "13912345678", self.wang.id_number.lower()):
            with self.subTest(q=q):
                response = self.client.get("/core/people/", {"q": q})
                self.assertEqual([p.pk for p in response.context["page"]], [self.wang.pk])

    def test_it_answers_an_htmx_search_with_the_rows_only(self) -> None:
        self.login(self.county_a)
        response = self.client.get("/core/people/", {"q": "赵"}, HTTP_HX_REQUEST="true")
        self.assertContains(response, "赵敏")
        self.assertNotContains(response, "<html")
        self.assertTemplateUsed(response, "core/_people_rows.html")
        self.assertTemplateNotUsed(response, "base.html")

    def test_it_filters_by_a_unit_in_scope(self) -> None:
        self.login(self.county_a)
        response = self.client.get("/core/people/", {"unit": self.community_a2_unit.code})
        self.assertEqual([p.pk for p in response.context["page"]], [self.zhao.pk])
        self.assertContains(response, "范围：临江社区")

    def test_it_answers_404_for_a_unit_out_of_scope(self) -> None:
        self.login(self.county_a)
        response = self.client.get("/core/people/", {"unit": self.community_b_unit.code})
        self.assertEqual(response.status_code, 404)

    def test_it_keeps_the_search_in_the_page_links(self) -> None:
        for i in range(51):
            make_person(self.community_a_unit, name=f"王{i:02d}")
        self.login(self.county_a)
        response = self.client.get("/core/people/", {"q": "王", "unit": "610902002002"})
        self.assertContains(response, "?q=%E7%8E%8B&amp;unit=610902002002&amp;page=2")
        self.assertContains(response, "第 1 页，共 2 页")
