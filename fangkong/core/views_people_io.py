"""People import (check, then import) and export (masked, or unmasked with a reason).

The import keeps nothing on the server between "check" and "import": the page keeps the
chosen file in its form and sends it again with the import, together with the SHA-256 of
the file that was checked. Only if the two match is the file imported (all rows or none);
otherwise it is checked again. So no uploaded personal data waits in a temp file, and any
app process behind the load balancer can take the second request (docs/decisions/api.md).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from fangkong.core import audit
from fangkong.core.forms import PersonSearchForm
from fangkong.core.models import Person
from fangkong.core.models.accounts import Cap
from fangkong.core.people_io import PeopleExporter, PeopleImporter, people_for_export
from fangkong.core.scoping import capability_required
from fangkong.lib.tabular import ErrorReportExporter, csv_response, xlsx_response

IMPORT_PAGE = "core/people_import.html"
IMPORT_RESULT = "core/_people_import_result.html"
#: Errors listed on the page; the downloadable report has them all.
ERRORS_SHOWN = 200


class PeopleImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))
    action = forms.ChoiceField(
        choices=[("check", "check"), ("commit", "commit"), ("errors", "errors")],
        required=False,
    )
    checked = forms.CharField(required=False, max_length=64)


class UnmaskedExportForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), min_length=2, max_length=300,
        widget=forms.TextInput(attrs={
            "placeholder": gettext_lazy("e.g. list requested by the county epidemiology team"),
        }),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), initial="xlsx",
        choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV")],
    )
    q = forms.CharField(required=False, max_length=50, widget=forms.HiddenInput)
    unit = forms.CharField(required=False, max_length=12, widget=forms.HiddenInput)


@capability_required(Cap.IMPORT)
def people_import(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_import(request, {"form": PeopleImportForm()})
    form = PeopleImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_import(request, {"form": form})
    data = form.cleaned_data["file"].read(PeopleImporter.max_bytes + 1)
    digest = hashlib.sha256(data).hexdigest()
    action = form.cleaned_data["action"] or "check"
    commit = action == "commit" and constant_time_compare(form.cleaned_data["checked"], digest)
    importer = PeopleImporter(request.user)
    result = importer.run(data, request.user, dry_run=not commit)
    if action == "errors" and result.errors:
        return xlsx_response(ErrorReportExporter(result))
    return _render_import(request, {
        "form": form, "result": result, "unchanged": importer.unchanged, "digest": digest,
        "changed_since_check": action == "commit" and not commit,
        "errors_shown": result.errors[:ERRORS_SHOWN],
    })


def _render_import(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    context["fields"] = PeopleImporter.fields
    template = IMPORT_RESULT if request.htmx else IMPORT_PAGE
    return render(request, template, context)


@capability_required(Cap.IMPORT)
def people_import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(PeopleImporter(request.user).template_exporter())


@require_GET
@capability_required(Cap.VIEW)
def people_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The People page's list, masked, with the page's search applied."""
    search = PersonSearchForm(request.GET)
    if not search.is_valid():
        return HttpResponseBadRequest(_("The search is not valid."))
    people = people_for_export(request.user, Cap.VIEW, search.cleaned_data["q"],
                               search.cleaned_data["unit"])
    return _file_response(PeopleExporter(people), fmt)


@capability_required(Cap.EXPORT_PII)
def people_export_unmasked(request: HttpRequest) -> HttpResponse:
    """Full ID numbers, phones and addresses, for a stated reason, logged with the row count.

    Only people under the grants that carry ``Cap.EXPORT_PII`` are exported.
    """
    form = UnmaskedExportForm(
        request.POST or None,
        initial={"q": request.GET.get("q", ""), "unit": request.GET.get("unit", "")},
    )
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        people = people_for_export(request.user, Cap.EXPORT_PII, form.cleaned_data["q"],
                                   form.cleaned_data["unit"])
        exporter = PeopleExporter(people, unmasked=True)
        label = f"{exporter.get_filename()}.{fmt} {form.cleaned_data['unit']}".strip()
        try:
            audit.log_export(request.user, Person, PeopleExporter.PII_FIELDS, people.count(),
                             form.cleaned_data["reason"], request=request, label=label)
        except ValidationError as exc:
            form.add_error("reason", exc.message_dict.get("reason", exc.messages))
        else:
            return _file_response(exporter, fmt)
    return render(request, "core/people_export.html", {"form": form})


def _file_response(exporter: PeopleExporter, fmt: str) -> HttpResponse:
    return xlsx_response(exporter) if fmt == "xlsx" else csv_response(exporter)
