"""What the duty staff decide at the gate (issue #11): the outcome of a passage, a name
that disagrees with the registry, a self-registration confirmed, discarded, restored."""

from __future__ import annotations

import uuid
from datetime import timedelta

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from fangkong.checkpoints import services
from fangkong.checkpoints.models import Passage, PassageDaily
from fangkong.checkpoints.tests.base import ID_A, ID_B, CheckpointTestCase, passage_body
from fangkong.checkpoints.validation import clean_passage
from fangkong.core.models import Person


def form(**overrides) -> dict:
    data = {"client_id": str(uuid.uuid4()), "direction": "in", "name": "孙强",
            "id_number": ID_A, "phone": "13800001111", "temperature": "36.6",
            "mask": "on", "resident": "on"}
    data.update(overrides)
    return data


class OutcomeTests(CheckpointTestCase):
    def register(self, **overrides) -> Passage:
        body = passage_body(**overrides)
        return services.register_passage(self.gate, self.gate_a, clean_passage(body))[0]

    def test_a_fever_is_registered_not_let_through_and_the_api_says_so(self) -> None:
        token = self.token_for(self.gate)
        r = self.post_passage(self.gate_a, passage_body(temperature=38.1), token)
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual((r.json()["fever"], r.json()["outcome"]), (True, "refused"))
        r = self.post_passage(self.gate_a, passage_body(id_number=ID_B, name="李娜"), token)
        self.assertEqual(r.json()["outcome"], "admitted")
        daily = PassageDaily.objects.get()
        self.assertEqual((daily.passages_in, daily.fevers), (1, 1))

    def test_the_duty_screen_records_the_outcome_once_and_only_for_today(self) -> None:
        fever = self.register(temperature=38.1)
        self.login(self.gate)
        url = reverse("checkpoints:duty_outcome", args=[self.gate_a.pk, fever.pk])
        r = self.client.post(url, {"outcome": "turned_back"}, HTTP_HX_REQUEST="true")
        self.assertContains(r, "劝返")
        self.client.post(url, {"outcome": "turned_back"}, HTTP_HX_REQUEST="true")
        self.client.post(url, {"outcome": "admitted"}, HTTP_HX_REQUEST="true")
        self.assertEqual(PassageDaily.objects.get().passages_in, 1)
        r = self.client.post(url, {"outcome": "waved"}, HTTP_HX_REQUEST="true")
        self.assertContains(r, "请选择对该人员的处置")
        self.assertEqual(Passage.objects.get().outcome, "admitted")
        entries = LogEntry.objects.get_for_object(fever).filter(action=LogEntry.Action.UPDATE)
        self.assertEqual(entries.count(), 2)
        Passage.objects.filter(pk=fever.pk).update(day=timezone.localdate() - timedelta(1))
        self.assertEqual(self.client.post(url, {"outcome": "refused"}).status_code, 404)
        self.login(self.community_b)
        self.assertEqual(self.client.post(url, {"outcome": "refused"}).status_code, 404)

    def test_the_export_carries_the_outcome(self) -> None:
        from fangkong.checkpoints.exporters import PassageExporter

        fever = self.register(temperature=38.1)
        row = PassageExporter.row(None, Passage.objects.select_related(
            "person", "checkpoint", "recorded_by").get(pk=fever.pk))
        self.assertEqual(row["outcome"], "不予放行")


