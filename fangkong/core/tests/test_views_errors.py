"""Error pages in Chinese, and no page answers 500 to a user without a role."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from fangkong.core import registries
from fangkong.core.testing import FangkongTestCase, make_person


class ErrorPageTests(FangkongTestCase):
    def test_it_answers_an_unknown_address_with_a_chinese_404(self) -> None:
        self.login(self.community_a)
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "页面不存在", status_code=404)
        self.assertContains(response, "不在您的管辖范围内", status_code=404)
        self.assertContains(response, '<html lang="zh-CN"', status_code=404)

    def test_it_answers_404_to_anonymous_visitors_in_chinese_too(self) -> None:
        response = self.client.get("/no-such-page/")
        self.assertContains(response, "页面不存在", status_code=404)
        self.assertContains(response, "返回首页", status_code=404)

    def test_it_answers_a_forbidden_page_with_a_chinese_403(self) -> None:
        self.login(self.community_a)
        response = self.client.get("/core/audit/")
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "无权访问", status_code=403)
        self.assertContains(response, "您的角色无权执行此操作。", status_code=403)

    def test_it_has_a_bilingual_500_page_that_needs_no_context(self) -> None:
        from django.template.loader import render_to_string

        html = render_to_string("500.html")
        self.assertIn("系统错误", html)
        self.assertIn("数据未保存", html)
        self.assertIn("nothing was saved", html)

    def test_it_answers_404_in_english_for_an_english_browser(self) -> None:
        response = self.client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(response, "Not found", status_code=404)


class NoRoleTests(FangkongTestCase):
    """A user without a grant meets clear pages (200, 403 or 404), never a server error."""

    def test_it_never_answers_500_to_a_user_without_a_grant(self) -> None:
        person = make_person(self.community_a_unit)
        self.login(self.nobody)
        urls = ["/", "/core/people/", f"/core/people/{person.pk}/", "/core/units/",
                "/core/units/?parent=610902", "/core/audit/", "/core/audit/pii/",
                "/core/people/?q=x&page=abc"]
        for entry in registries.nav_entries():
            try:
                urls.append(reverse(entry.url_name))
            except NoReverseMatch:  # entries needing arguments are covered above
                continue
        for url in urls:
            with self.subTest(url=url):
                self.assertIn(self.client.get(url).status_code, (200, 403, 404))
        response = self.client.post(f"/core/people/{person.pk}/reveal", {"reason": "查看"})
        self.assertEqual(response.status_code, 403)


class FaviconTestCase(FangkongTestCase):
    def test_the_icon_is_served_and_linked(self) -> None:
        r = self.client.get("/favicon.ico")
        self.assertEqual(r.status_code, 301)
        self.assertTrue(r["Location"].endswith("img/favicon.svg"))
        self.assertContains(self.client.get("/accounts/login/"), "img/favicon.svg")
