"""Nobody is offered a link or a button that ends in "forbidden" (issue #11, item 15).

Every persona of the demo city walks the pages it can reach from its home page (every
link, one page per URL shape: ``/core/alerts/12/`` stands for all alerts), and every
form it is shown that posts is sent as the page rendered it (its hidden and pre-filled
fields; htmx ``hx-post`` buttons too). Nothing the page offers may answer 403, nor 404
(out of scope), nor 405. Each post is rolled back at once (a savepoint), so the walk goes
on through the demo city as it was, and nothing changes for the other tests.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import TestCase

PERSONAS = ("hq", "province", "hanbin", "ziyang", "wenchang", "linjiang", "gate01", "shuiwu01",
            "shenji01", "helper01", "qiye01", "volunteer01")
#: Not pages: leaving, switching language, files (exports are their own tests').
SKIPPED = re.compile(r"^/(accounts/logout|i18n/|static/|media/|api/)|\.(xlsx|csv|docx|png|pdf)"
                     r"(\?|$)|/(export|poster|file)(/|\?|$)")
PAGES_PER_PERSONA = 150
REFUSED = (403, 404, 405)


class Page(HTMLParser):
    """Links, and the forms that post, with the values the page rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.posts: list[tuple[str, dict[str, str]]] = []
        self._form: tuple[str, dict[str, str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            method = a.get("method", "get").lower()
            if method == "post" or a.get("hx-post"):
                self._form = (a.get("hx-post") or a.get("action", ""), {})
                self.posts.append(self._form)
        elif tag in ("input", "button", "select", "textarea") and self._form is not None:
            kind = a.get("type", "")
            if a.get("name") and kind not in ("checkbox", "radio", "file") and (
                    tag != "button" or "value" in a):
                self._form[1].setdefault(a["name"], a.get("value", ""))
            if tag == "button" and a.get("hx-post"):
                self.posts.append((a["hx-post"], dict(self._form[1])))
        elif a.get("hx-post"):
            self.posts.append((a["hx-post"], {}))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def shape(path: str) -> str:
    """``/core/alerts/12/close`` and ``/core/alerts/13/close`` are the same page."""
    parts = urlsplit(path)
    return re.sub(r"/[0-9a-f-]{1,36}(?=/|$)", "/#", parts.path) + (
        "?" + re.sub(r"=[^&]*", "=", parts.query) if parts.query else "")


@pytest.mark.demo
class PersonaWalkTestCase(TestCase):
    maxDiff = None

    def walk(self, username: str) -> tuple[int, list[str]]:
        self.client.force_login(get_user_model().objects.get(username=username))
        refused: list[str] = []
        queue, seen, posted = ["/"], {shape("/")}, set()
        pages = 0
        while queue and pages < PAGES_PER_PERSONA:
            path = queue.pop(0)
            response = self.client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
            pages += 1
            if response.status_code in REFUSED:
                refused.append(f"{username}: GET {path} → {response.status_code}")
                continue
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            page = Page()
            page.feed(response.content.decode())
            for href in page.links:
                url = urlsplit(urljoin(path, href))
                if url.netloc or url.scheme not in ("", "http"):
                    continue
                target = url.path + (f"?{url.query}" if url.query else "")
                if SKIPPED.search(target) or shape(target) in seen:
                    continue
                seen.add(shape(target))
                queue.append(target)
            for action, data in page.posts:
                target = urlsplit(urljoin(path, action)).path
                if SKIPPED.search(target) or shape(target) in posted:
                    continue
                posted.add(shape(target))
                with transaction.atomic():  # undone at once: the walk sees the demo as is
                    answer = self.client.post(target, data, HTTP_ACCEPT_LANGUAGE="zh-hans",
                                              HTTP_HX_REQUEST="true")
                    transaction.set_rollback(True)
                if answer.status_code in REFUSED:
                    refused.append(f"{username}: POST {target} (on {path}) → "
                                   f"{answer.status_code}")
        return pages, refused

    def test_no_persona_is_offered_what_it_may_not_do(self) -> None:
        refused, pages = [], {}
        for username in PERSONAS:
            pages[username], persona_refused = self.walk(username)
            refused += persona_refused
        self.assertEqual(refused, [])
        # The walk went somewhere: HQ and a county see most of the platform.
        self.assertGreater(pages["hq"], 40, pages)
        self.assertGreater(pages["hanbin"], 30, pages)
