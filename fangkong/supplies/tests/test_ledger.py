"""The ledger's rules: never negative, append-only, keyed, no back-dating, bad input."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from fangkong.core.models import Alert
from fangkong.supplies import services
from fangkong.supplies.models import Balance, Kind, LedgerEntry, Movement
from fangkong.supplies.services import Arrival, Line
from fangkong.supplies.tests.base import DAY, SuppliesCase, key


class ReceiptsAndIssues(SuppliesCase):
    def test_a_receipt_and_an_issue_move_the_balance_and_append_entries(self) -> None:
        self.stock(self.city_store, self.mask, 500)
        m, created = services.issue(self.hq, self.city_store, client_id=key(), day=DAY,
                                    lines=[Line(self.mask, "120")], recipient_kind="checkpoint",
                                    recipient_label="文昌花园东门")
        self.assertTrue(created)
        self.assertEqual(self.balance(self.city_store, self.mask), 380)
        self.assertEqual(list(LedgerEntry.objects.values_list("delta", "balance_after")),
                         [(Decimal(500), Decimal(500)), (Decimal(-120), Decimal(380))])
        self.assert_ledger_matches()

    def test_a_donation_names_its_donor(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            services.receive(self.hq, self.city_store, client_id=key(), day=DAY,
                             lines=[Line(self.mask, 10)], source="donation")
        self.assertIn("donor", ctx.exception.message_dict)
        m, _ = services.receive(self.hq, self.city_store, client_id=key(), day=DAY,
                                lines=[Line(self.mask, 10)], source="donation",
                                donor="安康市红十字会")
        self.assertEqual(m.donor, "安康市红十字会")

    def test_an_issue_above_the_balance_is_refused_naming_what_is_left(self) -> None:
        self.stock(self.city_store, self.mask, 30)
        with self.assertRaises(services.Overdraw) as ctx:
            services.issue(self.hq, self.city_store, client_id=key(), day=DAY,
                           lines=[Line(self.mask, 31)], recipient_kind="person",
                           recipient_label="王芳")
        self.assertEqual(ctx.exception.available, 30)
        self.assertIn("30", ctx.exception.message_dict["quantity"][0])
        self.assertEqual(Movement.objects.filter(kind=Kind.ISSUE).count(), 0)
        self.assertEqual(self.balance(self.city_store, self.mask), 30)

    def test_bad_quantities_are_refused_and_nothing_is_saved(self) -> None:
        self.stock(self.city_store, self.mask, 30)
        for bad in ("0", "-5", "abc", "1.5", "NaN", "1e20"):
            with self.subTest(bad=bad), self.assertRaises(ValidationError) as ctx:
                services.issue(self.hq, self.city_store, client_id=key(), day=DAY,
                               lines=[Line(self.mask, bad)], recipient_kind="person",
                               recipient_label="王芳")
            self.assertIn("quantity", ctx.exception.message_dict)
        self.assertEqual(Movement.objects.count(), 1)

    def test_an_item_not_stocked_cannot_be_issued(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            services.issue(self.hq, self.wenchang_store, client_id=key(), day=DAY,
                           lines=[Line(self.alcohol, 1)], recipient_kind="person",
                           recipient_label="王芳")
        self.assertIn("没有75%酒精的库存", ctx.exception.message_dict["quantity"][0])

    def test_a_retried_key_finds_the_first_movement_and_changes_nothing(self) -> None:
        k = key()
        args = dict(client_id=k, day=DAY, lines=[Line(self.mask, 40)], source="purchase")
        first, created = services.receive(self.hq, self.city_store, **args)
        again, created_again = services.receive(self.hq, self.city_store, **args)
        self.assertEqual((first.pk, created, created_again), (again.pk, True, False))
        self.assertEqual(self.balance(self.city_store, self.mask), 40)
        with self.assertRaises(ValidationError) as ctx:
            services.receive(self.hq, self.city_store, **{**args, "lines": [Line(self.mask, 41)]})
        self.assertIn("client_id", ctx.exception.message_dict)

    def test_the_database_refuses_a_negative_balance(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Balance.objects.filter(warehouse=self.city_store, item=self.mask).update(
                quantity=-1)

    def test_the_ledger_cannot_be_edited(self) -> None:
        self.stock(self.city_store, self.mask, 5)
        entry = LedgerEntry.objects.get()
        entry.delta = 50
        with self.assertRaises(TypeError):
            entry.save()
        with self.assertRaises(TypeError):
            LedgerEntry.objects.update(delta=1)
        with self.assertRaises(TypeError):
            entry.delete()

    def test_no_back_dating_behind_the_ledger(self) -> None:
        self.stock(self.city_store, self.mask, 5, day=DAY)
        with self.assertRaises(ValidationError) as ctx:
            self.stock(self.city_store, self.mask, 5, day=DAY - timedelta(days=1))
        self.assertIn("day", ctx.exception.message_dict)

    def test_only_staff_over_the_store_or_its_organisations_liaisons_may_move_stock(self):
        self.stock(self.wenchang_store, self.mask, 5, actor=self.community_a)
        with self.assertRaises(PermissionDenied):
            self.stock(self.other_store, self.mask, 5, actor=self.community_a)
        with self.assertRaises(PermissionDenied):
            self.stock(self.city_store, self.mask, 5, actor=self.member_liaison)
        self.stock(self.bureau_store, self.mask, 5, actor=self.member_liaison)
        with self.assertRaises(PermissionDenied):
            self.stock(self.bureau_store, self.mask, 5, actor=self.province)

    def test_low_stock_opens_one_alert(self) -> None:
        services.stock_item(self.hq, self.city_store, self.mask, reorder_level=100)
        self.stock(self.city_store, self.mask, 150)
        for _n in range(2):
            services.issue(self.hq, self.city_store, client_id=key(), day=DAY,
                           lines=[Line(self.mask, 40)], recipient_kind="person",
                           recipient_label="王芳")
        self.assertEqual(Alert.objects.filter(kind="low_stock", status="open").count(), 1)

    def test_fewer_days_of_use_than_the_rule_asks_opens_an_alert(self) -> None:
        """No reorder level: 3 days (the shipped rule) of the last week's average use."""
        self.stock(self.city_store, self.mask, 100)
        services.issue(self.hq, self.city_store, client_id=key(), day=DAY,
                       lines=[Line(self.mask, 70)], recipient_kind="person",
                       recipient_label="王芳")
        self.assertFalse(Alert.objects.filter(kind="low_stock").exists())  # 30 = 3 × 10
        services.issue(self.hq, self.city_store, client_id=key(), day=DAY,
                       lines=[Line(self.mask, 5)], recipient_kind="person",
                       recipient_label="王芳")
        alert = Alert.objects.get(kind="low_stock")
        self.assertIn("3", alert.detail)

    def test_an_adjustment_sets_the_count_with_a_reason(self) -> None:
        self.stock(self.city_store, self.mask, 50)
        with self.assertRaises(ValidationError):
            services.adjust(self.hq, self.city_store, client_id=key(), day=DAY,
                            item=self.mask, counted=47, reason="")
        m, _ = services.adjust(self.hq, self.city_store, client_id=key(), day=DAY,
                               item=self.mask, counted=47, reason="盘点破损3只")
        self.assertEqual(self.balance(self.city_store, self.mask), 47)
        self.assertEqual(m.lines.get().quantity, 3)
        self.assert_ledger_matches()


