"""People import (check, then all-or-nothing import) and export (masked, or unmasked and logged)."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fangkong.core import pii
from fangkong.core.models import Grant, Person, PersonRegistration, PiiAccess, Role
from fangkong.core.models.territory import Level
from fangkong.core.testing import (
    FangkongTestCase,
    browser_session,
    make_person,
    make_unit,
    make_user,
)
from fangkong.lib.identity import make_id_number

IMPORT_URL = "/core/people/import/"
HEADERS = ["姓名", "身份证号码", "手机号码", "住址", "所属单位代码"]
WENCHANG = "610902002002"  # community A
BEICHENG = "610924100001"  # community B, in county B


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def number(seq: int, birth: date = date(1980, 1, 2)) -> str:
    return make_id_number("610902", birth, seq)


def good_rows(n: int = 4) -> list[list[Any]]:
    return [[f"居民{i}", number(100 + i), f"1390000{i:04d}", f"文昌路{i}号", WENCHANG]
            for i in range(n)]


def read_xlsx(content: bytes) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


class PeopleImportTests(FangkongTestCase):
    def setUp(self) -> None:
        self.login(self.community_a)

    def upload(self, data: bytes, action: str = "check", checked: str = "", **extra: Any):
        file = SimpleUploadedFile("people.xlsx", data)
        return self.client.post(IMPORT_URL, {"file": file, "action": action, "checked": checked},
                                HTTP_ACCEPT_LANGUAGE="en", **extra)

    def check_then_import(self, data: bytes):
        checked = self.upload(data)
        self.assertEqual(checked.status_code, 200)
        return self.upload(data, "commit", checked.context["digest"])

    def test_it_shows_the_upload_page(self) -> None:
        response = self.client.get(IMPORT_URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="file"')
        self.assertContains(response, "/core/people/import/template.xlsx")

    def test_it_reports_bad_rows_by_row_and_column_in_a_dry_run(self) -> None:
        rows = good_rows(4)
        rows[1][1] = rows[1][1][:-1] + ("0" if rows[1][1][-1] != "0" else "1")  # Excel row 3
        rows[3][2] = "1234567"  # Excel row 5
        response = self.upload(xlsx([HEADERS, *rows]))
        result = response.context["result"]
        self.assertEqual([(e.row, e.column) for e in result.errors],
                         [(3, "身份证号码"), (5, "手机号码")])
        self.assertIn("check character", result.errors[0].message)
        self.assertFalse(result.committed)
        self.assertFalse(Person.objects.exists())
        self.assertContains(response, "The file has 2 problems")
        self.assertContains(response, 'value="errors"')  # the error report button

    def test_it_reports_the_ready_rows_without_saving(self) -> None:
        response = self.upload(xlsx([HEADERS, *good_rows(4)]))
        result = response.context["result"]
        self.assertEqual((result.rows_ok, result.created, result.errors), (4, 4, []))
        self.assertContains(response, "4 rows are ready to import")
        self.assertContains(response, 'value="commit"')
        self.assertFalse(Person.objects.exists())

    def test_it_imports_a_clean_file(self) -> None:
        rows = good_rows(4)
        response = self.check_then_import(xlsx([HEADERS, *rows]))
        result = response.context["result"]
        self.assertTrue(result.committed)
        self.assertEqual(result.created, 4)
        self.assertContains(response, "Imported 4 rows")
        self.assertEqual(Person.objects.count(), 4)
        person = Person.objects.get(id_number=rows[2][1])
        self.assertEqual((person.name, person.phone, person.address, person.org_unit),
                         ("居民2", rows[2][2], "文昌路2号", self.community_a_unit))

    def test_it_imports_nothing_when_one_row_is_bad(self) -> None:
        rows = good_rows(4)
        rows[2][0] = ""  # a missing name
        data = xlsx([HEADERS, *rows])
        response = self.upload(data, "commit", hashlib.sha256(data).hexdigest())
        result = response.context["result"]
        self.assertFalse(result.committed)
        self.assertEqual([(e.row, e.column) for e in result.errors], [(4, "姓名")])
        self.assertFalse(Person.objects.exists())

    def test_it_creates_no_duplicates_when_a_file_is_imported_twice(self) -> None:
        data = xlsx([HEADERS, *good_rows(3)])
        self.assertTrue(self.check_then_import(data).context["result"].committed)
        again = self.check_then_import(data)
        result = again.context["result"]
        self.assertTrue(result.committed)
        self.assertEqual((result.created, result.updated, again.context["unchanged"]), (0, 0, 3))
        self.assertEqual(Person.objects.count(), 3)

    def test_it_updates_a_known_persons_phone(self) -> None:
        known = make_person(self.community_a_unit, name="老住户", phone="13800000000")
        data = xlsx([HEADERS, ["老住户", known.id_number, "13911112222", "", WENCHANG]])
        result = self.check_then_import(data).context["result"]
        self.assertEqual((result.created, result.updated), (0, 1))
        known.refresh_from_db()
        self.assertEqual(known.phone, "13911112222")

    def test_it_rejects_a_unit_outside_the_importers_area_per_row(self) -> None:
        rows = good_rows(3)
        rows[1][4] = BEICHENG
        rows[2][4] = "999999"  # no such unit
        result = self.upload(xlsx([HEADERS, *rows])).context["result"]
        self.assertEqual([(e.row, e.column, e.message) for e in result.errors], [
            (3, "所属单位代码", "No org unit with this code in your area."),
            (4, "所属单位代码", "No org unit with this code in your area."),
        ])

    def test_it_registers_a_person_of_another_area_here_without_touching_them(self) -> None:
        """The check once answered "registered in another area" for any number known
        elsewhere: an existence oracle (#9 item 3). Now the row registers the person in
        this area, as typed, and the registry's row stays theirs."""
        other = make_person(self.community_b_unit, name="外地人", phone="")
        data = xlsx([HEADERS, ["孙强", other.id_number, "13911112222", "", WENCHANG]])
        result = self.check_then_import(data).context["result"]
        self.assertEqual((result.errors, result.committed), ([], True))
        other.refresh_from_db()
        self.assertEqual((other.name, other.phone), ("外地人", ""))
        registration = PersonRegistration.objects.get(person=other)
        self.assertEqual((registration.name, registration.phone, registration.org_unit),
                         ("孙强", "13911112222", self.community_a_unit))

    def test_it_refuses_a_known_number_under_another_name(self) -> None:
        known = make_person(self.community_a_unit, name="张三")
        data = xlsx([HEADERS, ["李四", known.id_number, "", "", WENCHANG]])
        result = self.upload(data).context["result"]
        self.assertEqual([(e.row, e.column) for e in result.errors], [(2, "姓名")])
        self.assertIn("张*", result.errors[0].message)

    def test_it_explains_an_id_number_excel_stored_as_a_number(self) -> None:
        rows = good_rows(1)
        rows[0][1] = int(number(7))  # Excel keeps 15 digits of it
        result = self.upload(xlsx([HEADERS, *rows])).context["result"]
        self.assertEqual(len(result.errors), 1)
        self.assertIn("stored this ID card number as a number", result.errors[0].message)

    def test_it_reports_a_number_repeated_within_the_file(self) -> None:
        rows = good_rows(2)
        rows[1][1] = rows[0][1].lower().replace("X", "x")
        rows[1][0] = rows[0][0]
        result = self.upload(xlsx([HEADERS, *rows])).context["result"]
        self.assertEqual([(e.row, e.column) for e in result.errors], [(3, "身份证号码")])

    def test_it_accepts_english_headers_and_a_csv(self) -> None:
        rows = good_rows(2)
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(["Name", "ID card number", "Mobile phone", "Address", "Org unit code"])
        writer.writerows(rows)
        file = SimpleUploadedFile("people.csv", text.getvalue().encode("utf-8-sig"))
        response = self.client.post(IMPORT_URL, {"file": file, "action": "check"})
        self.assertEqual(response.context["result"].rows_ok, 2)
        self.assertEqual(response.context["result"].errors, [])

    def test_it_checks_again_instead_of_importing_a_file_that_was_not_checked(self) -> None:
        checked = xlsx([HEADERS, *good_rows(2)])
        digest = hashlib.sha256(checked).hexdigest()
        other = xlsx([HEADERS, *good_rows(3)])
        response = self.upload(other, "commit", digest)
        self.assertFalse(response.context["result"].committed)
        self.assertTrue(response.context["changed_since_check"])
        self.assertFalse(Person.objects.exists())

    def test_it_downloads_the_error_report(self) -> None:
        rows = good_rows(3)
        rows[1][2] = "1234567"
        response = self.upload(xlsx([HEADERS, *rows]), "errors")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response["Content-Type"])
        report = read_xlsx(b"".join(response.streaming_content))
        self.assertEqual(len(report), 2)  # header and one error
        self.assertEqual(report[1][:2], (3, "手机号码"))

    def test_it_answers_an_unreadable_file_with_a_message(self) -> None:
        response = self.upload(b"%PDF-1.4 not a table \x00\x01\x02" * 20)
        result = response.context["result"]
        self.assertEqual(len(result.errors), 1)
        self.assertEqual(result.errors[0].row, 0)
        self.assertFalse(Person.objects.exists())

    def test_it_wants_a_file(self) -> None:
        response = self.client.post(IMPORT_URL, {"action": "check"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["file"])

    def test_it_answers_htmx_with_the_result_partial(self) -> None:
        response = self.upload(xlsx([HEADERS, *good_rows(1)]), HTTP_HX_REQUEST="true")
        self.assertTemplateUsed(response, "core/_import_result.html")
        self.assertTemplateNotUsed(response, "core/people_import.html")

    def test_it_serves_the_template_with_the_headers(self) -> None:
        response = self.client.get("/core/people/import/template.xlsx",
                                   HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 200)
        headers = read_xlsx(b"".join(response.streaming_content))[0]
        self.assertEqual(headers, ("Name*", "ID card number*", "Mobile phone", "Address",
                                   "Org unit code*"))

    def test_it_needs_the_import_capability(self) -> None:
        for user in (self.province, self.gate, self.helper):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(IMPORT_URL).status_code, 403)
                data = xlsx([HEADERS, *good_rows(1)])
                self.assertEqual(self.upload(data, "commit",
                                             hashlib.sha256(data).hexdigest()).status_code, 403)
        self.assertFalse(Person.objects.exists())


