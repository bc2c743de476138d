from django.urls import reverse

from fangkong.core import pii
from fangkong.core.models import Person
from fangkong.core.scoping import scope_for
from fangkong.core.testing import FangkongTestCase, make_person


class ScopingTestCase(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.person_a = make_person(cls.community_a_unit, name="李四")
        cls.person_b = make_person(cls.community_b_unit, name="王五", division="610924")

    def test_it_scopes_people_to_the_grant_subtree(self) -> None:
        self.assertEqual(list(Person.objects.visible_to(self.county_a)), [self.person_a])
        self.assertEqual(list(Person.objects.visible_to(self.community_b)), [self.person_b])
        self.assertEqual(Person.objects.visible_to(self.hq).count(), 2)
        self.assertEqual(Person.objects.visible_to(self.nobody).count(), 0)
        self.assertEqual(Person.objects.visible_to(self.gate).count(), 0)

    def test_it_answers_404_for_another_countys_person(self) -> None:
        self.login(self.county_b)
        r = self.client.get(reverse("core:person", args=[self.person_a.pk]))
        self.assertEqual(r.status_code, 404)
        r = self.client.get(reverse("core:person", args=[self.person_b.pk]))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, pii.value(self.person_b, "id_number"))
        self.assertNotContains(r, self.person_b.id_number)

    def test_it_knows_capabilities_by_path(self) -> None:
        scope = scope_for(self.community_a)
        self.assertTrue(scope.can("reveal_pii", self.community_a_unit.path))
        self.assertFalse(scope.can("reveal_pii", self.community_b_unit.path))
        self.assertFalse(scope_for(self.province).can("edit"))
        # The city HQ covers the city, not the province root: queries still filter.
        self.assertFalse(scope_for(self.hq).is_global())
