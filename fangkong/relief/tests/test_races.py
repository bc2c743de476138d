"""Racing desks: two payment batches built at once for one county, or the same household
put in two batches at once, pay it once; the loser's refusal names the batch. Real
threads on real connections (``run_together``; SQLite file or PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import TransactionTestCase

from fangkong.core.models import Role
from fangkong.core.testing import make_user, make_wenchang_chain, run_together
from fangkong.relief import services
from fangkong.relief.models import Application, Payment, PaymentBatch
from fangkong.relief.tests.base import ACCOUNT, person

THREADS = 6


@pytest.mark.race
class PaymentRaceTests(TransactionTestCase):
    def setUp(self) -> None:
        _root, _city, self.county, _town, community = make_wenchang_chain()
        self.staff = make_user("baihe", Role.TERRITORY_STAFF, self.county)
        household, _ = services.register_household(
            self.staff, community, client_id=uuid.uuid4(), number="R1", head=person(500),
            account_number=ACCOUNT, account_bank="农信社")
        services.add_member(self.staff, household, person(501), away_from=date(2020, 1, 5),
                            away_to=date(2020, 7, 20))
        self.application, _ = services.apply(self.staff, "employment", household=household,
                                             client_id=uuid.uuid4(),
                                             submitted_on=date(2020, 2, 20))
        services.accept(self.staff, self.county, [self.application],
                        accepted_on=date(2020, 2, 27), client_id=uuid.uuid4())

    def test_batches_built_at_once_pay_the_household_once(self) -> None:
        def build():
            try:
                return services.build_payment_batch(
                    self.staff, self.county, prepared_on=date(2020, 2, 28),
                    client_id=uuid.uuid4())[0].pk
            except ValidationError as exc:
                return exc.messages[0]

        results, errors = run_together(build, THREADS)
        self.assertEqual(errors, [])
        self.assertEqual(Payment.objects.count(), 1)
        self.assertEqual(PaymentBatch.objects.count(), 1)
        self.assertEqual(sum(isinstance(r, int) for r in results), THREADS - sum(
            isinstance(r, str) for r in results))

    def test_one_household_put_in_two_batches_at_once(self) -> None:
        batches = [PaymentBatch.objects.create(org_unit=self.county, client_id=uuid.uuid4(),
                                               number=f"DF-{n}", prepared_on=date(2020, 2, 28))
                   for n in range(THREADS)]
        queue = list(batches)

        def put():
            from django.db import transaction

            batch = queue.pop()
            application = Application.objects.select_related(
                "household", "evaluation").get(pk=self.application.pk)
            try:
                with transaction.atomic():
                    services.pay(application, batch)
                return batch.number
            except ValidationError as exc:
                return exc.messages[0]

        results, errors = run_together(put, THREADS)
        self.assertEqual(errors, [])
        self.assertEqual(Payment.objects.count(), 1)
        winner = Payment.objects.get().batch.number
        refusals = [r for r in results if r != winner]
        self.assertEqual(len(refusals), THREADS - 1)
        for refusal in refusals:
            self.assertIn(winner, refusal)
