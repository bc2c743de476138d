"""API errors as ``{"error": msg, "fields": {name: [msg]}}`` in the request's language.

Every API failure a client can cause (bad input, malformed JSON, no or bad credentials,
missing permission, out of scope) comes back in this one shape, with the messages
rendered in the language LocaleMiddleware picked from ``Accept-Language`` (or the
language cookie of a browser session). DRF's own messages come translated from its
``zh_Hans`` catalogue. Unexpected exceptions are left to Django (logged, 500).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

GENERAL_KEYS = (api_settings.NON_FIELD_ERRORS_KEY, NON_FIELD_ERRORS)


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        out: list[str] = []
        for value in detail.values():
            out.extend(_flatten(value))
        return out
    if isinstance(detail, list | tuple):
        out = []
        for value in detail:
            out.extend(_flatten(value))
        return out
    return [str(detail)]


def field_errors(detail: Any) -> dict[str, list[str]]:
    """Per-field messages; a nested field's messages are flattened onto its top-level name."""
    if not isinstance(detail, dict):
        return {}
    return {str(k): _flatten(v) for k, v in detail.items() if k not in GENERAL_KEYS}


def general_errors(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [m for key in GENERAL_KEYS for m in _flatten(detail.get(key, []))]
    return _flatten(detail)


def error_response(
    message: str, fields: dict[str, list[str]] | None = None, status_code: int = 400,
) -> Response:
    return Response({"error": str(message), "fields": fields or {}}, status=status_code)


def correct_below(fields: dict[str, list[str]]) -> str:
    """The summary line of a field error; Django's admin catalogue already translates it."""
    count = sum(len(messages) for messages in fields.values())
    return ngettext(
        "Please correct the error below.", "Please correct the errors below.", max(count, 1),
    )


def _as_drf(exc: Exception) -> Exception:
    """Django's exceptions as DRF's, so that services may raise plain Django errors."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(exc.message_dict)
        return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ParseError):
        # DRF's text quotes the JSON decoder in English ("Expecting value: line 1 ...").
        return exceptions.ParseError(_("The request body is not valid JSON."))
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _as_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        general = general_errors(exc.detail)
        fields = field_errors(exc.detail)
        response.data = {"error": general[0] if general else correct_below(fields),
                         "fields": fields}
    else:
        detail = getattr(exc, "detail", None)
        message = " ".join(_flatten(detail)) if detail else str(exc)
        response.data = {"error": message, "fields": {}}
    return response


def _is_api(request: Any) -> bool:
    return request.path.startswith("/api/")


def not_found(request: Any, exception: Exception | None = None):
    """404 handler: JSON under /api/, the HTML page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if _is_api(request):
        return JsonResponse({"error": _("Not found."), "fields": {}}, status=404)
    return page_not_found(request, exception)


def server_error(request: Any):
    """500 handler: JSON under /api/, the static bilingual HTML page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import server_error as html_server_error

    if _is_api(request):
        message = _("Server error: the request was not completed. Please try again.")
        return JsonResponse({"error": message, "fields": {}}, status=500)
    return html_server_error(request)
