"""Security settings and behaviour: hashing, lockout, idle timeout, CSRF, cookies, env helpers."""

from __future__ import annotations

import importlib
import os
import runpy
import tempfile
import time
from datetime import date
from typing import Any
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, SimpleTestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import authentication as drf_authentication

from fangkong.core.models import Person
from fangkong.core.testing import PASSWORD, FangkongTestCase, make_person
from fangkong.lib.identity import make_id_number

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
LOGIN_URL = "/accounts/login/"


def settings_module() -> Any:
    """The project's settings module as declared: the test conftest only swaps the hasher
    on ``django.conf.settings``, never on the module itself."""
    return importlib.import_module("fangkong.settings")


def load_settings(**env: str) -> dict[str, Any]:
    """Run the settings module afresh with exactly ``env`` (plus a key and a scratch var
    dir), without touching the settings the test run uses."""
    with tempfile.TemporaryDirectory() as var_dir:
        clean = {"SECRET_KEY": "k" * 50, "FANGKONG_VAR_DIR": var_dir, **env}
        with mock.patch.dict(os.environ, clean, clear=True):
            return runpy.run_path(settings_module().__file__, run_name="settings_probe")


class PasswordHashingTests(SimpleTestCase):
    def test_it_declares_argon2_as_the_production_hasher(self) -> None:
        self.assertEqual(settings_module().PASSWORD_HASHERS[0], ARGON2)
        self.assertEqual(load_settings()["PASSWORD_HASHERS"][0], ARGON2)

    def test_it_can_hash_with_argon2(self) -> None:
        hasher = Argon2PasswordHasher()
        encoded = hasher.encode("correct horse battery", hasher.salt())
        self.assertTrue(hasher.verify("correct horse battery", encoded))
        with override_settings(PASSWORD_HASHERS=settings_module().PASSWORD_HASHERS):
            self.assertTrue(make_password("correct horse battery").startswith("argon2$"))


class DatabaseSettingsTests(SimpleTestCase):
    def test_it_configures_sqlite_the_same_by_url_and_by_default(self) -> None:
        """``DATABASE_URL=sqlite:///…`` once got none of the options, and racing form
        submissions then answered 500 "database is locked"."""
        with tempfile.TemporaryDirectory() as tmp:
            by_url = load_settings(DATABASE_URL=f"sqlite:///{tmp}/x.sqlite3")
        by_default = load_settings()
        for loaded in (by_url, by_default):
            options = loaded["DATABASES"]["default"]["OPTIONS"]
            self.assertEqual(options["transaction_mode"], "IMMEDIATE")
            self.assertEqual(options["timeout"], 20)
            self.assertIn("journal_mode=WAL", options["init_command"])
        self.assertEqual(by_url["DATABASES"]["default"]["CONN_MAX_AGE"], 600)

    def test_it_prepares_statements_on_postgresql(self) -> None:
        options = load_settings(DATABASE_URL="postgres://u@127.0.0.1:5432/x")[
            "DATABASES"]["default"]["OPTIONS"]
        self.assertEqual((options["server_side_binding"], options["prepare_threshold"]),
                         (True, 5))
        self.assertNotIn("transaction_mode", options)


