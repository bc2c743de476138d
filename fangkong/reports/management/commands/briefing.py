"""``fangkong briefing --date YYYY-MM-DD [--unit CODE] [--docx FILE]``: print the day's 工作动态.

The same text as the web page and the .docx (``reports.briefing``). Read-only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangkong.core.models import OrgUnit
from fangkong.core.scoping import default_root
from fangkong.lib.dates import day_option
from fangkong.reports import briefing


class Command(BaseCommand):
    help = "Print the daily briefing (工作动态) of a unit for a day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD (default today, Asia/Shanghai).")
        parser.add_argument("--unit", help="Division code (default the city).")
        parser.add_argument("--docx", type=Path, help="Also write the briefing to this .docx.")

    def handle(self, *args: Any, **options: Any) -> None:
        day = day_option(options["date"])
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"No unit with code {options['unit']!r}.")
        else:
            unit = default_root()
            if unit is None:
                raise CommandError("The territory is empty: run `fangkong loaddemo` first.")
        doc = briefing.build(unit, day)
        self.stdout.write(doc.text(), ending="")
        if options["docx"]:
            options["docx"].write_bytes(doc.docx())
            self.stderr.write(f"wrote {options['docx']}")
