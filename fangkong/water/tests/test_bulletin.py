"""The monthly bulletin as a document (PDF): the same rows as the spreadsheet, read back
from the file with pypdf."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime, time

import openpyxl
from django.utils import timezone
from pypdf import PdfReader

from fangkong.water import services
from fangkong.water.tests.base import WaterTestCase


def _at(day: int, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(date(2020, 2, day), time(hour)))


class BulletinDocumentTests(WaterTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for point, indicator, value, day in (
                (cls.outlet, "free_chlorine", "0.62", 3), (cls.outlet, "free_chlorine", "0.18", 4),
                (cls.outlet, "free_chlorine", "0.45", 5), (cls.outlet, "ph", "7.3", 3),
                (cls.outlet, "coliforms", "未检出", 3), (cls.outlet, "pressure", "0.1", 3),
                (cls.end, "free_chlorine", "0.21", 3), (cls.end, "turbidity", "0.4", 3),
                (cls.outlet, "ph", "7.9", 29)):  # the month's last day
            services.record_reading(cls.operator, point, client_id=uuid.uuid4(),
                                    indicator=indicator, value=value, taken_at=_at(day),
                                    sampler="王芳")
        services.record_reading(cls.other_operator, cls.other_point, client_id=uuid.uuid4(),
                                indicator="ph", value="7.1", taken_at=_at(3), sampler="李静")

    def get(self, fmt: str, month: str = "2020-02"):
        response = self.client.get(
            f"/water/bulletin/export/?utility={self.utility.pk}&month={month}&format={fmt}")
        self.assertEqual(response.status_code, 200)
        return b"".join(response.streaming_content) if response.streaming else response.content

    def test_the_pdf_holds_the_spreadsheets_rows(self) -> None:
        self.client.force_login(self.operator)
        pdf = self.get("pdf")
        self.assertTrue(pdf.startswith(b"%PDF-"))
        reader = PdfReader(io.BytesIO(pdf))
        text = "\n".join(page.extract_text() for page in reader.pages)
        flat = text.replace("\n", "").replace(" ", "")
        sheet = list(openpyxl.load_workbook(io.BytesIO(self.get("xlsx"))).active.iter_rows(
            values_only=True))
        # Every cell of the spreadsheet (headers, the limit row, a row per point) is in
        # the document, in the order of the rows.
        cells = [str(v) for row in sheet for v in row if v not in (None, "")]
        self.assertGreater(len(cells), 30)
        position = 0
        for cell in cells:
            found = flat.find(cell.replace(" ", ""), position)
            self.assertGreaterEqual(found, 0, f"{cell!r} is not in the PDF (after {position})")
            position = found
        # What it says: the month, the limits, the exceedance, pressure left out.
        self.assertIn("安康水务集团水质公告2020-02", flat)
        self.assertIn("限值（GB5749-2022）", flat)
        self.assertIn("出厂水0.3–2mg/L；末梢水≥0.05mg/L", flat)
        self.assertIn("0.18~0.62", flat)
        self.assertIn("曾超标（已复检）", flat)
        self.assertIn("7.3~7.9", flat)
        self.assertIn("未检出", flat)
        self.assertNotIn("紫阳", flat)  # another utility's point
        self.assertNotIn("王芳", flat)  # nobody's name
        self.assertEqual(reader.metadata.title, "安康水务集团水质公告2020-02")

    def test_a_month_without_readings_and_a_bad_month(self) -> None:
        self.client.force_login(self.operator)
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
            self.get("pdf", "2020-05"))).pages).replace(" ", "").replace("\n", "")
        self.assertIn("马坑水厂出厂水", text)  # the points, with no results
        self.assertIn("—", text)
        bad = self.client.get(f"/water/bulletin/export/?utility={self.utility.pk}"
                              "&month=2020-13&format=pdf")
        self.assertEqual(bad.status_code, 400)
        self.client.force_login(self.other_operator)
        other = self.client.get(f"/water/bulletin/export/?utility={self.utility.pk}"
                                "&month=2020-02&format=pdf")
        self.assertEqual(other.status_code, 404)