class CookieSettingsTests(SimpleTestCase):
    def test_it_makes_cookies_secure_when_not_in_debug(self) -> None:
        loaded = load_settings()
        self.assertFalse(loaded["DEBUG"])
        for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE",
                     "SESSION_COOKIE_HTTPONLY"):
            self.assertIs(loaded[name], True, name)
        self.assertEqual(loaded["X_FRAME_OPTIONS"], "DENY")

    def test_it_relaxes_cookies_in_debug(self) -> None:
        loaded = load_settings(DEBUG="1")
        self.assertFalse(loaded["SESSION_COOKIE_SECURE"])
        self.assertFalse(loaded["CSRF_COOKIE_SECURE"])

    def test_it_follows_fangkong_secure_cookies_over_debug(self) -> None:
        self.assertTrue(load_settings(DEBUG="1", FANGKONG_SECURE_COOKIES="yes")
                        ["SESSION_COOKIE_SECURE"])
        self.assertFalse(load_settings(FANGKONG_SECURE_COOKIES="0")["CSRF_COOKIE_SECURE"])

    def test_it_refuses_to_start_with_a_malformed_boolean(self) -> None:
        with self.assertRaisesMessage(ImproperlyConfigured, "DEBUG must be a boolean"):
            load_settings(DEBUG="maybe")
        with self.assertRaisesMessage(ImproperlyConfigured, "FANGKONG_SECURE_COOKIES"):
            load_settings(FANGKONG_SECURE_COOKIES="secure")

    def test_it_refuses_to_start_with_a_malformed_integer(self) -> None:
        with self.assertRaisesMessage(ImproperlyConfigured, "FANGKONG_IDLE_MINUTES"):
            load_settings(FANGKONG_IDLE_MINUTES="half an hour")


class EnvHelperTests(SimpleTestCase):
    def setUp(self) -> None:
        self.module = settings_module()

    def test_env_bool(self) -> None:
        env_bool = self.module.env_bool
        for raw, expected in [("1", True), ("TRUE", True), (" yes ", True), ("on", True),
                              ("0", False), ("False", False), ("no", False), ("off", False)]:
            with mock.patch.dict(os.environ, {"FK_PROBE": raw}):
                self.assertIs(env_bool("FK_PROBE", not expected), expected, raw)
        with mock.patch.dict(os.environ, {"FK_PROBE": ""}):
            self.assertIs(env_bool("FK_PROBE", True), True)
        with mock.patch.dict(os.environ, {"FK_PROBE": "2"}), \
                self.assertRaises(ImproperlyConfigured):
            env_bool("FK_PROBE", False)

    def test_env_int(self) -> None:
        env_int = self.module.env_int
        with mock.patch.dict(os.environ, {"FK_PROBE": "42"}):
            self.assertEqual(env_int("FK_PROBE", 1), 42)
        with mock.patch.dict(os.environ, {"FK_PROBE": ""}):
            self.assertEqual(env_int("FK_PROBE", 7), 7)
        with mock.patch.dict(os.environ, {"FK_PROBE": "4.5"}), \
                self.assertRaises(ImproperlyConfigured):
            env_int("FK_PROBE", 1)

    def test_env_list_and_str(self) -> None:
        with mock.patch.dict(os.environ, {"FK_PROBE": " a.example, ,b.example "}):
            self.assertEqual(self.module.env_list("FK_PROBE", []), ["a.example", "b.example"])
            self.assertEqual(self.module.env_str("FK_PROBE"), " a.example, ,b.example ")
        with mock.patch.dict(os.environ, {"FK_PROBE": " "}):
            self.assertEqual(self.module.env_list("FK_PROBE", ["x"]), ["x"])
        os.environ.pop("FK_PROBE", None)
        self.assertEqual(self.module.env_str("FK_PROBE", "default"), "default")


class LoginLockoutTests(FangkongTestCase):
    def post_login(self, password: str) -> Any:
        return self.client.post(LOGIN_URL, {"username": "hanbin", "password": password})

    def test_it_logs_in_with_the_right_password(self) -> None:
        response = self.post_login(PASSWORD)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.session["_auth_user_id"], str(self.county_a.pk))

    def test_it_locks_the_login_page_after_five_wrong_passwords(self) -> None:
        for attempt in range(4):
            response = self.post_login(f"wrong-{attempt}")
            self.assertEqual(response.status_code, 200)  # the form again, with its error
        self.assertEqual(self.post_login("wrong-5").status_code, 429)
        response = self.post_login(PASSWORD)  # the sixth attempt, right password
        self.assertEqual(response.status_code, 429)
        self.assertTemplateUsed(response, "registration/locked_out.html")
        self.assertNotIn("_auth_user_id", self.client.session)


