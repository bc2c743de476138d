"""Tests for fangkong.lib.tabular: real files written and read back, real transactions.

Runs under the project settings (pytest-django) and standalone
(``pytest fangkong/lib/tests/test_tabular.py -p no:django``, see conftest.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation
from django.utils.functional import lazy

from fangkong.lib.tabular import (
    Column,
    ErrorReportExporter,
    Exporter,
    Importer,
    ImportField,
    ImportResult,
    RowError,
    content_disposition,
    csv_response,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    write_csv,
    write_xlsx,
    xlsx_response,
)


def bilingual(en: str, zh: str) -> Any:
    """A lazy header that translates like a catalogued msgid would, without a catalogue."""
    return lazy(lambda: zh if translation.get_language() == "zh-hans" else en, str)()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Assert on English source messages whatever the site's default language."""
    with translation.override("en"):
        yield


# ---------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------

AWARE = dt.datetime(2024, 3, 1, 0, 30, tzinfo=dt.UTC)


class PeopleExporter(Exporter):
    columns = (
        Column("name", bilingual("Name", "姓名")),
        Column("id_number", bilingual("ID number", "身份证号"), "text", 22),
        Column("phone", "Phone", "text"),
        Column("birth", "Birth date", "date"),
        Column("amount", "Amount", "decimal"),
        Column("count", "Count", "int"),
        Column("seen", "Seen at", "datetime"),
        Column("auto", "Auto"),
    )
    filename = "人员名单 2024"

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def iterate_rows(self) -> Iterator[Any]:
        yield from self.rows


PEOPLE = [
    {
        "name": "张三",
        "id_number": "110101199001011234",
        "phone": "01012345678",
        "birth": dt.date(1990, 1, 1),
        "amount": Decimal("12.5"),
        "count": 3,
        "seen": AWARE,
        "auto": 110101199001011234,  # an int too long for Excel: must stay text
    },
    ["李四", "11010119900101123X", "13800138000", None, "oops", None, None, "=1+1"],
]


