"""The volunteers' rules: sign-ups, shifts, overlaps, the waiting list, check-in by QR,
credited hours, open check-ins, under-staffed shifts, the duty log, certificates."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signing import dumps
from django.db import IntegrityError, transaction

from fangkong.core.models import Alert, Notice
from fangkong.volunteers import ical, services
from fangkong.volunteers.models import Assignment, Drive, Signup, Status
from fangkong.volunteers.tests.base import VolunteersTestCase, id_number


class SignUp(VolunteersTestCase):
    def sign(self, n: int, **kw):
        values = {"client_id": uuid.uuid4(), "id_number": id_number(100 + n), "name": "李娜",
                  "phone": "139 1234 5678"}
        values.update(kw)
        return services.sign_up(self.drive, **values)

    def test_it_fills_the_drive_at_the_target_and_counts_minutes(self) -> None:
        self.sign(1)
        self.assertIsNone(Drive.objects.get(pk=self.drive.pk).filled_at)
        second, _c = self.sign(2, phone="0915-3212345")
        drive = Drive.objects.get(pk=self.drive.pk)
        self.assertEqual((drive.signup_count, drive.filled_at), (2, second.submitted_at))
        self.assertEqual(drive.minutes_to_fill, 60)
        self.assertEqual(second.phone, "0915-3212345")

    def test_the_same_person_again_is_recognised_not_duplicated(self) -> None:
        self.sign(1)
        with self.assertRaises(ValidationError) as err:
            self.sign(1, id_number=id_number(101).lower())
        self.assertIn("无需重复报名", str(err.exception.message_dict["id_number"]))
        self.assertEqual(Signup.objects.count(), 1)
        self.assertEqual(Drive.objects.get(pk=self.drive.pk).signup_count, 1)

    def test_the_database_refuses_a_second_signup_of_a_person(self) -> None:
        first, _c = self.sign(1)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Signup.objects.create(drive=self.drive, person=first.person, name="x",
                                  phone="13900000000", client_id=uuid.uuid4(),
                                  submitted_at=first.submitted_at, org_unit=first.org_unit)

    def test_the_same_form_sent_again_answers_the_first(self) -> None:
        key = uuid.uuid4()
        a, created = self.sign(1, client_id=key)
        b, again = self.sign(1, client_id=key)
        self.assertEqual((a.pk, created, again), (b.pk, True, False))

    def test_bad_id_and_phone_are_said_together_and_nothing_is_saved(self) -> None:
        with self.assertRaises(ValidationError) as err:
            self.sign(1, id_number="610902199001011234", phone="12345")
        self.assertEqual(set(err.exception.message_dict), {"id_number", "phone"})
        self.assertFalse(Signup.objects.exists())


class Shifts(VolunteersTestCase):
    def test_overlap_is_a_hard_block_unless_a_coordinator_gives_a_reason(self) -> None:
        services.join(self.volunteer, self.shift, self.me)
        other, _c = services.create_shift(
            self.community_a2, self.site_b, client_id=uuid.uuid4(),
            starts_at=self.shift.starts_at + timedelta(hours=1),
            ends_at=self.shift.ends_at + timedelta(hours=1), capacity=3)
        with self.assertRaises(ValidationError) as err:
            services.join(self.volunteer, other, self.me)
        self.assertIn("江堤路口", str(err.exception))
        with self.assertRaises(ValidationError) as err:
            services.join(self.community_a2, other, self.me)
        self.assertIn("override_reason", err.exception.message_dict)
        self.assertEqual(Assignment.objects.filter(shift=other).count(), 0)
        a, _c = services.join(self.community_a2, other, self.me, override_reason="人手紧缺")
        self.assertEqual((a.override_reason, a.override_by), ("人手紧缺", self.community_a2))

    def test_once_per_shift_and_the_waiting_list_promotes_with_a_notice(self) -> None:
        first, _c = services.join(self.volunteer, self.shift, self.me)
        again, created = services.join(self.volunteer, self.shift, self.me)
        self.assertEqual((again.pk, created), (first.pk, False))
        self.other.user = self.nobody
        self.other.save()
        waiting, _c = services.join(self.community_a2, self.shift, self.other)
        self.assertEqual((first.status, waiting.status), (Status.CONFIRMED, Status.WAITING))
        services.cancel(self.volunteer, first)
        waiting.refresh_from_db()
        self.assertEqual(waiting.status, Status.OFFERED)
        self.assertTrue(Notice.objects.filter(user=self.nobody, kind="volunteers.offer").exists())
        services.confirm(self.nobody, waiting)
        waiting.refresh_from_db()
        self.assertEqual(waiting.status, Status.CONFIRMED)

    def test_a_volunteer_cannot_put_someone_else_on_a_shift(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.join(self.volunteer, self.shift, self.other)


class CheckIn(VolunteersTestCase):
    def setUp(self) -> None:
        self.a, _c = services.join(self.volunteer, self.shift, self.me)

    def test_it_checks_in_and_out_by_the_sites_signed_code(self) -> None:
        token = services.site_token(self.site_a)
        a = services.check_in(self.volunteer, self.a, token=token)
        self.assertEqual(a.check_in_method, "qr")
        a = services.check_out(self.volunteer, a, token=token)
        self.assertEqual(a.credited_minutes,
                         services.credited_minutes(self.shift, a.check_in_at, a.check_out_at))

    def test_another_sites_code_or_a_forged_one_is_refused_and_nothing_saved(self) -> None:
        for token in (services.site_token(self.site_b), "forged:abc",
                      dumps([self.site_a.pk, 1], salt="another-salt"),
                      dumps([self.site_a.pk, 2], salt=services.SITE_SALT)):
            with self.subTest(token=token), self.assertRaises(ValidationError):
                services.check_in(self.volunteer, self.a, token=token)
        self.a.refresh_from_db()
        self.assertIsNone(self.a.check_in_at)

    def test_check_out_before_check_in_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            services.check_out(self.volunteer, self.a, token=services.site_token(self.site_a))
        services.check_in(self.community_a2, self.a, at=self.shift.starts_at + timedelta(minutes=5))
        with self.assertRaises(ValidationError):
            services.check_out(self.community_a2, self.a, at=self.shift.starts_at)
        self.a.refresh_from_db()
        self.assertIsNone(self.a.check_out_at)

    def test_credited_hours_are_the_window_intersected_with_the_time_there(self) -> None:
        s = self.shift
        self.assertEqual(services.credited_minutes(
            s, s.starts_at - timedelta(hours=1), s.ends_at + timedelta(hours=1)),
            int((s.ends_at - s.starts_at).total_seconds() // 60))
        self.assertEqual(services.credited_minutes(
            s, s.starts_at + timedelta(minutes=10), s.starts_at + timedelta(minutes=40)), 30)

    def test_open_check_ins_are_closed_once_and_flagged(self) -> None:
        services.check_in(self.community_a2, self.a, at=self.shift.starts_at)
        later = self.shift.ends_at + services.GRACE + timedelta(minutes=1)
        self.assertEqual(services.close_left_open(later), 1)
        self.assertEqual(services.close_left_open(later), 0)
        self.a.refresh_from_db()
        self.assertTrue(self.a.auto_closed)
        self.assertEqual(self.a.check_out_at, self.shift.ends_at)
        self.assertEqual(Alert.objects.filter(kind="volunteers_left_open").count(), 1)
        services.approve(self.community_a2, self.a)
        self.a.refresh_from_db()
        self.assertIsNotNone(self.a.approved_at)

    def test_understaffed_shifts_alert_the_coordinator_a_day_ahead_once(self) -> None:
        before = self.shift.starts_at - timedelta(hours=2)
        Assignment.objects.all().delete()
        self.assertEqual(services.warn_understaffed(before), 1)
        services.warn_understaffed(before)
        self.assertEqual(Alert.objects.filter(kind="volunteers_understaffed").count(), 1)
        self.assertEqual(Notice.objects.filter(user=self.community_a2,
                                               kind="volunteers.understaffed").count(), 1)

    def test_duty_log_needs_a_check_in_and_no_negative_counts(self) -> None:
        with self.assertRaises(ValidationError):
            services.log_duty(self.volunteer, self.a, client_id=uuid.uuid4(), task="monitoring")
        services.check_in(self.volunteer, self.a, token=services.site_token(self.site_a))
        self.a.refresh_from_db()
        with self.assertRaises(ValidationError):
            services.log_duty(self.volunteer, self.a, client_id=uuid.uuid4(), task="crowds",
                              count=-1)
        log, created = services.log_duty(self.volunteer, self.a, client_id=uuid.uuid4(),
                                         task="crowds", count=12, note="江堤劝散")
        self.assertTrue(created)

    def test_the_ical_feed_is_rfc5545(self) -> None:
        body = ical.calendar([self.a], name="我的班次", host="fk.example", now=self.shift.starts_at)
        self.assertTrue(body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        self.assertIn(f"UID:volunteers-assignment-{self.a.pk}@fk.example", body)
        self.assertTrue(all(len(line.encode()) <= 75 for line in body.split("\r\n")))
        self.assertEqual(ical.escape("a,b;c\nd"), "a\\,b\\;c\\nd")
