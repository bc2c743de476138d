"""The demo's 白河县 (fangkong/demo/relief.py), read from the session's demo city."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.test import TestCase

from fangkong.core.models import OrgUnit
from fangkong.relief import indicators, reports
from fangkong.relief.models import (
    Application,
    Payment,
    PaymentBatch,
    PaymentStatus,
    PoorHousehold,
    ReliefEntity,
)


@pytest.mark.demo
class ReliefDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.county = OrgUnit.objects.get(code="610929")

    def test_the_baihe_login_is_the_countys_office(self) -> None:
        user = get_user_model().objects.get(username="baihe")
        grant = user.grants.get()
        self.assertEqual(grant.org_unit, self.county)
        self.client.force_login(user)
        self.assertEqual(self.client.get("/relief/").status_code, 200)

    def test_registry_of_households_entities_and_loans(self) -> None:
        self.assertEqual(PoorHousehold.objects.under(self.county).count(), 48)
        self.assertEqual(ReliefEntity.objects.under(self.county).count(), 5)
        self.assertTrue(ReliefEntity.objects.filter(resumed_on__isnull=True).exists())

    def test_the_planting_subsidy_changed_mid_period_and_results_kept_their_rule(self) -> None:
        planting = Application.objects.filter(measure="industry", project_type="planting",
                                              evaluation__isnull=False)
        feb = {a.evaluation.amount for a in planting
               if a.acceptance_batch.accepted_on < date(2020, 3, 1)}
        mar = {a.evaluation.amount for a in planting
               if a.acceptance_batch.accepted_on >= date(2020, 3, 1)}
        self.assertEqual(feb, {Decimal("1000.00")})
        self.assertEqual(mar, {Decimal("1200.00")})

    def test_a_returned_payment_was_paid_again_in_the_next_batch(self) -> None:
        returned = Payment.objects.get(status=PaymentStatus.RETURNED)
        again = Payment.objects.exclude(pk=returned.pk).get(subject=returned.subject,
                                                            measure=returned.measure)
        self.assertNotEqual(again.batch_id, returned.batch_id)

    def test_totals_reconcile_with_the_payments(self) -> None:
        day = date(2020, 3, 31)
        paid = Payment.objects.filter(status=PaymentStatus.PAID).aggregate(t=Sum("amount"))["t"]
        self.assertEqual(reports.paid_total(self.county, day), paid)
        self.assertEqual(indicators.paid_amount(self.county, day), int(paid))
        rows = reports.by_measure(self.county, day)
        self.assertEqual(reports.total(rows).paid_amount, paid)
        self.assertEqual(sum(r.paid_amount for r in reports.by_child(self.county, day)), paid)
        # Batch 2 (12 March) is still with the bank: its applications await payment.
        self.assertEqual(indicators.awaiting_payment(self.county, day),
                         Payment.objects.filter(status=PaymentStatus.PENDING).count())
        sentence = indicators.relief_sentence(self.county, day)
        self.assertIn("白河县", sentence)
        self.assertEqual(PaymentBatch.objects.filter(org_unit=self.county).count(), 2)
