"""The rules: the distanced seat plan, enrolment, check-in windows and the signed door
code, feedback, certificates and the PDF."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangkong.core.models import KeyConflict
from fangkong.training import services
from fangkong.training.models import Attendance, Certificate, Enrolment, Feedback, Method, Seat
from fangkong.training.pdf import certificate_pdf
from fangkong.training.tests.base import TrainingTestCase, make_session, person


class SeatPlanTests(TrainingTestCase):
    def test_it_uses_one_seat_in_n_and_one_row_in_m(self) -> None:
        self.assertEqual(services.seat_plan(self.session), [
            Seat(1, 1), Seat(1, 3), Seat(1, 5), Seat(3, 1), Seat(3, 3), Seat(3, 5)])
        self.assertEqual(services.capacity(self.session), 6)

    def test_a_seat_map_leaves_out_aisles_and_seats_out_of_use(self) -> None:
        venue, _ = services.save_venue(self.county_a, self.community_a_unit, name="小会议室",
                                       rows=1, seats_per_row=1,
                                       seat_map="SS_SSx\nSSSSSS")
        self.assertEqual((venue.rows, venue.seats_per_row, venue.seat_count), (2, 6, 10))
        self.session.venue = venue
        # One seat in 2 of row 1: places 1, 3 (aisle), 5; row 2 skipped.
        self.assertEqual(services.seat_plan(self.session), [Seat(1, 1), Seat(1, 5)])

    def test_a_bad_seat_map_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as cm:
            services.save_venue(self.county_a, self.community_a_unit, name="错", rows=1,
                                seats_per_row=1, seat_map="SS?S")
        self.assertIn("seat_map", cm.exception.message_dict)

    def test_a_session_planned_over_its_distanced_capacity_is_refused(self) -> None:
        course = self.session.course
        before = course.sessions.count()
        with self.assertRaises(ValidationError) as cm:
            services.create_session(
                self.county_a, course, client_id=uuid.uuid4(),
                starts_at=self.session.starts_at, ends_at=self.session.ends_at,
                mode="offline", venue=self.session.venue, seat_spacing=2, row_spacing=2,
                planned=7)
        self.assertIn("6", cm.exception.message_dict["planned"][0])
        self.assertEqual(course.sessions.count(), before)

    def test_another_county_cannot_run_the_course(self) -> None:
        with self.assertRaises(PermissionDenied):
            make_session(self.county_b, self.community_a_unit, title="别处")


class EnrolmentTests(TrainingTestCase):
    def test_in_the_room_a_trainee_gets_the_next_distanced_seat(self) -> None:
        first, _ = self.enrol(1)
        second, _ = self.enrol(2)
        online, _ = self.enrol(3, mode="online")
        self.assertEqual((first.seat, second.seat, online.seat),
                         (Seat(1, 1), Seat(1, 3), None))
        self.assertEqual(first.person.id_number, person(1).id_number)

    def test_the_same_key_again_answers_the_first_enrolment(self) -> None:
        key = uuid.uuid4()
        first, created = self.enrol(1, client_id=key)
        again, created_again = self.enrol(1, client_id=key)
        self.assertEqual((first.pk, created, created_again), (again.pk, True, False))
        with self.assertRaises(KeyConflict):
            self.enrol(2, client_id=key)

    def test_a_person_enrols_once_per_session(self) -> None:
        self.enrol(1)
        with self.assertRaises(ValidationError) as cm:
            self.enrol(1, mode="online")
        self.assertIn("已报名本期培训", cm.exception.message_dict["id_number"][0])
        self.assertEqual(Enrolment.objects.count(), 1)

    def test_a_full_room_is_refused_and_saves_nothing(self) -> None:
        for n in range(6):
            self.enrol(n)
        with self.assertRaises(services.SessionFull) as cm:
            self.enrol(99)
        message = cm.exception.message_dict["attend_mode"][0]
        self.assertIn("6", message)
        self.assertIn("线上", message)
        self.assertEqual(Enrolment.objects.count(), 6)
        self.enrol(99, mode="online")  # the online places are still open

    def test_online_places_are_limited_when_set(self) -> None:
        session = make_session(self.county_a, self.community_a_unit, mode="online",
                               online_limit=1, title="线上")
        self.enrol(1, session=session, mode="online")
        with self.assertRaises(services.SessionFull):
            self.enrol(2, session=session, mode="online")

    def test_enrolment_closes_when_the_session_is_over(self) -> None:
        with self.assertRaises(ValidationError):
            self.enrol(1, now=self.session.ends_at + timedelta(minutes=1))
        self.assertFalse(Enrolment.objects.exists())


class CheckinTests(TrainingTestCase):
    def test_the_door_code_names_one_session_only(self) -> None:
        other = make_session(self.county_a, self.community_a_unit, title="第二个")
        token = services.checkin_token(self.session)
        self.assertEqual(services.session_for_token(token), self.session)
        forged = token.replace(f"{self.session.pk}.", f"{other.pk}.", 1)
        self.assertIsNone(services.session_for_token(forged))
        self.assertIsNone(services.session_for_token("1.abc:def"))

    def test_another_sessions_code_refuses_the_trainee_and_names_their_session(self) -> None:
        other = make_session(self.county_a, self.community_a_unit, title="第二个")
        e, _ = self.enrol(1)
        with self.assertRaises(ValidationError) as cm:
            services.check_in_at_door(other, id_number=e.person.id_number, phone=e.phone,
                                      mask_worn=True)
        self.assertIn("不是本期培训", cm.exception.message_dict["id_number"][0])
        self.assertFalse(Attendance.objects.exists())

    def test_check_in_before_the_door_opens_or_after_the_end_is_refused(self) -> None:
        e, _ = self.enrol(1)
        early = self.session.starts_at - timedelta(minutes=31)
        late = self.session.ends_at + timedelta(seconds=1)
        for now, words in ((early, "尚未开始签到"), (late, "签到已关闭")):
            with self.assertRaises(services.CheckinClosed) as cm:
                services.check_in_at_door(self.session, id_number=e.person.id_number,
                                          phone=e.phone, mask_worn=True, now=now)
            self.assertIn(words, cm.exception.messages[0])
        self.assertFalse(Attendance.objects.exists())

    def test_a_trainee_in_the_room_checks_in_with_a_mask_once(self) -> None:
        e, _ = self.enrol(1)
        with self.assertRaises(ValidationError) as cm:
            services.check_in_at_door(self.session, id_number=e.person.id_number,
                                      phone=e.phone, mask_worn=False)
        self.assertIn("口罩", cm.exception.message_dict["mask_worn"][0])
        a, created = services.check_in_at_door(self.session, id_number=e.person.id_number,
                                               phone=f"+86 {e.phone}", mask_worn=True)
        again, created_again = services.check_in_at_door(
            self.session, id_number=e.person.id_number.lower(), phone=e.phone, mask_worn=True)
        self.assertEqual((a.pk, created, created_again, a.method), (again.pk, True, False,
                                                                     Method.QR))

    def test_an_invalid_id_number_or_a_wrong_phone_is_refused(self) -> None:
        e, _ = self.enrol(1)
        with self.assertRaises(ValidationError) as cm:
            services.check_in_at_door(self.session, id_number="610902198501150011",
                                      phone="123", mask_worn=True)
        self.assertEqual(set(cm.exception.message_dict), {"id_number", "phone"})
        with self.assertRaises(ValidationError):
            services.check_in_at_door(self.session, id_number=e.person.id_number,
                                      phone="13900000000", mask_worn=True)
        self.assertFalse(Attendance.objects.exists())

    def test_online_trainees_join_online_only(self) -> None:
        room, _ = self.enrol(1)
        remote, _ = self.enrol(2, mode="online")
        with self.assertRaises(ValidationError):
            services.join_online(room)
        a, _ = services.join_online(remote)
        self.assertEqual((a.method, a.mask_worn), (Method.ONLINE, None))


class AfterTheSessionTests(TrainingTestCase):
    def test_feedback_after_the_session_from_those_who_attended(self) -> None:
        e, _ = self.enrol(1)
        absent, _ = self.enrol(2)
        services.check_in(self.county_a, e, method=Method.STAFF, mask_worn=True)
        with self.assertRaises(ValidationError):
            services.submit_feedback(e, rating=5)  # not over yet
        after = self.session.ends_at + timedelta(minutes=5)
        with self.assertRaises(ValidationError):
            services.submit_feedback(absent, rating=5, now=after)
        with self.assertRaises(ValidationError) as cm:
            services.submit_feedback(e, rating=6, now=after)
        self.assertIn("rating", cm.exception.message_dict)
        services.submit_feedback(e, rating=4, comment="很好", now=after)
        self.assertEqual(Feedback.objects.get().rating, 4)

    def test_certificates_for_those_who_attended_once_with_a_pdf(self) -> None:
        e, _ = self.enrol(1)
        self.enrol(2)
        services.check_in(self.county_a, e, method=Method.STAFF, mask_worn=True)
        with self.assertRaises(ValidationError):
            services.issue_certificates(self.county_a, self.session)
        after = self.session.ends_at + timedelta(hours=1)
        self.assertEqual(services.issue_certificates(self.county_a, self.session, now=after), 1)
        self.assertEqual(services.issue_certificates(self.county_a, self.session, now=after), 0)
        cert = Certificate.objects.get()
        self.assertEqual(cert.enrolment, e)
        data = certificate_pdf(cert, "https://example.cn/training/v/x/")
        self.assertTrue(data.startswith(b"%PDF"))
        self.assertIn(b"STSong-Light", data)

    def test_times_are_checked_against_the_clock(self) -> None:
        self.assertLess(timezone.now(), self.session.starts_at)
