"""The screening rule on core's dated rules: each result judged by the versions in force
on its day, kept after a change; no rule in force is an answer, not a default."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fangkong.checkpoints import services
from fangkong.checkpoints.models import Passage
from fangkong.checkpoints.services.screening import FEVER_CODE, PROVINCES_CODE
from fangkong.checkpoints.tests.base import ID_B, CheckpointTestCase, passage_body
from fangkong.checkpoints.validation import clean_passage
from fangkong.core.models import Alert, ParameterValue
from fangkong.core.rules import NoRuleInForce, value_on
from fangkong.core.services.alerts import subject_of
from fangkong.core.services.people import clean_person_data
from fangkong.core.services.rules import add_value


class ScreeningRuleTestCase(CheckpointTestCase):
    def setUp(self) -> None:
        self.token = self.token_for(self.gate)

    def test_a_fever_passage_and_its_alert_keep_the_threshold_they_used(self) -> None:
        r = self.post_passage(self.gate_a, passage_body(temperature=37.4), self.token)
        self.assertEqual(r.status_code, 201, r.content)
        passage = Passage.objects.get()
        shipped = value_on(FEVER_CODE, timezone.localdate())
        self.assertEqual((passage.fever, passage.fever_rule), (True, shipped))
        self.assertEqual(passage.plate_rule, value_on(PROVINCES_CODE, timezone.localdate()))
        alert = Alert.objects.get(kind="fever")
        self.login(self.hq)
        r = self.client.post(reverse("checkpoints:rule"), {
            "fever_threshold": "37.5", "watched_provinces": "鄂", "note": "复核后调整",
            "document_number": "安政办发〔2020〕9号"})
        self.assertEqual(r.status_code, 302)
        passage.refresh_from_db()
        self.assertEqual(passage.fever_rule.typed, Decimal("37.3"))  # kept after the change
        self.assertEqual(alert.subject, subject_of(passage))
        r = self.post_passage(self.gate_a, passage_body(temperature=37.4, id_number=ID_B),
                              self.token)
        self.assertFalse(r.json()["fever"])
        later = Passage.objects.latest("pk")
        self.assertEqual((later.fever_rule.typed, later.fever_rule.document_number),
                         (Decimal("37.5"), "安政办发〔2020〕9号"))
        self.assertEqual(later.plate_rule, passage.plate_rule)  # provinces did not change
        r = self.client.get(reverse("checkpoints:rule"))
        self.assertContains(r, "安政办发〔2020〕9号")
        self.assertContains(r, reverse("core:rule_history", args=[FEVER_CODE]))

    def test_a_passage_is_judged_by_the_rule_of_its_own_day(self) -> None:
        today = timezone.localdate()
        add_value(self.hq, FEVER_CODE, value=Decimal("37.0"), valid_from=today)
        yesterday = timezone.make_aware(datetime.combine(today - timedelta(days=1),
                                                         datetime.min.time())) + timedelta(hours=9)
        data = clean_passage({"client_id": "6f1b3f5e-0d7e-4f4e-9d55-3c1c8c0f5a11",
                              "direction": "in", "name": "张伟", "id_number": ID_B,
                              "temperature": "37.1", "occurred_at": yesterday.isoformat()})
        passage, _created = services.register_passage(self.gate, self.gate_a, data)
        self.assertEqual((passage.fever, passage.fever_rule.typed), (False, Decimal("37.3")))

    def test_no_rule_in_force_refuses_the_passage_with_a_message(self) -> None:
        today = timezone.localdate()
        ParameterValue.objects.filter(parameter__code=FEVER_CODE).update(valid_from=today)
        with self.assertRaises(NoRuleInForce):
            services.screening_rule(today - timedelta(days=1))
        data = clean_passage({"client_id": "0b9a4c1e-3e0a-4f55-8f39-0c7f7d7b6a22",
                              "direction": "in", "name": "张伟", "id_number": ID_B,
                              "temperature": "36.5",
                              "occurred_at": (timezone.now() - timedelta(days=1)).isoformat()})
        with self.assertRaises(ValidationError) as caught:
            services.register_passage(self.gate, self.gate_a, data)
        self.assertIn("没有施行中的筛查规则", " ".join(caught.exception.messages))
        r = self.post_passage(self.gate_a, passage_body(
            occurred_at=(timezone.now() - timedelta(days=1)).isoformat()), self.token)
        self.assertEqual(r.status_code, 400, r.content)
        self.assertIn("没有施行中的筛查规则", r.content.decode())
        self.assertFalse(Passage.objects.exists())

    def test_a_temperature_check_keeps_the_threshold_it_used(self) -> None:
        arrived = timezone.localdate() - timedelta(days=2)
        outsider, _created = services.register_outsider(
            self.community_a, self.community_a_unit,
            clean_person_data(id_number=ID_B, name="李娜", phone="13900002222"),
            arrived_on=arrived, origin="湖北武汉", host_address="文昌路2号",
            from_watched_area=True,
        )
        first, _ = services.record_temperature(self.community_a, outsider, day=arrived,
                                               slot="pm", temperature=Decimal("37.2"))
        add_value(self.hq, FEVER_CODE, value=Decimal("37.0"), valid_from=arrived + timedelta(1))
        second, _ = services.record_temperature(self.community_a, outsider,
                                                day=arrived + timedelta(days=1), slot="am",
                                                temperature=Decimal("37.2"))
        first.refresh_from_db()
        self.assertEqual((first.fever, first.fever_rule.typed), (False, Decimal("37.3")))
        self.assertEqual((second.fever, second.fever_rule.typed), (True, Decimal("37.0")))

    def test_the_briefing_names_the_provinces_watched_on_its_day(self) -> None:
        from fangkong.checkpoints.indicators import checkpoint_sentence

        add_value(self.hq, PROVINCES_CODE, value=("鄂", "豫"), valid_from=date(2020, 3, 1))
        self.post_passage(self.gate_a, passage_body(), self.token)
        self.assertIn("鄂豫", checkpoint_sentence(self.community_a_unit, timezone.localdate()))
        self.assertNotIn("鄂豫", checkpoint_sentence(self.community_a_unit, date(2020, 2, 28)))
