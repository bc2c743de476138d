"""Shared set-up of relief's tests: a village of each test county, a household, an
entity, and quoting through the API."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from fangkong.core.services.people import clean_person_data
from fangkong.core.testing import FangkongTestCase
from fangkong.lib.identity import make_id_number
from fangkong.relief import services
from fangkong.relief.models import EntityKind

ACCOUNT = "6230520123456789012"


def person(n: int, name: str = "", county: str = "610902"):
    birth = date(1970 + n // 1000, 1 + (n // 28) % 12, 1 + n % 28)
    return clean_person_data(id_number=make_id_number(county, birth, n % 1000),
                             name=name or f"成员{n}")


class ReliefTestCase(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.household = cls.make_household(cls.county_a, cls.community_a_unit, 1)
        cls.household_b = cls.make_household(cls.county_b, cls.community_b_unit, 2,
                                             county="610924")

    @classmethod
    def make_household(cls, actor, village, n: int, *, county: str = "610902",
                       members: int = 0):
        household, _ = services.register_household(
            actor, village, client_id=uuid.uuid4(), number=f"H{n:05d}",
            head=person(n * 10, f"户主{n}", county), account_number=ACCOUNT,
            account_bank="农信社")
        for i in range(members):
            services.add_member(actor, household, person(n * 10 + i + 1, county=county),
                                away_from=date(2020, 1, 31), away_to=date(2020, 8, 1))
        return household

    @classmethod
    def make_entity(cls, actor, unit, name: str = "扶贫车间", *, workers: int = 0,
                    resumed: date | None = date(2020, 2, 20)):
        entity, _ = services.register_entity(
            actor, unit, client_id=uuid.uuid4(), name=name, kind=EntityKind.WORKSHOP,
            account_number=ACCOUNT, account_bank="农行", resumed_on=resumed)
        if workers:
            household = cls.make_household(actor, unit if unit.level == "community"
                                           else cls.community_a_unit, 90 + len(name),
                                           members=workers)
            for member in household.members.all()[:workers]:
                services.add_worker(actor, entity, member, since=date(2019, 1, 1))
        return entity

    def quote(self, body: dict[str, Any], user=None, **headers: Any):
        self.client.force_login(user or self.county_a)
        return self.client.post("/api/v1/relief/quote", body, content_type="application/json",
                                **headers)


def money(text: str) -> Decimal:
    return Decimal(text)