class Transfers(SuppliesCase):
    def send(self, n=100):
        self.stock(self.city_store, self.mask, 300)
        return services.send_transfer(self.hq, self.city_store, self.wenchang_store,
                                      client_id=key(), day=DAY,
                                      lines=[Line(self.mask, n)])[0]

    def test_a_transfer_is_in_transit_then_received_with_short_and_damaged(self) -> None:
        t = self.send(100)
        self.assertEqual(t.state, "in_transit")
        self.assertEqual(self.balance(self.city_store, self.mask), 200)
        self.assertEqual(self.balance(self.wenchang_store, self.mask), 0)
        r, _ = services.receive_transfer(self.community_a, t, client_id=key(), day=DAY,
                                         arrivals={self.mask.pk: Arrival(90, 6)})
        line = r.lines.get()
        self.assertEqual((line.received, line.damaged, line.short), (90, 6, 4))
        self.assertEqual(self.balance(self.wenchang_store, self.mask), 90)
        t.refresh_from_db()
        self.assertEqual(t.state, "received")
        self.assert_ledger_matches()

    def test_receiving_more_than_was_sent_needs_over(self) -> None:
        t = self.send(100)
        with self.assertRaises(ValidationError) as ctx:
            services.receive_transfer(self.hq, t, client_id=key(), day=DAY,
                                      arrivals={self.mask.pk: Arrival(105)})
        self.assertIn(f"received_{self.mask.pk}", ctx.exception.message_dict)
        self.assertEqual(self.balance(self.wenchang_store, self.mask), 0)
        r, _ = services.receive_transfer(self.hq, t, client_id=key(), day=DAY,
                                         arrivals={self.mask.pk: Arrival(105)}, over_ok=True)
        self.assertEqual(r.lines.get().over, 5)

    def test_a_transfer_to_the_same_warehouse_is_refused(self) -> None:
        self.stock(self.city_store, self.mask, 10)
        with self.assertRaises(ValidationError) as ctx:
            services.send_transfer(self.hq, self.city_store, self.city_store, client_id=key(),
                                   day=DAY, lines=[Line(self.mask, 1)])
        self.assertIn("to_warehouse", ctx.exception.message_dict)

    def test_a_transfer_cancelled_in_transit_goes_back_and_cannot_be_received(self) -> None:
        t = self.send(100)
        services.cancel(self.hq, t, client_id=key(), day=DAY, reason="车辆故障")
        self.assertEqual(self.balance(self.city_store, self.mask), 300)
        t.refresh_from_db()
        self.assertEqual(t.state, "cancelled")
        with self.assertRaises(ValidationError):
            services.receive_transfer(self.community_a, t, client_id=key(), day=DAY,
                                      arrivals={self.mask.pk: Arrival(100)})
        with self.assertRaises(ValidationError):
            services.cancel(self.hq, t, client_id=key(), day=DAY, reason="再次")
        self.assertEqual(self.balance(self.wenchang_store, self.mask), 0)
        self.assertEqual(LedgerEntry.objects.filter(movement=t).count(), 1)  # not edited
        self.assert_ledger_matches()

    def test_a_received_transfer_cannot_be_cancelled(self) -> None:
        t = self.send(10)
        services.receive_transfer(self.hq, t, client_id=key(), day=DAY,
                                  arrivals={self.mask.pk: Arrival(10)})
        with self.assertRaises(ValidationError):
            services.cancel(self.hq, t, client_id=key(), day=DAY, reason="错")

    def test_a_receipt_whose_stock_went_out_cannot_be_cancelled(self) -> None:
        m = self.stock(self.city_store, self.mask, 10)
        services.issue(self.hq, self.city_store, client_id=key(), day=DAY,
                       lines=[Line(self.mask, 8)], recipient_kind="person", recipient_label="王芳")
        with self.assertRaises(services.Overdraw):
            services.cancel(self.hq, m, client_id=key(), day=DAY, reason="录错")

    def test_multi_line_movements_lock_in_one_order(self) -> None:
        self.stock(self.city_store, self.alcohol, 10, day=date(2020, 2, 20))
        self.stock(self.city_store, self.mask, 10, day=date(2020, 2, 20))
        m, _ = services.issue(self.hq, self.city_store, client_id=key(), day=DAY,
                              lines=[Line(self.mask, 2), Line(self.alcohol, 3)],
                              recipient_kind="household", recipient_label="3号楼2单元")
        self.assertEqual(m.lines.count(), 2)
        with self.assertRaises(services.Overdraw):
            services.issue(self.hq, self.city_store, client_id=key(), day=DAY,
                           lines=[Line(self.mask, 2), Line(self.alcohol, 8)],
                           recipient_kind="household", recipient_label="3号楼2单元")
        self.assertEqual(self.balance(self.city_store, self.mask), 8)