class IdleTimeoutTests(FangkongTestCase):
    def test_it_logs_out_a_session_left_idle(self) -> None:
        self.login(self.county_a)
        start = time.time()
        with mock.patch("time.time", return_value=start):
            self.assertEqual(self.client.get("/core/people/").status_code, 200)
        later = start + settings.SESSION_IDLE_SECONDS + 5
        with mock.patch("time.time", return_value=later):
            response = self.client.get("/core/people/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/accounts/login/"))
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_keeps_a_session_in_use(self) -> None:
        self.login(self.county_a)
        start = time.time()
        step = settings.SESSION_IDLE_SECONDS - 60
        for n in range(4):  # in use for longer than the idle limit, never idle that long
            with mock.patch("time.time", return_value=start + n * step):
                self.assertEqual(self.client.get("/core/people/").status_code, 200, n)


def _routes(resolver: URLResolver, prefix: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            found.extend(_routes(pattern, prefix + str(pattern.pattern)))
        elif isinstance(pattern, URLPattern):
            found.append((prefix + str(pattern.pattern), pattern.callback))
    return found


#: Views deliberately exempt from Django's CSRF check, each with the reason. An API view
#: is not listed: DRF exempts it and checks CSRF itself for session-authenticated calls.
CSRF_EXEMPT_ALLOWED: dict[str, str] = {}
DRF_ENFORCE_CSRF = drf_authentication.SessionAuthentication.enforce_csrf


class CsrfTests(FangkongTestCase):
    def setUp(self) -> None:
        self.csrf_client = Client(enforce_csrf_checks=True)

    def test_it_exempts_no_view_from_csrf_by_accident(self) -> None:
        for route, callback in _routes(get_resolver()):
            if not getattr(callback, "csrf_exempt", False):
                continue
            view_class = getattr(callback, "cls", None)
            if view_class is not None:  # DRF: session auth must keep its CSRF check
                for auth in view_class.authentication_classes:
                    if issubclass(auth, drf_authentication.SessionAuthentication):
                        self.assertIs(auth.enforce_csrf, DRF_ENFORCE_CSRF,
                                      f"{route}: {auth.__name__} skips the CSRF check")
                continue
            self.assertIn(f"{callback.__module__}.{callback.__name__}", CSRF_EXEMPT_ALLOWED,
                          f"{route} is exempt from CSRF")

    def test_it_refuses_forms_posted_without_a_token(self) -> None:
        person = make_person(self.community_a_unit)
        self.csrf_client.force_login(self.county_a)
        for url, data in [
            ("/accounts/logout/", {}),
            ("/i18n/setlang/", {"language": "en"}),
            (f"/core/people/{person.pk}/reveal", {"reason": "fever follow-up"}),
            ("/core/people/import/", {"action": "check"}),
            ("/core/people/export/", {"reason": "handover to the county", "format": "xlsx"}),
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.csrf_client.post(url, data).status_code, 403)
        self.assertIn("_auth_user_id", self.csrf_client.session)  # logout was refused

    def test_it_refuses_a_login_posted_without_a_token(self) -> None:
        response = self.csrf_client.post(LOGIN_URL, {"username": "hanbin", "password": PASSWORD})
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("_auth_user_id", self.csrf_client.session)

    def test_it_refuses_a_session_api_call_without_a_token(self) -> None:
        self.csrf_client.force_login(self.county_a)
        number = make_id_number("610902", date(1985, 6, 15), 11)
        body = {"id_number": number, "name": "张三", "org_unit": "610902"}
        response = self.csrf_client.post("/api/v1/people", body, content_type="application/json",
                                         HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 403)
        self.assertIn("CSRF", response.json()["error"])
        self.assertFalse(Person.objects.exists())

        self.csrf_client.get("/core/people/")  # a page sets the CSRF cookie
        token = self.csrf_client.cookies["csrftoken"].value
        with_token = self.csrf_client.post("/api/v1/people", body,
                                           content_type="application/json", HTTP_X_CSRFTOKEN=token)
        self.assertEqual(with_token.status_code, 201, with_token.content)
