"""Login throttling (core/lockout.py): per account across addresses, per address across
accounts (password spraying), a cool-off that attackers cannot extend, staff unlock, and
the token endpoint under the same rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt
from django.core.management import call_command
from django.db.models import F
from django.test import override_settings

from fangkong.core.models import ApiToken
from fangkong.core.testing import PASSWORD, FangkongTestCase

LOGIN_URL = "/accounts/login/"
TOKEN_URL = "/api/v1/auth/token"
SPRAYER = "203.0.113.9"


class ThrottleTestCase(FangkongTestCase):
    def login_from(self, address: str, username: str, password: str, **extra: Any) -> Any:
        self.client.logout()
        return self.client.post(LOGIN_URL, {"username": username, "password": password},
                                REMOTE_ADDR=address, **extra)

    def token_from(self, address: str, username: str, password: str) -> Any:
        return self.client.post(TOKEN_URL, {"username": username, "password": password},
                                content_type="application/json", REMOTE_ADDR=address,
                                HTTP_ACCEPT_LANGUAGE="en")

    def spray(self, count: int, send: Any = None) -> None:
        """``count`` wrong passwords from one address, each on another account name (the
        one that reaches the limit is already answered 429)."""
        send = send or self.login_from
        for n in range(count):
            response = send(SPRAYER, f"staff{n:03d}", "Spring2026!")
            self.assertIn(response.status_code, (200, 401, 429), n)

    def age_attempts(self, minutes: int) -> None:
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


class AccountThrottleTests(ThrottleTestCase):
    def test_it_locks_an_account_guessed_from_many_addresses(self) -> None:
        for n in range(4):
            self.assertEqual(self.login_from(f"198.51.100.{n}", "hanbin", "wrong").status_code,
                             200)
        self.assertEqual(self.login_from("198.51.100.4", "hanbin", "wrong").status_code, 429)
        response = self.login_from("198.51.100.77", "hanbin", PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # Another account from those addresses is not affected.
        self.assertEqual(self.login_from("198.51.100.1", "ziyang", PASSWORD).status_code, 302)

    def test_it_unlocks_the_account_by_itself_after_the_cool_off(self) -> None:
        for n in range(5):
            self.login_from(f"198.51.100.{n}", "hanbin", "wrong")
        self.assertEqual(self.login_from("192.0.2.1", "hanbin", PASSWORD).status_code, 429)
        self.age_attempts(16)
        self.assertEqual(self.login_from("192.0.2.1", "hanbin", PASSWORD).status_code, 302)

    def test_it_does_not_let_an_attacker_extend_the_lock_by_trying_on(self) -> None:
        for n in range(5):
            self.login_from(f"198.51.100.{n}", "hanbin", "wrong")
        self.age_attempts(10)
        for _ in range(3):  # while locked: refused and not counted
            self.assertEqual(self.login_from("198.51.100.9", "hanbin", "wrong").status_code, 429)
        self.age_attempts(6)
        self.assertEqual(self.login_from("192.0.2.1", "hanbin", PASSWORD).status_code, 302)

    def test_it_lets_staff_unlock_an_account_at_once(self) -> None:
        for n in range(5):
            self.login_from(f"198.51.100.{n}", "hanbin", "wrong")
        call_command("axes_reset_username", "hanbin", stdout=open("/dev/null", "w"))
        self.assertEqual(self.login_from("192.0.2.1", "hanbin", PASSWORD).status_code, 302)


class AddressThrottleTests(ThrottleTestCase):
    def test_it_locks_an_address_that_sprays_one_password_over_many_accounts(self) -> None:
        self.spray(19)
        self.assertEqual(self.login_from(SPRAYER, "staff999", "Spring2026!").status_code, 429)
        # Locked for every account from that address, even with the right password ...
        self.assertEqual(self.login_from(SPRAYER, "hanbin", PASSWORD).status_code, 429)
        # ... and for nobody elsewhere.
        self.assertEqual(self.login_from("192.0.2.1", "hanbin", PASSWORD).status_code, 302)

    def test_it_leaves_an_office_behind_one_address_alone_below_the_limit(self) -> None:
        self.spray(19)
        self.assertEqual(self.login_from(SPRAYER, "hanbin", PASSWORD).status_code, 302)

    @override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=8)
    def test_it_follows_the_address_limit_setting(self) -> None:
        self.spray(7)
        self.assertEqual(self.login_from(SPRAYER, "hanbin", PASSWORD).status_code, 302)
        self.spray(1)
        self.assertEqual(self.login_from(SPRAYER, "hanbin", PASSWORD).status_code, 429)

    def test_it_does_not_clear_the_address_on_a_login_of_the_sprayers_own_account(self) -> None:
        self.spray(19)
        self.assertEqual(self.login_from(SPRAYER, "ziyang", PASSWORD).status_code, 302)
        self.assertEqual(self.login_from(SPRAYER, "staff999", "Spring2026!").status_code, 429)

    def test_it_unlocks_the_address_after_the_cool_off(self) -> None:
        self.spray(20)
        self.age_attempts(16)
        self.assertEqual(self.login_from(SPRAYER, "hanbin", PASSWORD).status_code, 302)

    def test_it_lets_staff_unlock_an_address_at_once(self) -> None:
        self.spray(20)
        call_command("axes_reset_ip", SPRAYER, stdout=open("/dev/null", "w"))
        self.assertEqual(self.login_from(SPRAYER, "hanbin", PASSWORD).status_code, 302)


class TokenEndpointThrottleTests(ThrottleTestCase):
    def test_it_locks_an_account_guessed_through_the_api_from_many_addresses(self) -> None:
        for n in range(5):
            self.token_from(f"198.51.100.{n}", "hanbin", "wrong")
        response = self.token_from("192.0.2.1", "hanbin", PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertIn("Try again in 15 minutes", response.json()["error"])
        self.assertFalse(ApiToken.objects.exists())

    def test_it_locks_an_address_spraying_the_api(self) -> None:
        self.spray(20, send=self.token_from)
        self.assertEqual(self.token_from(SPRAYER, "hanbin", PASSWORD).status_code, 429)
        self.assertEqual(self.token_from("192.0.2.1", "hanbin", PASSWORD).status_code, 200)

    def test_it_counts_the_api_and_the_login_page_together(self) -> None:
        for n in range(3):
            self.token_from(f"198.51.100.{n}", "hanbin", "wrong")
        for n in range(2):
            self.login_from(f"198.51.100.{n + 3}", "hanbin", "wrong")
        self.assertEqual(self.login_from("192.0.2.1", "hanbin", PASSWORD).status_code, 429)


class LockedOutPageTests(ThrottleTestCase):
    @override_settings(AXES_COOLOFF_TIME=0.5)
    def test_it_tells_a_locked_out_user_in_chinese_when_to_try_again(self) -> None:
        for n in range(5):
            self.login_from(f"198.51.100.{n}", "hanbin", "wrong")
        response = self.login_from("192.0.2.1", "hanbin", PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "登录失败次数过多。请在30分钟后重试，或联系管理员解锁账号。",
                            status_code=429)
        self.assertContains(response, "账号已暂时锁定", status_code=429)