def _read_xlsx(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def test_write_xlsx_round_trip_keeps_types_and_strings() -> None:
    out = io.BytesIO()
    with translation.override("zh-hans"):
        write_xlsx(PeopleExporter(PEOPLE), out)
    sheet = _read_xlsx(out.getvalue())
    header = [c.value for c in sheet[1]]
    assert header == [
        "姓名",
        "身份证号",
        "Phone",
        "Birth date",
        "Amount",
        "Count",
        "Seen at",
        "Auto",
    ]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"

    row = sheet[2]
    assert row[1].value == "110101199001011234" and row[1].data_type == "s"
    assert row[2].value == "01012345678" and row[2].data_type == "s"
    assert row[3].value == dt.datetime(1990, 1, 1)
    assert row[3].number_format == "yyyy-mm-dd"
    assert row[4].value == 12.5 and row[4].number_format == "0.00"
    assert row[5].value == 3
    assert row[6].value == timezone.localtime(AWARE).replace(tzinfo=None)
    assert row[7].value == "110101199001011234" and row[7].data_type == "s"

    row = sheet[3]
    assert row[1].value == "11010119900101123X"
    assert row[4].value == "oops"  # a value that does not fit its format still exports
    assert row[7].value == "=1+1" and row[7].data_type == "s"  # text, never a formula
    assert sheet.max_row == 3


def test_write_xlsx_uses_constant_memory_for_many_rows() -> None:
    rows = ({"name": f"p{i}", "id_number": f"{i:018d}"} for i in range(20_000))
    out = io.BytesIO()
    write_xlsx(PeopleExporter(rows), out)  # type: ignore[arg-type]
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    assert b't="inlineStr"' in sheet_xml  # only constant_memory mode writes inline strings
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(values) == 20_000
    assert values[-1][1] == "000000000000019999"


def test_write_csv_has_bom_and_protects_cells() -> None:
    out = io.BytesIO()
    write_csv(PeopleExporter(PEOPLE), out)
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Name", "ID number"]
    assert rows[1][1] == "110101199001011234\t"  # Excel keeps it as text
    assert rows[1][2] == "01012345678\t"  # leading zero kept
    assert rows[1][3:7] == ["1990-01-01", "12.50", "3", _local(AWARE)]
    assert rows[2][1] == "11010119900101123X"
    assert rows[2][2] == "13800138000"
    assert rows[2][7] == "'=1+1"  # CSV injection guard


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def test_content_disposition_rfc5987() -> None:
    header = content_disposition("人员名单 2024.xlsx")
    assert header == (
        "attachment; filename=\"export.xlsx\"; filename*=UTF-8''"
        "%E4%BA%BA%E5%91%98%E5%90%8D%E5%8D%95%202024.xlsx"
    )
    assert (
        content_disposition('a"b.x"y')
        == "attachment; filename=\"a_b.xy\"; filename*=UTF-8''a%22b.x%22y"
    )
    assert content_disposition("report.csv") == (
        "attachment; filename=\"report.csv\"; filename*=UTF-8''report.csv"
    )


def test_responses() -> None:
    response = xlsx_response(PeopleExporter(PEOPLE))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''%E4%BA%BA" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith(".xlsx")
    assert response["Cache-Control"] == "private, no-store"
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    assert _read_xlsx(body)["B2"].value == "110101199001011234"
    response.file_to_stream.close()  # response.close() would fire request_finished (DB)

    streamed = csv_response(PeopleExporter(PEOPLE))
    assert streamed["Content-Type"] == "text/csv; charset=utf-8"
    assert streamed["Content-Disposition"].endswith(".csv")
    body = b"".join(streamed.streaming_content)
    assert body.startswith(b"\xef\xbb\xbfName,ID number")


def test_csv_response_keeps_request_language_while_streaming() -> None:
    with translation.override("zh-hans"):
        response = csv_response(PeopleExporter(PEOPLE))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.startswith("姓名,身份证号")


# ---------------------------------------------------------------------------------------
# Import: helpers
# ---------------------------------------------------------------------------------------


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


class PersonImporter(Importer):
    fields = (
        ImportField("id_number", bilingual("ID number", "身份证号"), aliases=["证件号码"]),
        ImportField("name", bilingual("Name", "姓名")),
        ImportField("age", bilingual("Age", "年龄"), required=False, parse=parse_int),
        ImportField("phone", "Phone", required=False, aliases=["手机", "联系电话"]),
    )
    unique_together_in_file = ("id_number",)

    def __init__(self, fail_on: str | None = None) -> None:
        self.saved: list[dict[str, Any]] = []
        self.fail_on = fail_on

    def validate_row(self, values: dict[str, Any], row_number: int) -> dict[str, Any]:
        if values["name"] == "nobody":
            raise ValidationError({"name": "Not a real name."})
        values["id_number"] = values["id_number"].upper()
        return values

    def save_row(self, cleaned: dict[str, Any], actor: Any) -> Any:
        self.saved.append(cleaned)
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO tabular_probe (k) VALUES (%s)", [cleaned["id_number"]])
        if cleaned["name"] == self.fail_on:
            raise ValidationError("Refused by save_row.")
        return cleaned, len(self.saved) % 2 == 1


GOOD = [
    ["ID number", "Name", "Age", "Phone"],
    ["110101199001011234", "张三", 30, 13800138000],
    ["11010119900101123x", "李四", None, None],
]


# ---------------------------------------------------------------------------------------
# Import: no database reached (every case ends before saving)
# ---------------------------------------------------------------------------------------


def test_parse_errors_carry_row_and_header_text() -> None:
    importer = PersonImporter()
    data = xlsx_bytes(
        [
            ["身份证号", "姓名", "年龄 "],
            ["110101199001011234", "张三", "thirty"],
            [None, "李四", 40],
            ["110101199001011235", "nobody", None],
        ]
    )
    result = importer.run(io.BytesIO(data), actor=None, dry_run=False)
    assert result.errors == [
        RowError(2, "年龄", "Enter a whole number."),
        RowError(3, "身份证号", "This field is required."),
        RowError(4, "姓名", "Not a real name."),
    ]
    assert result.rows_total == 3 and result.rows_ok == 0
    assert not result.committed and importer.saved == []


class StdnumStyleError(Exception):
    message = "The number's checksum or check digit is invalid."


def _checked(value: Any) -> str:
    if value == "bad-checksum":
        raise StdnumStyleError
    if value == "bad-value":
        raise ValueError("Not a plausible value.")
    if value == "bug":
        raise KeyError("programming error")
    return str(value)


def test_parse_exceptions_with_message_or_valueerror_become_row_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Checked(PersonImporter):
        fields = (ImportField("id_number", "ID number", parse=_checked), *PersonImporter.fields[1:])

    rows = [["ID number", "Name"], ["bad-checksum", "a"], ["bad-value", "b"], ["bug", "c"]]
    result = Checked().run(xlsx_bytes(rows), None, dry_run=False)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "ID number", "The number's checksum or check digit is invalid."),
        (3, "ID number", "Not a plausible value."),
        (4, "ID number", "This row could not be processed because of an internal error."),
    ]
    assert "programming error" in caplog.text  # the bug is logged with its traceback


