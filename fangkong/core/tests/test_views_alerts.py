"""The alerts inbox: every declared kind in one list, scoped, filtered, closed with an outcome."""

from __future__ import annotations

from django.urls import reverse

from fangkong.core import registries
from fangkong.core.models import Alert
from fangkong.core.registries import AlertKind, Severity
from fangkong.core.services.alerts import close_alert, open_alert
from fangkong.core.testing import FangkongTestCase

INBOX = "/core/alerts/"


class InboxTestCase(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.fever = open_alert(kind="fever", org_unit=cls.community_a_unit,
                               title="东门体温38.2°C", subject="t:1")
        cls.missing = open_alert(kind="report_missing", org_unit=cls.county_b_unit,
                                 title="紫阳县日报未报", subject="t:2")
        cls.plate = open_alert(kind="plate", org_unit=cls.community_a_unit,
                               title="鄂A12345 待排查", subject="t:3")
        close_alert(cls.plate, actor=cls.hq, outcome="车辆已劝返")

    def titles(self, response) -> list[str]:
        return [a.title for a in response.context["page"]]

    def test_it_lists_the_open_alerts_of_every_kind_with_their_labels(self) -> None:
        self.login(self.hq)
        r = self.client.get(INBOX)
        self.assertEqual(set(self.titles(r)), {"东门体温38.2°C", "紫阳县日报未报"})
        self.assertContains(r, "发热")
        self.assertContains(r, "日报未报送")
        self.assertNotContains(r, "report_missing</span>")

    def test_it_shows_each_user_only_the_alerts_under_their_grants(self) -> None:
        cases = {self.community_a: ["东门体温38.2°C"], self.county_b: ["紫阳县日报未报"],
                 self.community_b: []}
        for user, titles in cases.items():
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.titles(self.client.get(INBOX)), titles)
        for user in (self.gate, self.nobody):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(INBOX).status_code, 403)

    def test_it_filters_by_status_and_kind(self) -> None:
        self.login(self.hq)
        self.assertEqual(self.titles(self.client.get(INBOX, {"status": "closed"})),
                         ["鄂A12345 待排查"])
        self.assertEqual(len(self.titles(self.client.get(INBOX, {"status": "all"}))), 3)
        self.assertEqual(self.titles(self.client.get(INBOX, {"kind": "report_missing"})),
                         ["紫阳县日报未报"])
        r = self.client.get(INBOX, {"status": "closed"})
        self.assertContains(r, "车辆已劝返")

    def test_it_answers_bad_filters_with_a_field_error(self) -> None:
        self.login(self.hq)
        r = self.client.get(INBOX, {"status": "bogus", "kind": "nope", "page": "x"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "field-error")
        self.assertEqual(self.titles(r), [])

    def test_it_pages_keeping_the_filters(self) -> None:
        for n in range(51):
            open_alert(kind="fever", org_unit=self.community_a_unit, title=f"体温{n}",
                       subject=f"p:{n}")
        self.login(self.hq)
        r = self.client.get(INBOX, {"kind": "fever"})
        self.assertContains(r, "?kind=fever&amp;page=2")
        r = self.client.get(INBOX, {"kind": "fever", "page": 2})
        self.assertEqual(len(r.context["page"]), 2)
        self.assertIn("core/_pager.html", [t.name for t in r.templates])

    def test_it_closes_an_alert_only_with_an_outcome_and_comes_back_filtered(self) -> None:
        self.login(self.community_a)
        url = reverse("core:alert_close", args=[self.fever.pk])
        r = self.client.post(url, {"outcome": "  ", "kind": "fever", "status": "open"})
        self.assertRedirects(r, f"{INBOX}?status=open&kind=fever",
                             fetch_redirect_response=False)
        self.fever.refresh_from_db()
        self.assertEqual(self.fever.status, "open")
        r = self.client.post(url, {"outcome": "复测36.8°C，已送发热门诊", "kind": "fever",
                                   "page": "2", "next": "https://evil.example/"}, follow=True)
        self.assertEqual(r.redirect_chain[0][0], f"{INBOX}?kind=fever&page=2")
        self.assertContains(r, "预警已处置")
        self.fever.refresh_from_db()
        self.assertEqual((self.fever.status, self.fever.closed_by, self.fever.outcome),
                         ("closed", self.community_a, "复测36.8°C，已送发热门诊"))

    def test_it_takes_the_same_close_sent_twice_as_one(self) -> None:
        self.login(self.community_a)
        url = reverse("core:alert_close", args=[self.fever.pk])
        for _n in range(2):
            r = self.client.post(url, {"outcome": "复测36.8°C"}, follow=True)
            self.assertContains(r, "预警已处置")
            self.assertNotContains(r, "此预警已关闭")
        r = self.client.post(url, {"outcome": "x" * 301}, follow=True)
        self.assertNotContains(r, "请说明预警的处置情况")
        self.assertContains(r, "300")
        self.fever.refresh_from_db()
        self.assertEqual(self.fever.outcome, "复测36.8°C")

    def test_it_refuses_closing_twice_with_a_message(self) -> None:
        self.login(self.hq)
        url = reverse("core:alert_close", args=[self.plate.pk])
        r = self.client.post(url, {"outcome": "再次处置"}, follow=True)
        self.assertContains(r, "此预警已关闭")
        self.plate.refresh_from_db()
        self.assertEqual(self.plate.outcome, "车辆已劝返")

    def test_it_keeps_out_of_scope_and_read_only_users_from_closing(self) -> None:
        url = reverse("core:alert_close", args=[self.fever.pk])
        self.login(self.community_b)
        self.assertEqual(self.client.post(url, {"outcome": "x"}).status_code, 404)
        for user in (self.gate, self.province):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.post(url, {"outcome": "x"}).status_code, 403)
        self.fever.refresh_from_db()
        self.assertEqual(self.fever.status, "open")

    def test_it_offers_the_close_form_only_where_the_user_may_close(self) -> None:
        close_url = reverse("core:alert_close", args=[self.fever.pk])
        self.login(self.province)
        r = self.client.get(INBOX)
        self.assertContains(r, "东门体温38.2°C")
        self.assertNotContains(r, close_url)
        self.login(self.community_a)
        self.assertContains(self.client.get(INBOX), close_url)

    def test_it_renders_in_english(self) -> None:
        self.login(self.hq)
        r = self.client.get(INBOX, HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, "Daily report missing")
        self.assertContains(r, "Close with this outcome")


