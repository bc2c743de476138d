"""Export responses, written once: masked by default, unmasked only with the export
permission and a reason, which goes to the personal-data access log."""

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
    form = ExportForm(request.GET)
    form.is_valid()
    unmasked = bool(form.cleaned_data.get("unmasked"))
    if unmasked:
        if not scope_for(request.user).can(Cap.EXPORT_PII):
            raise PermissionDenied
        try:
            audit.log_export(
                request.user, queryset.model, exporter_class.pii_fields, queryset.count(),
                form.cleaned_data.get("reason", ""), request=request, label=filename,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(back)
    exporter = exporter_class(queryset, masked=not unmasked, filename=filename)
    return xlsx_response(exporter)