def test_missing_required_columns_is_one_error_on_row_1() -> None:
    result = PersonImporter().run(xlsx_bytes([["Phone", "Remarks"], ["1", "x"]]), None, False)
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (1, "")
    assert "“ID number”" in error.message and "“Name”" in error.message
    assert result.ignored_columns == ["Remarks"]


def test_repeated_column_is_reported_by_letter() -> None:
    data = xlsx_bytes([["ID number", "Name", "证件号码"], ["1", "a", "2"]])
    result = PersonImporter().run(data, None, False)
    assert [(e.row, e.column) for e in result.errors] == [(1, "C")]
    assert "repeats column A" in result.errors[0].message


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n",
        bytes(range(256)) * 4,
        b"PK\x03\x04 not really a zip",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
        b"%PDF-1.4\n\x00\x01\x02\x03 binary",
    ],
    ids=["empty", "blank", "random", "fake-zip", "xls", "pdf"],
)
def test_unreadable_files_give_one_clean_error(data: bytes) -> None:
    result = PersonImporter().run(io.BytesIO(data), None, False)
    assert len(result.errors) == 1
    assert result.errors[0].row == 0 and result.errors[0].message
    assert not result.committed


def test_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    result = PersonImporter().run(out.getvalue(), None, False)
    assert len(result.errors) == 1 and "not an Excel workbook" in result.errors[0].message


def test_max_rows_guard() -> None:
    importer = PersonImporter()
    importer.max_rows = 3
    rows = [["ID number", "Name"]] + [[f"{i:018d}", f"p{i}"] for i in range(5)]
    result = importer.run(xlsx_bytes(rows), None, False)
    assert result.errors[-1].row == 0
    assert "more than 3 data rows" in result.errors[-1].message
    assert importer.saved == []


def test_max_bytes_guard() -> None:
    importer = PersonImporter()
    importer.max_bytes = 1024 * 1024
    result = importer.run(b"ID number,Name\n" + b"1,a\n" * 400_000, None, False)
    assert "larger than 1 MB" in result.errors[0].message


def test_duplicate_keys_within_file() -> None:
    importer = PersonImporter()
    data = xlsx_bytes(
        [
            ["ID number", "Name"],
            ["11010119900101123X", "a"],
            ["110101199001011234", "b"],
            ["11010119900101123x", "c"],
        ]
    )
    result = importer.run(data, None, False)
    assert result.errors == [
        RowError(4, "ID number", "Duplicate of row 2: “ID number” must not repeat within the file.")
    ]
    assert importer.saved == []


def test_no_data_rows() -> None:
    result = PersonImporter().run(xlsx_bytes([["ID number", "Name"], [None, None]]), None, False)
    assert [e.message for e in result.errors] == ["The file has no data rows below the header row."]


def test_error_budget() -> None:
    importer = PersonImporter()
    importer.max_errors = 5
    rows = [["ID number", "Name", "Age"]] + [[str(i), "n", "x"] for i in range(20)]
    result = importer.run(xlsx_bytes(rows), None, False)
    assert len(result.errors) == 6
    assert result.errors[-1].message.startswith("Stopped after 5 errors")


def test_error_report() -> None:
    result = ImportResult(
        errors=[RowError(0, "", "Bad file."), RowError(3, "身份证号", "This field is required.")]
    )
    out = io.BytesIO()
    write_xlsx(ErrorReportExporter(result), out)
    sheet = _read_xlsx(out.getvalue())
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Row", "Column", "Error"],
        [None, None, "Bad file."],
        [3, "身份证号", "This field is required."],
    ]


