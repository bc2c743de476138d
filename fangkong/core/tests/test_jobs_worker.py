"""``fangkong worker`` as real processes on the test database: two workers on one queue
run each job once; a worker killed mid-job leaves a job the reaper hands to the next."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from unittest import mock

import pytest
from django.test import TransactionTestCase
from django_tasks_db.models import DBTaskResult

from fangkong.core.jobs import services
from fangkong.core.models import Job, JobState, Level, Role
from fangkong.core.testing import make_unit, make_user
from fangkong.core.tests.jobs_helpers import JobsDirMixin, many_people, worker, worker_env


@pytest.mark.race
class WorkerProcessTests(JobsDirMixin, TransactionTestCase):
    def setUp(self) -> None:
        super().setUp()
        root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        self.county = make_unit(root, "610902", "汉滨区", Level.COUNTY)
        self.user = make_user("exporter", Role.TERRITORY_STAFF, self.county)
        self.env = worker_env(FANGKONG_JOBS_DIR=self.jobs_dir)

    def test_it_runs_each_job_once_with_two_workers_on_one_queue(self) -> None:
        many_people(self.county, 50)
        jobs = [services.start_export(self.user, "people", {}, fmt="csv") for _ in range(8)]
        self.assertEqual(DBTaskResult.objects.count(), 8)
        procs = [subprocess.Popen(worker("--batch", "--no-scheduler", "--worker-id", f"w{i}"),
                                  env=self.env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE) for i in range(2)]
        for proc in procs:
            _out, err = proc.communicate(timeout=120)
            self.assertEqual(proc.returncode, 0, err.decode()[-2000:])
        self.assertEqual(
            {j.state for j in Job.objects.filter(pk__in=[j.pk for j in jobs])}, {JobState.DONE})
        results = list(DBTaskResult.objects.values_list("status", "return_value"))
        self.assertEqual(results, [("SUCCESSFUL", "done")] * 8)  # none ran twice ("skipped")
        self.assertEqual(sorted(os.listdir(self.jobs_dir)), sorted(f"{j.pk}.csv" for j in jobs))

    def test_it_hands_the_job_of_a_killed_worker_to_the_next_one(self) -> None:
        many_people(self.county, 6000)  # three chunks: it is killed after the first
        job = services.start_export(self.user, "people", {}, fmt="xlsx")
        env = {**self.env, "FANGKONG_JOB_PROGRESS_SECONDS": "0"}  # slow: a write per row
        proc = subprocess.Popen(worker("--no-scheduler", "--interval", "0.2"), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                job.refresh_from_db()
                if job.state == JobState.RUNNING and job.done > 0:
                    break
                time.sleep(0.05)
            self.assertEqual(job.state, JobState.RUNNING)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        job.refresh_from_db()
        self.assertEqual(job.state, JobState.RUNNING)  # nobody knows yet
        self.assertLess(job.done, 6000)
        with self.settings(FANGKONG_JOB_DEAD_SECONDS=0):
            self.assertEqual(services.reap(), {"requeued": 1, "failed": 0})
        job.refresh_from_db()
        self.assertEqual((job.state, job.attempt), (JobState.QUEUED, 2))
        done = subprocess.run(worker("--batch", "--no-scheduler"), env=self.env,
                              capture_output=True, timeout=180)
        self.assertEqual(done.returncode, 0, done.stderr.decode()[-2000:])
        job.refresh_from_db()
        self.assertEqual((job.state, job.done, job.total), (JobState.DONE, 6000, 6000))
        self.assertEqual(os.listdir(self.jobs_dir), [f"{job.pk}.xlsx"])  # one file


@pytest.mark.race
class ProgressWhileOthersWriteTests(JobsDirMixin, TransactionTestCase):
    def test_it_writes_progress_while_others_commit_during_the_read(self) -> None:
        """On SQLite a write on the connection that is still reading the rows fails once
        another connection has committed; the progress has a connection of its own."""
        import threading

        from django.db import connection

        root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        county = make_unit(root, "610902", "汉滨区", Level.COUNTY)
        user = make_user("exporter", Role.TERRITORY_STAFF, county)
        many_people(county, 2500)  # more than one chunk: the read stays open
        job = services.start_export(user, "people", {}, fmt="csv")
        step = services.Progress.step

        def others_commit(progress, rows=1):
            if progress.done == 0:  # after the first chunk, the read still open
                def gate() -> None:
                    make_user("a-gate-commits")
                    connection.close()

                thread = threading.Thread(target=gate)
                thread.start()
                thread.join()
            step(progress, rows)

        with mock.patch.object(services.Progress, "step", others_commit):
            self.assertEqual(services.run(job.pk, job.attempt), "done")
        job.refresh_from_db()
        self.assertEqual((job.state, job.done), (JobState.DONE, 2500))


class ProgressWhileSqliteIsLockedTests(JobsDirMixin, TransactionTestCase):
    def test_a_progress_write_waits_for_no_one_while_sqlite_is_locked(self) -> None:
        """On SQLite another connection may hold the write lock for long (a large
        import's transaction): the export's progress write is skipped, not waited for
        (20 s) and failed with the job; the next interval writes it."""
        from django.db import connection, connections

        if connection.vendor != "sqlite":
            self.skipTest("SQLite's database-wide write lock")
        root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        user = make_user("exporter", Role.TERRITORY_STAFF, root)
        job = services.start_export(user, "people", {}, fmt="csv", queue=False)
        Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING)
        progress = services.Progress(job, interval=0)
        progress.save(total=7)
        other = connections.create_connection("default")
        other.ensure_connection()
        other.connection.execute("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            progress.step(5)
            progress.save(total=8)
            self.assertLess(time.monotonic() - started, 5)
        finally:
            other.connection.execute("ROLLBACK")
            other.close()
        self.assertEqual(Job.objects.values_list("done", "total").get(pk=job.pk), (0, 7))
        progress.step(1)
        self.assertEqual(Job.objects.values_list("done", "total").get(pk=job.pk), (6, 8))
        progress.close()
