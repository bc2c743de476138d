"""Scheduled work: declared by modules, each slot claimed once however many schedulers
fire; the reaper of jobs whose worker died; the scheduled tasks are idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.test import TransactionTestCase
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from fangkong.core import registries
from fangkong.core.jobs import scheduler, services
from fangkong.core.models import Job, JobState, ScheduledRun
from fangkong.core.testing import FangkongTestCase, make_user, run_together

NOW = datetime(2026, 12, 6, 10, 7, tzinfo=UTC)


class ScheduleTests(FangkongTestCase):
    def test_it_registers_each_modules_schedules(self) -> None:
        names = set(registries.schedules())
        self.assertTrue({"core.reap_jobs", "core.expire_exports", "reports.overdue",
                         "reports.rollup_check", "checkpoints.missed_checks"} <= names)

    def test_it_claims_the_due_slot_once(self) -> None:
        first = scheduler.tick(NOW)
        second = scheduler.tick(NOW + timedelta(seconds=20))
        self.assertIn("core.reap_jobs", first)
        self.assertEqual(second, [])
        self.assertEqual(DBTaskResult.objects.count(), len(first))
        self.assertEqual(ScheduledRun.objects.get(name="core.reap_jobs").slot,
                         datetime(2026, 12, 6, 10, 7, tzinfo=UTC))

    def test_it_places_daily_slots_at_their_offset(self) -> None:
        entry = registries.schedules()["reports.rollup_check"]
        self.assertEqual(scheduler.current_slot(entry, NOW),
                         datetime(2026, 12, 5, 17, 30, tzinfo=UTC))

    def test_it_runs_every_declared_schedule_twice_without_error(self) -> None:
        for name in registries.schedules():
            with self.subTest(name=name):
                first = scheduler.run_slot(name, NOW.isoformat())
                self.assertEqual(scheduler.run_slot(name, NOW.isoformat()), first)

    def test_it_runs_the_scheduled_function_by_name(self) -> None:
        with mock.patch.object(services, "reap", return_value={"requeued": 0}) as reap:
            self.assertEqual(scheduler.run_slot("core.reap_jobs", NOW.isoformat()),
                             "{'requeued': 0}")
        reap.assert_called_once_with()


@pytest.mark.race
class TwoSchedulersTests(TransactionTestCase):
    def test_it_enqueues_a_slot_once_when_two_schedulers_fire_at_once(self) -> None:
        results, errors = run_together(lambda: scheduler.tick(NOW), n=4)
        self.assertEqual(errors, [])
        started = [name for names in results for name in names]
        self.assertEqual(sorted(started), sorted(set(started)))
        self.assertEqual(DBTaskResult.objects.count(), len(started))
        self.assertEqual(ScheduledRun.objects.count(), len(registries.schedules()))


class ReaperTests(FangkongTestCase):
    def running(self, beat_ago: int, attempt: int = 1) -> Job:
        user = make_user("owner-of-job")
        return Job.objects.create(owner=user, action="export", kind="people",
                                  state=JobState.RUNNING, attempt=attempt,
                                  heartbeat_at=timezone.now() - timedelta(seconds=beat_ago))

    def test_it_requeues_a_job_without_heartbeat_with_the_next_attempt(self) -> None:
        job = self.running(beat_ago=600)
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.assertEqual(services.reap(), {"requeued": 1, "failed": 0})
        job.refresh_from_db()
        self.assertEqual((job.state, job.attempt), (JobState.QUEUED, 2))
        self.assertEqual(len(callbacks), 1)  # the task for attempt 2
        # The dead attempt, should it wake, no longer owns the row.
        self.assertEqual(services.run(job.pk, 1), "skipped")

    def test_it_leaves_a_job_with_a_fresh_heartbeat(self) -> None:
        job = self.running(beat_ago=5)
        self.assertEqual(services.reap(), {"requeued": 0, "failed": 0})
        job.refresh_from_db()
        self.assertEqual(job.state, JobState.RUNNING)

    def test_it_fails_a_job_after_the_last_attempt_saying_why(self) -> None:
        job = self.running(beat_ago=600, attempt=3)
        self.assertEqual(services.reap(), {"requeued": 0, "failed": 1})
        job.refresh_from_db()
        self.assertEqual(job.state, JobState.FAILED)
        with translation.override("en"):
            self.assertIn("stopped 3 times", services.error_text(job))


class MissedChecksTests(FangkongTestCase):
    def test_it_opens_one_alert_per_outsider_however_often_it_runs(self) -> None:
        from fangkong.checkpoints.models import Outsider
        from fangkong.checkpoints.schedules import missed_temperature_checks
        from fangkong.core.models import Alert
        from fangkong.core.testing import make_person

        person = make_person(self.community_a_unit, name="外来人")
        arrived = timezone.localdate() - timedelta(days=2)
        outsider = Outsider.objects.create(
            person=person, name="外来人", org_unit=self.community_a_unit,
            arrived_on=arrived, origin="武汉", host_address="文昌路1号")
        Outsider.objects.filter(pk=outsider.pk).update(
            created_at=timezone.now() - timedelta(days=3))
        missed_temperature_checks()
        missed_temperature_checks()
        alert = Alert.objects.get(kind="temperature_missed")
        self.assertEqual(alert.subject, f"checkpoints.outsider:{outsider.pk}")
        self.assertIn("外来人", alert.title)

    def test_it_leaves_an_observation_that_ended_long_ago_alone(self) -> None:
        """An old data set (the demo city of 2020 on a later clock): its misses were the
        schedule's to raise while the observation ran, not years later dated today."""
        from fangkong.checkpoints.models import Outsider
        from fangkong.checkpoints.schedules import missed_temperature_checks
        from fangkong.core.models import Alert
        from fangkong.core.testing import make_person

        person = make_person(self.community_a_unit, name="旧外来人")
        Outsider.objects.create(
            person=person, name="旧外来人", org_unit=self.community_a_unit,
            arrived_on=timezone.localdate() - timedelta(days=400), origin="武汉",
            host_address="文昌路1号")
        self.assertEqual(missed_temperature_checks(), "0 outsider(s) with missed checks")
        self.assertFalse(Alert.objects.filter(kind="temperature_missed").exists())