class Needs(SuppliesCase):
    def test_a_need_satisfied_by_two_receipts(self) -> None:
        need, _ = services.post_need(self.community_a, self.wenchang_store, client_id=key(),
                                     item=self.mask, quantity=500, needed_by=date(2020, 2, 25),
                                     posted_on=DAY)
        today = date(2020, 2, 26)
        self.assertEqual(services.coverage([need], today)[0].status, "open")
        services.receive(self.hq, self.wenchang_store, client_id=key(), day=DAY,
                         lines=[Line(self.mask, 200)], source="donation", donor="爱心企业",
                         need=need)
        c = services.coverage([need], today)[0]
        self.assertEqual((c.status, c.met, c.short, c.days_late), ("partly", 200, 300, 1))
        services.receive(self.hq, self.wenchang_store, client_id=key(), day=DAY,
                         lines=[Line(self.mask, 300)], source="allocation", need=need)
        self.assertEqual(services.coverage([need], today)[0].status, "satisfied")
        self.assertEqual(services.shortage_board([need], today), [])

    def test_an_unknown_quantity_stays_unknown(self) -> None:
        need, _ = services.post_need(self.community_a, self.wenchang_store, client_id=key(),
                                     item=self.mask, quantity="", needed_by=None, posted_on=DAY)
        self.assertIsNone(need.quantity)
        c = services.coverage([need], DAY)[0]
        self.assertEqual((c.status, c.short), ("unknown", None))

    def test_a_pledge_is_not_stock(self) -> None:
        p, _ = services.record_pledge(self.hq, self.city_store, client_id=key(), donor="某企业",
                                      item=self.mask, quantity=1000, recorded_on=DAY)
        self.assertEqual(self.balance(self.city_store, self.mask), 0)
        m, _ = services.receive(self.hq, self.city_store, client_id=key(), day=DAY,
                                lines=[Line(self.mask, 600)], source="donation", pledge=p)
        self.assertEqual((m.donor, self.balance(self.city_store, self.mask)), ("某企业", 600))
