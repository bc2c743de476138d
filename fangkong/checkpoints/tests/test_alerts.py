import json
from datetime import timedelta

from django.urls import reverse

from fangkong.checkpoints import services
from fangkong.checkpoints.models import Passage
from fangkong.checkpoints.tests.base import ID_B, CheckpointTestCase, passage_body
from fangkong.core.models import Alert, ParameterValue


class AlertTestCase(CheckpointTestCase):
    def setUp(self) -> None:
        self.token = self.token_for(self.gate)

    def _fever(self) -> Alert:
        r = self.post_passage(self.gate_a, passage_body(temperature=38.0), self.token)
        self.assertEqual(r.status_code, 201)
        return Alert.objects.get(kind="fever")

    def test_it_closes_a_fever_alert_only_with_an_outcome(self) -> None:
        alert = self._fever()
        self.login(self.community_a)
        r = self.client.get(reverse("core:alerts"))
        self.assertContains(r, "发热")
        self.assertContains(r, alert.title)
        url = reverse("core:alert_close", args=[alert.pk])
        self.client.post(url, {"outcome": "  "})
        alert.refresh_from_db()
        self.assertEqual(alert.status, "open")
        self.client.post(url, {"outcome": "复测36.8°C，已送发热门诊"})
        alert.refresh_from_db()
        self.assertEqual((alert.status, alert.closed_by), ("closed", self.community_a))
        self.assertEqual(alert.outcome, "复测36.8°C，已送发热门诊")

    def test_it_keeps_alerts_of_other_counties_and_duty_users_out(self) -> None:
        alert = self._fever()
        self.login(self.community_b)
        r = self.client.post(reverse("core:alert_close", args=[alert.pk]), {"outcome": "x"})
        self.assertEqual(r.status_code, 404)
        self.login(self.gate)
        r = self.client.post(reverse("core:alert_close", args=[alert.pk]), {"outcome": "x"})
        self.assertEqual(r.status_code, 403)
        alert.refresh_from_db()
        self.assertEqual(alert.status, "open")

    def test_the_old_alerts_page_sends_bookmarks_to_the_inbox_with_their_filters(self) -> None:
        self.login(self.community_a)
        r = self.client.get("/checkpoints/alerts/?status=closed&kind=plate")
        self.assertRedirects(r, "/core/alerts/?status=closed&kind=plate",
                             fetch_redirect_response=False)

    def test_the_checkpoint_pages_link_to_the_inbox(self) -> None:
        self._fever()
        self.login(self.community_a)
        r = self.client.get(reverse("checkpoints:index"))
        self.assertContains(r, 'href="/core/alerts/?status=open"')
        self.assertEqual(r.context["open_alerts"], 1)
        self.assertContains(self.client.get(reverse("checkpoints:tips")), 'href="/core/alerts/"')

    def test_a_fever_at_the_gate_raises_the_declared_kind(self) -> None:
        from fangkong.checkpoints.alerts import FEVER

        alert = self._fever()
        self.assertEqual((alert.kind, alert.severity), (FEVER.code, FEVER.severity))

    def test_it_lists_and_closes_alerts_through_the_api(self) -> None:
        alert = self._fever()
        worker = self.token_for(self.county_a)
        r = self.client.get("/api/v1/alerts?status=open&kind=fever",
                            HTTP_AUTHORIZATION=f"Bearer {worker}")
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual([a["id"] for a in r.json()["results"]], [alert.pk])
        self.assertEqual(r.json()["results"][0]["org_unit"], "610902002002")
        other = self.token_for(self.county_b)
        r = self.client.get("/api/v1/alerts?status=open&kind=fever",
                            HTTP_AUTHORIZATION=f"Bearer {other}")
        self.assertEqual(r.json()["count"], 0)
        r = self.client.get("/api/v1/alerts?status=bogus", HTTP_AUTHORIZATION=f"Bearer {worker}")
        self.assertEqual(r.status_code, 400)
        self.assertIn("status", r.json()["fields"])
        close = f"/api/v1/alerts/{alert.pk}/close"
        r = self.client.post(close, json.dumps({"outcome": ""}), content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {worker}")
        self.assertEqual(r.status_code, 400)
        self.assertIn("outcome", r.json()["fields"])
        r = self.client.post(close, json.dumps({"outcome": "x"}), content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {other}")
        self.assertEqual(r.status_code, 404)
        r = self.client.post(close, json.dumps({"outcome": "已排除"}),
                             content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {worker}")
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["status"], "closed")
        r = self.client.get("/api/v1/alerts?status=open&kind=fever",
                            HTTP_AUTHORIZATION=f"Bearer {worker}")
        self.assertEqual(r.json()["count"], 0)


class PlateRuleTestCase(CheckpointTestCase):
    def setUp(self) -> None:
        self.token = self.token_for(self.gate)

    def test_it_watches_the_provinces_hq_configures(self) -> None:
        r = self.post_passage(self.gate_a, passage_body(plate="豫A12345"), self.token)
        self.assertFalse(r.json()["plate_flagged"])
        self.login(self.community_a)
        r = self.client.post(reverse("checkpoints:rule"), {
            "fever_threshold": "37.3", "watched_provinces": "鄂豫", "note": "x"})
        self.assertEqual(r.status_code, 403)  # configuring is HQ's
        self.login(self.hq)
        r = self.client.post(reverse("checkpoints:rule"), {
            "fever_threshold": "37.3", "watched_provinces": "鄂 豫", "note": "河南疫情"})
        self.assertEqual(r.status_code, 302)
        old, new = ParameterValue.objects.filter(
            parameter__code=services.screening.PROVINCES_CODE).order_by("valid_from")
        self.assertEqual((old.valid_to, new.valid_to), (new.valid_from - timedelta(days=1), None))
        rule = services.screening_rule()
        self.assertEqual((rule.provinces, rule.watched_provinces), (new, "鄂豫"))
        r = self.post_passage(self.gate_a, passage_body(plate="豫A12346"), self.token)
        self.assertTrue(r.json()["plate_flagged"])
        first, second = Passage.objects.order_by("pk")
        self.assertEqual((first.plate_rule, first.plate_flagged), (old, False))  # kept
        self.assertEqual((second.plate_rule, second.plate_flagged), (new, True))
        self.assertEqual(first.fever_rule, second.fever_rule)  # the threshold did not change
        self.assertEqual(Alert.objects.filter(kind="plate").count(), 1)

    def test_it_refuses_a_non_province_character(self) -> None:
        self.login(self.hq)
        r = self.client.post(reverse("checkpoints:rule"), {
            "fever_threshold": "37.3", "watched_provinces": "湖北", "note": "x"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "field-error")
        self.assertEqual(ParameterValue.objects.filter(
            parameter__code=services.screening.PROVINCES_CODE).count(), 1)

    def test_it_applies_a_changed_fever_threshold(self) -> None:
        services.change_rule(self.hq, fever_threshold="37.0", watched_provinces="鄂",
                             note="x")
        r = self.post_passage(self.gate_a, passage_body(temperature=37.1, id_number=ID_B),
                              self.token)
        self.assertTrue(r.json()["fever"])