class AlertKindTestCase(FangkongTestCase):
    def test_it_refuses_to_open_an_alert_of_an_undeclared_kind(self) -> None:
        # Not a kind any module declares (water now declares "water_quality").
        self.assertNotIn("tests.undeclared", {k.code for k in registries.alert_kinds()})
        with self.assertRaises(ValueError):
            open_alert(kind="tests.undeclared", org_unit=self.city, title="x")
        self.assertFalse(Alert.objects.exists())

    def test_an_alert_takes_its_kinds_severity_unless_told(self) -> None:
        kind = AlertKind("tests.low_stock", "库存不足", Severity.CRITICAL)
        with registries.override(alert_kinds=[kind]):
            first = open_alert(kind=kind, org_unit=self.city, title="口罩库存不足")
            second = open_alert(kind=kind.code, org_unit=self.city, title="酒精",
                                severity=Severity.INFO)
        self.assertEqual((first.kind, first.severity), ("tests.low_stock", "critical"))
        self.assertEqual(second.severity, "info")

    def test_the_audit_log_shows_the_kinds_label(self) -> None:
        from fangkong.core.audit import acting_as

        with acting_as(self.hq):
            open_alert(kind="report_missing", org_unit=self.county_b_unit, title="紫阳县未报",
                       actor=self.hq)
        self.login(self.hq)
        r = self.client.get("/core/audit/", {"model": "core.alert"})
        self.assertContains(r, "日报未报送")
        self.assertNotContains(r, "report_missing")
