"""The city's report to the province (.xlsx, fixed layout) and the reminder list."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.urls import reverse

from fangkong.reports.tests.base import ReportsTestCase


class ProvinceExportTestCase(ReportsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form.deadline_days = 0
        self.form.save()
        self.d0 = self.today - dt.timedelta(days=2)
        self.d1 = self.today - dt.timedelta(days=1)
        self.submit(self.r_comm_a, self.d0, people_screened=40)
        self.submit(self.r_comm_a, self.d1, people_screened=100, avg_temp="36.4")
        self.submit(self.r_county_b, self.d1, people_screened=60, avg_temp="36.8")
        self.submit(self.r_sjj, self.d1, people_screened=5, avg_temp=None)

    def workbook(self, user=None):
        self.login(user or self.province)
        r = self.client.get(reverse("reports:province_xlsx", args=["daily"])
                            + f"?date={self.d1.isoformat()}")
        self.assertEqual(r.status_code, 200)
        self.assertIn("attachment", r["Content-Disposition"])
        return openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))

    def test_it_writes_the_fixed_layout(self) -> None:
        book = self.workbook()
        self.assertEqual(book.sheetnames, ["当日", "累计"])
        sheet = book["当日"]
        self.assertEqual(sheet["A1"].value, "安康市疫情防控工作日报（县区日报）")
        self.assertIn("应报6个", sheet["A2"].value)
        self.assertIn("已报3个", sheet["A2"].value)
        header = [c.value for c in sheet[4]]
        self.assertEqual(header[:5], ["序号", "单位代码", "单位", "报送情况", "排查人员（人次）"])
        self.assertIn("平均体温（℃）", header)
        self.assertNotIn("工作动态", header)  # text is not part of the numbers
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
        self.assertEqual([r[2] for r in rows], ["汉滨区", "紫阳县", "安康市审计局", "安康市"])
        self.assertEqual(rows[0][:5], [1, "610902", "汉滨区", "1/3", 100])
        self.assertEqual(rows[2][3], "迟报")
        self.assertEqual(rows[-1][0], "合计")
        self.assertEqual(rows[-1][4], 165)
        avg_col = header.index("平均体温（℃）")
        self.assertAlmostEqual(rows[-1][avg_col], 36.6)

    def test_it_adds_the_cumulative_sheet(self) -> None:
        rows = [[c.value for c in row] for row in self.workbook()["累计"].iter_rows(min_row=5)]
        self.assertEqual(rows[0][4], 140)  # 汉滨区: 40 + 100
        self.assertEqual(rows[2][4], 5)  # the member unit's own cumulative
        self.assertEqual(rows[-1][4], 205)

    def test_it_refuses_a_user_without_view(self) -> None:
        self.login(self.sjj_liaison)
        r = self.client.get(reverse("reports:province_xlsx", args=["daily"]))
        self.assertIn(r.status_code, (403, 404))


class ReminderExportTestCase(ReportsTestCase):
    def test_it_lists_the_missing_reporters(self) -> None:
        self.submit(self.r_comm_a)
        self.login(self.county_a)
        r = self.client.get(reverse("reports:reminders_xlsx", args=["daily"]))
        book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
        rows = [[c.value for c in row] for row in book.active.iter_rows(min_row=2)]
        self.assertEqual([r[0] for r in rows], ["610902", "610902003001"])
        self.assertEqual(rows[0][1], "汉滨区")
