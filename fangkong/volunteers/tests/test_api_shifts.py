"""The volunteers API for the phone app and coordinators (issue #13): a volunteer's own
shifts, check-in and check-out with the site's signed QR token, confirming an offered
place; the shifts a coordinator may see with their counts. Same services as the pages,
same scope (another's assignment, a site out of scope: 404)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from fangkong.volunteers import services
from fangkong.volunteers.models import Assignment, Status
from fangkong.volunteers.tests.base import VolunteersTestCase

MINE = "/api/v1/volunteers/shifts/mine"
SHIFTS = "/api/v1/volunteers/shifts"


def act(pk: int, action: str) -> str:
    return f"/api/v1/volunteers/assignments/{pk}/{action}"


class MyShifts(VolunteersTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.mine, _c = services.join(self.volunteer, self.shift, self.me)

    def post(self, url: str, body: dict | None = None):
        return self.client.post(url, body or {}, content_type="application/json")

    def test_the_caller_sees_only_their_own_assignments_paged(self) -> None:
        services.join(self.community_a2, self.shift, self.other)  # waiting, not mine
        self.login(self.volunteer)
        r = self.client.get(MINE)
        self.assertEqual(r.status_code, 200)
        body = r.json()
        self.assertEqual(body["count"], 1)
        row = body["results"][0]
        self.assertEqual(row["id"], self.mine.pk)
        self.assertEqual(row["site"], {"id": self.site_a.pk, "name": "江堤路口"})
        self.assertEqual(row["status"], Status.CONFIRMED)
        self.assertIsNone(row["confirm_by"])
        self.assertEqual(self.client.get(MINE + "?page_size=0").status_code, 400)
        self.login(self.community_a2)  # not a volunteer: as the page, refused
        self.assertEqual(self.client.get(MINE).status_code, 403)

    def test_check_in_and_out_with_the_sites_token(self) -> None:
        self.login(self.volunteer)
        token = services.site_token(self.site_a)
        r = self.post(act(self.mine.pk, "check-in"), {"token": token})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertIsNotNone(r.json()["check_in_at"])
        again = self.post(act(self.mine.pk, "check-in"), {"token": token})
        self.assertEqual(again.json()["check_in_at"], r.json()["check_in_at"])
        r = self.post(act(self.mine.pk, "check-out"), {"token": token})
        self.assertEqual(r.status_code, 200)
        a = Assignment.objects.get(pk=self.mine.pk)
        self.assertEqual((a.check_in_method, a.check_out_method), ("qr", "qr"))

    def test_a_forged_or_another_sites_token_is_refused_with_the_services_message(self):
        self.login(self.volunteer)
        r = self.post(act(self.mine.pk, "check-in"),
                      {"token": services.site_token(self.site_b)})
        self.assertEqual(r.status_code, 400)
        self.assertIn("江堤路口", r.json()["error"])
        self.assertEqual(r.json()["fields"]["token"], [r.json()["error"]])
        r = self.post(act(self.mine.pk, "check-in"), {"token": "forged:token"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("token", r.json()["fields"])
        r = self.post(act(self.mine.pk, "check-in"), {})
        self.assertEqual(list(r.json()["fields"]), ["token"])
        r = self.post(act(self.mine.pk, "check-out"),
                      {"token": services.site_token(self.site_a)})
        self.assertEqual(r.status_code, 400)  # not checked in yet: the service says so
        self.assertTrue(r.json()["error"])
        self.assertIsNone(Assignment.objects.get(pk=self.mine.pk).check_in_at)

    def test_another_persons_assignment_answers_404(self) -> None:
        services.cancel(self.volunteer, self.mine)
        theirs, _c = services.join(self.community_a2, self.shift, self.other)
        self.login(self.volunteer)
        token = services.site_token(self.site_a)
        for action in ("check-in", "check-out", "confirm"):
            self.assertEqual(self.post(act(theirs.pk, action), {"token": token}).status_code,
                             404, action)
        self.assertIsNone(Assignment.objects.get(pk=theirs.pk).check_in_at)

    def test_unauthenticated_answers_401(self) -> None:
        anonymous = Client()
        self.assertEqual(anonymous.get(MINE).status_code, 401)
        self.assertEqual(anonymous.get(SHIFTS).status_code, 401)
        r = anonymous.post(act(self.mine.pk, "check-in"), {"token": "x"},
                           content_type="application/json")
        self.assertEqual(r.status_code, 401)
        self.assertEqual(set(r.json()), {"error", "fields"})


class ConfirmOffer(VolunteersTestCase):
    def setUp(self) -> None:
        super().setUp()
        start = self.now + timedelta(days=2)
        self.later, _c = services.create_shift(
            self.community_a2, self.site_b, client_id=uuid.uuid4(), starts_at=start,
            ends_at=start + timedelta(hours=3), capacity=1)
        first, _c = services.join(self.community_a2, self.later, self.other)
        self.mine, _c = services.join(self.volunteer, self.later, self.me)
        services.cancel(self.community_a2, first)  # the place is offered to me
        self.login(self.volunteer)

    def test_confirming_in_time_takes_the_place(self) -> None:
        row = self.client.get(MINE).json()["results"][0]
        self.assertEqual(row["status"], Status.OFFERED)
        self.assertIsNotNone(row["confirm_by"])
        r = self.client.post(act(self.mine.pk, "confirm"))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["status"], Status.CONFIRMED)
        self.assertEqual(self.client.post(act(self.mine.pk, "confirm")).status_code, 200)

    def test_after_the_deadline_the_service_says_too_late(self) -> None:
        Assignment.objects.filter(pk=self.mine.pk).update(
            offer_expires_at=timezone.now() - timedelta(minutes=1))
        r = self.client.post(act(self.mine.pk, "confirm"))
        self.assertEqual(r.status_code, 400)
        self.assertIn("下一位", r.json()["error"])
        self.assertEqual(Assignment.objects.get(pk=self.mine.pk).status, Status.EXPIRED)


class CoordinatorsShifts(VolunteersTestCase):
    def test_shifts_with_their_counts_in_scope(self) -> None:
        services.join(self.community_a2, self.shift, self.me)
        services.join(self.community_a2, self.shift, self.other)  # waiting: capacity 1
        self.login(self.community_a2)
        r = self.client.get(SHIFTS, {"site": self.site_a.pk})
        self.assertEqual(r.status_code, 200)
        row = r.json()["results"][0]
        self.assertEqual((row["capacity"], row["assigned"], row["waiting"]), (1, 1, 1))
        self.assertEqual(r.json()["count"], 1)
        self.assertEqual(self.client.get(SHIFTS, {"site": self.site_b.pk}).json()["count"], 0)
        day = timezone.localdate(self.shift.starts_at)
        self.assertEqual(self.client.get(SHIFTS, {"from": day, "to": day}).json()["count"], 1)
        after = (day + timedelta(days=1)).isoformat()
        self.assertEqual(self.client.get(SHIFTS, {"from": after}).json()["count"], 0)
        r = self.client.get(SHIFTS, {"from": after, "to": day.isoformat()})
        self.assertEqual((r.status_code, list(r.json()["fields"])), (400, ["to"]))
        self.assertEqual(self.client.get(SHIFTS, {"from": "2020-13-01"}).status_code, 400)

    def test_a_site_out_of_scope_answers_404_and_its_shifts_are_not_listed(self) -> None:
        self.login(self.county_b)
        self.assertEqual(self.client.get(SHIFTS, {"site": self.site_a.pk}).status_code, 404)
        self.assertEqual(self.client.get(SHIFTS).json()["count"], 0)
        self.login(self.county_a)
        self.assertEqual(self.client.get(SHIFTS).json()["count"], 1)
