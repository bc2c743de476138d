"""The rules: one active primary helper per family, reassignment with history, a named
contact for every worker sent to Hubei, services with positive quantities drawn from
stock through supplies, and nothing saved on bad input."""

import uuid
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fangkong.care import services
from fangkong.care.models import Deployment, HelpRequest, Pairing, ServiceLog
from fangkong.care.tests.base import CareTestCase
from fangkong.core.models import Alert
from fangkong.supplies import services as supplies
from fangkong.supplies.models import Kind, Movement
from fangkong.supplies.services import Line


class PairingTests(CareTestCase):
    def test_it_refuses_a_second_active_helper_and_saves_nothing(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.pair(self.hq, self.helper_b, worker=self.worker_a,
                          started_on=date(2020, 2, 5))
        self.assertIn("helper", caught.exception.message_dict)
        self.assertEqual(Pairing.objects.filter(worker=self.worker_a).count(), 1)

    def test_the_database_refuses_a_second_active_primary_helper(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Pairing.objects.create(org_unit=self.community_a_unit, task_force=self.tf,
                                   member_unit=self.helper_org, helper=self.helper_b,
                                   worker=self.worker_a, started_on=date(2020, 2, 5))

    def test_it_reassigns_and_keeps_the_history(self) -> None:
        services.pair(self.hq, self.helper_b, worker=self.worker_a,
                      started_on=date(2020, 2, 10), reassign=True, reason="生病")
        rows = list(Pairing.objects.filter(worker=self.worker_a).order_by("pk"))
        self.assertEqual([(p.helper, p.ended_on) for p in rows],
                         [(self.helper_a, date(2020, 2, 10)), (self.helper_b, None)])
        self.assertEqual(rows[0].end_reason, "生病")

    def test_pairing_the_same_helper_again_is_the_same_pairing(self) -> None:
        pairing, created = services.pair(self.hq, self.helper_a, worker=self.worker_a,
                                         started_on=date(2020, 2, 1))
        self.assertFalse(created)

    def test_a_helper_may_not_pair(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.pair(self.helper, self.helper_a, worker=self.worker_b,
                          started_on=date(2020, 2, 5), reassign=True)


class WorkerTests(CareTestCase):
    def test_a_worker_sent_to_hubei_needs_a_named_contact(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.make_worker("YH9", self.community_a_unit, deployment=Deployment.HUBEI,
                             deployed_from=date(2020, 2, 9))
        self.assertIn("unit_contact", caught.exception.message_dict)
        worker = self.make_worker("YH9", self.community_a_unit, deployment=Deployment.HUBEI,
                                  deployed_from=date(2020, 2, 9), unit_contact="张三")
        self.assertEqual(worker.unit_contact, "张三")

    def test_the_database_enforces_the_contact_too(self) -> None:
        self.worker_a.deployment, self.worker_a.deployed_from = "hubei", date(2020, 2, 9)
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.worker_a.save()


class ServiceTests(CareTestCase):
    def log(self, actor, worker, **kw):
        values = {"client_id": uuid.uuid4(), "day": date(2020, 2, 20), "category": "mind",
                  "quantity": "1", "unit": "人次", **kw}
        return services.log_service(actor, worker, **values)

    def test_a_helper_logs_for_their_own_family(self) -> None:
        log, created = self.log(self.helper, self.worker_a)
        self.assertTrue(created)
        self.assertEqual(log.helper, self.helper_a)

    def test_a_helper_may_not_log_for_another_family(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.log(self.helper, self.worker_b)
        self.assertFalse(ServiceLog.objects.exists())

    def test_negative_and_zero_quantities_are_refused(self) -> None:
        for bad in ("-3", "0", "abc"):
            with self.subTest(bad), self.assertRaises(ValidationError) as caught:
                self.log(self.helper, self.worker_a, quantity=bad)
            self.assertIn("quantity", caught.exception.message_dict)
        self.assertFalse(ServiceLog.objects.exists())

    def test_the_same_key_twice_is_one_record(self) -> None:
        key = uuid.uuid4()
        self.log(self.helper, self.worker_a, client_id=key)
        _log, created = self.log(self.helper, self.worker_a, client_id=key)
        self.assertFalse(created)
        self.assertEqual(ServiceLog.objects.count(), 1)

    def test_necessities_are_issued_from_stock_and_counted_once(self) -> None:
        store = supplies.create_warehouse(self.hq, self.city, name="专班物资库",
                                          organisation=self.task_force_org)[0]
        item = supplies.save_item(self.hq, code="set", name="生活必需品", category="necessities",
                                  unit="套")[0]
        supplies.receive(self.hq, store, client_id=uuid.uuid4(), day=date(2020, 2, 1),
                         lines=[Line(item, 10)], source="purchase")
        log, _c = self.log(self.task_force, self.worker_a, category="life", quantity="4",
                           unit="套", warehouse=store, item=item)
        movement = Movement.objects.get(kind=Kind.ISSUE)
        self.assertEqual(log.movement, movement)
        self.assertEqual((movement.recipient_kind, movement.recipient()), ("care", log))
        self.assertEqual(store.balances.get(item=item).quantity, 6)
        # More than the store holds: neither the log nor an issue is saved.
        with self.assertRaises(ValidationError):
            self.log(self.task_force, self.worker_a, category="life", quantity="7",
                     unit="套", warehouse=store, item=item)
        self.assertEqual(ServiceLog.objects.count(), 1)
        self.assertEqual(Movement.objects.filter(kind=Kind.ISSUE).count(), 1)
        totals = services.totals(None, date(2020, 2, 28))
        self.assertEqual(totals.necessities_sets, 4)


class TotalsAndRequestsTests(CareTestCase):
    def test_totals_add_up_the_records(self) -> None:
        services.pay(self.task_force, self.worker_a, client_id=uuid.uuid4(),
                     day=date(2020, 2, 20), kind="condolence", amount="2000.50")
        services.pay(self.task_force, self.worker_b, client_id=uuid.uuid4(),
                     day=date(2020, 2, 21), kind="subsidy", amount="300")
        t = services.totals(None, date(2020, 2, 28))
        self.assertEqual((t.workers, t.helpers), (2, 2))
        self.assertEqual(t.as_json()["condolence_yuan"], "2000.50")
        self.assertEqual(t.temporary_subsidy_yuan, Decimal("300"))
        self.assertEqual(services.totals(None, date(2020, 2, 20)).temporary_subsidy_yuan, 0)

    def test_a_negative_payment_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            services.pay(self.task_force, self.worker_a, client_id=uuid.uuid4(),
                         day=date(2020, 2, 20), kind="condolence", amount="-5")

    def test_an_overdue_request_opens_one_alert_and_fulfilling_closes_it(self) -> None:
        elderly, _c = services.register_elderly(
            self.hq, self.tf, self.community_a_unit, person=__import__(
                "fangkong.care.tests.base", fromlist=["person"]).person("李奶奶"),
            member_unit=self.helper_org, registered_on=date(2020, 2, 1))
        at = timezone.make_aware(datetime(2020, 2, 20, 9, 0))
        request, _c = services.request_help(self.hq, elderly, client_id=uuid.uuid4(),
                                            kind="masks", requested_at=at)
        later = timezone.make_aware(datetime(2020, 2, 21, 12, 0))
        self.assertEqual(services.open_overdue_alerts(later), 1)
        services.open_overdue_alerts(later)
        self.assertEqual(Alert.objects.filter(kind="care_request_overdue",
                                              status="open").count(), 1)
        services.fulfil_request(self.hq, request, at=later)
        request.refresh_from_db()
        self.assertEqual(request.hours_to_fulfil, 27.0)
        self.assertFalse(Alert.objects.filter(kind="care_request_overdue",
                                              status="open").exists())
        self.assertEqual(HelpRequest.objects.get().status, "fulfilled")