class NameCheckTests(CheckpointTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.registered = Person.objects.create(
            id_number=ID_A, name="王芳", sex="M", birth_date=timezone.datetime(1980, 5, 1).date(),
            org_unit=cls.community_a_unit)

    def post(self, **overrides):
        return self.client.post(reverse("checkpoints:duty_register", args=[self.gate_a.pk]),
                                form(**overrides), HTTP_HX_REQUEST="true")

    def test_a_worker_who_may_see_the_person_is_shown_both_names(self) -> None:
        self.login(self.community_a)
        r = self.post()
        self.assertContains(r, "你输入的是孙强，登记库中该身份证号码登记的是王*。")
        self.assertNotContains(r, "王芳")
        self.assertFalse(Passage.objects.exists())

    def test_the_same_name_goes_straight_through(self) -> None:
        self.login(self.gate)
        r = self.post(name="王芳")
        self.assertNotContains(r, "姓名与身份证号码不一致")
        self.assertEqual(Passage.objects.get().name, "王芳")

    def test_a_worker_who_may_edit_corrects_the_registry_audited(self) -> None:
        self.login(self.community_a)
        r = self.post(name_check="registry")
        self.assertContains(r, "已更正登记库中该身份证号码的姓名")
        self.registered.refresh_from_db()
        self.assertEqual(self.registered.name, "孙强")
        self.assertEqual(self.registered.phone, "")  # only the name was corrected
        passage = Passage.objects.get()
        self.assertEqual((passage.name, passage.name_disputed), ("孙强", False))
        entry = LogEntry.objects.get_for_object(self.registered).filter(
            action=LogEntry.Action.UPDATE).get()
        self.assertEqual(entry.actor, self.community_a)

    def test_mistyped_registers_nothing_and_asks_for_the_id_number(self) -> None:
        self.login(self.gate)
        r = self.post(name_check="mistyped")
        self.assertContains(r, "请对照身份证核对并改正身份证号码")
        self.assertContains(r, 'value="孙强"')
        self.assertFalse(Passage.objects.exists())

    def test_the_correction_service_refuses_an_actor_who_may_not_edit(self) -> None:
        self.assertFalse(services.correct_registry_name(self.gate, self.registered, "孙强"))
        self.assertFalse(services.correct_registry_name(self.community_b, self.registered,
                                                        "孙强"))
        self.registered.refresh_from_db()
        self.assertEqual(self.registered.name, "王芳")


class PendingTests(CheckpointTestCase):
    def self_registered(self, temperature="36.4", direction="in") -> Passage:
        body = passage_body(temperature=temperature, direction=direction)
        return services.register_passage(None, self.gate_a, clean_passage(body),
                                         channel="self")[0]

    def test_confirming_needs_a_measured_or_explicitly_self_reported_reading(self) -> None:
        passage = self.self_registered()
        with self.assertRaises(ValidationError):
            services.confirm_passage(self.gate, passage)
        services.confirm_passage(self.gate, passage, self_reported=True)
        passage.refresh_from_db()
        self.assertEqual((passage.status, str(passage.temperature)), ("confirmed", "36.4"))
        out = self.self_registered(temperature=None, direction="out")
        services.confirm_passage(self.gate, out)  # going out needs no reading

    def test_the_services_refuse_a_user_not_on_duty_here(self) -> None:
        passage = self.self_registered()
        for call in (lambda u: services.confirm_passage(u, passage, self_reported=True),
                     lambda u: services.reject_passage(u, passage),
                     lambda u: services.restore_passage(u, passage)):
            with self.assertRaises(PermissionDenied):
                call(self.community_b)
        self.assertEqual(Passage.objects.get().status, "pending")

    def test_a_discard_asks_then_can_be_undone_the_same_day_only(self) -> None:
        passage = self.self_registered()
        self.login(self.gate)
        url = reverse("checkpoints:duty_confirm", args=[self.gate_a.pk, passage.pk])
        r = self.client.post(url, {"action": "discard"}, HTTP_HX_REQUEST="true")
        self.assertContains(r, "确定作废")
        self.assertEqual(Passage.objects.get().status, "pending")
        self.client.post(url, {"action": "reject"}, HTTP_HX_REQUEST="true")
        self.assertEqual(Passage.objects.get().status, "rejected")
        r = self.client.get(reverse("checkpoints:duty_pending", args=[self.gate_a.pk]))
        self.assertContains(r, "撤销作废")
        self.client.post(url, {"action": "restore"}, HTTP_HX_REQUEST="true")
        self.assertEqual(Passage.objects.get().status, "pending")
        services.reject_passage(self.gate, passage)
        Passage.objects.filter(pk=passage.pk).update(
            updated_at=timezone.now() - timedelta(days=1))
        with self.assertRaises(ValidationError):
            services.restore_passage(self.gate, passage)

    def test_the_pending_list_is_served_alone_and_only_to_the_checkpoints_staff(self) -> None:
        self.self_registered()
        self.login(self.gate)
        r = self.client.get(reverse("checkpoints:duty_pending", args=[self.gate_a.pk]))
        self.assertContains(r, 'id="duty-pending"')
        self.assertContains(r, "pending-row")
        self.assertNotContains(r, "duty-form")
        self.login(self.community_b)
        r = self.client.get(reverse("checkpoints:duty_pending", args=[self.gate_a.pk]))
        self.assertEqual(r.status_code, 404)
