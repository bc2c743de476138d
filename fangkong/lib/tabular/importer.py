"""Declarative, all-or-nothing spreadsheet import.

An import either lands completely or not at all: a half-imported list of close contacts is
worse than none, because nobody can tell which half is in. So every row is parsed and
validated first; only a clean file reaches ``save_row``, inside one transaction, and any
failure there rolls the whole file back. A dry run goes through the very same code path and
always rolls back, so "check" reports exactly what "import" would do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, pgettext
from openpyxl.utils import get_column_letter

from .export import Column, Exporter, StrOrPromise
from .parsers import label_variants, normalize_label, parse_text
from .reading import TableReadError, iter_rows, read_upload

logger = logging.getLogger(__name__)

#: Row number used for errors about the file as a whole (unreadable, too many rows).
FILE_ROW = 0
HEADER_ROW = 1


@dataclass(frozen=True)
class ImportField:
    """One expected column.

    ``header`` (usually lazy) is recognised in Chinese or English, as are ``aliases`` and
    the ``key`` itself, ignoring case, whitespace, full/half width and a trailing ``*``.
    ``parse`` receives a non-empty cell and returns the Python value; it signals bad input
    with ``ValueError``, ``ValidationError`` or any exception carrying ``.message`` (e.g.
    python-stdnum's). ``required`` means the column must exist and the cell must be filled.
    """

    key: str
    header: StrOrPromise
    required: bool = True
    parse: Callable[[Any], Any] = parse_text
    aliases: Sequence[StrOrPromise] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "aliases", tuple(self.aliases))

    def names(self) -> set[str]:
        names = {normalize_label(self.key)} | label_variants(self.header)
        for alias in self.aliases:
            names |= label_variants(alias)
        return names


@dataclass(frozen=True)
class RowError:
    """``row`` is the 1-based row number Excel shows (0: the file as a whole); ``column``
    the header text as written in the file, or an Excel column letter, or ``""``."""

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    """Outcome of ``Importer.run``. ``created``/``updated`` count what ``save_row``
    reported, also in a dry run or a rolled-back run (what *would* have happened)."""

    rows_total: int = 0
    rows_ok: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    committed: bool = False
    dry_run: bool = False
    #: Header cells that matched no field (shown to the user; maybe a misspelt column).
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Bound:
    index: int
    field: ImportField
    header: str


class _TooManyErrors(Exception):
    pass


#: ``progress(stage, done, total)``: ``Importer.run`` reports each row it reads and saves.
Progress = Callable[[str, int, "int | None"], None]


class Importer:
    """Subclass, declare ``fields``, implement ``save_row``; call ``run``.

    ``save_row(cleaned, actor)`` returns the saved object (counted as created), a
    ``(object, created)`` pair as ``update_or_create`` returns (counted accordingly), or
    ``None`` (counted as neither). It may raise like ``parse`` does; database errors are
    reported too. It must not cause effects outside the database (SMS, files), because
    a dry run and a failed run call it and then roll back.
    """

    fields: Sequence[ImportField] = ()
    #: Keys whose combined values must not repeat within one file, e.g. ``("id_number",)``;
    #: a sequence of such tuples declares several independent unique keys.
    unique_together_in_file: Sequence[str] | Sequence[Sequence[str]] = ()
    max_rows: int = 50_000
    max_errors: int = 1_000
    max_bytes: int = 20 * 1024 * 1024
    using: str = DEFAULT_DB_ALIAS
    template_filename: StrOrPromise = gettext_lazy("Import template")
    _progress: Progress | None = None

    # -- hooks ---------------------------------------------------------------------------

    def validate_row(self, values: dict[str, Any], row_number: int) -> dict[str, Any]:
        """Cross-field checks and normalisation; return the cleaned dict. Raise
        ``ValidationError({"key": ...})`` to point at a column."""
        return values

    def save_row(self, cleaned: dict[str, Any], actor: Any) -> Any:
        raise NotImplementedError

    # -- public API ----------------------------------------------------------------------

    def run(self, fileobj: bytes | IO[bytes], actor: Any, dry_run: bool,
            progress: Progress | None = None) -> ImportResult:
        """Parse, validate and (when everything is clean) save the file.

        Never raises for anything wrong with the file or its rows; every problem becomes a
        ``RowError``. Nothing is committed unless the result has no errors and ``dry_run``
        is false. Absent optional columns are missing from the values dict; present but
        empty cells are ``None``.

        ``progress(stage, done, total)`` is called for every row: ``("read", rows read,
        None)`` while the file is parsed, then ``("save", rows saved, rows to save)``
        inside the saving transaction (so it must not write to the database; a background
        job keeps it outside). An exception it raises stops the run and, while saving,
        rolls everything back.
        """
        result = ImportResult(dry_run=dry_run)
        self._progress = progress
        try:
            pending, columns = self._parse(fileobj, result)
        except TableReadError as exc:
            result.errors.append(RowError(FILE_ROW, "", exc.message))
            return result
        except _TooManyErrors:
            return result
        if result.errors or not pending:
            return result
        self._save(pending, columns, actor, dry_run, result)
        return result

    def template_exporter(self) -> Exporter:
        """An empty workbook with the header row; required columns are marked ``*``."""
        importer = self

        class Template(Exporter):
            columns = tuple(
                Column(f.key, format_lazy("{}*", f.header) if f.required else f.header, "text")
                for f in importer.fields
            )
            filename = importer.template_filename

            def iterate_rows(self) -> list[Any]:
                return []

        return Template()

    # -- parsing -------------------------------------------------------------------------

    def _parse(
        self, fileobj: bytes | IO[bytes], result: ImportResult
    ) -> tuple[list[tuple[int, dict[str, Any]]], list[_Bound]]:
        rows = iter_rows(read_upload(fileobj, self.max_bytes))
        try:
            first = next(rows, None)
            if first is None:
                raise TableReadError(gettext("The file is empty."))
            columns = self._match_headers(first[1], result)
            if result.errors:
                return [], columns
            pending: list[tuple[int, dict[str, Any]]] = []
            seen: dict[tuple[str, ...], dict[tuple[Any, ...], int]] = {}
            for number, cells in rows:
                raw = [(b, cells[b.index] if b.index < len(cells) else None) for b in columns]
                if all(value is None for _, value in raw):
                    continue  # blank rows, including pre-numbered template rows
                result.rows_total += 1
                if self._progress is not None:
                    self._progress("read", result.rows_total, None)
                if result.rows_total > self.max_rows:
                    raise TableReadError(
                        gettext(
                            "The file has more than %(max)d data rows. Split it into files "
                            "of at most %(max)d rows each."
                        )
                        % {"max": self.max_rows}
                    )
                cleaned = self._parse_row(number, raw, columns, result)
                if cleaned is not None and self._unique_in_file(
                    number, cleaned, columns, seen, result
                ):
                    pending.append((number, cleaned))
                self._check_error_budget(result)
        finally:
            rows.close()
        if result.rows_total == 0:
            result.errors.append(
                RowError(FILE_ROW, "", gettext("The file has no data rows below the header row."))
            )
        result.rows_ok = len(pending)
        return pending, columns

    def _match_headers(self, cells: Sequence[Any], result: ImportResult) -> list[_Bound]:
        lookup: dict[str, ImportField] = {}
        for import_field in self.fields:
            for name in import_field.names():
                lookup.setdefault(name, import_field)
        bound: dict[str, _Bound] = {}
        for index, cell in enumerate(cells):
            if cell is None:
                continue
            text = parse_text(cell)
            import_field = lookup.get(normalize_label(text))
            if import_field is None:
                result.ignored_columns.append(text)
            elif import_field.key in bound:
                first = bound[import_field.key]
                result.errors.append(
                    RowError(
                        HEADER_ROW,
                        get_column_letter(index + 1),
                        gettext(
                            "Column %(column)s (“%(header)s”) repeats column %(first)s "
                            "(“%(first_header)s”). Keep only one of them."
                        )
                        % {
                            "column": get_column_letter(index + 1),
                            "header": text,
                            "first": get_column_letter(first.index + 1),
                            "first_header": first.header,
                        },
                    )
                )
            else:
                bound[import_field.key] = _Bound(index, import_field, text)
        missing = [f for f in self.fields if f.required and f.key not in bound]
        if missing:
            names = pgettext("list separator", ", ").join(f"“{f.header}”" for f in missing)
            result.errors.append(
                RowError(
                    HEADER_ROW,
                    "",
                    gettext(
                        "Required columns are missing: %(columns)s. Check the first row "
                        "against the template."
                    )
                    % {"columns": names},
                )
            )
        return sorted(bound.values(), key=lambda b: b.index)

    def _parse_row(
        self,
        number: int,
        raw: list[tuple[_Bound, Any]],
        columns: list[_Bound],
        result: ImportResult,
    ) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        for bound, value in raw:
            if value is None:
                if bound.field.required:
                    errors.append(
                        RowError(number, bound.header, gettext("This field is required."))
                    )
                values[bound.field.key] = None
                continue
            try:
                values[bound.field.key] = bound.field.parse(value)
            except Exception as exc:  # noqa: BLE001 - every row gets an answer; see _messages
                errors.extend(RowError(number, bound.header, m) for m in _messages(exc))
        if errors:
            result.errors.extend(errors)
            return None
        try:
            return self.validate_row(values, number)
        except Exception as exc:  # noqa: BLE001
            result.errors.extend(_row_errors(exc, number, columns))
            return None

    def _key_sets(self) -> list[tuple[str, ...]]:
        spec = self.unique_together_in_file
        if not spec:
            return []
        if all(isinstance(key, str) for key in spec):
            return [tuple(spec)]  # type: ignore[arg-type]
        return [tuple(keys) for keys in spec]

    def _unique_in_file(
        self,
        number: int,
        cleaned: dict[str, Any],
        columns: list[_Bound],
        seen: dict[tuple[str, ...], dict[tuple[Any, ...], int]],
        result: ImportResult,
    ) -> bool:
        """Record the row's unique keys; report and return False if one was seen before.
        Strings compare case-insensitively (``x`` and ``X`` ending an ID number)."""
        headers = {b.field.key: b.header for b in columns}
        unique = True
        for keys in self._key_sets():
            if any(cleaned.get(key) is None for key in keys):
                continue
            signature = tuple(_comparable(cleaned[key]) for key in keys)
            rows_seen = seen.setdefault(keys, {})
            if signature in rows_seen:
                unique = False
                names = pgettext("list separator", ", ").join(
                    f"“{headers.get(key, key)}”" for key in keys
                )
                result.errors.append(
                    RowError(
                        number,
                        headers.get(keys[0], ""),
                        gettext(
                            "Duplicate of row %(row)d: %(columns)s must not repeat within the file."
                        )
                        % {"row": rows_seen[signature], "columns": names},
                    )
                )
            else:
                rows_seen[signature] = number
        return unique

    def _check_error_budget(self, result: ImportResult) -> None:
        if len(result.errors) >= self.max_errors:
            result.errors.append(
                RowError(
                    FILE_ROW,
                    "",
                    gettext("Stopped after %(count)d errors. Fix these and upload the file again.")
                    % {"count": len(result.errors)},
                )
            )
            raise _TooManyErrors

    # -- saving --------------------------------------------------------------------------

    def _save(
        self,
        pending: list[tuple[int, dict[str, Any]]],
        columns: list[_Bound],
        actor: Any,
        dry_run: bool,
        result: ImportResult,
    ) -> None:
        """Save every row in one transaction, each in its own savepoint so that one failing
        row (say an IntegrityError) still lets the others report their own problems; then
        roll everything back if anything failed or this is a dry run."""
        progress, total = self._progress, len(pending)
        with transaction.atomic(using=self.using):
            try:
                for done, (number, cleaned) in enumerate(pending):
                    if progress is not None:
                        progress("save", done, total)
                    try:
                        with transaction.atomic(using=self.using):
                            outcome = self.save_row(cleaned, actor)
                    except Exception as exc:  # noqa: BLE001
                        result.rows_ok -= 1
                        result.errors.extend(_row_errors(exc, number, columns, saving=True))
                        self._check_error_budget(result)
                        continue
                    if isinstance(outcome, tuple) and len(outcome) == 2:
                        if outcome[1] is True:
                            result.created += 1
                        elif outcome[1] is False:
                            result.updated += 1
                    elif outcome is not None:
                        result.created += 1
            except _TooManyErrors:
                pass
            if result.errors or dry_run:
                transaction.set_rollback(True, using=self.using)
        result.committed = not result.errors and not dry_run


def _messages(exc: BaseException, saving: bool = False) -> list[str]:
    """User-facing text for an exception raised by ``parse``/``validate_row``/``save_row``.

    Unexpected exception types are bugs, not bad data: they still become a row error (the
    file must get an answer) but are logged with a traceback for the developers.
    """
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages]
    if saving and isinstance(exc, DatabaseError):
        # The database's own text names tables and constraints; log it, show a sentence.
        logger.warning("Import row rejected by the database", exc_info=exc)
        return [
            gettext(
                "This row could not be saved because it conflicts with data already in the system."
            )
        ]
    message = getattr(exc, "message", None)
    if message:
        return [str(message)]
    if isinstance(exc, ValueError) and str(exc):
        return [str(exc)]
    logger.error("Unexpected error while importing a row", exc_info=exc)
    return [gettext("This row could not be processed because of an internal error.")]


def _row_errors(
    exc: BaseException, number: int, columns: list[_Bound], saving: bool = False
) -> list[RowError]:
    """Row errors for an exception; a ``ValidationError`` keyed by field names points each
    message at that field's column."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        headers = {b.field.key: b.header for b in columns}
        return [
            RowError(number, "" if key == NON_FIELD_ERRORS else headers.get(key, key), message)
            for key, messages in exc.message_dict.items()
            for message in messages
        ]
    return [RowError(number, "", message) for message in _messages(exc, saving)]


def _comparable(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


class ErrorReportExporter(Exporter):
    """The import's errors as a sheet (row, column, message) the user can work through."""

    columns = (
        Column("row", gettext_lazy("Row"), "int", 8),
        Column("column", gettext_lazy("Column"), "text", 20),
        Column("message", gettext_lazy("Error"), "text", 80),
    )
    filename = gettext_lazy("Import errors")

    def __init__(self, result: ImportResult) -> None:
        self.result = result

    def iterate_rows(self) -> list[dict[str, Any]]:
        return [
            {"row": e.row or None, "column": e.column, "message": e.message}
            for e in self.result.errors
        ]
