"""Navigation by role: each user sees the entries their grants carry, nothing more."""

from __future__ import annotations

from django.test import RequestFactory

from fangkong.core import registries
from fangkong.core.context_processors import nav_items_for
from fangkong.core.registries import NavEntry
from fangkong.core.testing import FangkongTestCase


class NavigationTests(FangkongTestCase):
    def labels(self, user) -> list[str]:
        self.login(user)
        return [str(i["label"]) for i in self.client.get("/").context["nav_items"]]

    def test_it_shows_hq_the_audit_log(self) -> None:
        labels = self.labels(self.hq)
        self.assertIn("审计日志", labels)
        self.assertIn("人员", labels)
        self.assertIn("行政区划", labels)

    def test_it_hides_the_audit_log_from_a_community_worker(self) -> None:
        self.login(self.community_a)
        response = self.client.get("/")
        labels = [str(i["label"]) for i in response.context["nav_items"]]
        self.assertNotIn("审计日志", labels)
        self.assertIn("人员", labels)
        self.assertNotContains(response, "/core/audit/")

    def test_it_hides_the_audit_log_from_county_staff_and_the_province(self) -> None:
        self.assertNotIn("审计日志", self.labels(self.county_a))
        self.assertNotIn("审计日志", self.labels(self.province))

    def test_it_shows_checkpoint_duty_only_what_the_duty_needs(self) -> None:
        self.login(self.gate)
        items = self.client.get("/").context["nav_items"]
        self.assertEqual([str(i["label"]) for i in items], ["首页", "卡点值守"])

    def test_it_shows_the_alerts_inbox_to_who_sees_alerts(self) -> None:
        for user in (self.hq, self.province, self.county_a, self.community_a):
            with self.subTest(user=user.username):
                self.assertIn("预警", self.labels(user))
        for user in (self.gate, self.nobody):
            with self.subTest(user=user.username):
                self.assertNotIn("预警", self.labels(user))

    def test_it_shows_a_user_without_a_grant_only_the_home_page(self) -> None:
        self.assertEqual(self.labels(self.nobody), ["首页"])

    def test_it_marks_the_current_page(self) -> None:
        self.login(self.hq)
        items = self.client.get("/core/people/").context["nav_items"]
        active = [i["name"] for i in items if i["active"]]
        self.assertEqual(active, ["core:people"])

    def test_it_adds_registered_entries_for_the_roles_named(self) -> None:
        with registries.override(nav=[NavEntry("core:pii_log", "测试入口", roles=("hq_staff",),
                                               order=99)]):
            request = RequestFactory().get("/")
            request.user = self.hq
            self.assertIn("测试入口", [i["label"] for i in nav_items_for(request)])
            request.user = self.county_a
            self.assertNotIn("测试入口", [i["label"] for i in nav_items_for(request)])
        self.assertNotIn("core:pii_log", [e.url_name for e in registries.nav_entries()])

    def test_it_skips_entries_whose_url_is_missing(self) -> None:
        with registries.override(nav=[NavEntry("nowhere:missing", "缺失入口")]):
            request = RequestFactory().get("/")
            request.user = self.hq
            self.assertNotIn("缺失入口", [i["label"] for i in nav_items_for(request)])

    def test_it_refuses_a_second_entry_under_a_taken_url_name(self) -> None:
        with registries.override(), self.assertRaises(ValueError):
            registries.register_nav(NavEntry("core:people", "另一个人员入口"))


class NavEntryTestCase(FangkongTestCase):
    def test_it_needs_the_capability_and_one_of_the_roles_when_given(self) -> None:
        from fangkong.core.scoping import scope_for

        anyone = NavEntry("home", "x")
        audit = NavEntry("core:audit", "x", "view_audit")
        duty = NavEntry("checkpoints:duty", "x", "register_passage", roles=("checkpoint_duty",))
        cases = {
            self.hq: (True, True, False), self.community_a: (True, False, False),
            self.gate: (True, False, True), self.nobody: (True, False, False),
        }
        for user, expected in cases.items():
            with self.subTest(user=user.username):
                scope = scope_for(user)
                self.assertEqual(tuple(e.visible_to(scope) for e in (anyone, audit, duty)),
                                 expected)


class ActiveEntryTestCase(FangkongTestCase):
    def test_it_marks_only_the_longest_matching_entry_active(self) -> None:
        from django.urls import reverse

        with registries.override(nav=[NavEntry("core:pii_log", "PII", "view_audit", order=96)]):
            request = RequestFactory().get(reverse("core:pii_log"))
            request.user = self.hq
            active = [i["name"] for i in nav_items_for(request) if i["active"]]
        self.assertEqual(active, ["core:pii_log"])
