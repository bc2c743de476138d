"""``fangkong backup [--output PATH] [--keep N]``: a consistent copy of the database.

SQLite through the online backup API, PostgreSQL through ``pg_dump --format=custom``
(``core.services.backup``), with a ``.sha256`` beside it. Safe while the app runs and
to run twice at once (each run writes its own file, renamed into place when complete).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fangkong.core.services.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back the database up (timestamped file with a .sha256 checksum)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, default=None,
            help="File to write (default: a timestamped file in $FANGKONG_BACKUP_DIR, "
                 "var/backups).",
        )
        parser.add_argument(
            "--keep", type=int, default=None,
            help="Afterwards delete all but the newest N timestamped backups of that "
                 "directory.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup(options["output"], keep=options["keep"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Backup written: %(path)s (%(size)s bytes, sha256 %(digest)s); "
              "%(removed)d old backups removed.")
            % {"path": result.path, "size": result.size, "digest": result.sha256[:16],
               "removed": len(result.removed)}
        )
