"""Concurrent sign-ups and joins on real connections (threads released at once), on the
suite's SQLite file and on PostgreSQL: one sign-up per person, the drive's count right,
never more volunteers placed than the shift takes, no overlap slipping through."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import TransactionTestCase
from django.utils import timezone

from fangkong.core.models import Organisation, Role
from fangkong.core.models.territory import OrgKind
from fangkong.core.testing import make_user, make_wenchang_chain, run_together
from fangkong.lib.identity import make_id_number
from fangkong.volunteers import services
from fangkong.volunteers.models import Assignment, Drive, Signup, Status

THREADS = 8


@pytest.mark.race
class Races(TransactionTestCase):
    def setUp(self) -> None:
        _root, city, _county, _town, self.community = make_wenchang_chain()
        self.worker = make_user("wenchang", Role.COMMUNITY_WORKER, self.community)
        org = Organisation.objects.create(code="sjj", name="审计局", kind=OrgKind.DEPARTMENT,
                                          org_unit=city)
        self.drive, _c = services.create_drive(
            self.worker, self.community, client_id=uuid.uuid4(), title="招募", organisation=org,
            target=3, opened_at=timezone.now() - timedelta(minutes=5))
        self.site, _c = services.save_site(self.worker, self.community, name="南门",
                                           kind="checkpoint")

    def test_one_person_signing_up_at_once_from_many_phones_is_one_signup(self) -> None:
        number = make_id_number("610902", date(1995, 1, 1), 7)

        def work():
            try:
                return services.sign_up(self.drive, client_id=uuid.uuid4(), id_number=number,
                                        name="李娜", phone="13912345678")[0]
            except ValidationError as exc:
                return exc

        results, errors = run_together(work, THREADS)
        self.assertEqual(errors, [])
        self.assertEqual(Signup.objects.count(), 1)
        self.assertEqual(Drive.objects.get(pk=self.drive.pk).signup_count, 1)
        refused = [r for r in results if isinstance(r, ValidationError)]
        self.assertEqual(len(refused), THREADS - 1)

    def test_many_join_the_last_place_and_one_gets_it(self) -> None:
        now = timezone.now()
        shift, _c = services.create_shift(self.worker, self.site, client_id=uuid.uuid4(),
                                          starts_at=now + timedelta(hours=1),
                                          ends_at=now + timedelta(hours=3), capacity=1)
        people = [services.enrol(self.worker, self.community, name=f"志愿者{n}", health_ok=True,
                                 id_number=make_id_number("610902", date(1990, 1, 1 + n), n))[0]
                  for n in range(THREADS)]
        queue = list(people)

        def work():
            return services.join(self.worker, shift, queue.pop())[0]

        _results, errors = run_together(work, THREADS)
        self.assertEqual(errors, [])
        self.assertEqual(Assignment.objects.filter(shift=shift, status=Status.CONFIRMED).count(), 1)
        self.assertEqual(Assignment.objects.filter(shift=shift, status=Status.WAITING).count(),
                         THREADS - 1)
