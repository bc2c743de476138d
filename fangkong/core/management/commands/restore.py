"""``fangkong restore PATH [--yes] [--into URL_OR_FILE]``: put a backup back.

Refuses a file whose ``.sha256`` is missing or does not match, and asks before
overwriting the database (``--yes`` for scripts). ``--into`` restores into another
database (a scratch PostgreSQL database or a SQLite file) to test a backup without
touching the live one. Stop the app before restoring into the live database
(docs/operations.md). Restoring the same file twice gives the same database.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fangkong.core.services.backup import (
    BackupError,
    describe,
    restore,
    target_settings,
    verify_checksum,
)


class Command(BaseCommand):
    help = "Restore a backup made by `fangkong backup` (replaces the database's contents)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The backup file (its .sha256 beside it).")
        parser.add_argument("--yes", action="store_true",
                            help="Do not ask for confirmation.")
        parser.add_argument(
            "--into", default=None,
            help="Restore into this database instead of the configured one: a "
                 "postgres:// URL or a SQLite file path.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            verify_checksum(path)  # before asking: a damaged file is refused outright
            target = describe(target_settings(options["into"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not options["yes"]:
            self._confirm(path, target)
        try:
            result = restore(path, into=options["into"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Restored %(path)s into %(target)s.")
                          % {"path": result.path, "target": result.target})

    def _confirm(self, path: Path, target: str) -> None:
        if not sys.stdin.isatty():
            raise CommandError(
                _("Restoring replaces everything in %(target)s. Run it again with --yes "
                  "to confirm.") % {"target": target})
        self.stdout.write(
            _("Restoring %(path)s replaces everything in %(target)s. Stop the app first. "
              "Type yes to go on: ") % {"path": path, "target": target}, ending="")
        if input().strip().lower() != "yes":
            raise CommandError(_("Nothing restored."))
