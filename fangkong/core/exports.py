"""Exports of registers, written once: masked by default, unmasked only with the export
permission, a reason and an entry in the personal-data access log.

A module writes one ``RegisterExporter`` per register: its columns, the objects behind
the rows, one ``row(obj)`` with the stored values, and ``pii_columns`` naming the columns
that hold personal data. The base masks those columns as the models declare
(``core.pii``), so a module never writes a mask or a ``masked`` switch of its own.

Each register is declared once by name (``registries.export_kind`` on a function that
builds its rows from the page's filters), so a job can build the same file later.
``export_view`` is the one protocol every export page follows:

- GET: the masked file (``?format=csv`` where the page offers CSV). A file of
  ``FANGKONG_EXPORT_DIRECT_ROWS`` rows or more is made by a background job instead
  (``core.jobs``): the answer redirects to the job's page, which shows its progress and
  then the download link.
- GET ``?unmasked_form=1``: the reason form (403 without ``Cap.EXPORT_PII``).
- POST: the unmasked file. Needs ``Cap.EXPORT_PII`` (else 403) and a reason; holds only
  the rows under the grants that carry the permission (viewing a city and exporting one
  county do not add up to exporting the city); logged through ``core.audit.log_export``
  with the number of rows the file holds (a job logs when its file is made, before it
  can be downloaded). The reason travels in the body, never in a URL
  or a proxy log, so a GET never exports unmasked, whatever it asks for.

The page's filters (a search, a day) travel as query parameters on GET and as hidden
fields on the form's POST: a view reads them with ``params(request)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy, pgettext

from fangkong.core import audit, pii, registries
from fangkong.core.models.accounts import Cap
from fangkong.core.models.audit import PiiAction, PiiRefusal
from fangkong.core.registries import ExportKind
from fangkong.core.scoping import scope_for
from fangkong.lib.tabular import Exporter, csv_response, xlsx_response

FORMAT_CHOICES = {"xlsx": "Excel (.xlsx)", "csv": "CSV"}
#: Query and form parameters of the protocol itself, not a page's filters.
_OWN_PARAMS = frozenset({"unmasked", "unmasked_form", "format", "reason",
                         "csrfmiddlewaretoken"})
UNMASKED_PAGE = "core/export_unmasked.html"
#: Rows read (and prepared) at a time.
CHUNK = 2000


class RegisterExporter(Exporter):
    """One register's export. Subclasses set ``columns``, ``filename``, ``pii_columns``
    and write ``row``; ``rows`` when the file has one row per related object (a household
    export lists members)."""

    #: Column key -> path of the personal field it holds, from the row objects' model
    #: (``"person.id_number"``). Masked as that model's ``PII`` says unless ``masked`` is
    #: false; named in the access log.
    pii_columns: Mapping[str, str] = {}
    #: Path from the row objects to the id of the person whose data a row carries
    #: (``"person_id"``; ``"pk"`` for the registry itself): the access log names them.
    person_path = "person_id"
    #: Called with the number of rows the writer has taken after each chunk (a job counts
    #: its progress with it): once per chunk, not a call per row.
    on_rows: Callable[[int], None] | None = None

    def __init__(self, queryset: QuerySet[Any], *, masked: bool = True,
                 filename: str = "", user: Any = None) -> None:
        self.queryset = queryset
        self.masked = masked
        self._filename = filename
        #: Who the file is for (``export_view`` sets it): ``prepare`` may show rows as
        #: that user may see them.
        self.user = user

    def get_filename(self) -> str:
        return self._filename or str(self.filename)

    def rows(self) -> QuerySet[Any]:
        """The objects behind the file's rows, in file order."""
        return self.queryset

    def row(self, obj: Any) -> Mapping[str, Any]:
        """One row by column key, with the stored (unmasked) values."""
        raise NotImplementedError

    def prepare(self, objs: list[Any]) -> Iterable[Any]:
        """The row objects of one chunk as the file shows them (default: as they are)."""
        return objs

    def row_count(self) -> int:
        """Rows the file holds (what the personal-data access log records)."""
        return self.rows().count()

    def people(self) -> Iterator[int]:
        """Ids of the people whose data the file carries, once each."""
        rows = self.rows().order_by().values_list(self.person_path, flat=True).distinct()
        return (pk for pk in rows.iterator(chunk_size=2000) if pk is not None)

    def personal_columns(self) -> dict[str, str]:
        """``pii_columns`` restricted to the columns this file has."""
        keys = {column.key for column in self.columns}
        return {key: path for key, path in self.pii_columns.items() if key in keys}

    def logged_fields(self) -> list[str]:
        """The personal fields the file holds, as the access log names them."""
        names = [path.rsplit(".", 1)[-1] for path in self.personal_columns().values()]
        return list(dict.fromkeys(names))

    def iterate_rows(self) -> Iterator[list[Any]]:
        """The rows in column order, masked as declared: read, prepared and counted a
        chunk (``CHUNK``) at a time, never all at once."""
        rows = self.rows()
        keys = [column.key for column in self.columns]
        masks = [] if not self.masked else [
            (keys.index(key), pii.mask_for(rows.model, path))
            for key, path in self.personal_columns().items()
        ]
        chunk: list[Any] = []
        for obj in rows.iterator(chunk_size=CHUNK):
            chunk.append(obj)
            if len(chunk) == CHUNK:
                yield from self._rows_of(chunk, keys, masks)
                chunk = []
        if chunk:
            yield from self._rows_of(chunk, keys, masks)

    def _rows_of(self, chunk: list[Any], keys: list[str],
                 masks: list[tuple[int, Any]]) -> Iterator[list[Any]]:
        row = self.row
        done = 0
        for obj in self.prepare(chunk):
            values = row(obj)
            out = [values.get(key) for key in keys]
            for index, mask in masks:
                out[index] = mask(out[index])
            yield out
            done += 1
        if self.on_rows is not None:
            self.on_rows(done)