class PeopleExportTests(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.a1 = make_person(cls.community_a_unit, name="甲一", phone="13912345678",
                             address="新城街道文昌路8号")
        cls.a2 = make_person(cls.community_a2_unit, name="乙二", phone="13787654321")
        cls.b1 = make_person(cls.community_b_unit, name="丙三")

    def test_it_exports_masked_xlsx_of_the_users_area(self) -> None:
        self.login(self.county_a)
        response = self.client.get("/core/people/export.xlsx", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        rows = read_xlsx(b"".join(response.streaming_content))
        header, body = rows[0], rows[1:]
        self.assertIn("ID card number", header)
        self.assertNotIn("Date of birth", header)
        id_col, phone_col = header.index("ID card number"), header.index("Mobile phone")
        by_name = {row[0]: row for row in body}
        self.assertEqual(set(by_name), {"甲一", "乙二"})  # not county B's person
        self.assertEqual(by_name["甲一"][id_col], pii.value(self.a1, "id_number"))
        self.assertIn("*", by_name["甲一"][id_col])
        self.assertEqual(by_name["甲一"][phone_col], "139****5678")
        flat = repr(rows)
        for person in (self.a1, self.a2):
            self.assertNotIn(person.id_number, flat)
        self.assertNotIn("13912345678", flat)
        self.assertFalse(PiiAccess.objects.exists())

    def test_it_exports_masked_csv_with_the_search_applied(self) -> None:
        self.login(self.county_a)
        response = self.client.get("/core/people/export.csv", {"q": "甲一"})
        self.assertEqual(response.status_code, 200)
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[1][0], "甲一")
        self.assertIn(pii.value(self.a1, "id_number"), text)
        self.assertNotIn(self.a1.id_number, text)

    def test_it_hides_a_unit_outside_the_area(self) -> None:
        self.login(self.county_a)
        response = self.client.get("/core/people/export.xlsx", {"unit": "610924"})
        self.assertEqual(response.status_code, 404)

    def test_it_refuses_an_unmasked_export_without_the_capability(self) -> None:
        self.login(self.community_a)  # may reveal one record, not export in bulk
        self.assertEqual(self.client.get("/core/people/export/").status_code, 403)
        response = self.client.post("/core/people/export/",
                                     {"reason": "handover", "format": "xlsx"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(  # both refusals logged, once each
            list(PiiAccess.objects.order_by("pk").values_list("action", "refused", "reason")),
            [("export", "permission", ""), ("export", "permission", "handover")])

    def test_it_exports_unmasked_with_a_reason_and_logs_the_row_count(self) -> None:
        self.login(self.county_a)
        response = self.client.post("/core/people/export/", {
            "reason": "list for the county epidemiology team", "format": "xlsx",
        }, HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 200)
        rows = read_xlsx(b"".join(response.streaming_content))
        header = rows[0]
        self.assertIn("Date of birth", header)
        numbers = {row[header.index("ID card number")] for row in rows[1:]}
        self.assertEqual(numbers, {self.a1.id_number, self.a2.id_number})
        log = PiiAccess.objects.get()
        self.assertEqual((log.actor, log.action, log.row_count, log.reason),
                         (self.county_a, "export", 2, "list for the county epidemiology team"))
        self.assertEqual(log.subject_type, "core.Person")
        self.assertIn("id_number", log.fields)

    def test_it_exports_unmasked_csv_with_the_search_applied(self) -> None:
        self.login(self.hq)
        response = self.client.post("/core/people/export/", {
            "reason": "inter-county transfer", "format": "csv", "unit": "610924",
        })
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        self.assertIn(self.b1.id_number, text)
        self.assertNotIn(self.a1.id_number, text)
        self.assertEqual(PiiAccess.objects.get().row_count, 1)

    def test_it_exports_unmasked_only_where_the_export_grant_reaches(self) -> None:
        Grant.objects.create(user=self.county_a, role=Role.PROVINCE_VIEWER, org_unit=self.city)
        self.login(self.county_a)
        masked = self.client.get("/core/people/export.csv", {"unit": "610924"})
        self.assertIn(pii.value(self.b1, "id_number"),
                      b"".join(masked.streaming_content).decode("utf-8-sig"))
        response = self.client.post("/core/people/export/", {
            "reason": "inter-county transfer", "format": "csv", "unit": "610924"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(PiiAccess.objects.get().refused, "scope")
        response = self.client.post("/core/people/export/", {
            "reason": "inter-county transfer", "format": "csv"})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        self.assertIn(self.a1.id_number, text)
        self.assertNotIn(self.b1.id_number, text)
        self.assertEqual(PiiAccess.objects.get(refused="").row_count, 2)

    def test_it_wants_a_reason_for_an_unmasked_export(self) -> None:
        self.login(self.county_a)
        response = self.client.post("/core/people/export/", {"reason": " ", "format": "xlsx"})
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "core/export_unmasked.html")
        self.assertTrue(response.context["form"].errors["reason"])
        self.assertEqual(list(PiiAccess.objects.values_list("refused", flat=True)), ["reason"])

    def test_it_shows_the_export_and_import_links_by_capability(self) -> None:
        self.login(self.county_a)
        page = self.client.get("/core/people/")
        self.assertContains(page, "/core/people/export.xlsx")
        self.assertContains(page, 'href="/core/people/export/')
        self.assertContains(page, 'href="/core/people/import/"')
        self.login(self.province)
        page = self.client.get("/core/people/")
        self.assertContains(page, "/core/people/export.xlsx")
        self.assertNotContains(page, 'href="/core/people/export/')
        self.assertNotContains(page, 'href="/core/people/import/"')


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_checks_then_imports_in_the_browser(page: Any, live_server: Any, tmp_path: Any) -> None:
    """The page keeps the file between "check" and "import" (nothing is kept server-side)."""
    root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
    county = make_unit(root, "610902", "汉滨区", Level.COUNTY)
    make_unit(county, WENCHANG, "文昌社区", Level.COMMUNITY)
    user = make_user("importer", Role.TERRITORY_STAFF, county)
    browser_session(page, live_server, user)
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx([HEADERS, *good_rows(3)]))

    page.goto(f"{live_server.url}/core/people/import/")
    page.set_input_files("#id_file", str(path))
    page.click("button[value=check]")
    commit = page.locator("#import-result button[value=commit]")
    commit.wait_for()
    assert Person.objects.count() == 0
    commit.click()
    page.locator("#import-result a[href='/core/people/']").wait_for()
    assert Person.objects.count() == 3


def test_it_refuses_an_id_number_cell_holding_infinity_or_nan() -> None:
    from django.core.exceptions import ValidationError

    from fangkong.core.people_io import parse_id_number_cell

    for value in (float("inf"), float("-inf"), float("nan")):
        with pytest.raises(ValidationError):
            parse_id_number_cell(value)
