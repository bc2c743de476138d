"""Shared set-up: a catalogue, the city's store, a community's store, the audit bureau's."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from fangkong.core.testing import FangkongTestCase
from fangkong.supplies import services
from fangkong.supplies.models import Balance, Category, LedgerEntry
from fangkong.supplies.services import Line

DAY = date(2020, 2, 20)


def key() -> str:
    return str(uuid.uuid4())


class SuppliesCase(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.mask, _ = services.save_item(cls.hq, code="mask-kn95", name="KN95口罩",
                                         category=Category.MASK, unit="只", standard="GB 2626 KN95",
                                         pack_size=50, pack_name="盒")
        cls.alcohol, _ = services.save_item(cls.hq, code="alcohol-500", name="75%酒精",
                                            category=Category.DISINFECTANT, unit="瓶")
        cls.rice, _ = services.save_item(cls.hq, code="rice", name="大米",
                                         category=Category.FOOD, unit="公斤", whole_units=False)
        cls.city_store, _ = services.create_warehouse(cls.hq, cls.city, name="市物资储备库",
                                                      items=[cls.mask, cls.alcohol, cls.rice])
        cls.wenchang_store, _ = services.create_warehouse(
            cls.hq, cls.community_a_unit, name="文昌社区物资点", items=[cls.mask])
        cls.bureau_store, _ = services.create_warehouse(
            cls.hq, cls.city, name="审计局物资柜", organisation=cls.member_org)
        cls.other_store, _ = services.create_warehouse(
            cls.hq, cls.community_b_unit, name="北城社区物资点", items=[cls.mask])

    def stock(self, warehouse, item, quantity, day=DAY, actor=None):
        return services.receive(actor or self.hq, warehouse, client_id=key(), day=day,
                                lines=[Line(item, quantity)], source="purchase")[0]

    def balance(self, warehouse, item) -> Decimal:
        return Balance.objects.get(warehouse=warehouse, item=item).quantity

    def assert_ledger_matches(self) -> None:
        """Every balance equals the sum of its ledger entries, and none is below zero."""
        for b in Balance.objects.all():
            total = sum((e.delta for e in LedgerEntry.objects.filter(
                warehouse=b.warehouse, item=b.item)), Decimal(0))
            self.assertEqual(b.quantity, total, str(b))
            self.assertGreaterEqual(b.quantity, 0)
