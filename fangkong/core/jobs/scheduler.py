"""Scheduled work, declared by modules (``FangkongModule.schedules``,
``registries.Schedule``) and run on the task queue.

``tick()`` (``fangkong worker`` calls it every few seconds, as does any number of other
workers) finds the slots that are due and claims each by inserting a ``ScheduledRun``
(name, slot): the unique key lets exactly one insert win, so two schedulers firing at
once enqueue the work once. Only the latest due slot of a schedule is run (a worker that
was down for a day does not run the missed slots one by one), and the work itself is
idempotent too (alerts are unique while open, files are deleted once).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from fangkong.core import registries
from fangkong.core.models import ScheduledRun

log = logging.getLogger(__name__)
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def current_slot(entry: registries.Schedule, now: datetime) -> datetime:
    """The start of the latest slot of ``entry`` that is due at ``now``."""
    since = now - _EPOCH - entry.offset
    slots = since // entry.every
    return _EPOCH + entry.offset + slots * entry.every


def claim(name: str, slot: datetime) -> bool:
    """True for the one caller that records (name, slot) first."""
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(name=name, slot=slot)
    except IntegrityError:
        return False
    return True


def tick(now: datetime | None = None) -> list[str]:
    """Claim and enqueue every schedule's due slot not yet claimed; returns their names."""
    from fangkong.core.jobs import tasks

    now = now or timezone.now()
    started = []
    for entry in registries.schedules().values():
        slot = current_slot(entry, now)
        if ScheduledRun.objects.filter(name=entry.name, slot=slot).exists():
            continue
        if claim(entry.name, slot):
            tasks.run_scheduled.enqueue(entry.name, slot.isoformat())
            started.append(entry.name)
    return started


def run_slot(name: str, slot: str) -> str:
    """The task body: run the schedule's function (idempotent by contract)."""
    entry = registries.schedules().get(name)
    if entry is None:
        return "unknown"
    outcome = import_string(entry.task)()
    log.info("scheduled %s (%s): %s", name, slot, outcome)
    return str(outcome)


def prune(now: datetime | None = None, keep: timedelta = timedelta(days=7)) -> int:
    """Forget claims older than ``keep``."""
    now = now or timezone.now()
    return ScheduledRun.objects.filter(slot__lt=now - keep).delete()[0]
