"""The Redis-backed queue (``FANGKONG_TASKS_BACKEND=rq``, django-tasks-rq) against the
Redis server on 127.0.0.1:6379: a job enqueued on RQ is run by ``fangkong worker``.
Skipped, saying so, where no Redis answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from django.test import TransactionTestCase

from fangkong.core.models import Job, JobState, Level, Role
from fangkong.core.testing import make_unit, make_user
from fangkong.core.tests.jobs_helpers import JobsDirMixin, many_people, worker_env

REDIS = ("127.0.0.1", 6379)


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


SCRIPT = """
from django.core.management import call_command
from fangkong.core.jobs import tasks
result = tasks.run_job.enqueue({pk}, 1)
print("enqueued", result.id, type(result.backend).__name__ if hasattr(result, "backend") else "")
call_command("worker", "--batch", "--no-scheduler", "--nice", "0")
"""


@pytest.mark.race
@pytest.mark.skipif(not redis_answers(),
                    reason="no Redis answers on 127.0.0.1:6379: the RQ backend is not tested")
class RedisQueueTests(JobsDirMixin, TransactionTestCase):
    def test_it_runs_an_export_job_through_redis(self) -> None:
        root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        county = make_unit(root, "610902", "汉滨区", Level.COUNTY)
        user = make_user("exporter", Role.TERRITORY_STAFF, county)
        many_people(county, 20)
        job = Job.objects.create(owner=user, action="export", kind="people",
                                 parameters={"filters": {}, "format": "csv"})
        # A Redis database of this run's own, so parallel suites do not take its task.
        env = worker_env(FANGKONG_JOBS_DIR=self.jobs_dir, FANGKONG_TASKS_BACKEND="rq",
                         FANGKONG_REDIS_URL=f"redis://127.0.0.1:6379/{1 + os.getpid() % 15}")
        done = subprocess.run(
            [sys.executable, "-m", "fangkong.cli", "shell", "-c", SCRIPT.format(pk=job.pk)],
            env=env, capture_output=True, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr.decode()[-3000:])
        self.assertIn(b"enqueued", done.stdout)
        job.refresh_from_db()
        self.assertEqual((job.state, job.done), (JobState.DONE, 20))
        self.assertEqual(os.listdir(self.jobs_dir), [f"{job.pk}.csv"])
