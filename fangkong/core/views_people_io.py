"""People import and export: the registry on the shared protocols of ``core.imports``
(check, then import the same file) and ``core.exports`` (masked, or unmasked with a
reason and logged)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from fangkong.core import audit, exports, imports
from fangkong.core.forms import PersonSearchForm
from fangkong.core.models import Person
from fangkong.core.models.accounts import Cap
from fangkong.core.models.audit import PiiAction
from fangkong.core.people_io import PeopleExporter, PeopleImporter, people_for_export
from fangkong.core.scoping import capability_required


@capability_required(Cap.IMPORT)
def people_import(request: HttpRequest) -> HttpResponse:
    return imports.import_view(
        request, PeopleImporter(request.user), template="core/people_import.html",
        context={"back": reverse("core:people"), "back_label": _("Back to the people registry")},
    )


@capability_required(Cap.IMPORT)
def people_import_template(request: HttpRequest) -> HttpResponse:
    return imports.template_response(PeopleImporter(request.user))


@capability_required(Cap.VIEW)
def people_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The People page's list, masked, with the page's search applied."""
    return _export(request, formats=(fmt,))


@audit.logs_refusals(PiiAction.EXPORT, Person)  # no permission or ?unit= out of scope
@capability_required(Cap.EXPORT_PII)
def people_export_unmasked(request: HttpRequest) -> HttpResponse:
    """Full ID numbers, phones and addresses, for a stated reason, logged with the row count."""
    return _export(request, Cap.EXPORT_PII, formats=("xlsx", "csv"), unmasked_page=True)


def _export(request: HttpRequest, capability: str = Cap.VIEW, **kwargs: Any) -> HttpResponse:
    """``capability``: where ``?unit=`` may point (404 elsewhere); ``export_view`` narrows
    the rows of an unmasked export to the export grants in any case."""
    search = PersonSearchForm(exports.params(request))
    if not search.is_valid():
        return HttpResponseBadRequest(_("The search is not valid."))
    people = people_for_export(request.user, capability, search.cleaned_data["q"],
                               search.cleaned_data["unit"])
    return exports.export_view(request, PeopleExporter, people, back=reverse("core:people"),
                               **kwargs)
