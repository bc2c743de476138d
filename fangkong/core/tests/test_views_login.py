"""The login page: Chinese, the platform's name, clear errors."""

from __future__ import annotations

from django.conf import settings

from fangkong.core.testing import PASSWORD, FangkongTestCase

LOGIN_URL = "/accounts/login/"


class LoginPageTests(FangkongTestCase):
    def test_it_shows_the_platform_name_not_the_host(self) -> None:
        response = self.client.get(LOGIN_URL)
        self.assertContains(response, f'<span class="brand-name">{settings.SITE_NAME}</span>',
                            html=True)
        self.assertContains(response, f"<title>登录 · {settings.SITE_NAME}</title>", html=True)
        self.assertNotContains(response, "testserver")

    def test_it_logs_in_and_goes_home(self) -> None:
        response = self.client.post(LOGIN_URL, {"username": "wenchang", "password": PASSWORD})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertContains(self.client.get("/"), "工作概览")

    def test_it_says_in_chinese_that_the_password_is_wrong(self) -> None:
        response = self.client.post(LOGIN_URL, {"username": "wenchang", "password": "wrong"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "用户名或密码错误。")
        self.assertContains(response, 'value="wenchang"')

    def test_it_sends_a_logged_in_user_home(self) -> None:
        self.login(self.community_a)
        response = self.client.get(LOGIN_URL)
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_it_logs_out_by_post_only(self) -> None:
        self.login(self.community_a)
        self.assertEqual(self.client.get("/accounts/logout/").status_code, 405)
        response = self.client.post("/accounts/logout/")
        self.assertRedirects(response, LOGIN_URL, fetch_redirect_response=False)
        self.assertEqual(self.client.get("/").status_code, 302)
