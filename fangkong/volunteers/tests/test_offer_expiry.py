"""Waiting-list offers expire (issue #13): the confirmation window is the dated rule
``volunteers.offer_hours`` (12 hours, never beyond the shift's start); the schedule
expires stale offers, keeps why, and offers the place to the next one waiting; a second
run changes nothing; confirming too late is refused with the deadline."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import TransactionTestCase
from django.utils import timezone

from fangkong.core import rules
from fangkong.core.models import Notice, Organisation, Role
from fangkong.core.models.territory import OrgKind
from fangkong.core.services.rules import add_value
from fangkong.core.testing import make_user, make_wenchang_chain, run_together
from fangkong.lib.identity import make_id_number
from fangkong.volunteers import schedules, services
from fangkong.volunteers.models import Assignment, Status
from fangkong.volunteers.rules import OFFER_HOURS_CODE
from fangkong.volunteers.tests.base import VolunteersTestCase, id_number


class OfferExpiry(VolunteersTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        start = cls.now + timedelta(days=2)
        cls.later, _c = services.create_shift(
            cls.community_a2, cls.site_b, client_id=uuid.uuid4(), starts_at=start,
            ends_at=start + timedelta(hours=3), capacity=1)
        cls.third, _c = services.enrol(
            cls.member_liaison, cls.community_a2_unit, id_number=id_number(3), name="王芳",
            phone="13912345670", organisation=cls.member_org, health_ok=True)

    def setUp(self) -> None:
        super().setUp()
        t0 = self.now
        self.first, _c = services.join(self.community_a2, self.later, self.other, now=t0)
        self.mine, _c = services.join(self.volunteer, self.later, self.me, now=t0)
        self.next, _c = services.join(self.community_a2, self.later, self.third, now=t0
                                      + timedelta(minutes=1))
        services.cancel(self.community_a2, self.first, now=t0)  # the place goes to me
        self.mine.refresh_from_db()

    def test_the_offer_carries_a_deadline_of_the_rule_never_beyond_the_start(self) -> None:
        self.assertEqual(self.mine.status, Status.OFFERED)
        self.assertEqual(self.mine.offer_expires_at, self.now + timedelta(hours=12))
        self.assertEqual(rules.value_on(OFFER_HOURS_CODE, timezone.localdate()).typed, 12)
        soon, _c = services.create_shift(
            self.community_a2, self.site_b, client_id=uuid.uuid4(),
            starts_at=self.now + timedelta(hours=2), ends_at=self.now + timedelta(hours=5),
            capacity=1)
        self.assertEqual(services.offer_deadline(soon, self.now), soon.starts_at)
        self.login(self.volunteer)
        page = self.client.get("/volunteers/mine/")
        by = timezone.localtime(self.mine.offer_expires_at).strftime("%Y-%m-%d %H:%M")
        self.assertContains(page, f'id="confirm-by-{self.mine.pk}"')
        self.assertContains(page, by)

    def test_a_new_version_of_the_rule_changes_the_window(self) -> None:
        add_value(self.hq, OFFER_HOURS_CODE, value=2, valid_from=timezone.localdate(),
                  reason="缩短确认时限")
        self.assertEqual(services.offer_deadline(self.later, self.now),
                         self.now + timedelta(hours=2))
        with self.assertRaises(ValidationError):
            rules.spec_for(OFFER_HOURS_CODE).clean("100")

    def test_an_offer_past_its_window_expires_and_the_next_one_is_offered_once(self) -> None:
        late = self.now + timedelta(hours=12, minutes=1)
        self.assertEqual(services.expire_offers(self.now + timedelta(hours=11)), 0)
        self.assertEqual(services.expire_offers(late), 1)
        mine = Assignment.objects.get(pk=self.mine.pk)
        self.assertEqual(mine.status, Status.EXPIRED)
        self.assertIn("确认", mine.status_reason)
        nxt = Assignment.objects.get(pk=self.next.pk)
        self.assertEqual(nxt.status, Status.OFFERED)
        self.assertEqual(nxt.offered_at, late)
        self.assertEqual(nxt.offer_expires_at, late + timedelta(hours=12))
        self.assertTrue(Notice.objects.filter(user=self.volunteer,
                                              kind="volunteers.offer_expired").exists())
        # The schedule again, at the same moment: nothing more.
        self.assertEqual(services.expire_offers(late), 0)
        self.assertEqual(Assignment.objects.get(pk=self.next.pk).offered_at, late)
        self.assertEqual(Assignment.objects.filter(shift=self.later, status__in=(
            Status.OFFERED, Status.CONFIRMED)).count(), 1)
        # The history keeps the change and its reason.
        from auditlog.models import LogEntry

        entries = LogEntry.objects.get_for_object(mine)
        self.assertTrue(any("expired" in str(e.changes) for e in entries))

    def test_confirming_after_the_deadline_is_refused_and_the_place_moves_on(self) -> None:
        self.login(self.volunteer)
        late = self.now + timedelta(hours=13)
        with self.assertRaisesMessage(ValidationError, "下一位"):
            services.confirm(self.volunteer, self.mine, now=late)
        self.assertEqual(Assignment.objects.get(pk=self.mine.pk).status, Status.EXPIRED)
        self.assertEqual(Assignment.objects.get(pk=self.next.pk).status, Status.OFFERED)
        # Once expired by the schedule too: the page says so.
        r = self.client.post(f"/volunteers/assignments/{self.mine.pk}/confirm/", follow=True)
        self.assertContains(r, timezone.localtime(self.mine.offer_expires_at)
                            .strftime("%m-%d %H:%M"))
        self.assertEqual(Assignment.objects.get(pk=self.mine.pk).status, Status.EXPIRED)

    def test_confirming_in_time_takes_the_place_and_twice_is_once(self) -> None:
        services.confirm(self.volunteer, self.mine, now=self.now + timedelta(hours=1))
        services.confirm(self.volunteer, self.mine, now=self.now + timedelta(hours=1))
        self.assertEqual(Assignment.objects.get(pk=self.mine.pk).status, Status.CONFIRMED)
        self.assertEqual(services.expire_offers(self.now + timedelta(days=1)), 0)
        self.assertEqual(Assignment.objects.get(pk=self.next.pk).status, Status.WAITING)

    def test_the_schedule_is_declared_and_runs(self) -> None:
        from fangkong.core import registries

        names = set(registries.schedules())
        self.assertIn("volunteers.expire_offers", names)
        self.assertEqual(schedules.expire_offers(), 0)  # nothing due now


@pytest.mark.race
class ConfirmRace(TransactionTestCase):
    def test_two_confirms_at_once_take_one_place_without_error(self) -> None:
        _root, _city, _county, _town, community = make_wenchang_chain()
        worker = make_user("wenchang", Role.COMMUNITY_WORKER, community)
        org = Organisation.objects.create(code="sjj", name="审计局", kind=OrgKind.DEPARTMENT,
                                          org_unit=community)
        user = make_user("volunteer01", Role.VOLUNTEER, community, organisation=org)
        site, _c = services.save_site(worker, community, name="南门", kind="checkpoint")
        now = timezone.now()
        shift, _c = services.create_shift(worker, site, client_id=uuid.uuid4(),
                                          starts_at=now + timedelta(hours=20),
                                          ends_at=now + timedelta(hours=22), capacity=1)
        first, _c = services.enrol(worker, community, name="陈志远", health_ok=True,
                                   id_number=make_id_number("610902", date(1990, 1, 2), 2))
        me, _c = services.enrol(worker, community, name="吴佳怡", health_ok=True, user=user,
                                id_number=make_id_number("610902", date(1990, 1, 3), 3))
        a_first, _c = services.join(worker, shift, first)
        mine, _c = services.join(user, shift, me)
        services.cancel(worker, a_first)
        mine = Assignment.objects.get(pk=mine.pk)
        self.assertEqual(mine.status, Status.OFFERED)

        def work():
            return services.confirm(user, Assignment.objects.get(pk=mine.pk)).status

        results, errors = run_together(work, 2)
        self.assertEqual(errors, [])
        self.assertEqual(set(results), {Status.CONFIRMED})
        self.assertEqual(Assignment.objects.filter(shift=shift, status=Status.CONFIRMED)
                         .count(), 1)
