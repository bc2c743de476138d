"""Turn an uploaded file into rows of cell values, whatever the user actually uploaded.

Uploads come from hundreds of street offices and community workers: real .xlsx files, CSVs
saved by Excel in GBK, WPS files, old .xls files renamed, photos and Word documents picked by
mistake. The importer must answer every one of them with a sentence, never a traceback, so
the file type is sniffed from its bytes (not its name) and every reader failure is turned
into ``TableReadError``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import unicodedata
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from django.utils.translation import gettext

logger = logging.getLogger(__name__)

#: Declared uncompressed size above which an .xlsx is refused before openpyxl opens it: a
#: small zip can inflate to gigabytes (a "zip bomb"), and the shared-strings table is read
#: into memory whole. Python's zipfile never inflates an entry past its declared size.
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx

RowValues = tuple[Any, ...]


class TableReadError(Exception):
    """The upload cannot be read as a table; ``message`` is translated and user-facing."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_upload(source: bytes | IO[bytes], max_bytes: int) -> bytes:
    """Read the whole upload, refusing more than ``max_bytes``.

    Reading it all is fine at the sizes allowed and lets the sniffing, the zip check and the
    CSV decoding fallback all look at the same bytes; Django does not cap upload size itself.
    """
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        try:
            if source.seekable():
                source.seek(0)
        except (AttributeError, OSError):
            pass
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TableReadError(
            gettext("The file is larger than %(size)d MB. Split it into smaller files.")
            % {"size": max_bytes // (1024 * 1024)}
        )
    return data


def iter_rows(data: bytes) -> Iterator[tuple[int, RowValues]]:
    """Yield ``(excel_row_number, values)`` for the first worksheet or the CSV, row 1 first.

    Values are normalised: strings stripped, empty strings ``None``, whole floats ``int``
    (Excel stores every number as a float, so a phone typed as a number arrives as
    ``13800138000.0``). Raises ``TableReadError`` when opening or while reading.
    """
    if not data.strip():
        raise TableReadError(gettext("The file is empty."))
    if data.startswith(_ZIP_MAGIC):
        yield from _iter_xlsx(data)
    elif data.startswith(_OLE2_MAGIC):
        raise TableReadError(
            gettext(
                "Old .xls files and password-protected workbooks cannot be read. Open the "
                "file in Excel or WPS, remove any password, save it as an Excel workbook "
                "(.xlsx) and upload it again."
            )
        )
    else:
        yield from _iter_csv(data)


def _not_a_table() -> TableReadError:
    return TableReadError(
        gettext(
            "The file is not an Excel workbook (.xlsx) or a CSV file, or it is damaged. "
            "Download the template, fill it in and upload it again."
        )
    )


def clean_value(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ---------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------


def _iter_xlsx(data: bytes) -> Iterator[tuple[int, RowValues]]:
    from openpyxl import load_workbook  # Imported here: only imports pay for it.

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _not_a_table() from exc
    if inflated > MAX_UNZIPPED_BYTES:
        raise TableReadError(
            gettext("The workbook is too large to import. Split it into smaller files.")
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for broken files.
        logger.info("Upload is a zip but not a readable workbook: %r", exc)
        raise _not_a_table() from exc
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise _not_a_table()
        sheet = sheets[0]
        # Many generators write a wrong <dimension>; without this openpyxl would stop there.
        sheet.reset_dimensions()
        number = 0
        try:
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, tuple(_clean_xlsx_value(v) for v in cells)
        except Exception as exc:
            logger.info("Workbook unreadable after row %d: %r", number, exc)
            raise TableReadError(
                gettext("The workbook could not be read after row %(row)d; it may be damaged.")
                % {"row": number}
            ) from exc
    finally:
        workbook.close()


def _clean_xlsx_value(value: Any) -> Any:
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return clean_value(value)


# ---------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; Excel on Chinese Windows saves CSV as GBK, which
    GB18030 is a superset of. UTF-16 is what Excel's "Unicode text" export produces."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _not_a_table()


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if "\x00" in sample:
        return True
    controls = sum(
        1 for ch in sample if ch not in "\t\r\n\x0c" and unicodedata.category(ch) == "Cc"
    )
    return controls > len(sample) // 100


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _clean_csv_value(value: str) -> Any:
    """Undo the export's CSV-injection guard (a quote before = + - @) and normalise."""
    value = value.strip()
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        value = value[1:]
    return value or None


def _iter_csv(data: bytes) -> Iterator[tuple[int, RowValues]]:
    text = _decode(data)
    if _looks_binary(text):
        raise _not_a_table()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    number = 0
    try:
        # reader.line_num counts physical lines; the logical row number is what Excel shows.
        for number, cells in enumerate(reader, start=1):
            yield number, tuple(_clean_csv_value(v) for v in cells)
    except csv.Error as exc:
        raise TableReadError(
            gettext("The CSV file could not be read after row %(row)d: %(error)s")
            % {"row": number, "error": exc}
        ) from exc
