"""API errors as ``{"error": msg, "fields": {name: [msg]}}`` in the request's language."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        out: list[str] = []
        for v in detail.values():
            out.extend(_flatten(v))
        return out
    if isinstance(detail, list | tuple):
        out = []
        for v in detail:
            out.extend(_flatten(v))
        return out
    return [str(detail)]


def field_errors(detail: Any) -> dict[str, list[str]]:
    if not isinstance(detail, dict):
        return {}
    return {
        str(k): _flatten(v) for k, v in detail.items() if k not in ("non_field_errors", "__all__")
    }


def error_response(
    message: str, fields: dict[str, list[str]] | None = None, status_code: int = 400,
) -> Response:
    return Response({"error": str(message), "fields": fields or {}}, status=status_code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("You do not have permission to do this."))

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = field_errors(exc.detail)
        general = []
        if isinstance(exc.detail, dict):
            general = _flatten(exc.detail.get("non_field_errors", []))
        elif isinstance(exc.detail, list):
            general = _flatten(exc.detail)
        message = general[0] if general else _("Please correct the errors below.")
        response.data = {"error": message, "fields": fields}
    else:
        detail = getattr(exc, "detail", None)
        response.data = {"error": " ".join(_flatten(detail)) if detail else str(exc), "fields": {}}
    return response
