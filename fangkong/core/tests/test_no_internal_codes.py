"""Users never see internal codes (issue #11, item 14): alert kinds, subjects such as
``reports.reporter:2:2020-03-02``, indicator, rule, form and job-kind codes.

Every page a persona of the demo city opens is read as the user reads it (the text, not
the markup: codes in ``data-`` attributes and URLs are the machine's) and searched for
snake_case identifiers and dotted ``app.thing`` codes.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase

#: ``report_missing``, ``county_daily``, ``checkpoints.passages``, ``reports.reporter:2``.
CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[a-z]+\.[a-z_]+(?::[\w:-]+)?\b")
PAGES = {
    "hq": ["/", "/core/alerts/?status=all", "/core/audit/", "/core/audit/?model=core.alert",
           "/core/audit/?model=reports.submission", "/core/audit/?model=core.parametervalue",
           "/core/audit/?model=checkpoints.temperaturecheck", "/core/rules/",
           "/core/rules/checkpoints.fever_threshold/", "/core/jobs/",
           "/reports/dashboard/?date=2020-03-02"],
    "province": ["/", "/core/alerts/?status=all", "/reports/dashboard/?date=2020-03-02"],
    "hanbin": ["/", "/core/alerts/?status=all"],
    "gate01": ["/"],
}


class VisibleText(HTMLParser):
    """The text a user reads: no scripts, styles or attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.mark.demo
class NoInternalCodesTestCase(TestCase):
    maxDiff = None

    def test_no_page_of_a_persona_shows_an_internal_code(self) -> None:
        found = {}
        for username, paths in PAGES.items():
            self.client.force_login(get_user_model().objects.get(username=username))
            for path in paths:
                response = self.client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
                self.assertEqual(response.status_code, 200, f"{username} {path}")
                codes = sorted(set(CODE.findall(visible_text(response.content.decode()))))
                if codes:
                    found[f"{username} {path}"] = codes
        self.assertEqual(found, {})

    def test_the_alerts_api_gives_each_code_its_label(self) -> None:
        self.client.force_login(get_user_model().objects.get(username="hq"))
        r = self.client.get("/api/v1/alerts?page_size=100", HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertEqual(r.status_code, 200, r.content)
        labels = {(a["kind"], a["kind_label"], a["severity_label"], a["status_label"])
                  for a in r.json()["results"]}
        self.assertIn(("report_missing", "日报未报送", "警告", "未处置"), labels)
        self.assertIn(("fever", "发热", "严重", "未处置"), labels)
