"""Bearer tokens for integrations; the UI's session also works, with CSRF."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from fangkong.core.models import ApiToken

# Refresh last_used_at at most this often, so the hot path does not write on every call.
LAST_USED_RESOLUTION_SECONDS = 300


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header."))
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = ApiToken.lookup(raw)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        now = timezone.now()
        if (
            token.last_used_at is None
            or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """Session auth for the UI's own fetches (CSRF enforced by DRF)."""
