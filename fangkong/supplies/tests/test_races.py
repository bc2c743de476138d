"""Concurrent movements on real connections (threads released at once), on the suite's
SQLite file and on PostgreSQL: the balance never goes below zero, exactly what was
there goes out, every refusal names what is left, and no request fails otherwise."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import TransactionTestCase

from fangkong.core.models import OrgUnit, Role
from fangkong.core.models.territory import Level
from fangkong.core.testing import make_unit, make_user, run_together
from fangkong.supplies import services
from fangkong.supplies.models import Balance, Category, Kind, LedgerEntry, Movement
from fangkong.supplies.services import Arrival, Line

DAY = date(2020, 2, 20)
THREADS = 8


class RaceBase(TransactionTestCase):
    def setUp(self) -> None:
        root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        self.city = make_unit(OrgUnit.objects.get(pk=root.pk), "610900", "安康市", Level.CITY)
        self.hq = make_user("hq", Role.HQ_STAFF, self.city)
        self.mask, _ = services.save_item(self.hq, code="mask", name="口罩",
                                          category=Category.MASK, unit="只")
        self.gloves, _ = services.save_item(self.hq, code="gloves", name="手套",
                                            category=Category.PROTECTIVE, unit="双")
        self.store, _ = services.create_warehouse(self.hq, self.city, name="市库")
        self.store2, _ = services.create_warehouse(self.hq, self.city, name="二库")

    def receive(self, warehouse, item, n) -> None:
        services.receive(self.hq, warehouse, client_id=uuid.uuid4(), day=DAY,
                         lines=[Line(item, n)], source="purchase")

    def issue(self, *lines: Line):
        def work():
            try:
                return services.issue(self.hq, self.store, client_id=uuid.uuid4(), day=DAY,
                                      lines=list(lines), recipient_kind="person",
                                      recipient_label="王芳")[0]
            except services.Overdraw as exc:
                return exc
        return work

    def assert_ledger_matches(self) -> None:
        for b in Balance.objects.all():
            total = sum((e.delta for e in LedgerEntry.objects.filter(
                warehouse_id=b.warehouse_id, item_id=b.item_id)), Decimal(0))
            self.assertEqual(b.quantity, total)
            self.assertGreaterEqual(b.quantity, 0)


@pytest.mark.race
class ConcurrentIssues(RaceBase):
    def test_issues_that_would_overdraw_take_exactly_what_is_there(self) -> None:
        self.receive(self.store, self.mask, 50)
        results, errors = run_together(self.issue(Line(self.mask, 10)), THREADS)
        self.assertEqual(errors, [])
        done = [r for r in results if isinstance(r, Movement)]
        refused = [r for r in results if isinstance(r, services.Overdraw)]
        self.assertEqual((len(done), len(refused)), (5, 3))
        for r in refused:
            self.assertEqual(r.available, 0)
            self.assertIn("0", r.message_dict["quantity"][0])
        self.assertEqual(Balance.objects.get(item=self.mask).quantity, 0)
        self.assert_ledger_matches()

    def test_uneven_issues_leave_no_gap_and_name_what_is_left(self) -> None:
        self.receive(self.store, self.mask, 25)
        results, errors = run_together(self.issue(Line(self.mask, 7)), THREADS)
        self.assertEqual(errors, [])
        refused = [r for r in results if isinstance(r, services.Overdraw)]
        self.assertEqual(len(refused), THREADS - 3)
        self.assertEqual({r.available for r in refused}, {Decimal(4)})
        self.assertEqual(Balance.objects.get(item=self.mask).quantity, 4)
        self.assert_ledger_matches()

    def test_multi_line_issues_in_both_orders_do_not_deadlock(self) -> None:
        self.receive(self.store, self.mask, 100)
        self.receive(self.store, self.gloves, 100)
        forward = self.issue(Line(self.mask, 3), Line(self.gloves, 3))
        backward = self.issue(Line(self.gloves, 3), Line(self.mask, 3))
        count = iter(range(THREADS))
        results, errors = run_together(
            lambda: (forward if next(count) % 2 else backward)(), THREADS)
        self.assertEqual(errors, [])
        self.assertTrue(all(isinstance(r, Movement) for r in results))
        self.assertEqual(Balance.objects.get(item=self.mask).quantity, 100 - 3 * THREADS)
        self.assert_ledger_matches()

    def test_the_same_key_racing_makes_one_movement(self) -> None:
        self.receive(self.store, self.mask, 100)
        k = uuid.uuid4()
        results, errors = run_together(lambda: services.issue(
            self.hq, self.store, client_id=k, day=DAY, lines=[Line(self.mask, 10)],
            recipient_kind="person", recipient_label="王芳"), THREADS)
        self.assertEqual(errors, [])
        self.assertEqual(len({m.pk for m, _c in results}), 1)
        self.assertEqual(sum(c for _m, c in results), 1)
        self.assertEqual(Balance.objects.get(item=self.mask).quantity, 90)


@pytest.mark.race
class TransferRaces(RaceBase):
    def test_receiving_and_cancelling_at_once_settle_the_transfer_once(self) -> None:
        self.receive(self.store, self.mask, 40)
        transfer, _ = services.send_transfer(self.hq, self.store, self.store2,
                                             client_id=uuid.uuid4(), day=DAY,
                                             lines=[Line(self.mask, 40)])
        count = iter(range(THREADS))

        def work():
            try:
                if next(count) % 2:
                    return services.cancel(self.hq, transfer, client_id=uuid.uuid4(),
                                           day=DAY, reason="取消")[0]
                return services.receive_transfer(self.hq, transfer, client_id=uuid.uuid4(),
                                                 day=DAY,
                                                 arrivals={self.mask.pk: Arrival(40)})[0]
            except ValidationError as exc:
                return exc

        results, errors = run_together(work, THREADS)
        self.assertEqual(errors, [])
        self.assertEqual(len([r for r in results if isinstance(r, Movement)]), 1)
        settled = Movement.objects.filter(kind__in=(Kind.REVERSAL, Kind.TRANSFER_RECEIPT))
        self.assertEqual(settled.count(), 1)
        total = sum(b.quantity for b in Balance.objects.filter(item=self.mask))
        self.assertEqual(total, 40)
        self.assert_ledger_matches()
