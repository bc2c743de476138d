"""Navigation by role: each entry names the capability or roles it needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from fangkong.core.scoping import scope_for

# (url name, label, capability needed or None, roles allowed or None). Modules append
# their entries with ``register_nav`` in AppConfig.ready.
NAV: list[tuple[str, Any, str | None, tuple[str, ...] | None, int]] = [
    ("home", _("Home"), None, None, 0),
    ("core:people", _("People"), "view", None, 80),
    ("core:units", _("Territory"), "view", None, 85),
    ("core:audit", _("Audit log"), "view_audit", None, 95),
]


def register_nav(
    url_name: str, label: Any, capability: str | None = None,
    roles: tuple[str, ...] | None = None, order: int = 50,
) -> None:
    if not any(entry[0] == url_name for entry in NAV):
        NAV.append((url_name, label, capability, roles, order))


def navigation(request: HttpRequest) -> dict[str, Any]:
    from django.conf import settings

    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        scope = scope_for(user)
        for url_name, label, cap, roles, _order in sorted(NAV, key=lambda e: e[4]):
            if cap and not scope.can(cap):
                continue
            if roles and not (scope.superuser or scope.has_role(*roles)):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            active = request.path == url if url == "/" else request.path.startswith(url)
            items.append({"url": url, "label": label, "active": active})
    return {"nav_items": items, "site_name": settings.SITE_NAME}
