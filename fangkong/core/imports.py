"""Spreadsheet imports, one protocol for every register: check first, then import the
same file that was checked.

1. "Check the file" runs the import as a dry run (``lib.tabular.Importer``, all rows or
   none): the page lists the problems row by row, and "Download the error report" sends
   the same file again and answers the list as .xlsx.
2. "Import" sends the file again together with the digest of what was checked (the file
   and the form's other choices, e.g. the community). Only if they match is the file
   saved; otherwise it is checked again and the page says so. So what is committed is
   what was checked, even if the user picked another file or community in between.

For a small file nothing waits on the server between the two steps: the page keeps the
chosen file in its form, so no uploaded personal data sits in a temp file and any app
process can take the second request (docs/decisions/api.md). A large file (``kind``
given, at least ``FANGKONG_IMPORT_DIRECT_BYTES``) is checked by a background job instead
(``core.jobs``): the job's page shows the progress, then the row errors and the error
report, or "Import this checked file", which imports the very file the job checked (it
waits in the job directory until then, or until it expires). Under HTMX the result
replaces only the ``#import-result`` part of the page (``partial``), and a job's page
replaces the page (``HX-Redirect``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy

from fangkong.lib.tabular import ErrorReportExporter, Importer, xlsx_response

RESULT_PARTIAL = "core/_import_result.html"
#: Errors listed on the page; the downloadable report has them all.
ERRORS_SHOWN = 200
_OWN_FIELDS = frozenset({"file", "action", "checked"})


class ImportForm(forms.Form):
    """The file and the step. Subclass it for the choices an import needs (a community);
    those are bound into the digest with the file."""

    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))
    action = forms.ChoiceField(
        choices=[("check", "check"), ("commit", "commit"), ("errors", "errors")],
        required=False,
    )
    checked = forms.CharField(required=False, max_length=64)

    def choice_fields(self) -> list[Any]:
        """The subclass's own choices (a community), which the page shows above the file."""
        return [self[name] for name in self.fields
                if name not in _OWN_FIELDS and not self[name].is_hidden]


def _choice_key(value: Any) -> Any:
    """A chosen record by its primary key (two communities may share a name)."""
    return getattr(value, "pk", None) or str(value)


def digest(data: bytes, choices: Mapping[str, Any]) -> str:
    """SHA-256 of the file, and of the form's other choices when there are any."""
    h = hashlib.sha256(data)
    if choices:
        h.update(b"\0" + json.dumps(sorted(choices.items()), default=_choice_key).encode())
    return h.hexdigest()


def import_view(
    request: HttpRequest, importer: Importer | Callable[[dict[str, Any]], Importer], *,
    template: str, partial: str | None = RESULT_PARTIAL,
    form_class: type[ImportForm] = ImportForm, form_kwargs: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None, kind: str | None = None,
) -> HttpResponse:
    """The import page and its steps (module docstring). ``importer`` is an ``Importer``,
    or a function of the valid form's data that makes one (the community's). ``template``
    is the page; ``partial`` what an HTMX request gets; ``context`` goes to both. ``kind``
    names the import (``registries.import_kind``): a file of
    ``FANGKONG_IMPORT_DIRECT_BYTES`` or more is then checked and imported by background
    jobs."""
    base = {"fields": getattr(importer, "fields", ()), **(context or {})}
    if request.method != "POST":
        return render(request, template, {**base, "form": form_class(**(form_kwargs or {}))})
    form = form_class(request.POST, request.FILES, **(form_kwargs or {}))
    chosen = partial if request.htmx and partial else template
    if not form.is_valid():
        return render(request, chosen, {**base, "form": form})
    imp = importer if isinstance(importer, Importer) else importer(form.cleaned_data)
    data = form.cleaned_data["file"].read(imp.max_bytes + 1)
    checked = digest(data, {k: v for k, v in form.cleaned_data.items() if k not in _OWN_FIELDS})
    action = form.cleaned_data["action"] or "check"
    commit = action == "commit" and constant_time_compare(form.cleaned_data["checked"], checked)
    if (commit or action == "check") and kind and queueable(
            form.cleaned_data["file"].name, data, imp):
        from fangkong.core.jobs import services as jobs

        choices = {k: _choice_key(v) for k, v in form.cleaned_data.items()
                   if k not in _OWN_FIELDS}
        job = jobs.start_import(request.user, kind, data, choices,
                                filename=form.cleaned_data["file"].name,
                                check=not commit, back=request.path)
        url = reverse("core:job", args=[job.pk])
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return redirect(url)
    result = imp.run(data, request.user, dry_run=not commit)
    if action == "errors" and result.errors:
        return xlsx_response(ErrorReportExporter(result))
    return render(request, chosen, {
        **base, "form": form, "result": result, "digest": checked,
        "unchanged": getattr(imp, "unchanged", None),
        "changed_since_check": action == "commit" and not commit,
        "errors_shown": result.errors[:ERRORS_SHOWN],
    })


def queueable(name: str, data: bytes, imp: Importer) -> bool:
    """Whether a checked file goes to a job: large enough (``FANGKONG_IMPORT_DIRECT_BYTES``)
    and a file the importer can read at all. A file that is not .xlsx or .csv or over the
    size limit is never queued: the request itself answers why."""
    return (len(data) >= settings.FANGKONG_IMPORT_DIRECT_BYTES and len(data) <= imp.max_bytes
            and name.lower().endswith((".xlsx", ".csv")))


def template_response(importer: Importer) -> HttpResponse:
    """The empty workbook to fill in, with the importer's columns."""
    return xlsx_response(importer.template_exporter())
