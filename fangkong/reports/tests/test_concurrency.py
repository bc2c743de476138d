"""Two (or eight) requests for the same report at once: one row, never two.

Runs real threads with their own connections, so it needs committed data
(TransactionTestCase). On PostgreSQL the unique constraint and row locks decide; on
SQLite, ``BEGIN IMMEDIATE`` (settings) serialises the writers.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import close_old_connections, connection
from django.test import Client, TransactionTestCase
from django.utils import timezone

from fangkong.core.models import Role
from fangkong.core.models.territory import Level
from fangkong.core.testing import make_unit, make_user
from fangkong.reports import services
from fangkong.reports.models import (
    Indicator,
    IndicatorType,
    ReportForm,
    Rollup,
    Status,
    Submission,
    SubmissionVersion,
)
from fangkong.reports.tests.base import make_form

THREADS = 8


def race(work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``THREADS`` threads at once; its results or exceptions."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def run(i: int) -> None:
        close_old_connections()
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.race  # runs on PostgreSQL and on the suite's SQLite file (conftest.py)
class RaceTestCase(TransactionTestCase):
    def setUp(self) -> None:
        province = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        city = make_unit(province, "610900", "安康市", Level.CITY)
        self.county = make_unit(city, "610902", "汉滨区", Level.COUNTY)
        self.city = city
        self.user = make_user("hq", Role.HQ_STAFF, city)
        self.form = make_form()
        services.add_reporters(self.user, self.form, units=[self.county])
        self.reporter = self.form.reporters.get()
        self.today = timezone.localdate()

    def values(self, screened: int) -> dict[str, Any]:
        return {"people_screened": screened, "fever_found": 0, "projects_total": 5,
                "projects_resumed": 2}

    def test_it_creates_one_report_when_the_same_submission_arrives_at_once(self) -> None:
        results = race(lambda i: services.save_report(
            self.user, self.reporter, self.today, self.values(100), submit=True))
        errors = [r for r in results if isinstance(r, Exception)]
        self.assertEqual(errors, [])
        self.assertEqual(sum(1 for r in results if r.created), 1)
        self.assertEqual(Submission.objects.count(), 1)
        self.assertEqual(SubmissionVersion.objects.count(), 1)
        row = Rollup.objects.get(form=self.form, date=self.today, unit=self.city)
        self.assertEqual((row.submitted, row.sums["people_screened"]), (1, "100"))

    def test_it_keeps_every_concurrent_draft_as_a_version(self) -> None:
        results = race(lambda i: services.save_report(
            self.user, self.reporter, self.today, self.values(100 + i), submit=False))
        self.assertEqual([r for r in results if isinstance(r, Exception)], [])
        sub = Submission.objects.get()
        self.assertEqual(sub.status, Status.DRAFT)
        self.assertEqual(sorted(sub.versions.values_list("number", flat=True)),
                         list(range(1, THREADS + 1)))
        self.assertEqual(sub.version, THREADS)

    def test_it_lets_one_of_several_different_submissions_win(self) -> None:
        results = race(lambda i: services.save_report(
            self.user, self.reporter, self.today, self.values(100 + i), submit=True))
        won = [r for r in results if not isinstance(r, Exception)]
        locked = [r for r in results if isinstance(r, services.ReportLocked)]
        self.assertEqual(len(won), 1)
        self.assertEqual(len(locked), THREADS - 1)
        row = Rollup.objects.get(form=self.form, date=self.today, unit=self.city)
        self.assertEqual(row.submitted, 1)
        winner = Submission.objects.get().entries.get(indicator__code="people_screened")
        self.assertEqual(row.sums["people_screened"], str(int(winner.number)))


@pytest.mark.race
class ConfigurationRaceTestCase(TransactionTestCase):
    """The configuration pages validate, then save: two identical saves at once both
    passed the uniqueness check and the second insert answered 500 on PostgreSQL."""

    def setUp(self) -> None:
        province = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        self.city = make_unit(province, "610900", "安康市", Level.CITY)
        self.county = make_unit(self.city, "610902", "汉滨区", Level.COUNTY)
        self.user = make_user("hq", Role.HQ_STAFF, self.city)

    def assert_one_saved_others_refused(self, results: list[Any], field: str) -> None:
        saved = [r for r in results if not isinstance(r, Exception)]
        refused = [r for r in results if isinstance(r, Exception)]
        self.assertEqual(len(saved), 1)
        self.assertEqual(len(refused), THREADS - 1)
        for exc in refused:
            self.assertIsInstance(exc, ValidationError)
            self.assertIn(field, exc.message_dict)

    def test_it_creates_one_form_when_identical_new_forms_race(self) -> None:
        results = race(lambda i: services.save_form(
            self.user, ReportForm(), code="weekly", name="周报",
            deadline_time=dt.time(17, 0), deadline_days=1))
        self.assert_one_saved_others_refused(results, "code")
        self.assertEqual(ReportForm.objects.filter(code="weekly").count(), 1)

    def test_it_creates_one_indicator_when_identical_new_indicators_race(self) -> None:
        form = ReportForm.objects.create(code="weekly", name="周报",
                                         deadline_time=dt.time(17, 0))
        results = race(lambda i: services.save_indicator(
            self.user, Indicator(form=form), code="beds", name="床位",
            type=IndicatorType.INTEGER, aggregation="sum", measure="stock"))
        # (form, code) is checked by the model as a whole: a non-field error, as when
        # the same indicator is saved twice one after the other.
        self.assert_one_saved_others_refused(results, NON_FIELD_ERRORS)
        self.assertEqual(form.indicators.count(), 1)

    def test_it_adds_a_reporter_once_when_identical_additions_race(self) -> None:
        form = ReportForm.objects.create(code="weekly", name="周报",
                                         deadline_time=dt.time(17, 0))
        results = race(lambda i: services.add_reporters(
            self.user, form, units=[self.county]))
        self.assertEqual([r for r in results if isinstance(r, Exception)], [])
        self.assertEqual(sum(results), 1)
        self.assertEqual(form.reporters.count(), 1)

    def test_it_approves_once_when_identical_approvals_race(self) -> None:
        form = make_form()
        services.add_reporters(self.user, form, units=[self.county])
        submitter = make_user("county", Role.TERRITORY_STAFF, self.county)
        result = services.save_report(
            submitter, form.reporters.get(), timezone.localdate(),
            {"people_screened": 1, "fever_found": 0, "projects_total": 1,
             "projects_resumed": 1}, submit=True)
        results = race(
            lambda i: services.approve(self.user, result.submission))
        self.assert_state_refusals(results)
        self.assertEqual(Submission.objects.get().status, Status.APPROVED)
        self.assertEqual(SubmissionVersion.objects.filter(action="approved").count(), 1)

    def assert_state_refusals(self, results: list[Any]) -> None:
        refused = [r for r in results if isinstance(r, Exception)]
        self.assertEqual(len(refused), THREADS - 1)
        self.assertTrue(all(isinstance(r, ValidationError) and r.code == "state"
                            for r in refused), refused)

    def test_it_answers_every_racing_new_form_page(self) -> None:
        """The same new-form page sent twice at once: one is created, the other is
        told the code is taken (the page's 400 with a field error), never a 500."""
        clients = []
        for _ in range(THREADS):
            client = Client()
            client.force_login(self.user)
            clients.append(client)
        statuses = race(lambda i: clients[i].post("/reports/forms/new/", {
            "code": "weekly", "name": "周报", "deadline_time": "17:00", "deadline_days": 1,
            "is_active": "on"}).status_code)
        self.assertEqual([s for s in statuses if isinstance(s, Exception)], [])
        self.assertEqual(sorted(statuses), [302] + [400] * (THREADS - 1))
        self.assertEqual(ReportForm.objects.filter(code="weekly").count(), 1)
