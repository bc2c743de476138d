"""The liaison's home page leads to the filing left to complete (issue #15 item 2)."""

from __future__ import annotations

from django.urls import reverse

from fangkong.resumption.tests.base import ResumptionTestCase


class HomePanelTests(ResumptionTestCase):
    def test_a_liaison_with_a_filing_to_complete_is_led_to_it(self) -> None:
        e = self.make_enterprise()
        self.client.force_login(self.enterprise_liaison)
        page = self.client.get("/").content.decode()
        self.assertIn('id="my-enterprise"', page)
        self.assertIn(e.name, page)
        self.assertIn(reverse("resumption:filing", args=[e.pk]), page)
        self.assertIn("完成复工报备", page)

    def test_a_filed_enterprise_is_only_opened_not_asked_for(self) -> None:
        e = self.filed(self.make_enterprise())
        self.client.force_login(self.enterprise_liaison)
        page = self.client.get("/").content.decode()
        self.assertIn(reverse("resumption:filing", args=[e.pk]), page)
        self.assertNotIn("完成复工报备", page)

    def test_nobody_else_gets_the_panel(self) -> None:
        self.make_enterprise()
        for user in (self.community_a, self.hq):
            self.client.force_login(user)
            self.assertNotIn('id="my-enterprise"', self.client.get("/").content.decode())

    def test_the_liaisons_enterprise_page_offers_no_list_it_may_not_open(self) -> None:
        e = self.make_enterprise()
        self.client.force_login(self.enterprise_liaison)
        page = self.client.get(reverse("resumption:enterprise", args=[e.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(f'href="{reverse("resumption:enterprises")}"', page.content.decode())
        self.assertEqual(self.client.get(reverse("resumption:enterprises")).status_code, 403)
