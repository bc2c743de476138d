"""Bearer tokens for integrations; the UI's session also works, with CSRF.

A token is issued by ``POST /api/v1/auth/token`` and sent as ``Authorization: Bearer
<token>``. Only its SHA-256 is stored (``ApiToken``); an expired or revoked token, or one
whose user was disabled, answers 401 like a wrong one, so a caller cannot tell which.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from fangkong.core.models import ApiToken

# Refresh last_used_at at most this often, so the hot path does not write on every call.
LAST_USED_RESOLUTION_SECONDS = 300


def touch_token(token_id: int, last_used_at: datetime | None) -> None:
    """Record that the token was used, at most every ``LAST_USED_RESOLUTION_SECONDS``
    (the token list shows it; a write on every call would cost the hot path). The one
    place for this rule: DRF's authentication and the passage hot path both call it."""
    now = timezone.now()
    if last_used_at is None or (now - last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)


def bearer_token(request: HttpRequest | Request) -> str | None:
    """The raw token of an ``Authorization: Bearer …`` header; None without one. A
    malformed header is refused (401) rather than ignored."""
    header = authentication.get_authorization_header(request).split()
    if not header or header[0].lower() != BearerTokenAuthentication.keyword.lower().encode():
        return None
    if len(header) != 2:
        raise exceptions.AuthenticationFailed(_("Invalid Authorization header."))
    try:
        return header[1].decode()
    except UnicodeError:
        raise exceptions.AuthenticationFailed(_("Invalid or expired token.")) from None


def plain_caller(request: HttpRequest) -> tuple[str | None, Any]:
    """``(raw bearer token, session user)`` for a plain Django view (the passage hot
    path), before any query: the view reads the token with the rest of what it needs.
    A session call must carry its CSRF token. Refuses like DRF's authentication:
    ``AuthenticationFailed``/``NotAuthenticated`` (401), ``PermissionDenied`` (403, CSRF);
    ``core.api.errors.from_exception`` renders them."""
    raw = bearer_token(request)
    if raw is not None:
        return raw, None
    user = request.user
    if not user.is_authenticated:
        raise exceptions.NotAuthenticated()
    SessionAuthentication().enforce_csrf(request)  # type: ignore[arg-type]
    return None, user


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        raw = bearer_token(request)
        if raw is None:
            return None
        token = ApiToken.lookup(raw)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        touch_token(token.pk, token.last_used_at)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 when unauthenticated.
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """Session auth for the UI's own fetches; DRF enforces the CSRF token for it."""


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents the bearer scheme in the OpenAPI document (``securitySchemes``)."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Obtain a token with POST /api/v1/auth/token, then send "
                "'Authorization: Bearer <token>'."
            ),
        }


class SessionCookieScheme(OpenApiAuthenticationExtension):
    """The browser session (cookie plus X-CSRFToken header on unsafe methods)."""

    target_class = SessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        from django.conf import settings

        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
