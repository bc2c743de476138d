"""The demo step's records and the figures read back from them (SCENARIO.md, issue #16
item 7). Reads the session's demo city (conftest.py)."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import TestCase

from fangkong.core.models import Alert, OrgUnit
from fangkong.supplies import indicators, services
from fangkong.supplies.models import Balance, Kind, LedgerEntry, Movement, Need


@pytest.mark.demo
class DemoSupplies(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.city = OrgUnit.objects.get(code="610900")

    def test_the_care_task_force_issued_the_pages_figures_from_stock(self) -> None:
        day = date(2020, 2, 28)
        self.assertEqual(indicators.necessities_issued(self.city, day), 932)
        self.assertEqual(indicators.food_issued(self.city, day), 4_868)
        self.assertLess(indicators.necessities_issued(self.city, date(2020, 2, 27)), 932)

    def test_the_audit_bureaus_mask_need_was_met_by_two_arrivals(self) -> None:
        need = Need.objects.get(warehouse__name="市审计局物资柜")
        self.assertEqual(services.coverage([need], date(2020, 2, 13))[0].status, "partly")
        self.assertEqual(services.coverage([need], date(2020, 2, 18))[0].status, "satisfied")
        self.assertTrue(Alert.objects.filter(kind="low_stock",
                                             title__contains="市审计局物资柜").exists())

    def test_alcohol_and_milk_reached_linjiang_on_2020_02_21(self) -> None:
        """Delivered by the audit bureau's volunteers: one issue from its cabinet, made by
        their duty log (the volunteers' demo step), counted once."""
        issues = Movement.objects.filter(kind=Kind.ISSUE, day=date(2020, 2, 21),
                                         warehouse__name="市审计局物资柜")
        self.assertEqual(issues.count(), 1)
        issue = issues.get()
        self.assertEqual({(line.item.code, line.quantity) for line in issue.lines.all()},
                         {("alcohol-75", Decimal(60)), ("milk", Decimal(120))})
        self.assertIn("临江社区", issue.recipient_label)
        self.assertEqual(issue.recipient_type.model, "dutylog")
        self.assertFalse(Movement.objects.filter(kind=Kind.TRANSFER, day=date(2020, 2, 21),
                                                 warehouse__name="市审计局物资柜").exists())

    def test_the_ledger_and_the_balances_agree_and_none_is_negative(self) -> None:
        for b in Balance.objects.all():
            total = sum((e.delta for e in LedgerEntry.objects.filter(
                warehouse_id=b.warehouse_id, item_id=b.item_id)), Decimal(0))
            self.assertEqual(b.quantity, total)
            self.assertGreaterEqual(b.quantity, 0)
        self.assertTrue(Movement.objects.filter(kind=Kind.REVERSAL,
                                                reverses__kind=Kind.TRANSFER).exists())

    def test_the_shortage_board_has_open_needs_on_2020_03_02(self) -> None:
        board = services.shortage_board(list(Need.objects.all()), date(2020, 3, 2))
        self.assertGreaterEqual(len(board), 3)
        self.assertIsNone(board[-1].need.quantity)  # unknown quantities come last
        self.assertEqual(indicators.open_needs(self.city, date(2020, 3, 2)), len(board))

    def test_the_briefing_says_what_the_ledger_holds_and_what_is_short(self) -> None:
        from django.utils import translation

        from fangkong.core import registries

        with translation.override("zh-hans"):
            day = date(2020, 2, 13)
            text = " ".join(registries.render_sentences(self.city, day))
            stock = indicators.masks_in_stock(self.city, day)
            self.assertIn(f"防疫物资：安康市在库口罩{stock}只，当日发放", text)
            self.assertIn(f"累计发放{indicators.masks_issued(self.city, date(2020, 2, 13))}只",
                          text)
            self.assertIn("1项物资需求尚未满足，最紧缺的是市审计局物资柜的医用外科口罩"
                          "（还缺300只，已逾期3天）", text)
            linjiang = OrgUnit.objects.get(code="610902003001")
            self.assertIn("医用一次性防护服（数量未知）", " ".join(
                registries.render_sentences(linjiang, date(2020, 3, 2))))
            # Before the first entry of the ledger the module says nothing.
            self.assertNotIn("防疫物资：", " ".join(
                registries.render_sentences(self.city, date(2020, 1, 1))))
