"""Excel import of enterprises and migrant workers on the kit's flow: row errors first,
then all or nothing; importing the same file twice registers nobody twice."""

from __future__ import annotations

import io

import openpyxl

from fangkong.core.testing import make_person
from fangkong.resumption.importers import EnterpriseImporter, WorkerImporter
from fangkong.resumption.models import Enterprise, MigrantWorker
from fangkong.resumption.tests.base import USCC, USCC_2, ResumptionTestCase


def workbook(header: list[str], rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ["企业名称", "统一社会信用代码", "行业", "重点项目", "职工人数", "联络员", "联络员电话"]


class ImportTests(ResumptionTestCase):
    def test_enterprises_row_errors_then_all_or_nothing(self) -> None:
        bad = workbook(HEADER, [
            ["甲公司", USCC, "建筑施工", "是", 30, "李", "13912345678"],
            ["乙公司", USCC[:-1] + "0", "建筑施工", "否", 30, "王", "13912345679"],
            ["丙公司", USCC_2, "不知道", "否", 0, "赵", "139"],
        ])
        result = EnterpriseImporter(self.town_b).run(bad, self.county_b, dry_run=False)
        self.assertFalse(result.ok)
        rows = {(e.row, e.column) for e in result.errors}
        self.assertIn((3, "统一社会信用代码"), rows)
        self.assertTrue({r for r, _c in rows} >= {3, 4})
        self.assertFalse(Enterprise.objects.exists())
        good = workbook(HEADER, [
            ["甲公司", USCC, "建筑施工", "是", 30, "李", "13912345678"],
            ["丙公司", USCC_2, "制造业", "否", 12, "赵", "13912345670"],
        ])
        self.assertTrue(EnterpriseImporter(self.town_b).run(good, self.county_b,
                                                            dry_run=False).ok)
        again = EnterpriseImporter(self.town_b).run(good, self.county_b, dry_run=False)
        self.assertTrue(again.ok, again.errors)
        self.assertEqual(Enterprise.objects.count(), 2)
        self.assertTrue(Enterprise.objects.get(uscc=USCC).is_key_project)

    def test_workers_link_their_employer_by_credit_code(self) -> None:
        ent = self.make_enterprise()
        p = make_person(self.community_b_unit, division="610924")
        data = workbook(["姓名", "身份证号", "家乡", "技能", "用工企业信用代码"], [
            [p.name, p.id_number, "城关镇", "瓦工", ent.uscc],
            ["钱七", "610924199001011234", "城关镇", "", "91000000000000000X"],
        ])
        result = WorkerImporter(self.community_b_unit).run(data, self.county_b, dry_run=False)
        self.assertFalse(result.ok)
        self.assertFalse(MigrantWorker.objects.exists())
        good = workbook(["姓名", "身份证号", "家乡", "技能", "用工企业信用代码"],
                        [[p.name, p.id_number, "城关镇", "瓦工", ent.uscc]])
        self.assertTrue(WorkerImporter(self.community_b_unit).run(good, self.county_b,
                                                                 dry_run=False).ok)
        self.assertEqual(MigrantWorker.objects.get().employer, ent)
