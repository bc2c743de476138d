"""Applications → acceptance → payment batch → bank settlement; returned payments come
back in the next batch; nobody is paid twice (database constraint, named batch);
results frozen with their inputs and trace survive rule changes; services authorise."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from fangkong.core.models import PiiAccess
from fangkong.core.services.rules import add_value
from fangkong.relief import rules as R
from fangkong.relief import services
from fangkong.relief.models import (
    Application,
    ApplicationStatus,
    Evaluation,
    Payment,
    PaymentStatus,
)
from fangkong.relief.tests.base import ReliefTestCase

FEB = date(2020, 2, 27)


class WorkflowTests(ReliefTestCase):
    def apply_employment(self, household, actor=None, key=None):
        return services.apply(actor or self.county_a, "employment", household=household,
                              client_id=key or uuid.uuid4(), submitted_on=date(2020, 2, 20))[0]

    def accepted(self, *applications, day=FEB):
        batch, held = services.accept(self.county_a, self.county_a_unit, list(applications),
                                      accepted_on=day, client_id=uuid.uuid4())
        return batch, held

    def test_the_whole_way_to_a_settled_batch(self) -> None:
        household = self.make_household(self.county_a, self.community_a_unit, 5, members=2)
        application = self.apply_employment(household)
        batch, held = self.accepted(application)
        self.assertEqual(held, [])
        application.refresh_from_db()
        self.assertEqual(application.status, ApplicationStatus.ACCEPTED)
        self.assertEqual(application.evaluation.amount, Decimal("1000.00"))
        self.assertTrue(application.acceptance_batch.number.startswith("YS610902-20200227-"))
        payments, refusals = services.build_payment_batch(
            self.county_a, self.county_a_unit, prepared_on=date(2020, 2, 28),
            client_id=uuid.uuid4())
        self.assertEqual(refusals, [])
        payment = payments.payments.get()
        self.assertEqual((payment.amount, payment.payee), (Decimal("1000.00"), "户主5"))
        services.settle(self.county_a, payments, bank_reference="NXS-1", paid_on=date(2020, 3, 2))
        application.refresh_from_db()
        self.assertEqual(application.status, ApplicationStatus.PAID)
        payments.refresh_from_db()
        self.assertEqual((payments.status, payments.bank_reference), ("settled", "NXS-1"))

    def test_a_returned_payment_comes_back_in_the_next_batch(self) -> None:
        a = self.apply_employment(self.make_household(self.county_a, self.community_a_unit, 6,
                                                      members=1))
        b = self.apply_employment(self.make_household(self.county_a, self.community_a_unit, 7,
                                                      members=1))
        self.accepted(a, b)
        first, _ = services.build_payment_batch(self.county_a, self.county_a_unit,
                                                prepared_on=FEB, client_id=uuid.uuid4())
        returned = first.payments.get(application=a)
        services.settle(self.county_a, first, bank_reference="R1", paid_on=FEB,
                        returned={returned.pk: "账户已销户"})
        a.refresh_from_db()
        self.assertEqual(a.status, ApplicationStatus.ACCEPTED)
        second, _ = services.build_payment_batch(self.county_a, self.county_a_unit,
                                                 prepared_on=date(2020, 3, 3),
                                                 client_id=uuid.uuid4())
        self.assertEqual([p.application_id for p in second.payments.all()], [a.pk])
        returned.refresh_from_db()
        self.assertEqual(returned.status, PaymentStatus.RETURNED)

    def test_nobody_is_paid_twice_and_the_refusal_names_the_batch(self) -> None:
        a = self.apply_employment(self.make_household(self.county_a, self.community_a_unit, 8,
                                                      members=1))
        self.accepted(a)
        first, _ = services.build_payment_batch(self.county_a, self.county_a_unit,
                                                prepared_on=FEB, client_id=uuid.uuid4())
        a.refresh_from_db()
        # Put back by hand as if two desks had built batches at once: the database refuses.
        a.status = ApplicationStatus.ACCEPTED
        a.save()
        second = first.__class__.objects.create(
            org_unit=self.county_a_unit, client_id=uuid.uuid4(), number="DF-X",
            prepared_on=FEB)
        with self.assertRaises(ValidationError) as caught, transaction.atomic():
            services.pay(a, second)
        self.assertIn(first.number, caught.exception.messages[0])
        with self.assertRaises(IntegrityError), transaction.atomic():
            Payment.objects.create(org_unit=self.county_a_unit, batch=second, application=a,
                                   measure=a.measure, subject=a.subject, payee="x",
                                   account_number="1", account_bank="x", amount=1)

    def test_a_second_application_says_by_which_batch_it_was_paid(self) -> None:
        household = self.make_household(self.county_a, self.community_a_unit, 9, members=1)
        a = self.apply_employment(household)
        self.accepted(a)
        batch, _ = services.build_payment_batch(self.county_a, self.county_a_unit,
                                                prepared_on=FEB, client_id=uuid.uuid4())
        with self.assertRaises(ValidationError) as caught:
            self.apply_employment(household)
        self.assertIn(batch.number, caught.exception.message_dict["measure"][0])

    def test_a_retried_application_is_the_same_one(self) -> None:
        key = uuid.uuid4()
        a = self.apply_employment(self.household, key=key)
        self.assertEqual(self.apply_employment(self.household, key=key), a)
        self.assertEqual(Application.objects.filter(subject=self.household.subject).count(), 1)

    def test_the_frozen_result_survives_a_rule_change(self) -> None:
        a = self.apply_employment(self.make_household(self.county_a, self.community_a_unit, 11,
                                                      members=1))
        self.accepted(a)
        a.refresh_from_db()
        trace_before = a.evaluation.trace
        add_value(self.hq, R.EMPLOYMENT_PER_MEMBER, value=Decimal("800"),
                  valid_from=date(2020, 3, 1), reason="test")
        evaluation = Evaluation.objects.get(pk=a.evaluation_id)
        self.assertEqual(evaluation.amount, Decimal("500.00"))
        self.assertEqual(evaluation.trace, trace_before)
        self.assertIn("500.00", evaluation.explanation)
        versions = {p["code"]: p["version"] for p in evaluation.trace["parameters"]}
        self.assertIn(versions[R.EMPLOYMENT_PER_MEMBER],
                      list(evaluation.versions.values_list("pk", flat=True)))
        self.assertEqual(evaluation.facts["members"][1]["away_from"], "2020-01-31")

    def test_the_industry_subsidy_waits_for_acceptance(self) -> None:
        a, _ = services.apply(self.county_a, "industry", household=self.household,
                              project_type="planting", client_id=uuid.uuid4(),
                              submitted_on=FEB)
        preview = services.workflow.evaluate_application(a, FEB, accepted=False)
        self.assertEqual(preview.amount, Decimal("0.00"))
        self.accepted(a)
        a.refresh_from_db()
        self.assertEqual(a.evaluation.amount, Decimal("1000.00"))

    def test_an_entity_below_the_tier_is_accepted_with_nothing_due(self) -> None:
        entity = self.make_entity(self.county_a, self.community_a_unit, workers=3)
        a, _ = services.apply(self.county_a, "entity", entity=entity, client_id=uuid.uuid4(),
                              submitted_on=FEB)
        self.accepted(a)
        a.refresh_from_db()
        self.assertEqual(a.status, ApplicationStatus.NOT_ELIGIBLE)
        self.assertIn("3", a.evaluation.explanation)

    def test_services_authorise_their_actor(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.apply_employment(self.household, actor=self.county_b)
        a = self.apply_employment(self.household)
        with self.assertRaises(PermissionDenied):
            services.accept(self.community_a, self.county_a_unit, [a], accepted_on=FEB,
                            client_id=uuid.uuid4())
        with self.assertRaises(PermissionDenied):
            services.build_payment_batch(self.county_b, self.county_a_unit, prepared_on=FEB,
                                         client_id=uuid.uuid4())

    def test_bad_settlement_input_saves_nothing(self) -> None:
        a = self.apply_employment(self.make_household(self.county_a, self.community_a_unit, 12,
                                                      members=1))
        self.accepted(a)
        batch, _ = services.build_payment_batch(self.county_a, self.county_a_unit,
                                                prepared_on=FEB, client_id=uuid.uuid4())
        with self.assertRaises(ValidationError) as caught:
            services.settle(self.county_a, batch, bank_reference=" ",
                            paid_on=date(2020, 2, 1), returned={999999: "x"})
        self.assertEqual(set(caught.exception.message_dict),
                         {"bank_reference", "paid_on", "returned"})
        batch.refresh_from_db()
        self.assertEqual(batch.status, "draft")


class RegistryTests(ReliefTestCase):
    def test_the_account_is_masked_and_revealing_it_is_logged(self) -> None:
        self.client.force_login(self.county_a)
        page = self.client.get(f"/relief/households/{self.household.pk}/")
        self.assertNotContains(page, "6230520123456789012")
        self.assertContains(page, "9012")
        response = self.client.post(f"/relief/households/{self.household.pk}/reveal/",
                                    {"reason": "核对代发账户"})
        self.assertContains(response, "6230520123456789012")
        self.assertTrue(PiiAccess.objects.filter(actor=self.county_a, refused="",
                                                subject_id=self.household.pk).exists())

    def test_revealing_needs_a_reason(self) -> None:
        self.client.force_login(self.county_a)
        response = self.client.post(f"/relief/households/{self.household.pk}/reveal/",
                                    {"reason": ""})
        self.assertNotContains(response, "6230520123456789012")
        self.assertContains(response, "field-error")

    def test_members_come_from_the_person_registry(self) -> None:
        from fangkong.relief.tests.base import person

        member = services.add_member(self.county_a, self.household, person(77, "张三"))
        self.assertEqual(member.person.id_number, person(77).id_number)
        with self.assertRaises(ValidationError):
            services.add_member(self.county_a, self.household, person(77, "张三"))

    def test_a_duplicate_registration_number_is_refused(self) -> None:
        from fangkong.relief.tests.base import ACCOUNT, person

        with self.assertRaises(ValidationError) as caught:
            services.register_household(
                self.county_a, self.community_a_unit, client_id=uuid.uuid4(),
                number=self.household.number, head=person(55), account_number=ACCOUNT,
                account_bank="x")
        self.assertIn("number", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            services.register_household(
                self.county_a, self.community_a_unit, client_id=uuid.uuid4(),
                number="N-1", head=person(56), account_number="12ab", account_bank="")
        self.assertEqual(set(caught.exception.message_dict), {"account_number",
                                                              "account_bank"})
