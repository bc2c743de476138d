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
        self.login(self.hq)
        codes = [c["code"] for c in self.client.get("/").context["cards"]]
        self.assertEqual(codes, [
            "core.people_registered", "core.open_alerts", "checkpoints.checkpoints",
            "checkpoints.passages", "checkpoints.fevers", "checkpoints.plates_flagged",
            "checkpoints.outsiders_observing", "resumption.projects_resumed",
            "resumption.workers_transported", "supplies.masks_in_stock",
            "supplies.masks_issued", "supplies.open_needs", "relief.paid_amount",
            "relief.awaiting_payment", "volunteers.hours",
            "training.attended", "care.workers", "care.helpers", "water.exceedances_open",
        ])  # reports.missing is None: no report form in these tests; water.pass_rate is
        # None: no water readings; volunteers.on_duty is None: no volunteer records
        # (docs/decisions/reports-module-prefill.md)

    def test_a_community_without_a_modules_records_sees_only_the_general_cards(self) -> None:
        self.login(self.community_a)
        codes = [c["code"] for c in self.client.get("/").context["cards"]]
        self.assertEqual(codes, ["core.people_registered", "core.open_alerts"])

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


class HomeCardRelevanceTests(FangkongTestCase):
    """Cards follow whom they serve (``home_roles``) and where the module has records
    (``home_if``): 白河县 runs relief, 文昌社区 runs checkpoints."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        from fangkong.core.models import Level, Role
        from fangkong.core.testing import make_unit, make_user
        from fangkong.relief.tests.base import ReliefTestCase

        cls.baihe_unit = make_unit(cls.city, "610929", "白河县", Level.COUNTY)
        cls.baihe_town = make_unit(cls.baihe_unit, "610929100", "城关镇", Level.TOWN)
        cls.baihe_village = make_unit(cls.baihe_town, "610929100001", "东关社区",
                                      Level.COMMUNITY)
        cls.baihe = make_user("baihe", Role.TERRITORY_STAFF, cls.baihe_unit)
        cls.baihe_worker = make_user("dongguan", Role.COMMUNITY_WORKER, cls.baihe_village)
        ReliefTestCase.make_household(cls.baihe, cls.baihe_village, 1, county="610929")

    def codes(self, user) -> list[str]:
        self.login(user)
        return [c["code"] for c in self.client.get("/").context["cards"]]

    def test_baihe_sees_the_relief_cards_and_wenchang_does_not(self) -> None:
        self.assertIn("relief.paid_amount", self.codes(self.baihe))
        self.assertIn("relief.awaiting_payment", self.codes(self.baihe))
        self.assertNotIn("relief.paid_amount", self.codes(self.community_a))
        self.assertNotIn("relief.paid_amount", self.codes(self.county_a))  # no relief there
        self.assertIn("relief.paid_amount", self.codes(self.hq))
        self.assertIn("relief.paid_amount", self.codes(self.province))

    def test_relief_cards_serve_relief_staff_not_community_workers(self) -> None:
        # 东关社区 has a poor household, but relief is run by the county's office.
        self.assertNotIn("relief.paid_amount", self.codes(self.baihe_worker))

    def test_checkpoint_cards_show_where_checkpoints_run(self) -> None:
        from fangkong.checkpoints.models import Checkpoint

        self.assertNotIn("checkpoints.passages", self.codes(self.community_a))
        # The answer is cached; a new checkpoint shows at once (its save forgets it).
        Checkpoint.objects.create(org_unit=self.community_a_unit, name="东门")
        self.assertIn("checkpoints.passages", self.codes(self.community_a))
        self.assertIn("checkpoints.passages", self.codes(self.county_a))
        self.assertNotIn("checkpoints.passages", self.codes(self.baihe))
        self.assertNotIn("checkpoints.passages", self.codes(self.community_b))
        self.assertIn("checkpoints.passages", self.codes(self.hq))

    def test_the_city_sees_every_card_even_of_a_module_without_records(self) -> None:
        self.assertIn("supplies.masks_in_stock", self.codes(self.hq))
        self.assertNotIn("supplies.masks_in_stock", self.codes(self.baihe))

    def test_a_plain_home_card_shows_to_everyone_with_a_home_unit(self) -> None:
        from fangkong.core import registries

        plain = registries.Indicator("care.families_paired", "结对家庭", "户",
                                     lambda unit, day: 5, module="care", home_card=True)
        with registries.override(indicators=[plain]):
            for user in (self.hq, self.baihe, self.community_a, self.baihe_worker):
                self.assertIn("care.families_paired", self.codes(user))
            self.assertEqual(self.codes(self.gate), [])

    def test_home_roles_and_home_if_decide_together(self) -> None:
        from fangkong.core import registries
        from fangkong.core.models import Role

        hq_only = registries.Indicator("care.hq", "全市", "户", lambda unit, day: 1,
                                       module="care", home_card=True,
                                       home_roles=(Role.HQ_STAFF,))
        asked = []

        def only_baihe(unit) -> bool:
            asked.append(unit.code)
            return unit.path.startswith(self.baihe_unit.path)

        baihe_only = registries.Indicator("care.baihe", "白河", "户", lambda unit, day: 2,
                                          module="care", home_card=True, home_if=only_baihe)
        with registries.override(indicators=[hq_only, baihe_only]):
            self.assertIn("care.hq", self.codes(self.hq))
            self.assertNotIn("care.hq", self.codes(self.province))
            self.assertNotIn("care.hq", self.codes(self.baihe))
            self.assertIn("care.baihe", self.codes(self.hq))  # the city: not asked
            self.assertIn("care.baihe", self.codes(self.baihe))
            self.assertIn("care.baihe", self.codes(self.baihe))
            self.assertNotIn("care.baihe", self.codes(self.community_a))
        self.assertEqual(asked, ["610929", "610902002002"])  # cached per unit

    def test_a_failing_relevance_check_shows_the_card(self) -> None:
        from fangkong.core import registries

        def broken(unit) -> bool:
            raise RuntimeError("boom")

        card = registries.Indicator("care.broken", "坏", "户", lambda unit, day: 3,
                                    module="care", home_card=True, home_if=broken)
        with registries.override(indicators=[card]), self.assertLogs(
                "fangkong.core.services.dashboard_cards", "ERROR"):
            self.assertIn("care.broken", self.codes(self.community_a))
