"""API errors as ``{"error": msg, "fields": {name: [msg]}}`` in the request's language.

Every API failure a client can cause (bad input, malformed JSON, no or bad credentials,
missing permission, out of scope, a submission key reused for other content) comes back
in this one shape, with the messages rendered in the language LocaleMiddleware picked
from ``Accept-Language`` (or the language cookie of a browser session). DRF's own
messages come translated from its ``zh_Hans`` catalogue. Unexpected exceptions are left
to Django (logged, 500).

DRF views get it from ``exception_handler`` (settings) and ``error_response``; the few
plain Django views (the passage hot path) from ``json_error``, ``from_validation`` and
``from_exception``, which answer exactly the same.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from fangkong.core.api.parsers import BodyParseError
from fangkong.core.models.scoped import KeyConflict

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


class Conflict(exceptions.ValidationError):
    """A field error that is a conflict with stored state, not bad input: 409."""

    status_code = 409


def _as_drf(exc: Exception) -> Exception:
    """Django's exceptions as DRF's, so that services may raise plain Django errors."""
    if isinstance(exc, DjangoValidationError):
        kind = Conflict if isinstance(exc, KeyConflict) else exceptions.ValidationError
        if hasattr(exc, "error_dict"):
            return kind(exc.message_dict)
        return kind({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ParseError) and not isinstance(exc, BodyParseError):
        # DRF's text quotes the JSON decoder in English ("Expecting value: line 1 ...").
        return exceptions.ParseError(_("The request body is not valid JSON."))
    return exc


def _body(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        general = general_errors(exc.detail)
        fields = field_errors(exc.detail)
        return {"error": general[0] if general else correct_below(fields), "fields": fields}
    detail = getattr(exc, "detail", None)
    return {"error": " ".join(_flatten(detail)) if detail else str(exc), "fields": {}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _as_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = _body(exc)
    return response


# --- the same answers for plain Django views ------------------------------------------


def json_error(message: str, fields: dict[str, list[str]] | None = None,
               status: int = 400) -> JsonResponse:
    """The error shape as a plain ``JsonResponse`` (Chinese as characters, not escapes)."""
    return JsonResponse({"error": str(message), "fields": fields or {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def from_exception(exc: Exception) -> JsonResponse:
    """What ``exception_handler`` answers for ``exc`` (a DRF ``APIException``, Django's
    ``ValidationError``, ``Http404`` or ``PermissionDenied``), for a view outside DRF;
    a 401 names the bearer scheme in ``WWW-Authenticate`` as DRF's views do."""
    exc = _as_drf(exc)
    if not isinstance(exc, exceptions.APIException):
        raise exc
    body = _body(exc)
    response = json_error(body["error"], body["fields"], status=exc.status_code)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


def from_validation(exc: DjangoValidationError) -> JsonResponse:
    """A service's or validator's ``ValidationError``: 400 with every field error (409 for
    ``KeyConflict``)."""
    return from_exception(exc)


def _is_api(request: Any) -> bool:
    return request.path.startswith("/api/")


def not_found(request: Any, exception: Exception | None = None):
    """404 handler: JSON under /api/, the HTML page elsewhere."""
    from django.views.defaults import page_not_found

    if _is_api(request):
        return json_error(_("Not found."), status=404)
    return page_not_found(request, exception)


def server_error(request: Any):
    """500 handler: JSON under /api/, the static bilingual HTML page elsewhere."""
    from django.views.defaults import server_error as html_server_error

    if _is_api(request):
        return json_error(
            _("Server error: the request was not completed. Please try again."), status=500)
    response = html_server_error(request)
    # The page is self-contained (its CSS inline: static files may be what failed).
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"
    )
    return response
