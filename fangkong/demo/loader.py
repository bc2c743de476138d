"""Run the demo steps: each in its own transaction, serialised against other runs."""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction

from fangkong.core.audit import acting_as
from fangkong.core.modules import demo_steps
from fangkong.core.services.territory import advisory_xact_lock
from fangkong.demo.context import DemoContext

LOCK_NAME = "fangkong.loaddemo"


@dataclass(frozen=True)
class StepResult:
    step: str
    summary: str
    seconds: float


def run_steps(ctx: DemoContext, steps: Iterable[str] | None = None) -> Iterator[StepResult]:
    """Import and run each step module's ``load(ctx)``, yielding its one-line summary.

    ``steps`` defaults to the steps the installed modules declare (``demo_steps``).
    One transaction per step: a failing step leaves the steps before it loaded and
    nothing of its own. Two runs at once: on PostgreSQL the advisory lock makes the second
    wait for each step of the first; on SQLite ``BEGIN IMMEDIATE`` (settings.py) already
    admits one writer at a time. Either way the second run then finds everything present
    and creates nothing.
    """
    if steps is None:
        steps = demo_steps()
    for name in steps:
        module = importlib.import_module(name)
        ctx.rng.seed(ctx.seed)
        started = time.monotonic()
        try:
            with transaction.atomic():
                advisory_xact_lock(LOCK_NAME)
                with acting_as(ctx.actor):
                    summary = module.load(ctx)
        except BaseException:
            ctx.forget()
            raise
        yield StepResult(name, summary, time.monotonic() - started)
