"""Households and members corrected and removed: audited, history kept, a removed
member's frozen results unchanged, a household with applications refused."""

from __future__ import annotations

import uuid
from datetime import date

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fangkong.relief import services
from fangkong.relief.models import (
    ApplicationStatus,
    EntityWorker,
    Measure,
    PoorHousehold,
    PoorMember,
)
from fangkong.relief.tests.base import ACCOUNT, ReliefTestCase, person


class HouseholdEditTestCase(ReliefTestCase):
    def edit_url(self, household=None) -> str:
        return reverse("relief:household_edit", args=[(household or self.household).pk])

    def form(self, **overrides) -> dict:
        return {"number": "H00001-改", "account_number": "", "account_bank": "邮储银行",
                "registered_on": "2019-05-01",
                "seen": services.household_version(self.household), **overrides}

    def test_a_correction_is_saved_audited_and_shown_in_the_history(self):
        self.login(self.county_a)
        r = self.client.get(self.edit_url())
        self.assertContains(r, 'name="seen"')
        self.assertNotContains(r, ACCOUNT)  # the account stays masked in the form
        r = self.client.post(self.edit_url(), self.form())
        self.assertRedirects(r, reverse("relief:household", args=[self.household.pk]))
        self.household.refresh_from_db()
        self.assertEqual((self.household.number, self.household.account_number,
                          self.household.account_bank, self.household.registered_on),
                         ("H00001-改", ACCOUNT, "邮储银行", date(2019, 5, 1)))
        entry = LogEntry.objects.get_for_object(self.household).latest("timestamp")
        self.assertEqual((entry.actor, entry.action), (self.county_a, LogEntry.Action.UPDATE))
        r = self.client.get(reverse("relief:household", args=[self.household.pk]),
                            HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, "Change history")
        self.assertContains(r, "H00001-改")

    def test_a_stale_form_is_refused_and_the_same_edit_twice_is_harmless(self):
        self.login(self.county_a)
        stale = self.form()
        self.client.post(self.edit_url(), self.form(number="H-A"))
        self.client.post(self.edit_url(), self.form(number="H-A"))  # sent again: no change
        r = self.client.post(self.edit_url(), {**stale, "number": "H-B"},
                             HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "Someone changed this household", status_code=400)
        self.assertContains(r, 'value="H-A"', status_code=400)
        self.household.refresh_from_db()
        self.assertEqual(self.household.number, "H-A")

    def test_bad_input_is_explained_under_the_field(self):
        self.login(self.county_a)
        r = self.client.post(self.edit_url(), self.form(
            number=self.household_b.number, account_number="12ab"), HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, "12 to 25 digits", status_code=400)
        r = self.client.post(self.edit_url(), self.form(number=self.household_b.number))
        self.assertContains(r, "field-error", status_code=400)
        self.household.refresh_from_db()
        self.assertEqual(self.household.number, "H00001")

    def test_out_of_scope_is_404_and_read_only_is_403(self):
        self.login(self.county_b)
        self.assertEqual(self.client.get(self.edit_url()).status_code, 404)
        self.assertEqual(self.client.post(reverse("relief:household_remove",
                                                  args=[self.household.pk])).status_code, 404)
        self.login(self.province)
        self.assertEqual(self.client.get(self.edit_url()).status_code, 403)
        self.assertTrue(PoorHousehold.objects.filter(pk=self.household.pk).exists())

    def test_a_household_without_applications_is_removed_with_its_members(self):
        household = self.make_household(self.county_a, self.community_a_unit, 7, members=2)
        entity = self.make_entity(self.county_a, self.community_a_unit, "车间七")
        services.add_worker(self.county_a, entity, household.members.last(), date(2019, 1, 1))
        services.lead_household(self.county_a, entity, household)
        self.login(self.county_a)
        r = self.client.post(reverse("relief:household_remove", args=[household.pk]))
        self.assertRedirects(r, reverse("relief:households"))
        self.assertFalse(PoorHousehold.objects.filter(pk=household.pk).exists())
        self.assertFalse(PoorMember.objects.filter(household_id=household.pk).exists())
        self.assertFalse(entity.led_households.exists())
        self.assertEqual(LogEntry.objects.filter(additional_data__household=household.pk,
                                                 action=LogEntry.Action.DELETE).count(), 3)
        # Sent again: nothing left, no 500.
        self.assertEqual(self.client.post(reverse("relief:household_remove",
                                                  args=[household.pk])).status_code, 404)

    def test_a_household_with_a_payment_is_refused_naming_the_batch(self):
        household = self.make_household(self.county_a, self.community_a_unit, 8, members=2)
        application, _ = services.apply(self.county_a, Measure.EMPLOYMENT,
                                        client_id=uuid.uuid4(), submitted_on=date(2020, 8, 2),
                                        household=household)
        services.accept(self.county_a, self.county_a_unit, [application],
                        accepted_on=date(2020, 8, 5), client_id=uuid.uuid4())
        batch, _ = services.build_payment_batch(self.county_a, self.county_a_unit,
                                                prepared_on=date(2020, 8, 6),
                                                client_id=uuid.uuid4())
        self.login(self.county_a)
        r = self.client.post(reverse("relief:household_remove", args=[household.pk]),
                             follow=True, HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, batch.number)
        self.assertContains(r, "stays in the register")
        self.assertTrue(PoorHousehold.objects.filter(pk=household.pk).exists())
        r = self.client.get(self.edit_url(household), HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, batch.number)
        self.assertNotContains(r, reverse("relief:household_remove", args=[household.pk]))