def test_template_marks_required_columns() -> None:
    out = io.BytesIO()
    write_xlsx(PersonImporter().template_exporter(), out)
    sheet = _read_xlsx(out.getvalue())
    assert [c.value for c in sheet[1]] == ["ID number*", "Name*", "Age", "Phone"]


def test_parsers() -> None:
    for text in (
        "2024-03-05",
        "2024/3/5",
        "2024.3.5",
        "20240305",
        "2024年3月5日",
        "2024-03-05 0:00",
    ):
        assert parse_date(text) == dt.date(2024, 3, 5), text
    assert parse_date(dt.datetime(2024, 3, 5, 8)) == dt.date(2024, 3, 5)
    with pytest.raises(ValidationError):
        parse_date("2024-02-30")
    assert parse_int("1,234") == 1234 and parse_int(7) == 7
    with pytest.raises(ValidationError):
        parse_int("1.5")
    assert parse_decimal(0.1) == Decimal("0.1") and parse_decimal("1,234.50") == Decimal("1234.50")
    assert parse_bool("是") is True and parse_bool(" NO ") is False
    with pytest.raises(ValidationError):
        parse_bool("maybe")
    choice = parse_choice([("home", bilingual("Home quarantine", "居家隔离")), ("hotel", "Hotel")])
    assert choice("居家隔离") == "home" and choice("home quarantine") == "home"
    assert choice("HOTEL") == "hotel" and choice("hotel") == "hotel"
    with pytest.raises(ValidationError):
        choice("jail")


# ---------------------------------------------------------------------------------------
# Import: through the database
# ---------------------------------------------------------------------------------------


