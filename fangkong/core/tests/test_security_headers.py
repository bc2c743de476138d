"""Response headers: Content-Security-Policy, Permissions-Policy, no-store on answers that
may carry personal data, HSTS with secure cookies (docs/decisions/security-headers.md).

The browser side (no page breaks the policy) is every browser test: conftest's ``page``
fixture fails a test on any CSP violation; ``test_browser_csp.py`` opens the pages the
other browser tests do not.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase, override_settings

from fangkong.core.models import ApiToken
from fangkong.core.testing import FangkongTestCase, make_person
from fangkong.core.tests.test_security import load_settings

FANGKONG = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I)
INLINE_STYLE = re.compile(r"""\sstyle\s*=\s*["']""", re.I)
JS_URL = re.compile(r"javascript:", re.I)
# Attribute-bound behaviour of Alpine/htmx that evaluates strings as code.
EVAL_ATTRIBUTES = re.compile(r"""\s(x-[a-z]+|@[a-z.]+|:[a-z-]+|hx-on[:-][^=]*)\s*=""", re.I)


def templates() -> list[Path]:
    return sorted(p for p in FANGKONG.rglob("templates/**/*.html"))


def policy(response) -> dict[str, str]:
    directives = (d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
    return {d[0]: (d[1] if len(d) > 1 else "") for d in directives}


class TemplateTests(SimpleTestCase):
    """The policy allows no inline script or style: the templates must carry none. The
    500 page is the one exception (self-contained, served with its own policy)."""

    def test_it_finds_the_templates(self) -> None:
        self.assertGreater(len(templates()), 50)

    def test_it_has_no_inline_script_handler_or_style_in_any_template(self) -> None:
        problems = []
        for path in templates():
            if path.name == "500.html":
                continue
            text = path.read_text(encoding="utf-8")
            for name, pattern in (("inline <script>", INLINE_SCRIPT),
                                  ("event handler", INLINE_HANDLER),
                                  ("style attribute", INLINE_STYLE),
                                  ("javascript: URL", JS_URL),
                                  ("evaluated attribute", EVAL_ATTRIBUTES),
                                  ("<style> block", re.compile(r"<style", re.I))):
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    problems.append(f"{path.relative_to(FANGKONG)}:{line}: {name}")
        self.assertEqual(problems, [])


class ContentSecurityPolicyTests(FangkongTestCase):
    def test_it_sends_a_policy_without_unsafe_inline_or_eval_on_pages(self) -> None:
        for url, user in (("/accounts/login/", None), ("/", self.hq),
                          ("/core/people/", self.community_a)):
            if user:
                self.login(user)
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            csp = policy(response)
            self.assertEqual(csp["script-src"], "'self'", url)
            self.assertEqual(csp["style-src"], "'self'", url)
            self.assertEqual(csp["frame-ancestors"], "'none'", url)
            self.assertEqual(csp["object-src"], "'none'", url)
            self.assertEqual(csp["base-uri"], "'none'", url)
            self.assertNotIn("unsafe", response["Content-Security-Policy"], url)

    def test_it_sends_the_policy_on_api_answers_and_errors(self) -> None:
        for url in ("/api/v1/people", "/no-such-page/", "/healthz"):
            response = self.client.get(url)
            self.assertIn("script-src 'self'", response["Content-Security-Policy"], url)

    def test_it_lets_only_the_swagger_ui_and_the_admin_use_inline_styles(self) -> None:
        self.login(self.hq)
        for url in ("/api/v1/docs", "/django-admin/login/"):
            csp = policy(self.client.get(url))
            self.assertEqual(csp["script-src"], "'self'", url)
            self.assertEqual(csp["style-src"], "'self' 'unsafe-inline'", url)

    def test_it_sends_the_other_security_headers(self) -> None:
        response = self.client.get("/accounts/login/")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertIn("camera=()", response["Permissions-Policy"])
        self.assertIn("geolocation=()", response["Permissions-Policy"])

    def test_it_configures_htmx_not_to_inject_styles_or_eval(self) -> None:
        html = self.client.get("/accounts/login/").content.decode()
        self.assertIn('"includeIndicatorStyles": false', html)
        self.assertIn('"allowEval": false', html)
        self.assertIn('"attributesToSettle": ["class", "width", "height"]', html)


class NoStoreTests(FangkongTestCase):
    def assert_no_store(self, response, url: str = "") -> None:
        cache = response.get("Cache-Control", "")
        self.assertIn("no-store", cache, url)
        self.assertIn("private", cache, url)
        self.assertNotIn("max-age", cache, url)
        self.assertNotIn("public", cache, url)

    def test_it_forbids_storing_every_page_of_a_logged_in_user(self) -> None:
        person = make_person(self.community_a_unit)
        self.login(self.hq)
        for url in ("/", "/core/people/", f"/core/people/{person.pk}/", "/core/audit/pii/",
                    "/core/people/export.xlsx", "/core/people/export.csv", "/core/people/export/",
                    f"/api/v1/people/{person.pk}"):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            self.assert_no_store(response, url)

    def test_it_forbids_storing_a_revealed_person_and_an_unmasked_export(self) -> None:
        person = make_person(self.community_a_unit)
        self.login(self.hq)
        revealed = self.client.post(f"/core/people/{person.pk}/reveal", {"reason": "流调核实"})
        self.assertContains(revealed, person.id_number)
        self.assert_no_store(revealed)
        api = self.client.get(f"/api/v1/people/{person.pk}?reveal=1&reason=流调核实")
        self.assertEqual(api.json()["id_number"], person.id_number)
        self.assert_no_store(api)
        export = self.client.post("/core/people/export/", {"reason": "核酸筛查名单"})
        self.assertEqual(export.status_code, 200)
        self.assert_no_store(export)

    def test_it_forbids_storing_an_answer_to_a_bearer_token(self) -> None:
        person = make_person(self.community_a_unit)
        _row, raw = ApiToken.issue(self.hq)
        response = self.client.get(f"/api/v1/people/{person.pk}",
                                   HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.assertEqual(response.status_code, 200)
        self.assert_no_store(response)

    def test_it_forbids_storing_the_answer_to_an_anonymous_post(self) -> None:
        response = self.client.post("/accounts/login/", {"username": "hq", "password": "no"})
        self.assert_no_store(response)


class HstsTests(SimpleTestCase):
    def test_it_turns_hsts_on_with_secure_cookies(self) -> None:
        self.assertEqual(load_settings()["SECURE_HSTS_SECONDS"], 365 * 24 * 3600)
        self.assertEqual(load_settings(DEBUG="1", FANGKONG_SECURE_COOKIES="1")
                         ["SECURE_HSTS_SECONDS"], 365 * 24 * 3600)

    def test_it_leaves_hsts_off_without_secure_cookies(self) -> None:
        self.assertEqual(load_settings(DEBUG="1")["SECURE_HSTS_SECONDS"], 0)
        self.assertEqual(load_settings(FANGKONG_SECURE_COOKIES="0")["SECURE_HSTS_SECONDS"], 0)

    def test_it_lets_hsts_be_set_apart(self) -> None:
        self.assertEqual(load_settings(FANGKONG_HSTS_SECONDS="0")["SECURE_HSTS_SECONDS"], 0)
        self.assertEqual(load_settings(DEBUG="1", FANGKONG_HSTS_SECONDS="600")
                         ["SECURE_HSTS_SECONDS"], 600)

    @override_settings(SECURE_HSTS_SECONDS=31536000)
    def test_it_sends_the_header_over_https(self) -> None:
        response = self.client.get("/accounts/login/", secure=True)
        self.assertEqual(response["Strict-Transport-Security"], "max-age=31536000")
        self.assertTrue(settings.SECURE_COOKIES)  # the test settings are production's
