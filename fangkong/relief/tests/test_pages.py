"""The relief pages: each answers for staff, out of scope is 404, forms put errors next
to their fields and save nothing, creating forms survive a resubmission."""

from __future__ import annotations

import uuid
from datetime import date

from fangkong.core.models import PiiAccess
from fangkong.lib.identity import make_id_number
from fangkong.relief import services
from fangkong.relief.models import EntityWorker, Loan, PaymentBatch, PoorHousehold
from fangkong.relief.tests.base import ACCOUNT, ReliefTestCase


class PageTests(ReliefTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.county_a)

    def test_every_list_page_answers(self) -> None:
        for url in ("/relief/", "/relief/calculator/", "/relief/households/",
                    "/relief/entities/", "/relief/applications/", "/relief/batches/",
                    "/relief/households/new/", "/relief/entities/new/",
                    f"/relief/batches/acceptance/{self.county_a_unit.code}/new/",
                    f"/relief/batches/payment/{self.county_a_unit.code}/new/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_out_of_scope_is_404(self) -> None:
        self.assertEqual(self.client.get(f"/relief/households/{self.household_b.pk}/")
                         .status_code, 404)
        self.assertEqual(self.client.get(
            f"/relief/batches/acceptance/{self.county_b_unit.code}/new/").status_code, 404)
        self.assertEqual(self.client.post(f"/relief/households/{self.household_b.pk}/apply/",
                                          {"measure": "employment",
                                           "client_id": str(uuid.uuid4())}).status_code, 404)

    def test_the_calculator_computes_and_explains(self) -> None:
        response = self.client.post("/relief/calculator/", {
            "measure": "entity", "resumed": "on", "poor_workers": "20", "as_of": "2020-03-02"})
        self.assertContains(response, "20000.00")
        self.assertContains(response, "计算过程")
        self.assertContains(response, "扶贫：带贫主体生产补贴")

    def test_the_calculator_puts_errors_next_to_their_fields(self) -> None:
        response = self.client.post("/relief/calculator/", {
            "measure": "employment", "members": "6 six"})
        self.assertContains(response, "“six”不是整数月数")
        self.assertNotContains(response, 'id="result"')
        response = self.client.post("/relief/calculator/", {"measure": "loan_interest",
                                                            "due_date": "2020-02-30"})
        self.assertContains(response, "field-error", count=3)  # due date + 2 missing facts

    def test_registering_a_household_once_even_if_sent_twice(self) -> None:
        data = {"client_id": str(uuid.uuid4()), "village": self.community_a_unit.code,
                "number": "NEW-1", "head_name": "李四",
                "head_id_number": make_id_number("610902", date(1979, 5, 5), 321),
                "phone": "", "account_number": "6230 5201 2345 6789 012",
                "account_bank": "农信社"}
        first = self.client.post("/relief/households/new/", data)
        second = self.client.post("/relief/households/new/", data)
        self.assertEqual(first.status_code, 302)
        self.assertEqual(second["Location"], first["Location"])
        self.assertEqual(PoorHousehold.objects.filter(number="NEW-1").count(), 1)

    def test_a_bad_household_form_saves_nothing(self) -> None:
        response = self.client.post("/relief/households/new/", {
            "client_id": str(uuid.uuid4()), "village": self.community_b_unit.code,
            "number": "", "head_name": "李四", "head_id_number": "123",
            "account_number": "abc", "account_bank": ""})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "field-error")
        self.assertFalse(PoorHousehold.objects.filter(head_name="李四").exists())

    def test_the_entity_page_edits_the_registry(self) -> None:
        entity = self.make_entity(self.county_a, self.community_a_unit)
        member = self.household.members.get()
        url = f"/relief/entities/{entity.pk}/"
        self.assertEqual(self.client.post(url + "workers/", {
            "member": member.pk, "since": "2020-01-01"}).status_code, 302)
        self.assertTrue(EntityWorker.objects.filter(entity=entity, member=member).exists())
        self.assertEqual(self.client.post(url + "led/", {"household": self.household.pk})
                         .status_code, 302)
        self.assertEqual(self.client.post(url + "loans/", {
            "contract_number": "L-1", "bank": "农商行", "principal": "1000.00",
            "annual_rate": "0.05", "due_date": "2020-03-01", "for_production": "on"})
            .status_code, 302)
        self.assertTrue(Loan.objects.filter(entity=entity, contract_number="L-1").exists())
        bad = self.client.post(url + "loans/", {"contract_number": "L-2", "bank": "x",
                                                "principal": "-1", "annual_rate": "2",
                                                "due_date": "2020-13-01"})
        self.assertEqual(bad.status_code, 400)
        self.assertContains(bad, "field-error", count=3, status_code=400)
        # A household of another county is not offered.
        other = self.client.post(url + "led/", {"household": self.household_b.pk})
        self.assertEqual(other.status_code, 400)

    def test_rejecting_an_application_needs_a_reason_and_frees_the_subject(self) -> None:
        application, _ = services.apply(self.county_a, "employment", household=self.household,
                                        client_id=uuid.uuid4(), submitted_on=date(2020, 2, 1))
        url = f"/relief/applications/{application.pk}/reject/"
        self.assertContains(self.client.post(url, {"reason": ""}), "field-error",
                            status_code=400)
        self.client.force_login(self.community_a)
        self.assertEqual(self.client.post(url, {"reason": "不符合"}).status_code, 403)
        self.client.force_login(self.county_a)
        self.assertEqual(self.client.post(url, {"reason": "材料不全"}).status_code, 302)
        application.refresh_from_db()
        self.assertEqual((application.status, application.problem), ("rejected", "材料不全"))
        services.apply(self.county_a, "employment", household=self.household,
                       client_id=uuid.uuid4(), submitted_on=date(2020, 2, 2))

    def test_the_bank_file_is_masked_and_unmasked_only_with_a_reason(self) -> None:
        application, _ = services.apply(self.county_a, "employment",
                                        household=self.make_household(
                                            self.county_a, self.community_a_unit, 40, members=1),
                                        client_id=uuid.uuid4(), submitted_on=date(2020, 2, 1))
        services.accept(self.county_a, self.county_a_unit, [application],
                        accepted_on=date(2020, 2, 27), client_id=uuid.uuid4())
        batch, _ = services.build_payment_batch(self.county_a, self.county_a_unit,
                                                prepared_on=date(2020, 2, 28),
                                                client_id=uuid.uuid4())
        url = f"/relief/batches/payment/{batch.pk}/bank-file/"
        masked = self.client.get(url)
        self.assertEqual(masked.status_code, 200)
        from io import BytesIO

        from openpyxl import load_workbook

        rows = list(load_workbook(BytesIO(b"".join(masked.streaming_content)
                                          if masked.streaming else masked.content))
                    .active.iter_rows(values_only=True))
        self.assertNotIn(ACCOUNT, [c for r in rows for c in r])
        self.assertEqual(rows[-1][0], "合计")
        self.assertEqual(rows[-1][4], 500)
        response = self.client.post(url, {"reason": "报送银行代发", "format": "xlsx"})
        self.assertEqual(response.status_code, 200)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        rows = list(load_workbook(BytesIO(body)).active.iter_rows(values_only=True))
        self.assertIn(ACCOUNT, [c for r in rows for c in r])
        self.assertTrue(PiiAccess.objects.filter(actor=self.county_a, action="export").exists())
        self.assertEqual(PaymentBatch.objects.count(), 1)