@pytest.fixture
def probe() -> Iterator[None]:
    """A scratch table written by ``save_row``, to see what a transaction really kept."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE tabular_probe (k varchar(64) UNIQUE)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE tabular_probe")


def probe_rows() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT k FROM tabular_probe ORDER BY k")
        return [row[0] for row in cursor.fetchall()]


FULLWIDTH_NAME = "\uff2e\uff41\uff4d\uff45"  # "Name" typed with a Chinese IME's full-width letters


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "header",
    [
        ["ID number", "Name", "Age", "Phone"],
        ["身份证号", "姓名", "年龄", "手机"],
        [" id  NUMBER ", "name", "AGE", "联系电话"],
        ["证件号码*", "姓名 *", "年龄", "phone"],
        ["id_number", "name", "age", "phone"],
        [FULLWIDTH_NAME, "备注", "ID number"],  # full-width letters, extra column, other order
    ],
)
def test_headers_match_in_chinese_english_alias_and_key(probe: None, header: list[str]) -> None:
    importer = PersonImporter()
    values = {
        "ID number": "110101199001011234",
        "Name": "张三",
        "Age": 30,
        "Phone": 13800138000,
    }
    order = ["ID number", "Name", "Age", "Phone"]
    if header[0] == FULLWIDTH_NAME:
        order = ["Name", "Remarks", "ID number"]
        values["Remarks"] = "note"
    data = xlsx_bytes([header, [values[key] for key in order], [None] * len(order)])
    result = importer.run(data, actor=None, dry_run=True)
    assert result.errors == []
    assert result.rows_total == 1 and result.rows_ok == 1
    saved = importer.saved[0]
    assert saved["id_number"] == "110101199001011234" and saved["name"] == "张三"
    if "age" in saved:
        assert saved["age"] == 30 and saved["phone"] == "13800138000"


@pytest.mark.django_db(transaction=True)
def test_commit_saves_every_row(probe: None) -> None:
    importer = PersonImporter()
    result = importer.run(io.BytesIO(xlsx_bytes(GOOD + [[None] * 4] * 3)), None, dry_run=False)
    assert result.errors == []
    assert result.committed and not result.dry_run
    assert (result.rows_total, result.rows_ok, result.created, result.updated) == (2, 2, 1, 1)
    assert probe_rows() == ["110101199001011234", "11010119900101123X"]
    assert importer.saved[1] == {
        "id_number": "11010119900101123X",
        "name": "李四",
        "age": None,
        "phone": None,
    }


@pytest.mark.django_db(transaction=True)
def test_dry_run_reports_what_commit_would_do_and_keeps_nothing(probe: None) -> None:
    importer = PersonImporter()
    result = importer.run(xlsx_bytes(GOOD), None, dry_run=True)
    assert result.errors == [] and result.dry_run and not result.committed
    assert (result.rows_ok, result.created, result.updated) == (2, 1, 1)
    assert len(importer.saved) == 2  # save_row really ran ...
    assert probe_rows() == []  # ... and was rolled back


@pytest.mark.django_db(transaction=True)
def test_save_error_rolls_back_every_row(probe: None) -> None:
    importer = PersonImporter(fail_on="李四")
    result = importer.run(xlsx_bytes(GOOD), None, dry_run=False)
    assert result.errors == [RowError(3, "", "Refused by save_row.")]
    assert not result.committed and result.rows_ok == 1
    assert len(importer.saved) == 2
    assert probe_rows() == []


@pytest.mark.django_db(transaction=True)
def test_progress_is_reported_for_each_row_read_and_saved(probe: None) -> None:
    seen: list[tuple[str, int, int | None]] = []
    result = PersonImporter().run(xlsx_bytes(GOOD), None, dry_run=False,
                                  progress=lambda *args: seen.append(args))
    assert result.committed
    assert seen == [("read", 1, None), ("read", 2, None), ("save", 0, 2), ("save", 1, 2)]


@pytest.mark.django_db(transaction=True)
def test_an_exception_from_progress_rolls_every_row_back(probe: None) -> None:
    class Stop(Exception):
        pass

    def stop_at_the_second(stage: str, done: int, total: int | None) -> None:
        if stage == "save" and done == 1:
            raise Stop  # a cancelled job

    importer = PersonImporter()
    with pytest.raises(Stop):
        importer.run(xlsx_bytes(GOOD), None, dry_run=False, progress=stop_at_the_second)
    assert len(importer.saved) == 1
    assert probe_rows() == []


@pytest.mark.django_db(transaction=True)
def test_database_error_in_one_row_is_reported_and_others_still_checked(probe: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO tabular_probe (k) VALUES ('110101199001011234')")
    importer = PersonImporter()
    result = importer.run(xlsx_bytes(GOOD), None, dry_run=False)
    assert [(e.row, e.column) for e in result.errors] == [(2, "")]
    assert "conflicts with data already in the system" in result.errors[0].message
    assert len(importer.saved) == 2  # row 3 was still tried after row 2's savepoint rollback
    assert probe_rows() == ["110101199001011234"]  # only the pre-existing row


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_upload_in_any_encoding(probe: None, encoding: str) -> None:
    rows = [["身份证号", "姓名", "手机"], ["110101199001011234\t", "张三", "'+8613800138000"]]
    importer = PersonImporter()
    result = importer.run(csv_bytes(rows, encoding), None, dry_run=True)
    assert result.errors == []
    assert importer.saved[0]["name"] == "张三"
    assert importer.saved[0]["id_number"] == "110101199001011234"
    assert importer.saved[0]["phone"] == "+8613800138000"


@pytest.mark.django_db(transaction=True)
def test_csv_export_reimports_unchanged(probe: None) -> None:
    class Export(Exporter):
        columns = (
            Column("id_number", "ID number", "text"),
            Column("name", "Name", "text"),
            Column("phone", "Phone", "text"),
        )

        def iterate_rows(self) -> Iterator[Any]:
            yield ["110101199001011234", "张三", "+86 138 0013 8000"]

    out = io.BytesIO()
    write_csv(Export(), out)
    importer = PersonImporter()
    result = importer.run(out.getvalue(), None, dry_run=True)
    assert result.errors == []
    assert importer.saved[0]["id_number"] == "110101199001011234"
    assert importer.saved[0]["phone"] == "+86 138 0013 8000"


def test_it_refuses_cells_out_of_range_instead_of_building_huge_numbers() -> None:
    for value in (2**70, "1E+30", "1e999999999", float("inf"), "NaN", "9" * 400):
        with pytest.raises(ValidationError):
            parse_int(value)
        with pytest.raises(ValidationError):
            parse_decimal(value)
