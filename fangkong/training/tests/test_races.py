"""Enrolments racing for the last distanced seats, the same person twice at once, and a
double check-in, on real connections (threads released at once), on the suite's SQLite
file and on PostgreSQL: never more trainees than seats, one seat per trainee, one
enrolment per person, and no request fails otherwise."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import TransactionTestCase

from fangkong.core.models import OrgUnit, Role
from fangkong.core.models.territory import Level
from fangkong.core.testing import make_unit, make_user, run_together
from fangkong.training import services
from fangkong.training.models import Attendance, Enrolment
from fangkong.training.tests.base import make_session, person

THREADS = 8


@pytest.mark.race
class ConcurrentEnrolment(TransactionTestCase):
    def setUp(self) -> None:
        root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        city = make_unit(OrgUnit.objects.get(pk=root.pk), "610900", "安康市", Level.CITY)
        self.staff = make_user("hq", Role.HQ_STAFF, city)
        # 4 × 6 seats, one in 2, one row in 2: 6 distanced seats.
        self.session = make_session(self.staff, city)

    def enrol(self, n: int, key: uuid.UUID | None = None):
        def work():
            try:
                return services.enrol(None, self.session, client_id=key or uuid.uuid4(),
                                      person=person(n), business_name="南江宾馆",
                                      business_kind="hotel", attend_mode="offline")[0]
            except ValidationError as exc:
                return exc
        return work

    def test_more_trainees_than_seats_at_once_fill_the_seats_exactly(self) -> None:
        for n in range(3):
            self.enrol(100 + n)()
        counter = iter(range(THREADS))
        results, errors = run_together(lambda: self.enrol(next(counter))(), THREADS)
        self.assertEqual(errors, [])
        refused = [r for r in results if isinstance(r, services.SessionFull)]
        self.assertEqual(len(refused), THREADS - 3)
        seats = list(Enrolment.objects.values_list("seat_row", "seat_number"))
        self.assertEqual(len(seats), 6)
        self.assertEqual(len(set(seats)), 6)
        self.assertEqual(set(seats), {(s.row, s.number)
                                      for s in services.seat_plan(self.session)})

    def test_the_same_person_sent_at_once_is_enrolled_once(self) -> None:
        results, errors = run_together(self.enrol(7), THREADS)
        self.assertEqual(errors, [])
        self.assertEqual(Enrolment.objects.count(), 1)
        refused = [r for r in results if isinstance(r, ValidationError)]
        self.assertEqual(len(refused), THREADS - 1)
        self.assertTrue(all("id_number" in r.message_dict for r in refused))

    def test_the_same_submission_sent_at_once_answers_one_enrolment(self) -> None:
        key = uuid.uuid4()
        results, errors = run_together(self.enrol(7, key), THREADS)
        self.assertEqual(errors, [])
        self.assertEqual({r.pk for r in results}, {Enrolment.objects.get().pk})

    def test_a_check_in_sent_at_once_is_recorded_once(self) -> None:
        e = self.enrol(1)()

        def work():
            return services.check_in_at_door(self.session, id_number=e.person.id_number,
                                             phone=e.phone, mask_worn=True)
        results, errors = run_together(work, THREADS)
        self.assertEqual(errors, [])
        self.assertEqual(Attendance.objects.count(), 1)
        self.assertEqual(sum(created for _a, created in results), 1)
