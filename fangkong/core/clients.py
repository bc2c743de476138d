"""Who is at the other end of a request: the client's address, proxies considered."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def client_address(request: Any) -> str | None:
    """``REMOTE_ADDR``, or, with ``settings.FANGKONG_PROXY_COUNT = n`` (n reverse proxies
    in front, each appending the address it saw to ``X-Forwarded-For``), the n-th
    address from the right of that header: the one the outermost trusted proxy saw. A
    client can prepend made-up entries but cannot change those its proxies appended.

    The one answer for the login lockout (django-axes, ``AXES_CLIENT_IP_CALLABLE``), the
    limits on anonymous submissions (``core.ratelimit``) and the audit logs."""
    if request is None:
        return None
    count = getattr(settings, "FANGKONG_PROXY_COUNT", 0)
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count and _is_address(hops[-count]):
            return hops[-count]
    remote = request.META.get("REMOTE_ADDR")
    return remote if remote and _is_address(remote) else None


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
