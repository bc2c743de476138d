"""Spreadsheet export: one column model, two writers (xlsx, csv), two Django responses.

Every list page in fangkong offers an export, and the rules that make Excel behave for
Chinese users are easy to forget one page at a time: ID numbers and phone numbers must stay
text (Excel turns an 18-digit ID into ``1.10101E+17`` and silently drops the last digits),
dates should read ``yyyy-mm-dd``, a CSV needs a UTF-8 BOM or Excel shows mojibake, and a
Chinese download name needs RFC 5987 encoding. Those rules live here, once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any, Literal
from urllib.parse import quote

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

Format = Literal["text", "int", "decimal", "date", "datetime"]
StrOrPromise = str | Promise
Row = Mapping[str, Any] | Sequence[Any]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

#: XlsxWriter options. ``constant_memory`` flushes each row to a temp file as soon as the
#: next row starts, so a 100k-row export costs one row of RAM; the price is that rows must
#: be written strictly top to bottom (which ``write_xlsx`` does). The ``strings_to_*``
#: switches are off because a cell value such as ``=HYPERLINK(...)`` typed by a user must
#: never become a live formula or link in somebody else's Excel.
XLSX_OPTIONS: dict[str, Any] = {
    "constant_memory": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}

#: Exports are held in memory up to this size, then spill to a temp file.
SPOOL_MAX_BYTES = 8 * 1024 * 1024

#: Excel keeps 15 significant digits; larger integers are written as text so no digit is lost.
_EXCEL_MAX_EXACT_INT = 10**15

_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_DECIMAL_FORMAT = "0.00"
_TWO_PLACES = Decimal("0.01")
_CSV_CHUNK_CHARS = 64 * 1024
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_FILENAME_BAD = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


@dataclass(frozen=True)
class Column:
    """One exported column.

    ``format`` fixes how the value is written; ``None`` decides by the value's Python type,
    but a ``str`` is always written as text, never guessed into a number or date, which is
    what keeps ID numbers and phone numbers intact. ``width`` is in Excel character units.
    """

    key: str
    header: StrOrPromise
    format: Format | None = None
    width: float | None = None


class Exporter:
    """Base class for one export. Subclasses set ``columns`` and ``filename`` and implement
    ``iterate_rows``, yielding one mapping (by ``Column.key``) or sequence (in column order)
    per row. Rows are consumed lazily and once, so a queryset ``.iterator()`` keeps memory
    flat however many rows there are.
    """

    columns: Sequence[Column] = ()
    #: Download name without extension; may be a lazy translatable string.
    filename: StrOrPromise = "export"
    #: Worksheet tab name; defaults to ``filename``.
    sheet_name: StrOrPromise | None = None

    def iterate_rows(self) -> Iterable[Row]:
        raise NotImplementedError

    def get_filename(self) -> str:
        """Override to add e.g. a date or district to the download name."""
        return str(self.filename)

    def get_sheet_name(self) -> str:
        return str(self.sheet_name if self.sheet_name is not None else self.get_filename())


# ---------------------------------------------------------------------------------------
# Value conversion shared by both writers
# ---------------------------------------------------------------------------------------


def _row_values(columns: Sequence[Column], row: Row) -> list[Any]:
    if row.__class__ is list and len(row) == len(columns):  # type: ignore[arg-type]
        return row  # type: ignore[return-value]  # already in column order: no copy
    if isinstance(row, Mapping):
        return [row.get(column.key) for column in columns]
    if isinstance(row, str | bytes):
        raise TypeError("iterate_rows() must yield mappings or sequences, not strings")
    values = list(row)
    if len(values) != len(columns):
        raise ValueError(f"row has {len(values)} values but there are {len(columns)} columns")
    return values


def _kind(column: Column, value: Any) -> Format:
    """The format a value is written in: the column's, or inferred from the Python type."""
    if column.format is not None:
        return column.format
    if isinstance(value, bool):
        return "text"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float | Decimal):
        return "decimal"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    return "text"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dt.datetime):
        return _local_naive(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _local_naive(value: dt.datetime) -> dt.datetime:
    """Excel has no time zones: show aware datetimes in the site's local time."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return _local_naive(value).date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(value)


def _as_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return _local_naive(value)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    raise TypeError(value)


def _as_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise TypeError(value)
    number = Decimal(str(value).strip())
    if number != number.to_integral_value():
        raise ValueError(value)
    return int(number)


def _as_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise TypeError(value)
    return Decimal(str(value).strip())


def display_width(text: str) -> int:
    """Width in Excel character units: CJK characters are two columns wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _default_width(column: Column, header: str) -> float:
    if column.width is not None:
        return column.width
    base = {"date": 12, "datetime": 20, "decimal": 12, "int": 10}.get(column.format or "", 12)
    return max(base, min(display_width(header) + 2, 60))


# ---------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------


def _sheet_name(name: str) -> str:
    """Excel rejects []:*?/\\ in tab names, names over 31 characters and edge apostrophes."""
    cleaned = _SHEET_NAME_BAD.sub("_", name).strip().strip("'")[:31].strip()
    return cleaned or "Sheet1"


def write_xlsx(exporter: Exporter, fileobj: IO[bytes] | str) -> None:
    """Write the export as an .xlsx workbook to a seekable binary file (or a path).

    The header row is bold, frozen and filtered. Rows go out strictly in order because
    ``constant_memory`` mode cannot revisit a row once the next has started.
    """
    columns = list(exporter.columns)
    headers = [str(column.header) for column in columns]
    with xlsxwriter.Workbook(fileobj, XLSX_OPTIONS) as workbook:
        sheet = workbook.add_worksheet(_sheet_name(exporter.get_sheet_name()))
        bold = workbook.add_format({"bold": True})
        formats = {
            "date": workbook.add_format({"num_format": _DATE_FORMAT}),
            "datetime": workbook.add_format({"num_format": _DATETIME_FORMAT}),
            "decimal": workbook.add_format({"num_format": _DECIMAL_FORMAT}),
        }
        # Text columns get Excel's "@" (Text) format too, so an ID number someone types
        # into an exported file or an empty import template stays text.
        text_format = workbook.add_format({"num_format": "@"})
        for index, (column, header) in enumerate(zip(columns, headers, strict=True)):
            width = _default_width(column, header)
            sheet.set_column(index, index, width, text_format if column.format == "text" else None)
        sheet.freeze_panes(1, 0)
        # Text that looks like a number (ID numbers, phones) is text on purpose.
        sheet.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})
        for index, header in enumerate(headers):
            sheet.write_string(0, index, header, bold)

        # A text cell in a text (or untyped) column is written as it is: the one check
        # per cell on the path every register's ID numbers, names and phones take.
        plain = [column.format in (None, "text") for column in columns]
        write_string = sheet.write_string
        row_index = 0
        for row in exporter.iterate_rows():
            row_index += 1
            for index, value in enumerate(_row_values(columns, row)):
                if value.__class__ is str and plain[index]:
                    if value:
                        write_string(row_index, index, value)
                else:
                    _write_xlsx_cell(sheet, row_index, index, columns[index], value, formats)
        if columns:
            sheet.autofilter(0, 0, max(row_index, 1), len(columns) - 1)


