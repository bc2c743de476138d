"""``fangkong demologins``: the demo logins, their roles and units, and where to log in."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from fangkong.core.models import OrgUnit, Role
from fangkong.demo.context import DEMO_PASSWORD
from fangkong.demo.logins import LOGINS


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Print the demo logins, the password and the URL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = {login.unit_code for login in LOGINS}
        codes |= {code[:6] for code in codes}  # counties, to tell 紫阳县城关镇 from the others
        names = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "name"))
        units = {
            code: names[code] if len(code) != 9 else names.get(code[:6], "") + names[code]
            for code in codes if code in names
        }
        loaded = set(
            get_user_model().objects.filter(username__in=[login.username for login in LOGINS])
            .values_list("username", flat=True)
        )
        rows = [(_("Login"), _("Role"), _("Unit"), _("Who"))]
        rows += [
            (
                login.username, str(Role(login.role).label),
                units.get(login.unit_code, login.unit_code), str(login.description),
            )
            for login in LOGINS
        ]
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            self.stdout.write(
                "".join(_pad(cell, w + 2) for cell, w in zip(row, widths, strict=False)) + row[3]
            )
        self.stdout.write("")
        self.stdout.write(_("Password for every demo login: %(password)s")
                          % {"password": DEMO_PASSWORD})
        self.stdout.write(_("Open http://%(host)s:%(port)d/ and log in.")
                          % {"host": options["host"], "port": options["port"]})
        missing = len(LOGINS) - len(loaded)
        if missing:
            self.stdout.write(self.style.WARNING(
                _("%(n)d of these logins do not exist yet: run `fangkong loaddemo` first.")
                % {"n": missing}
            ))
