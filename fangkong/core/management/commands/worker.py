"""``fangkong worker``: run background jobs and scheduled work.

One process: the task queue's worker (``db_worker`` of ``django_tasks_db`` on the default
database backend, ``rqworker`` on ``FANGKONG_TASKS_BACKEND=rq``) and, in a thread, the
scheduler (``core.jobs.scheduler.tick`` every ``--schedule-every`` seconds), at a lower
CPU priority than the web processes (``--nice``) so an export never starves the gates.
Run as many as you like: the queue gives each job to one worker and each scheduled slot
is claimed once. ``--batch`` runs what is queued (and due) and exits.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

log = logging.getLogger("fangkong.worker")


class Command(BaseCommand):
    help = "Run background jobs (exports, imports) and scheduled work."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true",
                            help="Run the queued and due work, then exit.")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds between looks at an empty queue (default 1).")
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--worker-id", default=None)
        parser.add_argument("--nice", type=int, default=10,
                            help="Lower the CPU priority by this much (default 10).")
        parser.add_argument("--no-scheduler", action="store_true",
                            help="Run jobs only, no scheduled work.")
        parser.add_argument("--schedule-every", type=float, default=15.0,
                            help="Seconds between looks at the schedule (default 15).")

    def handle(self, *args: Any, **opts: Any) -> None:
        from fangkong.core.jobs import scheduler

        if opts["nice"]:
            os.nice(opts["nice"])
        self.stdout.write(f"fangkong worker: {settings.TASKS_BACKEND} queue, pid {os.getpid()}")
        self.stdout.flush()
        if not opts["no_scheduler"]:
            if opts["batch"]:
                scheduler.tick()
            else:
                threading.Thread(target=self._schedule, args=(opts["schedule_every"],),
                                 daemon=True, name="fangkong-scheduler").start()
        if settings.TASKS_BACKEND == "rq":
            call_command("rqworker", "default", burst=opts["batch"], with_scheduler=False,
                         job_class="django_tasks_rq.backend.Job",
                         name=opts["worker_id"])
            return
        worker_opts: dict[str, Any] = {
            "batch": opts["batch"], "interval": opts["interval"], "reload": False,
            "startup_delay": not opts["batch"], "verbosity": opts["verbosity"],
        }
        if opts["max_tasks"]:
            worker_opts["max_tasks"] = opts["max_tasks"]
        if opts["worker_id"]:
            worker_opts["worker_id"] = opts["worker_id"]
        call_command("db_worker", **worker_opts)

    def _schedule(self, every: float) -> None:
        from fangkong.core.jobs import scheduler

        while True:
            try:
                close_old_connections()
                started = scheduler.tick()
                if started:
                    log.info("scheduled: %s", ", ".join(started))
            except Exception:  # noqa: BLE001 - the scheduler must outlive a bad tick
                log.exception("scheduler tick failed")
            finally:
                connection.close()
            time.sleep(every)
