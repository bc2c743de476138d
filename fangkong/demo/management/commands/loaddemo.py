"""``fangkong loaddemo``: load (or top up) the demo city. Idempotent and deterministic."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from fangkong.demo.context import DemoContext
from fangkong.demo.loader import run_steps


class Command(BaseCommand):
    help = "Load the demo city (Ankang, early March 2020). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--step", action="append", dest="steps", metavar="MODULE",
            help="Run only this step module (repeatable), e.g. fangkong.demo.core.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        ctx = DemoContext(stdout=self.stdout)
        for result in run_steps(ctx, options["steps"]):
            self.stdout.write(
                f"{result.step.rsplit('.', 1)[-1]}: {result.summary} ({result.seconds:.1f} s)"
            )
        self.stdout.write(
            _("Demo city loaded in %(seconds).1f s. Logins: fangkong demologins")
            % {"seconds": time.monotonic() - started}
        )
