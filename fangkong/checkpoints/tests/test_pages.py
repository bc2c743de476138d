"""Every page renders for the people who use it, and answers 404 out of scope."""

import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from fangkong.checkpoints import services
from fangkong.checkpoints.models import (
    Checkpoint,
    DutyRoster,
    Household,
    Outsider,
    Tip,
)
from fangkong.checkpoints.tests.base import ID_A, ID_B, CheckpointTestCase
from fangkong.core.models import OrgUnit, ParameterValue
from fangkong.core.models.territory import Level
from fangkong.core.services.people import clean_person_data
from fangkong.core.testing import make_unit


class PagesTestCase(CheckpointTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.household, _ = services.save_household(cls.community_a, cls.community_a_unit,
                                                   number="3-2-501", address="文昌路1号3栋")
        services.add_member(cls.community_a, cls.household,
                            clean_person_data(id_number=ID_A, name="张伟"),
                            relation="head", permanent=True)
        cls.outsider, _ = services.register_outsider(
            cls.community_a, cls.community_a_unit,
            clean_person_data(id_number=ID_B, name="李娜", phone="13900002222"),
            arrived_on=cls.roster.day, origin="武汉", host_address="文昌路2号",
        )
        cls.tip, _ = services.record_tip(cls.community_a, cls.community_a_unit,
                                         client_id=uuid.uuid4(), channel="phone",
                                         category="gathering", content="楼下有人打麻将")

    def test_it_renders_every_page_for_a_community_worker(self) -> None:
        self.login(self.community_a)
        pages = [
            reverse("checkpoints:index"), reverse("checkpoints:detail", args=[self.gate_a.pk]),
            reverse("core:alerts"), reverse("checkpoints:rule"),
            reverse("checkpoints:outsiders"), reverse("checkpoints:outsider_new"),
            reverse("checkpoints:outsider", args=[self.outsider.pk]),
            reverse("checkpoints:community"), reverse("checkpoints:households"),
            reverse("checkpoints:household_new"), reverse("checkpoints:household_import"),
            reverse("checkpoints:household", args=[self.household.pk]),
            reverse("checkpoints:inspections"), reverse("checkpoints:patrols"),
            reverse("checkpoints:tips"), reverse("checkpoints:tip", args=[self.tip.pk]),
            reverse("checkpoints:duty_screen", args=[self.gate_a.pk]),
        ]
        for url in pages:
            r = self.client.get(url)
            self.assertEqual(r.status_code, 200, url)
            self.assertNotContains(r, ID_A)
            self.assertNotContains(r, ID_B)

    def test_it_answers_404_in_another_county(self) -> None:
        self.login(self.community_b)
        for url in (
            reverse("checkpoints:detail", args=[self.gate_a.pk]),
            reverse("checkpoints:poster", args=[self.gate_a.pk, "png"]),
            reverse("checkpoints:outsider", args=[self.outsider.pk]),
            reverse("checkpoints:household", args=[self.household.pk]),
            reverse("checkpoints:tip", args=[self.tip.pk]),
            reverse("checkpoints:duty_screen", args=[self.gate_a.pk]),
        ):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        r = self.client.get(reverse("checkpoints:index"))
        self.assertEqual([c.pk for c in r.context["checkpoints"]], [self.gate_b.pk])

    def test_it_keeps_duty_users_out_of_the_registers(self) -> None:
        self.login(self.gate)
        for url in (reverse("checkpoints:outsiders"), reverse("checkpoints:households"),
                    reverse("checkpoints:tips")):
            self.assertEqual(self.client.get(url).status_code, 403, url)

    def test_it_lists_things_for_the_public_tip_form(self) -> None:
        url = reverse("checkpoints:public_tip", args=[self.gate_a.public_key])
        self.assertEqual(self.client.get(url).status_code, 200)
        key = str(uuid.uuid4())
        data = {"client_id": key, "category": "venue_open", "content": "小区门口麻将馆开门了"}
        self.client.post(url, data)
        self.client.post(url, data)
        tips = Tip.objects.filter(client_id=key)
        self.assertEqual(tips.count(), 1)
        self.assertEqual(tips.get().org_unit, self.community_a_unit)
        self.assertEqual(tips.get().channel, "online")

    def test_it_creates_checkpoints_and_rosters_duty_users(self) -> None:
        self.login(self.community_a)
        r = self.client.post(reverse("checkpoints:index"), {
            "community": "610902002002", "name": "南门", "kind": "gate", "location": "",
            "client_id": str(uuid.uuid4())})
        self.assertEqual(r.status_code, 302)
        self.assertTrue(Checkpoint.objects.filter(name="南门",
                                                  org_unit=self.community_a_unit).exists())
        r = self.client.post(reverse("checkpoints:index"), {
            "community": "610924100001", "name": "外区", "kind": "gate",
            "client_id": str(uuid.uuid4())})
        self.assertEqual(r.status_code, 200)  # not a choice for this worker
        self.assertFalse(Outsider.objects.filter(org_unit=self.community_b_unit).exists())
        self.assertFalse(Checkpoint.objects.filter(name="外区").exists())
        r = self.client.post(reverse("checkpoints:roster_add", args=[self.gate_a2.pk]),
                             {"user": self.gate.pk, "day": self.roster.day.isoformat()})
        self.login(self.gate)
        r = self.client.get(reverse("checkpoints:duty"))
        self.assertEqual(len(r.context["checkpoints"]), 2)

    def test_it_refuses_household_pages_to_other_communities(self) -> None:
        self.assertEqual(Household.objects.visible_to(self.community_b).count(), 0)

    def test_it_shows_a_register_for_any_date_typed_in_the_address(self) -> None:
        """Year 1 or 9999 once made "the day before/after" overflow (500)."""
        self.login(self.community_a)
        url = reverse("checkpoints:detail", args=[self.gate_a.pk])
        for raw in ("0001-01-01", "9999-12-31", "2020-02-30", "nonsense"):
            r = self.client.get(url, {"date": raw})
            self.assertEqual(r.status_code, 200, raw)
        self.assertEqual(self.client.get(url, {"date": "1900-01-01"}).context["day"].isoformat(),
                         "2019-12-01")

    def test_it_rosters_only_from_today_to_sixty_days_ahead(self) -> None:
        self.login(self.community_a)
        url = reverse("checkpoints:roster_add", args=[self.gate_a2.pk])
        before = DutyRoster.objects.count()
        for day in ("2020-01-01", "9999-12-31"):
            r = self.client.post(url, {"user": self.gate.pk, "day": day}, follow=True)
            self.assertContains(r, "error")
        self.assertEqual(DutyRoster.objects.count(), before)

    def test_the_rule_form_sent_twice_makes_one_version(self) -> None:
        self.login(self.hq)
        data = {"fever_threshold": "37.5", "watched_provinces": "鄂", "note": "省里要求"}
        self.client.post(reverse("checkpoints:rule"), data)
        self.client.post(reverse("checkpoints:rule"), data)
        self.assertEqual(ParameterValue.objects.filter(
            parameter__code=services.screening.FEVER_CODE).count(), 2)  # shipped + one

    def test_date_fields_come_filled_with_today_in_the_pickers_format(self) -> None:
        """Chinese date formats (2026/11/29) left the browser's date picker empty."""
        self.login(self.community_a)
        today = timezone.localdate().isoformat()
        for name in ("checkpoints:patrols", "checkpoints:inspections"):
            r = self.client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="zh-hans")
            self.assertContains(r, f'type="date" name="day" value="{today}"')

    def test_long_registers_can_be_paged_keeping_the_filters(self) -> None:
        """Alerts, outsiders, inspections, patrols and tips showed 50 rows and no way on."""
        for n in range(52):
            services.record_patrol(self.community_a, self.community_a_unit,
                                   client_id=uuid.uuid4(), day=timezone.localdate(),
                                   area=f"巡查片区{n:02d}")
        self.login(self.community_a)
        r = self.client.get(reverse("checkpoints:patrols"))
        self.assertContains(r, "?page=2")
        r = self.client.get(reverse("checkpoints:patrols"), {"page": 2})
        self.assertEqual(len(r.context["page"]), 2)
        for name in ("checkpoints:households", "core:alerts", "checkpoints:outsiders",
                     "checkpoints:inspections", "checkpoints:tips"):
            template = self.client.get(reverse(name)).templates
            self.assertIn("core/_pager.html", [t.name for t in template], name)

    def test_the_duty_screen_link_is_offered_only_to_who_may_register(self) -> None:
        screen = reverse("checkpoints:duty_screen", args=[self.gate_a.pk])
        self.login(self.province)
        r = self.client.get(reverse("checkpoints:detail", args=[self.gate_a.pk]))
        self.assertNotContains(r, screen)
        self.assertEqual(self.client.get(screen).status_code, 403)
        self.login(self.community_a)
        r = self.client.get(reverse("checkpoints:detail", args=[self.gate_a.pk]))
        self.assertContains(r, screen)
        self.assertEqual(self.client.get(screen).status_code, 200)

    def test_a_phoned_in_tip_keeps_the_time_of_the_call(self) -> None:
        """Typed in the next morning, a night call's response time ran from the typing."""
        self.login(self.community_a)
        call = timezone.localtime() - timedelta(hours=9)
        r = self.client.post(reverse("checkpoints:tips"), {
            "client_id": str(uuid.uuid4()), "community": "610902002002", "channel": "phone",
            "category": "gathering", "content": "夜里有人聚集打牌",
            "received_at": call.strftime("%Y-%m-%dT%H:%M")})
        self.assertEqual(r.status_code, 302)
        tip = Tip.objects.get(content="夜里有人聚集打牌")
        self.assertEqual(timezone.localtime(tip.received_at).strftime("%Y-%m-%d %H:%M"),
                         call.strftime("%Y-%m-%d %H:%M"))
        r = self.client.post(reverse("checkpoints:tips"), {
            "client_id": str(uuid.uuid4()), "community": "610902002002", "channel": "phone",
            "category": "gathering", "content": "明天的事",
            "received_at": (call + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")})
        self.assertEqual(r.status_code, 200)
        self.assertIn("received_at", r.context["form"].errors)

    def test_the_poster_prints_the_public_address_when_one_is_set(self) -> None:
        self.login(self.community_a)
        url = reverse("checkpoints:detail", args=[self.gate_a.pk])
        self.assertIn("http://testserver/checkpoints/r/", self.client.get(url).context[
            "selfreg_url"])
        with self.settings(FANGKONG_PUBLIC_URL="https://fk.example.gov.cn/"):
            self.assertEqual(self.client.get(url).context["selfreg_url"],
                             f"https://fk.example.gov.cn/checkpoints/r/{self.gate_a.public_key}/")

    def test_the_screening_overview_shows_every_community_with_data(self) -> None:
        """It looked at the first 200 communities by code only."""
        town = OrgUnit.objects.get(pk=self.town_a.pk)
        last = None
        for n in range(201):
            last = make_unit(town, f"610902002{500 + n:03d}", f"测试社区{n:03d}", Level.COMMUNITY)
        services.save_household(self.hq, last, number="1-1-101", address="测试路1号")
        self.login(self.hq)
        r = self.client.get(reverse("checkpoints:community"))
        self.assertIn(last.pk, [row["unit"].pk for row in r.context["rows"]])
        self.assertNotIn("测试社区000", r.content.decode())  # no data, not listed
