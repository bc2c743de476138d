"""The pages: scoped (404 outside), bad input with the message under its field and
nothing saved, the public enrolment and door pages, reveal audited, the API."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from fangkong.core.models import PiiAccess
from fangkong.training import services
from fangkong.training.models import Attendance, Enrolment, Session
from fangkong.training.tests.base import TrainingTestCase, make_session, person


class StaffPagesTests(TrainingTestCase):
    def test_pages_of_the_session_open_in_scope_and_404_outside(self) -> None:
        e, _ = self.enrol(1)
        urls = [f"/training/courses/{self.session.course_id}/",
                f"/training/sessions/{self.session.pk}/",
                f"/training/sessions/{self.session.pk}/qr-enrol.svg",
                f"/training/enrolments/{e.pk}/"]
        self.login(self.county_a)
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 200, url)
        self.login(self.county_b)
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.get("/training/").status_code, 200)

    def test_the_list_masks_the_phone_and_reveal_is_audited(self) -> None:
        e, _ = self.enrol(1)
        self.login(self.county_a)
        page = self.client.get(f"/training/sessions/{self.session.pk}/").content.decode()
        self.assertNotIn(e.phone, page)
        self.assertIn(e.phone[:3] + "****", page)
        answer = self.client.post(f"/training/enrolments/{e.pk}/reveal/",
                                  {"reason": "核对报名信息"})
        self.assertContains(answer, e.phone)
        self.assertContains(answer, e.person.id_number)
        self.assertTrue(PiiAccess.objects.filter(subject_id=str(e.pk), action="reveal")
                        .exists())

    def test_a_session_over_its_distanced_capacity_is_refused_on_the_form(self) -> None:
        self.login(self.county_a)
        start = timezone.localtime() + timedelta(days=2)
        before = Session.objects.count()
        answer = self.client.post(f"/training/courses/{self.session.course_id}/", {
            "client_id": str(uuid.uuid4()), "starts_at": start.strftime("%Y-%m-%dT09:00"),
            "ends_at": start.strftime("%Y-%m-%dT12:00"), "mode": "offline",
            "venue": str(self.session.venue_id), "seat_spacing": "2", "row_spacing": "2",
            "planned": "30"})
        self.assertEqual(answer.status_code, 400)
        self.assertContains(answer, "无法容纳", status_code=400)
        self.assertEqual(Session.objects.count(), before)

    def test_staff_enrol_with_an_invalid_id_number_saves_nothing(self) -> None:
        self.login(self.county_a)
        answer = self.client.post(f"/training/sessions/{self.session.pk}/enrol/", {
            "client_id": str(uuid.uuid4()), "business_name": "南江宾馆",
            "business_kind": "hotel", "name": "王芳", "id_number": "610902198501150010",
            "phone": "13912345678", "attend_mode": "offline"})
        self.assertEqual(answer.status_code, 400)
        self.assertEqual(Enrolment.objects.count(), 0)
        self.assertIn("id_number", answer.context["enrol_form"].errors)

    def test_the_totals_count_per_course_county_and_business_type(self) -> None:
        e, _ = self.enrol(1)
        self.enrol(2, business_name="巴山土菜馆", business_kind="restaurant")
        services.check_in(self.county_a, e, method="staff", mask_worn=True)
        self.login(self.county_a)
        answer = self.client.get("/training/totals/")
        self.assertEqual([(r.label, r.enrolled, r.attended) for r in answer.context["counties"]],
                         [("汉滨区", 2, 1)])
        kinds = {r.label: (r.enrolled, r.attended) for r in answer.context["kinds"]}
        self.assertEqual(len(kinds), 2)
        self.assertIn((1, 1), kinds.values())
        self.assertEqual(answer.context["total"].enrolled, 2)


class PublicPagesTests(TrainingTestCase):
    def data(self, n: int, **extra: str) -> dict[str, str]:
        p = person(n)
        return {"client_id": str(uuid.uuid4()), "business_name": "秦老四凉皮",
                "business_kind": "restaurant", "name": p.name, "id_number": p.id_number,
                "phone": p.phone, "attend_mode": "offline", **extra}

    def test_enrolment_without_an_account_leads_to_the_trainees_page(self) -> None:
        url = f"/training/s/{self.session.public_key}/"
        self.assertEqual(self.client.get(url).status_code, 200)
        answer = self.client.post(url, self.data(1))
        e = Enrolment.objects.get()
        self.assertRedirects(answer, f"/training/t/{e.trainee_key}/")
        page = self.client.get(answer["Location"])
        self.assertContains(page, str(e.seat))
        self.assertNotContains(page, e.phone)
        self.assertEqual(e.source, "public")

    def test_duplicate_enrolment_and_invalid_id_are_refused_under_the_field(self) -> None:
        url = f"/training/s/{self.session.public_key}/"
        self.client.post(url, self.data(1))
        again = self.client.post(url, self.data(1))
        self.assertContains(again, "已报名本期培训", status_code=400)
        bad = self.client.post(url, self.data(2, id_number="61090219850115001"))
        self.assertEqual(bad.status_code, 400)
        self.assertIn("id_number", bad.context["form"].errors)
        self.assertEqual(Enrolment.objects.count(), 1)

    def test_an_unknown_key_is_404(self) -> None:
        self.assertEqual(self.client.get("/training/s/nope/").status_code, 404)
        self.assertEqual(self.client.get("/training/c/1.x:y/").status_code, 404)

    def test_the_door_refuses_a_session_that_has_not_started(self) -> None:
        later = make_session(self.county_a, self.community_a_unit, title="下周",
                             starts_at=timezone.now() + timedelta(days=7))
        e, _ = self.enrol(1, session=later)
        url = f"/training/c/{services.checkin_token(later)}/"
        answer = self.client.post(url, {"id_number": e.person.id_number, "phone": e.phone,
                                        "mask_worn": "on"})
        self.assertContains(answer, "尚未开始签到", status_code=400)
        self.assertFalse(Attendance.objects.exists())

    def test_the_door_checks_in_and_shows_the_seat(self) -> None:
        e, _ = self.enrol(1)
        url = f"/training/c/{services.checkin_token(self.session)}/"
        answer = self.client.post(url, {"id_number": e.person.id_number, "phone": e.phone,
                                        "mask_worn": "on"})
        self.assertContains(answer, str(e.seat))
        self.assertEqual(Attendance.objects.get().method, "qr")

    def test_the_public_enrolment_is_rate_limited(self) -> None:
        url = f"/training/s/{self.session.public_key}/"
        with self.settings(FANGKONG_RATE_LIMITS={"training_address": (2, 600)}):
            self.client.post(url, self.data(1))
            self.client.post(url, self.data(2))
            third = self.client.post(url, self.data(3))
        self.assertEqual(third.status_code, 429)
        self.assertEqual(Enrolment.objects.count(), 2)


class ApiTests(TrainingTestCase):
    def test_sessions_of_a_day_in_a_unit(self) -> None:
        e, _ = self.enrol(1)
        self.enrol(2, mode="online")
        services.check_in(self.county_a, e, method="staff", mask_worn=True)
        day = timezone.localtime(self.session.starts_at).date().isoformat()
        self.login(self.county_a)
        answer = self.client.get(f"/api/v1/training/sessions?date={day}&unit=610902")
        self.assertEqual(answer.status_code, 200)
        [row] = answer.json()
        self.assertEqual({k: row[k] for k in ("id", "course", "mode", "capacity", "enrolled",
                                              "attended")},
                         {"id": self.session.pk, "course": "疫情应对", "mode": "both",
                          "capacity": 6, "enrolled": 2, "attended": 1})
        self.login(self.county_b)
        self.assertEqual(self.client.get(
            f"/api/v1/training/sessions?date={day}&unit=610902").status_code, 404)
        self.assertEqual(self.client.get(f"/api/v1/training/sessions?date={day}").json(), [])
        bad = self.client.get("/api/v1/training/sessions?date=2020-13-01")
        self.assertEqual(bad.status_code, 400)
        self.assertIn("date", bad.json()["fields"])
