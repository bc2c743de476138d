"""The registers' exports on ``core.exports``: masked by default; unmasked only by POST,
with the export permission and a reason, logged with the row count."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from django.urls import reverse
from django.utils import timezone

from fangkong.checkpoints import services
from fangkong.checkpoints.tests.base import ID_A, ID_B, CheckpointTestCase, passage_body
from fangkong.core.models import PiiAccess
from fangkong.core.services.people import clean_person_data


def sheet(response) -> str:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row)


class OutsiderExportTests(CheckpointTestCase):
    def setUp(self) -> None:
        services.register_outsider(
            self.community_a, self.community_a_unit,
            clean_person_data(id_number=ID_B, name="李娜", phone="13900002222"),
            arrived_on=date(2020, 2, 10), origin="湖北武汉", host_address="文昌路2号3栋",
        )
        self.url = reverse("checkpoints:outsiders_export")

    def test_it_exports_masked_on_get(self) -> None:
        self.login(self.county_a)
        text = sheet(self.client.get(self.url))
        self.assertIn("李娜", text)
        for full in (ID_B, "13900002222", "文昌路2号3栋"):
            self.assertNotIn(full, text)
        self.assertFalse(PiiAccess.objects.exists())

    def test_it_shows_the_reason_form_only_to_those_who_may_export(self) -> None:
        self.login(self.community_a)
        self.assertEqual(self.client.get(self.url, {"unmasked_form": "1"}).status_code, 403)
        self.assertEqual(self.client.post(self.url, {"reason": "核查名单"}).status_code, 403)
        self.assertEqual(  # refused, both logged
            list(PiiAccess.objects.order_by("pk").values_list("refused", "reason")),
            [("permission", ""), ("permission", "核查名单")])
        self.login(self.county_a)
        page = self.client.get(self.url, {"unmasked_form": "1"})
        self.assertTemplateUsed(page, "core/export_unmasked.html")
        self.assertContains(page, 'name="reason"')

    def test_it_exports_unmasked_with_a_reason_and_logs_the_rows_and_fields(self) -> None:
        self.login(self.county_a)
        text = sheet(self.client.post(self.url, {"reason": "上报区指挥部核查"}))
        for full in (ID_B, "13900002222", "文昌路2号3栋"):
            self.assertIn(full, text)
        log = PiiAccess.objects.get()
        self.assertEqual((log.actor, log.action, log.row_count, log.reason),
                         (self.county_a, "export", 1, "上报区指挥部核查"))
        self.assertEqual((log.subject_type, log.fields),
                         ("checkpoints.Outsider", "id_number,phone,host_address"))


class PassageExportTests(CheckpointTestCase):
    def test_the_day_travels_with_the_unmasked_export(self) -> None:
        token = self.token_for(self.gate)
        for id_number in (ID_A, ID_B):
            self.post_passage(self.gate_a, passage_body(id_number=id_number), token)
        url = reverse("checkpoints:export", args=[self.gate_a.pk])
        today = timezone.localdate().isoformat()
        self.login(self.county_a)
        self.assertNotIn(ID_A, sheet(self.client.get(url, {"date": today})))
        page = self.client.get(url, {"unmasked_form": "1", "date": today})
        self.assertContains(page, f'name="date" value="{today}"')
        text = sheet(self.client.post(url, {"date": today, "reason": "流调"}))
        self.assertIn(ID_A, text)
        self.assertIn(ID_B, text)
        log = PiiAccess.objects.get()
        self.assertEqual(log.row_count, 2)
        self.assertIn(f"date={today}", log.subject_label)
        PiiAccess.objects.all().delete()
        text = sheet(self.client.post(url, {"date": "2020-02-01", "reason": "流调"}))
        self.assertNotIn(ID_A, text)
        self.assertEqual(PiiAccess.objects.get().row_count, 0)
