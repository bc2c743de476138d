"""Export responses, written once: masked by default, unmasked only with the export
permission and a reason, which goes to the personal-data access log.

An unmasked export is a POST (the reason never lands in a URL or a proxy log) and holds
only the rows under the grants that carry the export permission, as the people export
does (``core.views_people_io``): viewing a city and exporting one county unmasked do not
add up to exporting the city unmasked. The log records the rows the file holds."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from fangkong.checkpoints.forms import ExportForm
from fangkong.core import audit
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import scope_for
from fangkong.lib.tabular import xlsx_response


def export_response(request: HttpRequest, exporter_class: Any, queryset: Any, *,
                    back: str, filename: str = "") -> HttpResponse:
    form = ExportForm(request.POST if request.method == "POST" else None)
    unmasked = form.is_valid() and form.cleaned_data["unmasked"]
    if unmasked:
        if not scope_for(request.user).can(Cap.EXPORT_PII):
            raise PermissionDenied
        queryset = queryset.visible_to(request.user, Cap.EXPORT_PII)
        exporter = exporter_class(queryset, masked=False, filename=filename)
        try:
            audit.log_export(
                request.user, queryset.model, exporter_class.pii_fields, exporter.row_count(),
                form.cleaned_data.get("reason", ""), request=request, label=filename,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(back)
        return xlsx_response(exporter)
    return xlsx_response(exporter_class(queryset, masked=True, filename=filename))
