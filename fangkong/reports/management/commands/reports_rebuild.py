"""``fangkong reports_rebuild [--form CODE] [--date YYYY-MM-DD]``: recompute roll-up rows.

The roll-up rows are kept current by every report change; this is for after bulk loads
or a repair. Idempotent: the rows are replaced by what the reports say.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangkong.lib.dates import day_option
from fangkong.reports import rollups
from fangkong.reports.models import ReportForm


class Command(BaseCommand):
    help = "Recompute the roll-up rows of report forms from their reports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--form", help="Form code (default all).")
        parser.add_argument("--date", help="Only this day (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        forms = ReportForm.objects.all()
        if options["form"]:
            forms = forms.filter(code=options["form"])
            if not forms.exists():
                raise CommandError(f"No form {options['form']!r}.")
        days = None
        if options["date"]:
            days = [day_option(options["date"])]
        total = 0
        for form in forms:
            total += rollups.rebuild(form, days)
        self.stdout.write(f"reports_rebuild: {forms.count()} form(s), {total} roll-up rows")
