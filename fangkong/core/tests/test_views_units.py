"""The territory drill-down, limited to the user's subtree."""

from __future__ import annotations

from fangkong.core.testing import FangkongTestCase, make_person


class UnitsTests(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        make_person(cls.community_a_unit)
        make_person(cls.community_a_unit)
        make_person(cls.community_b_unit)

    def test_it_starts_hq_at_the_top_of_its_grant(self) -> None:
        self.login(self.hq)
        response = self.client.get("/core/units/")
        names = [u.name for u in response.context["rows"]]
        self.assertEqual(names, ["安康市"])

    def test_it_drills_down_with_people_counts(self) -> None:
        self.login(self.hq)
        response = self.client.get("/core/units/", {"parent": "610900"})
        rows = {u.name: u.n_people for u in response.context["rows"]}
        self.assertEqual(rows, {"汉滨区": 2, "紫阳县": 1})
        self.assertContains(response, "县区")
        self.assertContains(response, '/core/people/?unit=610902"')

    def test_it_starts_county_staff_at_their_county(self) -> None:
        self.login(self.county_a)
        response = self.client.get("/core/units/")
        self.assertEqual([u.name for u in response.context["rows"]], ["汉滨区"])
        response = self.client.get("/core/units/", {"parent": "610902002"})
        self.assertEqual([u.name for u in response.context["rows"]], ["文昌社区"])
        self.assertEqual([u.name for u in response.context["crumbs"]],
                         ["汉滨区", "新城街道"])

    def test_it_answers_404_for_a_unit_outside_the_subtree(self) -> None:
        self.login(self.county_a)
        self.assertEqual(self.client.get("/core/units/", {"parent": "610924"}).status_code, 404)
        self.assertEqual(self.client.get("/core/units/", {"parent": "610900"}).status_code, 404)
