"""The relief registry imported from Excel through the kit's flow (``core.imports``):
check, a row-by-row error report, then the checked file; a template to download."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from fangkong.relief.models import EntityKind, PoorHousehold, PoorMember, ReliefEntity
from fangkong.relief.tests.base import ACCOUNT, ReliefTestCase, person

HOUSEHOLDS = "/relief/import/households/"
ENTITIES = "/relief/import/entities/"
H_HEADERS = ["户编号", "村代码", "姓名", "身份证号", "与户主关系", "手机号", "一卡通账号",
             "开户银行", "外出务工起", "外出务工止"]
E_HEADERS = ["名称", "类型", "镇村代码", "账号", "开户银行", "复工日期"]
WENCHANG, BEICHENG = "610902002002", "610924100001"


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_xlsx(response: Any) -> list[tuple[Any, ...]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def member_row(number: str, n: int, relation: str = "", account: str = "", bank: str = "",
               village: str = WENCHANG, away: tuple = ("", "")) -> list[Any]:
    p = person(n)
    return [number, village, p.name, p.id_number, relation, "", account, bank, *away]


class ImportTestCase(ReliefTestCase):
    def setUp(self) -> None:
        self.login(self.county_a)

    def upload(self, url: str, data: bytes, action: str = "check", checked: str = ""):
        return self.client.post(url, {"file": SimpleUploadedFile("f.xlsx", data),
                                      "action": action, "checked": checked},
                                HTTP_ACCEPT_LANGUAGE="en")

    def check_then_import(self, url: str, data: bytes):
        checked = self.upload(url, data)
        self.assertEqual(checked.status_code, 200)
        self.assertTrue(checked.context["result"].ok, checked.context["result"].errors)
        return self.upload(url, data, "commit", checked.context["digest"])

    def household_file(self) -> bytes:
        return xlsx([H_HEADERS,
                     member_row("IMP-1", 3001, "户主", ACCOUNT, "农信社"),
                     member_row("IMP-1", 3002, "妻", away=(date(2020, 1, 31),
                                                           date(2020, 8, 1))),
                     member_row("IMP-2", 3003, "", ACCOUNT, "邮储银行"),
                     member_row(self.household.number, 3004, "子")])

    def test_households_and_members_are_imported_once(self):
        r = self.check_then_import(HOUSEHOLDS, self.household_file())
        result = r.context["result"]
        self.assertTrue(result.committed)
        self.assertEqual(result.created, 4)
        first = PoorHousehold.objects.get(number="IMP-1")
        self.assertEqual((first.org_unit, first.account_number, first.head_name),
                         (self.community_a_unit, ACCOUNT, person(3001).name))
        self.assertEqual(first.members.count(), 2)
        wife = first.members.get(relation="妻")
        self.assertEqual((wife.away_from, wife.away_to), (date(2020, 1, 31), date(2020, 8, 1)))
        self.assertEqual(self.household.members.count(), 2)
        again = self.check_then_import(HOUSEHOLDS, self.household_file())
        self.assertEqual((again.context["result"].created, again.context["unchanged"]), (0, 4))
        self.assertEqual(PoorMember.objects.filter(household__number__startswith="IMP")
                         .count(), 3)

    def test_bad_rows_are_reported_by_row_and_nothing_is_saved(self):
        rows = [H_HEADERS,
                member_row("IMP-3", 3011, "妻", ACCOUNT, "农信社"),  # row 2: not the head
                member_row("IMP-4", 3012, "户主", "12ab", "农信社"),  # row 3: bad account
                member_row("IMP-5", 3013, "户主", ACCOUNT, "农信社", village=BEICHENG),
                member_row("IMP-6", 3014, "户主", ACCOUNT, "农信社",
                           away=(date(2020, 3, 1), date(2020, 2, 1)))]  # row 5
        data = xlsx(rows)
        r = self.upload(HOUSEHOLDS, data)
        result = r.context["result"]
        self.assertEqual([(e.row, e.column) for e in result.errors],
                         [(2, "与户主关系"), (3, "一卡通账号"), (4, "村代码"), (5, "外出务工止")])
        self.assertContains(r, "The file has 4 problems")
        self.assertFalse(PoorHousehold.objects.filter(number__startswith="IMP").exists())
        report = self.upload(HOUSEHOLDS, data, "errors")
        self.assertEqual(report["Content-Type"].split(";")[0],
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        lines = read_xlsx(report)
        self.assertEqual(len(lines), 5)  # header and the four problems

    def test_entities_are_imported_and_updated(self):
        rows = [E_HEADERS, ["新城扶贫车间", "扶贫车间", "610902002", ACCOUNT, "农行",
                            date(2020, 2, 20)],
                ["文昌种养合作社", "合作社", WENCHANG, ACCOUNT, "农信社", ""]]
        r = self.check_then_import(ENTITIES, xlsx(rows))
        self.assertEqual(r.context["result"].created, 2)
        workshop = ReliefEntity.objects.get(name="新城扶贫车间")
        self.assertEqual((workshop.kind, workshop.resumed_on, workshop.org_unit),
                         (EntityKind.WORKSHOP, date(2020, 2, 20), self.town_a))
        rows[2][5] = date(2020, 3, 2)
        r = self.check_then_import(ENTITIES, xlsx(rows))
        self.assertEqual((r.context["result"].created, r.context["result"].updated,
                          r.context["unchanged"]), (0, 1, 1))
        self.assertEqual(ReliefEntity.objects.get(name="文昌种养合作社").resumed_on,
                         date(2020, 3, 2))
        bad = self.upload(ENTITIES, xlsx([E_HEADERS,
                                          ["汉滨车间", "车间", "610902002", ACCOUNT, "农行", ""],
                                          ["紫阳车间", "扶贫车间", "610924100", "123", "农行",
                                           ""]]))
        self.assertEqual([(e.row, e.column) for e in bad.context["result"].errors],
                         [(2, "类型"), (3, "镇村代码"), (3, "账号")])

    def test_templates_download_and_others_may_not_import(self):
        for url, header in ((HOUSEHOLDS, "建档立卡编号"), (ENTITIES, "主体名称")):
            r = self.client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            self.assertContains(r, f"{url}template/")
            t = self.client.get(f"{url}template/", HTTP_ACCEPT_LANGUAGE="zh-hans")
            self.assertEqual(t.status_code, 200)
            self.assertIn(header, read_xlsx(t)[0][0])
        self.assertContains(self.client.get("/relief/households/"), HOUSEHOLDS)
        self.login(self.province)
        self.assertEqual(self.client.get(HOUSEHOLDS).status_code, 403)
        self.assertNotContains(self.client.get("/relief/households/"), HOUSEHOLDS)
        self.login(self.county_a)
        self.assertEqual(self.client.get("/relief/import/nothing/").status_code, 404)
