"""The worker register through the kit's import flow: checked first (a worker sent to
Hubei without a contact is a row error, nothing saved), then imported all or nothing."""

import io
from datetime import date

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from fangkong.care.models import MedicalWorker
from fangkong.care.tests.base import CareTestCase
from fangkong.lib.identity import make_id_number

HEADER = ["编号", "姓名", "身份证号", "医院", "岗位", "出征日期", "责任成员单位",
          "成员单位联系人", "家庭所在地代码", "纳入保障日期"]


def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class WorkerImportTests(CareTestCase):
    def test_it_checks_then_imports_the_register(self) -> None:
        ids = [make_id_number("610902", date(1988, 5, 1), 700 + n) for n in range(2)]
        bad = workbook([
            ["YH10", "赵医生", ids[0], "安康市中心医院", "援鄂", "2020-02-09", "安康市人社局", "",
             "610902002002", "2020-02-01"],
            ["YH11", "钱护士", ids[1], "安康市中心医院", "本地一线", "", "安康市人社局", "",
             "610902003001", "2020-02-01"]])
        self.login(self.task_force)
        url = "/care/workers/import/"
        self.assertEqual(self.client.get(url).status_code, 200)
        r = self.client.post(url, {"task_force": self.tf.pk, "action": "check",
                                   "file": SimpleUploadedFile("w.xlsx", bad)})
        self.assertFalse(r.context["result"].ok)
        r = self.client.post(url, {"task_force": self.tf.pk, "action": "commit",
                                   "checked": r.context["digest"],
                                   "file": SimpleUploadedFile("w.xlsx", bad)})
        self.assertEqual(MedicalWorker.objects.filter(number__in=["YH10", "YH11"]).count(), 0)
        good = workbook([
            ["YH10", "赵医生", ids[0], "安康市中心医院", "援鄂", "2020-02-09", "安康市人社局",
             "李联络", "610902002002", "2020-02-01"],
            ["YH11", "钱护士", ids[1], "安康市中心医院", "本地一线", "", "安康市人社局", "",
             "610902003001", "2020-02-01"]])
        r = self.client.post(url, {"task_force": self.tf.pk, "action": "check",
                                   "file": SimpleUploadedFile("w.xlsx", good)})
        self.assertTrue(r.context["result"].ok, r.context["result"].errors)
        self.client.post(url, {"task_force": self.tf.pk, "action": "commit",
                               "checked": r.context["digest"],
                               "file": SimpleUploadedFile("w.xlsx", good)})
        hubei = MedicalWorker.objects.get(number="YH10")
        self.assertEqual((hubei.deployment, hubei.unit_contact), ("hubei", "李联络"))
        self.assertTrue(MedicalWorker.objects.filter(number="YH11").exists())

    def test_a_helper_may_not_import(self) -> None:
        self.login(self.helper)
        self.assertEqual(self.client.get("/care/workers/import/").status_code, 403)