class MemberEditTestCase(ReliefTestCase):
    def test_a_member_is_corrected_and_the_return_before_departure_refused(self):
        household = self.make_household(self.county_a, self.community_a_unit, 5, members=1)
        member = household.members.last()
        url = reverse("relief:member_edit", args=[household.pk, member.pk])
        self.login(self.county_a)
        r = self.client.post(url, {"relation": "子", "away_from": "2020-02-10",
                                   "away_to": "2020-01-10"}, HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, "The return is before the departure", status_code=400)
        r = self.client.post(url, {"relation": "子", "away_from": "2020-02-10",
                                   "away_to": "2020-08-10"})
        self.assertRedirects(r, reverse("relief:household", args=[household.pk]))
        member.refresh_from_db()
        self.assertEqual((member.relation, member.away_to), ("子", date(2020, 8, 10)))
        self.login(self.county_b)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_removed_member_keeps_the_frozen_result_and_leaves_the_history(self):
        household = self.make_household(self.county_a, self.community_a_unit, 6, members=2)
        application, _ = services.apply(self.county_a, Measure.EMPLOYMENT,
                                        client_id=uuid.uuid4(), submitted_on=date(2020, 8, 2),
                                        household=household)
        services.accept(self.county_a, self.county_a_unit, [application],
                        accepted_on=date(2020, 8, 5), client_id=uuid.uuid4())
        application.refresh_from_db()
        frozen = (application.evaluation.amount, application.evaluation.facts,
                  application.evaluation.explanation)
        self.assertEqual(application.status, ApplicationStatus.ACCEPTED)
        member = household.members.last()
        entity = self.make_entity(self.county_a, self.community_a_unit, "车间六")
        services.add_worker(self.county_a, entity, member, date(2019, 1, 1))
        self.login(self.county_a)
        r = self.client.post(reverse("relief:member_remove", args=[household.pk, member.pk]),
                             follow=True, HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, "车间六")
        self.assertFalse(PoorMember.objects.filter(pk=member.pk).exists())
        self.assertFalse(EntityWorker.objects.filter(entity=entity).exists())
        application.evaluation.refresh_from_db()
        self.assertEqual((application.evaluation.amount, application.evaluation.facts,
                          application.evaluation.explanation), frozen)
        self.assertContains(self.client.get(reverse("relief:application",
                                                    args=[application.pk])),
                            str(frozen[0]))
        self.assertTrue(LogEntry.objects.filter(
            additional_data__household=household.pk, object_pk=str(member.pk),
            action=LogEntry.Action.DELETE, actor=self.county_a).exists())
        # Sent twice: nothing to do, no error.
        r = self.client.post(reverse("relief:member_remove", args=[household.pk, member.pk]))
        self.assertEqual(r.status_code, 302)

    def test_the_head_is_not_removed_and_others_may_not_remove(self):
        head = self.household.members.get(person=self.household.head)
        with self.assertRaises(ValidationError):
            services.remove_member(self.county_a, head)
        other = services.add_member(self.county_a, self.household, person(501))
        with self.assertRaises((PermissionDenied,)):
            services.remove_member(self.county_b, other)
        self.assertTrue(PoorMember.objects.filter(pk=other.pk).exists())
