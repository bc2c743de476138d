"""Navigation by role: each user sees the entries their grants carry, nothing more."""

from __future__ import annotations

from django.test import RequestFactory

from fangkong.core.context_processors import NAV, nav_items_for, register_nav
from fangkong.core.scoping import scope_for
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
        labels = [str(i["label"]) for i in items]
        self.assertEqual(labels[0], "首页")
        for hidden in ("人员", "行政区划", "审计日志"):
            self.assertNotIn(hidden, labels)
        caps = set().union(*(g.capabilities for g in scope_for(self.gate).grants))
        needs = {entry[0]: (entry[2], entry[3]) for entry in NAV}
        for item in items:
            cap, roles = needs[item["name"]]
            self.assertTrue(cap is None or cap in caps, item["name"])
            self.assertTrue(roles is None or "checkpoint_duty" in roles, item["name"])

    def test_it_shows_a_user_without_a_grant_only_the_home_page(self) -> None:
        self.assertEqual(self.labels(self.nobody), ["首页"])

    def test_it_marks_the_current_page(self) -> None:
        self.login(self.hq)
        items = self.client.get("/core/people/").context["nav_items"]
        active = [i["name"] for i in items if i["active"]]
        self.assertEqual(active, ["core:people"])

    def test_it_adds_registered_entries_for_the_roles_named(self) -> None:
        register_nav("core:pii_log", "测试入口", roles=("hq_staff",), order=99)
        try:
            request = RequestFactory().get("/")
            request.user = self.hq
            self.assertIn("测试入口", [i["label"] for i in nav_items_for(request)])
            request.user = self.county_a
            self.assertNotIn("测试入口", [i["label"] for i in nav_items_for(request)])
        finally:
            NAV[:] = [e for e in NAV if e[1] != "测试入口"]

    def test_it_skips_entries_whose_url_is_missing(self) -> None:
        register_nav("nowhere:missing", "缺失入口")
        try:
            request = RequestFactory().get("/")
            request.user = self.hq
            self.assertNotIn("缺失入口", [i["label"] for i in nav_items_for(request)])
        finally:
            NAV[:] = [e for e in NAV if e[0] != "nowhere:missing"]


class ActiveEntryTestCase(FangkongTestCase):
    def test_it_marks_only_the_longest_matching_entry_active(self) -> None:
        from django.urls import reverse

        NAV.append(("core:pii_log", "PII", "view_audit", None, 96))
        try:
            request = RequestFactory().get(reverse("core:pii_log"))
            request.user = self.hq
            active = [i["name"] for i in nav_items_for(request) if i["active"]]
        finally:
            NAV.pop()
        self.assertEqual(active, ["core:pii_log"])
