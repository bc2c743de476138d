"""Excel in and out, written once: every spreadsheet export and import in fangkong goes
through this package, so the Excel quirks (text ID numbers, BOM, GBK CSVs, all-or-nothing
saving) are handled in one place. See ``export`` and ``importer`` for the why of each rule.
"""

from .export import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    Column,
    Exporter,
    content_disposition,
    csv_response,
    iter_csv,
    workbook_response,
    write_csv,
    write_xlsx,
    xlsx_response,
)
from .importer import (
    ErrorReportExporter,
    Importer,
    ImportField,
    ImportResult,
    RowError,
)
from .parsers import (
    parse_bool,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
    parse_text,
)
from .reading import TableReadError

__all__ = [
    "CSV_CONTENT_TYPE",
    "XLSX_CONTENT_TYPE",
    "Column",
    "ErrorReportExporter",
    "Exporter",
    "ImportField",
    "ImportResult",
    "Importer",
    "RowError",
    "TableReadError",
    "content_disposition",
    "csv_response",
    "iter_csv",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_int",
    "parse_text",
    "workbook_response",
    "write_csv",
    "write_xlsx",
    "xlsx_response",
]
