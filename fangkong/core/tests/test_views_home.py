"""The home page: grants, key numbers and open alerts per role, always in Chinese by default."""

from __future__ import annotations

from fangkong.core.services.alerts import open_alert
from fangkong.core.testing import FangkongTestCase, make_person


class HomeTests(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        make_person(cls.community_a_unit, name="王芳")
        make_person(cls.community_b_unit, name="李强")
        open_alert(kind="fever", org_unit=cls.community_a_unit, title="文昌社区卡点体温异常")
        open_alert(kind="fever", org_unit=cls.community_b_unit, title="北城社区卡点体温异常")

    def test_it_sends_anonymous_users_to_the_login_page(self) -> None:
        response = self.client.get("/")
        self.assertRedirects(response, "/accounts/login/?next=/", fetch_redirect_response=False)

    def test_it_shows_a_community_worker_her_grant_in_chinese(self) -> None:
        self.login(self.community_a)
        response = self.client.get("/")
        self.assertContains(response, '<html lang="zh-CN"', html=False)
        self.assertContains(response, "工作概览")
        self.assertContains(response, "社区工作者 · 文昌社区")
        self.assertContains(response, "退出")
        self.assertNotContains(response, "Work overview")

    def test_it_shows_key_numbers_from_the_indicator_registry(self) -> None:
        self.login(self.community_a)
        response = self.client.get("/")
        cards = {c["code"]: c["value"] for c in response.context["cards"]}
        self.assertEqual(cards["core.people_registered"], 1)
        self.assertEqual(cards["core.open_alerts"], 1)
        self.assertContains(response, "登记人数")

    def test_it_shows_the_cards_the_modules_flag_in_module_order(self) -> None:
        self.login(self.community_a)
        codes = [c["code"] for c in self.client.get("/").context["cards"]]
        self.assertEqual(codes, [
            "core.people_registered", "core.open_alerts", "checkpoints.checkpoints",
            "checkpoints.passages", "checkpoints.fevers", "checkpoints.plates_flagged",
            "checkpoints.outsiders_observing", "resumption.projects_resumed",
            "resumption.workers_transported", "supplies.masks_in_stock",
            "supplies.masks_issued", "supplies.open_needs", "relief.paid_amount",
            "relief.awaiting_payment",
        ])  # reports.missing is None: no report form in these tests

    def test_a_later_modules_flagged_card_shows_however_many_come_before(self) -> None:
        from fangkong.core import registries

        care = registries.Indicator("care.families_paired", "结对家庭", "户",
                                    lambda unit, day: 577, module="care", home_card=True)
        quiet = registries.Indicator("care.visits", "走访", "次", lambda unit, day: 3,
                                     module="care")
        with registries.override(indicators=[care, quiet]):
            self.login(self.hq)
            cards = {c["code"]: c["value"] for c in self.client.get("/").context["cards"]}
        self.assertEqual(cards["care.families_paired"], 577)
        self.assertNotIn("care.visits", cards)

    def test_it_counts_the_whole_city_for_hq(self) -> None:
        self.login(self.hq)
        cards = {c["code"]: c["value"] for c in self.client.get("/").context["cards"]}
        self.assertEqual(cards["core.people_registered"], 2)

    def test_it_lists_only_the_open_alerts_in_scope(self) -> None:
        self.login(self.community_a)
        response = self.client.get("/")
        self.assertContains(response, "文昌社区卡点体温异常")
        self.assertContains(response, '<span class="badge">发热</span>', html=True)
        self.assertContains(response, 'href="/core/alerts/"')
        self.assertNotContains(response, "北城社区卡点体温异常")
        self.login(self.hq)
        response = self.client.get("/")
        self.assertContains(response, "文昌社区卡点体温异常")
        self.assertContains(response, "北城社区卡点体温异常")

    def test_it_tells_a_user_without_a_grant_that_there_is_no_role_yet(self) -> None:
        self.login(self.nobody)
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "尚未分配角色")
        self.assertNotContains(response, "体温异常")
        self.assertEqual(response.context["cards"], [])

    def test_it_shows_checkpoint_duty_no_territorial_numbers(self) -> None:
        self.login(self.gate)
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "卡点值守 · 文昌社区")
        self.assertEqual(response.context["cards"], [])
        self.assertNotContains(response, "体温异常")

    def test_it_renders_in_english_when_asked(self) -> None:
        self.login(self.community_a)
        response = self.client.get("/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(response, "Work overview")
        self.assertContains(response, "Community worker · 文昌社区")
        self.assertContains(response, '<html lang="en"', html=False)
