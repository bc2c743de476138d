"""POST/DELETE /api/v1/auth/token and bearer authentication."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from fangkong.core.models import ApiToken
from fangkong.core.testing import PASSWORD, FangkongTestCase, make_person

TOKEN_URL = "/api/v1/auth/token"


class TokenTests(FangkongTestCase):
    def post_token(self, username: str = "hanbin", password: str = PASSWORD, **extra):
        return self.client.post(
            TOKEN_URL, {"username": username, "password": password},
            content_type="application/json", **extra,
        )

    def bearer(self, raw: str) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def test_it_issues_a_token_that_authenticates_later_calls(self) -> None:
        person = make_person(self.community_a_unit)
        response = self.post_token()
        self.assertEqual(response.status_code, 200)
        raw = response.json()["token"]
        self.assertTrue(raw.startswith("fk_"))
        self.assertIn("expires_at", response.json())
        token = ApiToken.objects.get(user=self.county_a)
        self.assertNotEqual(token.key_hash, raw)  # only the hash is stored

        detail = self.client.get(f"/api/v1/people/{person.pk}", **self.bearer(raw))
        self.assertEqual(detail.status_code, 200)
        self.assertEqual(detail.json()["id"], person.pk)
        token.refresh_from_db()
        self.assertIsNotNone(token.last_used_at)

    def test_it_answers_a_wrong_password_with_401_and_the_error_shape(self) -> None:
        response = self.post_token(password="not-the-password", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(response.json(), {"error": "Wrong username or password.", "fields": {}})
        self.assertFalse(ApiToken.objects.exists())

    def test_it_reports_missing_credentials_as_field_errors(self) -> None:
        response = self.client.post(TOKEN_URL, {}, content_type="application/json",
                                    HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["fields"], {
            "username": ["This field is required."], "password": ["This field is required."],
        })

    def test_it_refuses_inactive_users(self) -> None:
        self.county_a.is_active = False
        self.county_a.save()
        response = self.post_token()
        self.assertEqual(response.status_code, 401)
        self.assertFalse(ApiToken.objects.exists())

    def test_it_locks_out_after_five_failures_even_with_the_right_password(self) -> None:
        for attempt in range(4):
            response = self.post_token(password=f"wrong-{attempt}")
            self.assertEqual(response.status_code, 401, attempt)
        fifth = self.post_token(password="wrong-5", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(fifth.status_code, 429)
        sixth = self.post_token(HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(sixth.status_code, 429)
        self.assertEqual(sixth["Content-Type"], "application/json")  # not axes' HTML page
        body = sixth.json()
        self.assertIn("Too many failed login attempts", body["error"])
        self.assertIn("15 minutes", body["error"])
        self.assertEqual(body["fields"], {})
        self.assertNotIn("token", body)
        self.assertFalse(ApiToken.objects.exists())

    def test_it_does_not_lock_out_other_users(self) -> None:
        for attempt in range(5):
            self.post_token(password=f"wrong-{attempt}")
        self.assertEqual(self.post_token(username="ziyang").status_code, 200)

    def test_it_refuses_an_expired_token(self) -> None:
        person = make_person(self.community_a_unit)
        row, raw = ApiToken.issue(self.county_a)
        ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        response = self.client.get(f"/api/v1/people/{person.pk}", **self.bearer(raw),
                                   HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json(), {"error": "Invalid or expired token.", "fields": {}})
        self.assertEqual(response["WWW-Authenticate"], "Bearer")

    def test_it_refuses_a_token_left_unused_for_the_idle_period(self) -> None:
        person = make_person(self.community_a_unit)
        row, raw = ApiToken.issue(self.county_a)
        idle = timezone.now() - timedelta(days=7, seconds=1)
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=idle)
        response = self.client.get(f"/api/v1/people/{person.pk}", **self.bearer(raw),
                                   HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json(), {"error": "Invalid or expired token.", "fields": {}})
        self.assertFalse(ApiToken.objects.active().filter(pk=row.pk).exists())
        row.refresh_from_db()
        self.assertEqual(row.last_used_at, idle)  # a refused call does not revive it

    def test_it_refuses_a_token_never_used_since_the_idle_period(self) -> None:
        person = make_person(self.community_a_unit)
        row, raw = ApiToken.issue(self.county_a)
        ApiToken.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - timedelta(days=8))
        response = self.client.get(f"/api/v1/people/{person.pk}", **self.bearer(raw))
        self.assertEqual(response.status_code, 401)
        self.assertFalse(ApiToken.objects.active().filter(pk=row.pk).exists())

    def test_it_keeps_a_token_in_use_within_its_lifetime(self) -> None:
        person = make_person(self.community_a_unit)
        row, raw = ApiToken.issue(self.county_a)
        ApiToken.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - timedelta(days=20),
            last_used_at=timezone.now() - timedelta(days=6))
        response = self.client.get(f"/api/v1/people/{person.pk}", **self.bearer(raw))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(ApiToken.objects.active().filter(pk=row.pk).exists())

    def test_it_follows_the_idle_setting_and_zero_turns_it_off(self) -> None:
        person = make_person(self.community_a_unit)
        row, raw = ApiToken.issue(self.county_a)
        ApiToken.objects.filter(pk=row.pk).update(
            last_used_at=timezone.now() - timedelta(days=3))
        url = f"/api/v1/people/{person.pk}"
        with self.settings(API_TOKEN_IDLE_DAYS=2):
            self.assertEqual(self.client.get(url, **self.bearer(raw)).status_code, 401)
        with self.settings(API_TOKEN_IDLE_DAYS=0):
            self.assertEqual(self.client.get(url, **self.bearer(raw)).status_code, 200)
            self.assertTrue(ApiToken.objects.active().filter(pk=row.pk).exists())

    def test_it_refuses_a_revoked_token(self) -> None:
        person = make_person(self.community_a_unit)
        row, raw = ApiToken.issue(self.county_a)
        ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
        response = self.client.get(f"/api/v1/people/{person.pk}", **self.bearer(raw))
        self.assertEqual(response.status_code, 401)

    def test_it_refuses_a_token_of_a_disabled_user(self) -> None:
        person = make_person(self.community_a_unit)
        _row, raw = ApiToken.issue(self.county_a)
        self.county_a.is_active = False
        self.county_a.save()
        response = self.client.get(f"/api/v1/people/{person.pk}", **self.bearer(raw))
        self.assertEqual(response.status_code, 401)

    def test_it_refuses_a_made_up_token_and_a_malformed_header(self) -> None:
        person = make_person(self.community_a_unit)
        url = f"/api/v1/people/{person.pk}"
        self.assertEqual(self.client.get(url, **self.bearer("fk_made-up")).status_code, 401)
        self.assertEqual(
            self.client.get(url, HTTP_AUTHORIZATION="Bearer a b").status_code, 401)

    def test_it_revokes_the_token_in_use(self) -> None:
        _row, raw = ApiToken.issue(self.county_a)
        response = self.client.delete(TOKEN_URL, **self.bearer(raw))
        self.assertEqual(response.status_code, 204)
        self.assertIsNotNone(ApiToken.objects.get().revoked_at)
        again = self.client.get("/api/v1/people", **self.bearer(raw))
        self.assertEqual(again.status_code, 401)

    def test_it_issues_a_new_token_despite_a_stale_authorization_header(self) -> None:
        response = self.post_token(**self.bearer("fk_stale"))
        self.assertEqual(response.status_code, 200)
