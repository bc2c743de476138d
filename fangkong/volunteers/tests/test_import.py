"""The volunteers register imported through the kit's flow: checked first (row errors,
nothing saved), then saved all at once; a second run adds nobody."""

from __future__ import annotations

import io

import openpyxl

from fangkong.volunteers.importers import VolunteerImporter
from fangkong.volunteers.models import Volunteer
from fangkong.volunteers.tests.base import VolunteersTestCase, id_number


def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "手机号", "政治面貌", "特长", "可服务时间", "已健康申报"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Import(VolunteersTestCase):
    def test_it_checks_first_and_saves_all_or_nothing(self) -> None:
        before = Volunteer.objects.count()
        bad = workbook([["王建国", id_number(40), "13900001111", "中共党员", "", "上午", "是"],
                        ["赵秀梅", "610902199001011234", "", "", "", "", ""]])
        result = VolunteerImporter(self.community_a_unit).run(bad, self.community_a,
                                                              dry_run=False)
        self.assertFalse(result.ok)
        self.assertIn((3, "身份证号"), {(e.row, e.column) for e in result.errors})
        self.assertEqual(Volunteer.objects.count(), before)
        good = workbook([["王建国", id_number(40), "13900001111", "中共党员", "", "上午", "是"],
                         ["赵秀梅", id_number(41), "", "", "", "", ""]])
        self.assertTrue(VolunteerImporter(self.community_a_unit).run(
            good, self.community_a, dry_run=False).ok)
        self.assertEqual(Volunteer.objects.count(), before + 2)
        self.assertEqual(Volunteer.objects.get(name="王建国").political, "party")
        VolunteerImporter(self.community_a_unit).run(good, self.community_a, dry_run=False)
        self.assertEqual(Volunteer.objects.count(), before + 2)

    def test_the_import_page_and_template_answer(self) -> None:
        self.login(self.community_a)
        self.assertEqual(self.client.get("/volunteers/people/import/").status_code, 200)
        self.assertEqual(self.client.get("/volunteers/people/import/template/").status_code, 200)
        self.login(self.member_liaison)
        self.assertEqual(self.client.get("/volunteers/people/import/").status_code, 403)
