"""The relief rules are 白河县's (``relief.rules.OWNER_COUNTY``): its office adds a
version, and the quote uses it from its first day; another county's staff cannot; HQ
still can."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from auditlog.models import LogEntry
from django.urls import reverse

from fangkong.core.models import ParameterValue, Role
from fangkong.core.models.territory import Level
from fangkong.core.services.rules import add_value
from fangkong.core.testing import make_unit, make_user
from fangkong.relief import rules as R
from fangkong.relief.tests.base import ReliefTestCase


class CountyOwnedRulesTestCase(ReliefTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.baihe_unit = make_unit(cls.city, R.OWNER_COUNTY, "白河县", Level.COUNTY)
        cls.baihe = make_user("baihe", Role.TERRITORY_STAFF, cls.baihe_unit)

    def url(self) -> str:
        return reverse("core:rule_history", args=[R.EMPLOYMENT_PER_MEMBER])

    def form(self, **overrides) -> dict:
        return {"client_id": str(uuid.uuid4()), "value": "600", "valid_from": "2020-03-01",
                "document_number": "白扶办发〔2020〕7号", "document_title": "",
                "reason": "提高生活补贴", **overrides}

    def versions(self) -> int:
        return ParameterValue.objects.filter(parameter__code=R.EMPLOYMENT_PER_MEMBER).count()

    def employment(self, as_of: str) -> str:
        r = self.quote({"measure": "employment", "as_of": as_of,
                        "members": [{"months_away": 6}]}, user=self.baihe)
        self.assertEqual(r.status_code, 200, r.content)
        return r.json()["amount"]

    def test_the_county_office_adds_a_version_and_the_quote_uses_it_from_its_day(self):
        self.login(self.baihe)
        r = self.client.get(self.url())
        self.assertContains(r, "白河县")
        self.assertContains(r, 'name="client_id"')
        self.assertRedirects(self.client.post(self.url(), self.form()), self.url())
        new = ParameterValue.objects.get(parameter__code=R.EMPLOYMENT_PER_MEMBER,
                                         valid_from=date(2020, 3, 1))
        self.assertEqual((new.typed, new.created_by), (Decimal("600"), self.baihe))
        entry = LogEntry.objects.get_for_object(new).get()
        self.assertEqual(entry.actor, self.baihe)
        self.assertEqual(self.employment("2020-02-29"), "500.00")
        self.assertEqual(self.employment("2020-03-01"), "600.00")
        r = self.client.get(self.url())
        self.assertContains(r, "白扶办发〔2020〕7号")

    def test_an_overlapping_date_is_explained_under_the_field(self):
        self.login(self.baihe)
        self.client.post(self.url(), self.form())
        r = self.client.post(self.url(), self.form(valid_from="2020-02-15", value="700"),
                             HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "field-error")
        self.assertContains(r, "2020-03-01")
        self.assertEqual(self.versions(), 2)

    def test_another_countys_staff_cannot_and_hq_still_can(self):
        before = self.versions()
        for user in (self.county_b, self.county_a, self.community_a):
            self.login(user)
            r = self.client.get(self.url())
            self.assertNotContains(r, 'name="client_id"')
            self.assertEqual(self.client.post(self.url(), self.form()).status_code, 403)
        self.assertEqual(self.versions(), before)
        new, created = add_value(self.hq, R.EMPLOYMENT_PER_MEMBER, value=Decimal("550"),
                                 valid_from=date(2020, 4, 1))
        self.assertTrue(created)
        self.assertEqual(self.employment("2020-04-01"), "550.00")

    def test_a_town_below_the_county_does_not_own_the_countys_rule(self):
        town = make_unit(self.baihe_unit, "610929101", "城关镇", Level.TOWN)
        town_staff = make_user("baihe-town", Role.TERRITORY_STAFF, town)
        self.login(town_staff)
        self.assertEqual(self.client.post(self.url(), self.form()).status_code, 403)
        self.assertEqual(self.versions(), 1)
