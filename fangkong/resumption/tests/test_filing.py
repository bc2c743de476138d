"""Registry, filing, review, notice and the summary, on the services and the pages."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fangkong.resumption.indicators import review_hours, summary
from fangkong.resumption.models import Enterprise, Status
from fangkong.resumption.services import filing as filing_svc
from fangkong.resumption.tests.base import FULL, USCC, USCC_2, ResumptionTestCase


class RegistryTests(ResumptionTestCase):
    def test_it_refuses_an_invalid_credit_code_and_saves_nothing(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            filing_svc.register_enterprise(
                self.hq, self.town_b, client_id=uuid.uuid4(), name="甲", uscc=USCC[:-1] + "0",
                industry="construction", is_key_project=True, headcount=5,
                liaison_name="李", liaison_phone="13912345678")
        self.assertIn("uscc", ctx.exception.message_dict)
        self.assertFalse(Enterprise.objects.exists())

    def test_the_form_shows_the_error_under_the_field(self) -> None:
        self.client.force_login(self.county_b)
        page = self.client.get(reverse("resumption:enterprise_new"))
        key = page.context["form"]["client_id"].value()
        response = self.client.post(reverse("resumption:enterprise_new"), {
            "client_id": key, "unit": "610924100", "name": "甲", "uscc": "91610924MA00000010",
            "industry": "construction", "headcount": "5", "liaison_name": "李",
            "liaison_phone": "13912345678"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("uscc", response.context["form"].errors)
        self.assertFalse(Enterprise.objects.exists())

    def test_a_retried_registration_makes_one_record(self) -> None:
        key = uuid.uuid4()
        args = dict(client_id=key, name="甲", uscc=USCC, industry="construction",
                    is_key_project=True, headcount=5, liaison_name="李",
                    liaison_phone="13912345678")
        filing_svc.register_enterprise(self.hq, self.town_b, **args)
        _e, created = filing_svc.register_enterprise(self.hq, self.town_b, **args)
        self.assertFalse(created)
        self.assertEqual(Enterprise.objects.count(), 1)


class FilingTests(ResumptionTestCase):
    def test_submitting_an_incomplete_filing_lists_every_missing_item(self) -> None:
        e = self.make_enterprise()
        filing_svc.save_checklist(self.enterprise_liaison, e, planned_start=None,
                                  answers={"plan": ("方案", None)})
        with self.assertRaises(ValidationError) as ctx:
            filing_svc.submit_filing(self.enterprise_liaison, e)
        errors = ctx.exception.message_dict
        self.assertIn("masks_days", errors)
        self.assertIn("meals_answer", errors)
        self.assertIn("planned_start", errors)
        e.refresh_from_db()
        self.assertEqual(e.status, Status.NOT_STARTED)

    def test_return_lists_all_missing_items_then_approval_issues_a_notice(self) -> None:
        e = self.filed(self.make_enterprise())
        with self.assertRaises(ValidationError):  # a missing item needs a comment
            filing_svc.return_filing(self.county_b, e, comments={}, missing=["masks"])
        filing_svc.return_filing(self.county_b, e, missing=["masks", "isolation"],
                                 comments={"masks": "不足7天", "isolation": "未说明位置"})
        e.refresh_from_db()
        self.assertEqual(e.status, Status.RETURNED)
        change = e.history.last()
        self.assertIn("不足7天", change.reason)
        self.assertIn("未说明位置", change.reason)
        self.assertEqual(change.actor, self.county_b)
        self.filed(e)
        filing = filing_svc.approve_filing(self.county_b, e, comments={})
        self.assertTrue(filing.notice_number.startswith("610924-"))
        self.client.force_login(self.enterprise_liaison)
        pdf = self.client.get(reverse("resumption:notice", args=[e.pk]))
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        hours, n = review_hours(self.county_b_unit)
        self.assertEqual(n, 2)
        self.assertIsNotNone(hours)
        self.assertEqual([c.to_status for c in e.history.all()],
                         ["not_started", "filed", "returned", "filed", "approved"])

    def test_only_the_county_reviews_and_only_the_liaison_or_staff_file(self) -> None:
        e = self.filed(self.make_enterprise())
        with self.assertRaises(PermissionDenied):
            filing_svc.approve_filing(self.enterprise_liaison, e, comments={})
        with self.assertRaises(PermissionDenied):
            filing_svc.approve_filing(self.county_a, e, comments={})
        other = self.make_enterprise(uscc=USCC_2, org=None)
        with self.assertRaises(PermissionDenied):
            filing_svc.save_checklist(self.enterprise_liaison, other, planned_start=None,
                                      answers=FULL)

    def test_a_liaison_sees_only_their_enterprise_404_otherwise(self) -> None:
        mine = self.make_enterprise()
        other = self.make_enterprise(uscc=USCC_2, org=None)
        self.client.force_login(self.enterprise_liaison)
        self.assertEqual(self.client.get(reverse("resumption:filing", args=[mine.pk])
                                         ).status_code, 200)
        for name in ("filing", "enterprise", "notice"):
            self.assertEqual(self.client.get(reverse(f"resumption:{name}", args=[other.pk])
                                             ).status_code, 404)
        self.assertEqual(self.client.get(reverse("resumption:mine")).status_code, 302)

    def test_an_attachment_of_another_enterprise_is_404(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        other = self.make_enterprise(uscc=USCC_2, org=None)
        self.client.force_login(self.county_b)
        ok = self.client.post(reverse("resumption:attachment_new", args=[other.pk]), {
            "item": "plan", "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 test"),
            "client_id": str(uuid.uuid4())})
        self.assertEqual(ok.status_code, 302)
        bad = self.client.post(reverse("resumption:attachment_new", args=[other.pk]), {
            "item": "plan", "file": SimpleUploadedFile("x.pdf", b"<script>alert(1)</script>"),
            "client_id": str(uuid.uuid4())})
        self.assertEqual(bad.status_code, 422)
        from fangkong.resumption.models import Attachment
        attachment = Attachment.objects.get(filing__enterprise=other)
        self.client.force_login(self.enterprise_liaison)
        self.assertEqual(self.client.get(reverse("resumption:attachment",
                                                 args=[attachment.pk])).status_code, 404)


class FilingPageTests(ResumptionTestCase):
    """Opening the filing page writes nothing; the first save makes the filing, once."""

    def _counts(self) -> tuple[int, int, int]:
        from auditlog.models import LogEntry

        from fangkong.resumption.models import Filing, FilingItem

        return Filing.objects.count(), FilingItem.objects.count(), LogEntry.objects.count()

    def test_opening_the_page_twice_creates_nothing(self) -> None:
        e = self.make_enterprise()
        before = self._counts()
        for user in (self.enterprise_liaison, self.enterprise_liaison, self.county_b):
            self.client.force_login(user)
            page = self.client.get(reverse("resumption:filing", args=[e.pk]))
            self.assertEqual(page.status_code, 200)
            self.assertContains(page, 'id="item-meals"')  # every item, as an empty form
        self.assertEqual(self._counts(), before)
        self.assertFalse(hasattr(Enterprise.objects.get(pk=e.pk), "filing"))

    def test_the_same_form_sent_twice_makes_one_filing(self) -> None:
        from fangkong.resumption.models import Filing

        e = self.make_enterprise()
        self.client.force_login(self.enterprise_liaison)
        url = reverse("resumption:filing", args=[e.pk])
        self.client.get(url)
        data = {"planned_start": "2020-03-01", "plan_answer": "方案已制定",
                "masks_answer": "口罩", "masks_days": "10"}
        for _ in range(2):  # a double tap, or back and send again
            self.assertRedirects(self.client.post(url, data), url)
        filing = Filing.objects.get()
        self.assertEqual(filing.enterprise, e)
        self.assertEqual(filing.items.count(), len(filing_svc.ITEM_CODES))
        self.assertEqual(filing.items.get(code="masks").stock_days, 10)
        self.assertEqual(filing.planned_start, dt.date(2020, 3, 1))
        page = self.client.get(url)
        self.assertContains(page, "方案已制定")
        self.assertEqual(Filing.objects.count(), 1)

    def test_the_filing_submitted_twice_is_filed_once(self) -> None:
        e = self.make_enterprise()
        self.client.force_login(self.enterprise_liaison)
        url = reverse("resumption:filing", args=[e.pk])
        data = {"planned_start": "2020-03-01", "submit": "1"}
        for code, (answer, days) in FULL.items():
            data[f"{code}_answer"] = answer
            if days is not None:
                data[f"{code}_days"] = str(days)
        for _ in range(2):
            self.assertRedirects(self.client.post(url, data), url)
        self.assertEqual([c.to_status for c in e.history.all()], ["not_started", "filed"])
        changed = {**data, "plan_answer": "另一个方案"}  # a stale page, changed: refused
        response = self.client.post(url, changed)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(Enterprise.objects.get(pk=e.pk).filing.items.get(code="plan").answer,
                         FULL["plan"][0])

    def test_a_refused_first_save_makes_no_filing(self) -> None:
        e = self.make_enterprise()
        self.client.force_login(self.enterprise_liaison)
        before = self._counts()
        response = self.client.post(reverse("resumption:filing", args=[e.pk]),
                                    {"masks_answer": "口罩", "masks_days": "400"})
        self.assertEqual(response.status_code, 422)
        self.assertTrue(response.context["checklist"].errors["masks_days"])
        self.assertEqual(self._counts(), before)


class SummaryTests(ResumptionTestCase):
    def test_the_summary_reads_the_status_on_the_day_asked(self) -> None:
        e = self.filed(self.make_enterprise())
        filing_svc.approve_filing(self.county_b, e, comments={})
        filing_svc.mark_resumed(self.enterprise_liaison, e, day=dt.date.today())
        today = dt.date.today()
        self.assertEqual(summary(self.county_b_unit, today)["resumed"], 1)
        self.assertEqual(summary(self.county_b_unit, today - dt.timedelta(days=1))["projects"],
                         0)
        self.client.force_login(self.county_b)
        data = self.client.get("/api/v1/resumption/summary",
                               {"unit": "610924", "date": today.isoformat()}).json()
        self.assertEqual(data, {"projects": 1, "resumed": 1, "preparing": 0,
                                "employees_returned": 0, "workers_transported": 0})
        self.assertEqual(self.client.get("/api/v1/resumption/summary",
                                         {"unit": "610902"}).status_code, 404)