def _write_xlsx_cell(
    sheet: Any, row: int, col: int, column: Column, value: Any, formats: dict[str, Any]
) -> None:
    if value is None or value == "":
        return
    kind = _kind(column, value)
    try:
        if kind == "int":
            number = _as_int(value)
            if abs(number) < _EXCEL_MAX_EXACT_INT:
                sheet.write_number(row, col, number)
                return
        elif kind == "decimal":
            amount = _as_decimal(value)
            if column.format == "decimal":
                sheet.write_number(row, col, float(amount.quantize(_TWO_PLACES)), formats[kind])
            else:
                sheet.write_number(row, col, float(amount))
            return
        elif kind == "date":
            sheet.write_datetime(row, col, _as_date(value), formats[kind])
            return
        elif kind == "datetime":
            sheet.write_datetime(row, col, _as_datetime(value), formats[kind])
            return
    except (TypeError, ValueError, ArithmeticError, InvalidOperation):
        pass  # A value that does not fit its column's format is still exported, as text.
    sheet.write_string(row, col, _text(value))


# ---------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------


def _csv_text(value: str) -> str:
    """Make a text cell safe and intact when the CSV is double-clicked into Excel.

    A leading ``= + - @`` would run as a formula (CSV injection, OWASP), so it gets the
    apostrophe Excel itself uses for literal text; ``fangkong``'s CSV reader strips it again.
    Long digit strings (ID numbers) and ones with a leading zero (landlines) would be turned
    into numbers and lose digits, so they get a trailing tab, which Excel keeps as text and
    every importer strips as whitespace.
    """
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if value.isascii() and value.isdigit() and (len(value) >= 12 or value[0] == "0"):
        return value + "\t"
    return value


