"""Point-to-point batches: the manifest's rules, enforced by the service and the database."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fangkong.resumption.models import ManifestEntry, TransportBatch
from fangkong.resumption.services import workers as worker_svc
from fangkong.resumption.tests.base import ResumptionTestCase

DEPART = timezone.make_aware(dt.datetime(2020, 2, 23, 8, 0))


class BatchTests(ResumptionTestCase):
    def plan(self, workers, at=DEPART):
        return worker_svc.plan_batch(
            self.county_b, self.county_b_unit, client_id=uuid.uuid4(), direction="inbound",
            origin="西安市", destination="紫阳县", employer=None, plate="陕G·Z1126",
            driver="", departure_at=at, workers=workers)[0]

    def test_a_worker_twice_or_on_two_batches_a_day_is_refused_nothing_saved(self) -> None:
        a, b = self.worker(), self.worker()
        with self.assertRaises(ValidationError):
            self.plan([a, b, a])
        self.assertFalse(TransportBatch.objects.exists())
        self.plan([a])
        with self.assertRaises(ValidationError) as ctx:
            self.plan([b, a], at=DEPART + dt.timedelta(hours=5))
        self.assertIn("workers", ctx.exception.message_dict)
        self.assertEqual(TransportBatch.objects.count(), 1)
        self.plan([a], at=DEPART + dt.timedelta(days=1))  # the next day: fine

    def test_the_database_refuses_a_worker_on_two_batches_a_day(self) -> None:
        a = self.worker()
        first = self.plan([a])
        second = self.plan([self.worker()], at=DEPART + dt.timedelta(hours=3))
        with self.assertRaises(IntegrityError), transaction.atomic():
            ManifestEntry.objects.create(batch=second, worker=a, day=first.day)

    def test_arrival_before_departure_is_refused(self) -> None:
        batch = self.plan([self.worker()])
        entry = batch.manifest.get()
        batch = worker_svc.check_departure(self.county_b, batch,
                                           temps={entry.pk: Decimal("36.5")},
                                           departed_at=DEPART)
        with self.assertRaises(ValidationError) as ctx:
            worker_svc.check_arrival(self.county_b, batch, temps={entry.pk: Decimal("36.5")},
                                     arrived_at=DEPART - dt.timedelta(hours=1))
        self.assertIn("arrived_at", ctx.exception.message_dict)
        batch.refresh_from_db()
        self.assertIsNone(batch.arrival_at)
        with self.assertRaises(IntegrityError), transaction.atomic():
            TransportBatch.objects.filter(pk=batch.pk).update(
                arrival_at=DEPART - dt.timedelta(hours=1))
