"""Session idle timeout without writing the session on every request; the audit
middleware with the client address we trust."""

from __future__ import annotations

import time
from collections.abc import Callable

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

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