def _csv_cell(column: Column, value: Any) -> str:
    if value is None:
        return ""
    kind = _kind(column, value)
    try:
        if kind == "int":
            return str(_as_int(value))
        if kind == "decimal":
            amount = _as_decimal(value)
            return str(amount.quantize(_TWO_PLACES) if column.format == "decimal" else amount)
        if kind == "date":
            return _as_date(value).isoformat()
        if kind == "datetime":
            return _as_datetime(value).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError, ArithmeticError, InvalidOperation):
        pass
    return _csv_text(_text(value))


class _Echo:
    """A file-like that hands back what ``csv.writer`` writes, for streaming."""

    def write(self, value: str) -> str:
        return value


def iter_csv(exporter: Exporter) -> Iterator[str]:
    """Yield the CSV text in chunks of roughly 64 KiB, starting with the BOM."""
    columns = list(exporter.columns)
    writer = csv.writer(_Echo())
    buffer = ["\ufeff", writer.writerow([str(column.header) for column in columns])]
    size = 0
    for row in exporter.iterate_rows():
        line = writer.writerow(
            [_csv_cell(c, v) for c, v in zip(columns, _row_values(columns, row), strict=True)]
        )
        buffer.append(line)
        size += len(line)
        if size >= _CSV_CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def write_csv(exporter: Exporter, fileobj: IO[bytes] | IO[str]) -> None:
    """Write the export as CSV with a UTF-8 BOM (so Excel detects UTF-8 and shows Chinese).

    A binary file gets UTF-8 bytes; a text file gets text (open it with ``newline=""``).
    """
    is_text = isinstance(fileobj, io.TextIOBase)
    for chunk in iter_csv(exporter):
        fileobj.write(chunk if is_text else chunk.encode("utf-8"))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# Django responses
# ---------------------------------------------------------------------------------------


def _with_extension(name: str, extension: str) -> str:
    name = _FILENAME_BAD.sub("_", name).strip(" .") or "export"
    return name if name.lower().endswith(extension) else name + extension


def content_disposition(filename: str) -> str:
    """``attachment`` header with an ASCII fallback and an RFC 5987 ``filename*`` form.

    Browsers that understand ``filename*`` (all current ones) save the Chinese name; old
    clients fall back to the plain ``filename``.
    """
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("_")
    if not ascii_stem or not stem.isascii():
        ascii_stem = "export"
    ascii_extension = re.sub(r"[^A-Za-z0-9]+", "", extension) if extension.isascii() else ""
    fallback = f"{ascii_stem}.{ascii_extension}" if ascii_extension else ascii_stem
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _no_store(response: Any) -> None:
    # Exports carry personal data (names, ID numbers): keep them out of shared caches.
    response["Cache-Control"] = "private, no-store"


def xlsx_response(exporter: Exporter) -> FileResponse:
    """The export as an .xlsx download (``workbook_response`` around ``write_xlsx``)."""
    return workbook_response(lambda fileobj: write_xlsx(exporter, fileobj),
                             _with_extension(exporter.get_filename(), ".xlsx"))


def workbook_response(write: Callable[[IO[bytes]], None], filename: str) -> FileResponse:
    """Build a workbook with ``write(fileobj)`` in a spooled temp file (XlsxWriter needs
    to seek) and return it as a download. Also for workbooks with a fixed layout that no
    ``Exporter`` describes (the province's daily report).

    The workbook is complete before the response starts, so an error while iterating rows
    becomes a normal 500 rather than a truncated download.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    try:
        write(spool)  # type: ignore[arg-type]
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    _no_store(response)
    return response


def csv_response(exporter: Exporter) -> StreamingHttpResponse:
    """Stream the CSV row by row; nothing but one chunk is ever held in memory.

    Rows are produced after the view has returned, so the request's language is captured
    now and re-activated while streaming, keeping headers and Yes/No in the user's language.
    """
    language = translation.get_language()

    def stream() -> Iterator[bytes]:
        with translation.override(language):
            for chunk in iter_csv(exporter):
                yield chunk.encode("utf-8")

    response = StreamingHttpResponse(stream(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(
        _with_extension(exporter.get_filename(), ".csv")
    )
    _no_store(response)
    return response
