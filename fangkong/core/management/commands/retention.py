"""``fangkong retention [--dry-run]``: anonymise the people met only at checkpoints once
the period after the emergency is over (``core.services.retention``).

Run it daily from cron (docs/operations.md): before ``FANGKONG_EMERGENCY_ENDED`` +
``FANGKONG_RETENTION_DAYS`` it does nothing; afterwards the first run does the work and
the next ones find nothing. Safe to run twice at once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.services.retention import run_retention, summary

WHAT = {
    "anonymised": gettext_lazy("anonymised"),
    "deleted": gettext_lazy("deleted"),
    "scrubbed": gettext_lazy("history entries scrubbed"),
}


class Command(BaseCommand):
    help = "Anonymise personal data kept only for the emergency, once its period is over."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="Count what would be touched, per model; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_retention(dry_run=options["dry_run"])
        for (label, what), count in sorted((+result.counts).items()):
            self.stdout.write(_("%(model)s: %(count)d %(what)s")
                              % {"model": label, "count": count, "what": WHAT.get(what, what)})
        self.stdout.write(summary(result))
