"""Session idle timeout without writing the session on every request; the audit
middleware with the client address we trust."""

from __future__ import annotations

import time
from collections.abc import Callable

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from fangkong.core.clients import client_address

TOUCH_KEY = "_fk_seen"
TOUCH_EVERY = 60  # seconds: refresh the idle clock at most once a minute


class IdleTimeoutMiddleware:
    """Log out a session unused for ``SESSION_IDLE_SECONDS``.

    Sits before AuthenticationMiddleware; it only looks at the session store, and writes
    the "last seen" mark at most once a minute so busy pages do not rewrite the session
    row on every request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id"):
            now = int(time.time())
            seen = session.get(TOUCH_KEY, now)
            if now - seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
            elif now - seen >= TOUCH_EVERY or TOUCH_KEY not in session:
                session[TOUCH_KEY] = now
        return self.get_response(request)


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's middleware, with the address from ``core.clients``.

    auditlog's own takes the first entry of ``X-Forwarded-For`` whoever sent it: a client
    could write any address into the audit log, and text that is no address at all made
    PostgreSQL refuse the log entry (its column is ``inet``), failing the audited write.
    Here the address is the one the trusted proxies saw (``FANGKONG_PROXY_COUNT``), the
    port only from them."""

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return client_address(request)

    @staticmethod
    def _get_remote_port(request: HttpRequest) -> int | None:
        if not getattr(settings, "FANGKONG_PROXY_COUNT", 0):
            return None
        return BaseAuditlogMiddleware._get_remote_port(request)


class SecurityHeadersMiddleware:
    """The headers Django's SecurityMiddleware does not set (docs/decisions/security-headers.md).

    - ``Content-Security-Policy``: ``settings.FANGKONG_CSP``, or the policy of the longest
      matching prefix in ``settings.FANGKONG_CSP_BY_PATH`` (the Swagger UI, the Django
      admin). A response that already carries the header keeps it (the 500 page). PDFs
      (the checkpoint poster, shown inline) get none: Chrome's viewer is a plugin that
      ``object-src 'none'`` would block, and a PDF runs no page script.
    - ``Permissions-Policy``: ``settings.FANGKONG_PERMISSIONS_POLICY``.
    - ``Cache-Control: private, no-store`` on every answer to a logged-in user (session or
      API token: DRF puts its user on the request, and any call with an Authorization
      header) and on every answer to a POST: those
      are the answers that may carry personal data (revealed values, exports, import
      error reports, the access logs, a form echoing an ID number). One rule for all of
      them instead of a list of views that a new page could be left off.

    Static files never get here: WhiteNoise answers them earlier in the chain.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.default_policy = settings.FANGKONG_CSP
        self.policies = sorted(settings.FANGKONG_CSP_BY_PATH.items(), key=lambda kv: -len(kv[0]))

    def policy_for(self, path: str) -> str:
        for prefix, policy in self.policies:
            if path.startswith(prefix):
                return policy
        return self.default_policy

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if ("Content-Security-Policy" not in response
                and not response.get("Content-Type", "").startswith("application/pdf")):
            response["Content-Security-Policy"] = self.policy_for(request.path_info)
        response.setdefault("Permissions-Policy", settings.FANGKONG_PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if (request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META
                or (user is not None and user.is_authenticated)):
            patch_cache_control(response, private=True, no_store=True)
            # no-store says it all; a max-age or "public" left by a view would contradict it.
            cache = response["Cache-Control"].split(", ")
            response["Cache-Control"] = ", ".join(
                d for d in cache if not d.startswith(("max-age", "s-maxage", "public"))
            )
        return response