class ExportForm(forms.Form):
    """The unmasked export's form: why, and which file format."""

    reason = forms.CharField(
        label=gettext_lazy("Reason (recorded)"), min_length=2, max_length=300,
        widget=forms.TextInput(attrs={
            "placeholder": gettext_lazy("e.g. list requested by the county epidemiology team"),
        }),
    )
    #: Optional: a page that offers one format posts none.
    format = forms.ChoiceField(label=gettext_lazy("Format"), required=False)

    def __init__(self, *args: Any, formats: Sequence[str] = ("xlsx",), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [(f, FORMAT_CHOICES[f]) for f in formats]
        self.fields["format"].initial = formats[0]
        if len(formats) == 1:
            self.fields["format"].widget = forms.HiddenInput()


def params(request: HttpRequest) -> QueryDict:
    """The page's filters: from the form on a POST, from the query string otherwise."""
    return request.POST if request.method == "POST" else request.GET


def filters_of(request: HttpRequest, extra: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The page's filters as a job stores them: the protocol's own parameters left out,
    ``extra`` (what the URL's path carries, a checkpoint) added."""
    found = {k: v for k, v in params(request).items() if k not in _OWN_PARAMS}
    return {**found, **{k: str(v) for k, v in (extra or {}).items()}}


def file_response(exporter: Exporter, fmt: str) -> HttpResponse:
    return csv_response(exporter) if fmt == "csv" else xlsx_response(exporter)


def get_kind(name: str) -> ExportKind:
    return registries.export_kinds()[name]


def build(kind: ExportKind, user: Any, filters: Mapping[str, Any], *,
          masked: bool = True) -> RegisterExporter:
    """The exporter of ``kind`` for ``user`` and ``filters``, as the page and a job make
    it. Unmasked: only the rows under the grants that carry ``Cap.EXPORT_PII``."""
    capability = Cap.VIEW if masked else Cap.EXPORT_PII
    rows, filename = kind.build(user, filters, capability)
    if not masked:
        rows = rows.visible_to(user, Cap.EXPORT_PII)
    return kind.exporter(rows, masked=masked, filename=filename, user=user)


def direct(exporter: RegisterExporter) -> bool:
    """Whether the file is small enough to answer in the request
    (``FANGKONG_EXPORT_DIRECT_ROWS``); larger files are made by a job."""
    return exporter.row_count() < settings.FANGKONG_EXPORT_DIRECT_ROWS


def export_view(
    request: HttpRequest, kind: str, *, back: str, extra: Mapping[str, Any] | None = None,
    formats: Sequence[str] | None = None, unmasked_page: bool = False,
) -> HttpResponse:
    """The export protocol (module docstring) for the registered export ``kind``
    (``registries.export_kind``). ``extra`` adds what the URL's path names (a checkpoint)
    to the page's filters; ``unmasked_page`` makes a GET show the reason form (a URL that
    serves only the unmasked export, as the people registry's)."""
    entry = get_kind(kind)
    formats = tuple(formats or entry.formats)
    filters = filters_of(request, extra)
    if request.method == "POST" or unmasked_page or request.GET.get("unmasked_form"):
        return _unmasked(request, entry, filters, back=back, formats=formats)
    fmt = request.GET.get("format")
    fmt = fmt if fmt in formats else formats[0]
    try:
        exporter = build(entry, request.user, filters)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    if direct(exporter):
        return file_response(exporter, fmt)
    from fangkong.core.jobs import services as jobs

    job = jobs.start_export(request.user, kind, filters, fmt=fmt)
    return redirect("core:job", pk=job.pk)


def _unmasked(
    request: HttpRequest, entry: ExportKind, filters: Mapping[str, str], *,
    back: str, formats: Sequence[str],
) -> HttpResponse:
    if not scope_for(request.user).can(Cap.EXPORT_PII):
        rows, filename = entry.build(request.user, filters, Cap.VIEW)
        audit.log_refused(request.user, PiiAction.EXPORT, rows.model._meta.label,
                          PiiRefusal.PERMISSION, label=filename,
                          reason=request.POST.get("reason"), request=request)
        raise audit.already_logged(PermissionDenied())
    posted = request.method == "POST"
    form = ExportForm(request.POST if posted else None, formats=formats)
    carried = [(k, v) for k, v in params(request).items() if k not in _OWN_PARAMS]
    try:
        exporter = build(entry, request.user, filters, masked=False)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    if posted and "reason" in form.errors:
        audit.log_refused(request.user, PiiAction.EXPORT, exporter.rows().model._meta.label,
                          PiiRefusal.REASON, label=exporter.get_filename(),
                          fields=exporter.logged_fields(), reason=request.POST.get("reason"),
                          request=request)
    elif posted and form.is_valid():
        fmt = form.cleaned_data["format"] or formats[0]
        reason = form.cleaned_data["reason"]
        if not direct(exporter):
            from fangkong.core.jobs import services as jobs

            job = jobs.start_export(request.user, entry.name, filters, fmt=fmt, masked=False,
                                    reason=reason, request=request)
            return redirect("core:job", pk=job.pk)
        try:
            log_unmasked(exporter, request.user, reason, fmt=fmt, filters=filters,
                         request=request)
        except ValidationError as exc:
            form.add_error("reason", exc.message_dict.get("reason", exc.messages))
        else:
            return file_response(exporter, fmt)
    shown = {*exporter.personal_columns(), *exporter.logged_fields()}
    headers = [str(c.header) for c in exporter.columns if c.key in shown]
    return render(request, UNMASKED_PAGE, {
        "form": form, "back": back, "carried": carried, "title": exporter.get_filename(),
        "personal": pgettext("list separator", ", ").join(headers),
    })


def log_unmasked(exporter: RegisterExporter, user: Any, reason: str, *, fmt: str,
                 filters: Mapping[str, str], request: Any = None,
                 rows: int | None = None) -> None:
    """The personal-data access log entry of an unmasked file (``core.audit.log_export``):
    its fields, rows, reason, the filters that chose it and whose data it carries.
    ``request`` gives the address (a job passes what it stored)."""
    shown = " ".join(f"{k}={v}" for k, v in filters.items() if v)
    label = f"{exporter.get_filename()}.{fmt} {shown}".strip()
    audit.log_export(user, exporter.rows().model, exporter.logged_fields(),
                     exporter.row_count() if rows is None else rows, reason,
                     request=request, label=label, people=exporter.people())
