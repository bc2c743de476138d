"""The coordinator's shift pages (issue #13): a new shift at a site, changing its window
and capacity, cancelling it with a reason. Bad input: 422, the message under its field,
nothing saved; the same form sent twice: one shift; out of scope: 404."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from fangkong.core.models import Notice, Role
from fangkong.core.testing import make_user
from fangkong.volunteers import services
from fangkong.volunteers.models import Assignment, Shift, Status
from fangkong.volunteers.tests.base import VolunteersTestCase, id_number


def local(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def field_error(response, name: str) -> str:
    return " ".join(str(e) for e in response.context["form"].errors.get(name, []))


class NewShift(VolunteersTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = f"/volunteers/sites/{self.site_a.pk}/shifts/new/"
        start = timezone.now() + timedelta(days=1)
        self.data = {"client_id": str(uuid.uuid4()), "starts_at": local(start),
                     "ends_at": local(start + timedelta(hours=4)), "capacity": "3",
                     "requirements": "自带口罩"}

    def test_the_site_page_links_to_it_and_a_shift_is_created_once(self) -> None:
        self.login(self.community_a2)
        site_page = self.client.get(f"/volunteers/sites/{self.site_a.pk}/")
        self.assertContains(site_page, self.url)
        page = self.client.get(self.url)
        self.assertContains(page, 'name="client_id"')
        before = Shift.objects.count()
        first = self.client.post(self.url, self.data)
        shift = Shift.objects.get(client_id=self.data["client_id"])
        self.assertRedirects(first, f"/volunteers/shifts/{shift.pk}/")
        self.assertEqual((shift.capacity, shift.requirements, shift.created_by),
                         (3, "自带口罩", self.community_a2))
        again = self.client.post(self.url, self.data)  # back and send again
        self.assertEqual(again.status_code, 302)
        self.assertEqual(again["Location"], first["Location"])
        self.assertEqual(Shift.objects.count(), before + 1)

    def test_an_end_before_the_start_is_refused_under_its_field(self) -> None:
        self.login(self.community_a2)
        before = Shift.objects.count()
        r = self.client.post(self.url, {**self.data, "ends_at": self.data["starts_at"][:11]
                                        + "06:00", "starts_at": self.data["starts_at"][:11]
                                        + "08:00"})
        self.assertEqual(r.status_code, 422)
        self.assertIn("结束", field_error(r, "ends_at"))
        self.assertContains(r, 'class="field-error"', status_code=422)
        self.assertEqual(Shift.objects.count(), before)

    def test_no_capacity_and_a_past_shift_are_refused(self) -> None:
        self.login(self.community_a2)
        before = Shift.objects.count()
        r = self.client.post(self.url, {**self.data, "capacity": "0"})
        self.assertEqual(r.status_code, 422)
        self.assertTrue(field_error(r, "capacity"))
        yesterday = timezone.now() - timedelta(days=1)
        r = self.client.post(self.url, {**self.data, "starts_at": local(yesterday),
                                        "ends_at": local(yesterday + timedelta(hours=2))})
        self.assertEqual(r.status_code, 422)
        self.assertIn(timezone.localdate().isoformat(), field_error(r, "starts_at"))
        self.assertEqual(Shift.objects.count(), before)

    def test_only_the_sites_coordinators_reach_it(self) -> None:
        other_org_liaison = make_user("rsj01", Role.MEMBER_UNIT, self.city,
                                      organisation=self.helper_org)
        for user in (self.community_b, self.county_b, other_org_liaison, self.member_liaison,
                     self.volunteer):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertIn(self.client.get(self.url).status_code, (403, 404))
                r = self.client.post(self.url, self.data)
                self.assertIn(r.status_code, (403, 404))
        self.login(other_org_liaison)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertFalse(Shift.objects.filter(client_id=self.data["client_id"]).exists())


class EditAndCancel(VolunteersTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        start = cls.now + timedelta(days=1)
        cls.later, _c = services.create_shift(
            cls.community_a2, cls.site_b, client_id=uuid.uuid4(), starts_at=start,
            ends_at=start + timedelta(hours=3), capacity=2)
        cls.third, _c = services.enrol(
            cls.member_liaison, cls.community_a2_unit, id_number=id_number(3), name="王芳",
            phone="13912345670", organisation=cls.member_org, health_ok=True)
        cls.fourth, _c = services.enrol(
            cls.member_liaison, cls.community_a2_unit, id_number=id_number(4), name="李强",
            phone="13912345671", organisation=cls.member_org, health_ok=True)

    def setUp(self) -> None:
        super().setUp()
        self.url = f"/volunteers/shifts/{self.later.pk}/edit/"
        self.a_me, _c = services.join(self.volunteer, self.later, self.me)
        self.a_other, _c = services.join(self.community_a2, self.later, self.other)
        self.a_third, _c = services.join(self.community_a2, self.later, self.third)
        self.a_fourth, _c = services.join(self.community_a2, self.later, self.fourth)

    def form(self, **changes: str) -> dict[str, str]:
        return {"starts_at": local(self.later.starts_at), "ends_at": local(self.later.ends_at),
                "capacity": str(self.later.capacity), "tasks": "", "requirements": "",
                **changes}

    def test_lowering_the_capacity_below_the_places_held_names_how_many(self) -> None:
        self.login(self.community_a2)
        self.assertContains(self.client.get(f"/volunteers/shifts/{self.later.pk}/"), self.url)
        r = self.client.post(self.url, self.form(capacity="1"))
        self.assertEqual(r.status_code, 422)
        self.assertIn("2", field_error(r, "capacity"))
        self.later.refresh_from_db()
        self.assertEqual(self.later.capacity, 2)

    def test_widening_the_capacity_offers_the_places_to_the_waiting_list_in_order(self) -> None:
        self.login(self.community_a2)
        r = self.client.post(self.url, self.form(capacity="3", tasks="测温"))
        self.assertRedirects(r, f"/volunteers/shifts/{self.later.pk}/")
        statuses = {a.volunteer_id: a.status for a in Assignment.objects.filter(shift=self.later)}
        self.assertEqual(statuses[self.third.pk], Status.OFFERED)
        self.assertEqual(statuses[self.fourth.pk], Status.WAITING)
        offered = Assignment.objects.get(pk=self.a_third.pk)
        self.assertLessEqual(offered.offer_expires_at, self.later.starts_at)
        self.later.refresh_from_db()
        self.assertEqual((self.later.capacity, self.later.tasks), (3, "测温"))

    def test_a_bad_window_is_refused_and_nothing_changes(self) -> None:
        self.login(self.community_a2)
        r = self.client.post(self.url, self.form(ends_at=local(self.later.starts_at
                                                               - timedelta(hours=1))))
        self.assertEqual(r.status_code, 422)
        self.assertTrue(field_error(r, "ends_at"))
        moved = self.later.starts_at + timedelta(hours=1)
        r = self.client.post(self.url, self.form(starts_at=local(moved),
                                                 ends_at=local(moved + timedelta(hours=2))))
        self.assertEqual(r.status_code, 302)
        self.later.refresh_from_db()
        self.assertEqual(timezone.localtime(self.later.starts_at).strftime("%H:%M"),
                         timezone.localtime(moved).strftime("%H:%M"))

    def test_cancelling_needs_a_reason_then_keeps_the_shift_and_tells_the_volunteers(self) -> None:
        self.login(self.community_a2)
        cancel = f"/volunteers/shifts/{self.later.pk}/cancel/"
        r = self.client.post(cancel, {"reason": "  "})
        self.assertEqual(r.status_code, 422)
        self.assertTrue(r.context["cancel_form"].errors["reason"])
        self.assertIsNone(Shift.objects.get(pk=self.later.pk).cancelled_at)
        r = self.client.post(cancel, {"reason": "小区解封，卡口撤除"})
        self.assertRedirects(r, f"/volunteers/shifts/{self.later.pk}/")
        shift = Shift.objects.get(pk=self.later.pk)
        self.assertEqual((shift.cancel_reason, shift.cancelled_by), ("小区解封，卡口撤除",
                                                                     self.community_a2))
        rows = Assignment.objects.filter(shift=shift)
        self.assertEqual({a.status for a in rows}, {Status.CANCELLED})
        self.assertTrue(all("小区解封" in a.status_reason for a in rows))
        notice = Notice.objects.get(user=self.volunteer, kind="volunteers.shift_cancelled")
        self.assertIn("小区解封", notice.body)
        page = self.client.get(f"/volunteers/shifts/{shift.pk}/")
        self.assertContains(page, 'id="shift-cancelled"')
        self.assertNotContains(page, self.url)
        # Sent again: nothing more; the shift can no longer be changed or joined.
        self.assertEqual(self.client.post(cancel, {"reason": "再次"}).status_code, 302)
        self.assertEqual(Shift.objects.get(pk=shift.pk).cancel_reason, "小区解封，卡口撤除")
        self.assertEqual(Notice.objects.filter(kind="volunteers.shift_cancelled",
                                               user=self.volunteer).count(), 1)
        self.assertEqual(self.client.post(self.url, self.form(capacity="5")).status_code, 302)
        self.assertEqual(Shift.objects.get(pk=shift.pk).capacity, 2)
        with self.assertRaisesMessage(Exception, "取消"):
            services.join(self.volunteer, shift, self.me)

    def test_another_coordinator_cannot_edit_or_cancel(self) -> None:
        for user in (self.community_b, self.member_liaison):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.url).status_code, 404)
                self.assertEqual(self.client.post(self.url, self.form(capacity="9"))
                                 .status_code, 404)
                self.assertEqual(self.client.post(
                    f"/volunteers/shifts/{self.later.pk}/cancel/", {"reason": "x"})
                    .status_code, 404)
        shift = Shift.objects.get(pk=self.later.pk)
        self.assertEqual((shift.capacity, shift.cancelled_at), (2, None))
