"""Navigation by role: each entry names the capability or roles it needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from fangkong.core.models.accounts import Cap, Role
from fangkong.core.scoping import scope_for

# (url name, label, capability needed or None, roles allowed or None, order). Modules
# append their entries with ``register_nav`` in AppConfig.ready.
NAV: list[tuple[str, Any, str | None, tuple[str, ...] | None, int]] = [
    ("home", _("Home"), None, None, 0),
    ("core:people", _("People"), Cap.VIEW, None, 80),
    ("core:units", _("Territory"), Cap.VIEW, None, 85),
    ("core:audit", _("Audit log"), Cap.VIEW_AUDIT, None, 95),
]


def register_nav(
    url_name: str, label: Any, capability: str | None = None,
    roles: tuple[str, ...] | None = None, order: int = 50,
) -> None:
    """Add a navigation entry shown to users whose grants carry ``capability`` / ``roles``."""
    if not any(entry[0] == url_name for entry in NAV):
        NAV.append((url_name, label, capability, roles, order))


def nav_items_for(request: HttpRequest) -> list[dict[str, Any]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    scope = scope_for(user)
    items = []
    for url_name, label, cap, roles, _order in sorted(NAV, key=lambda e: e[4]):
        if cap and not scope.can(cap, roles=roles or ()):
            continue
        if roles and not (scope.superuser or scope.has_role(*roles)):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"name": url_name, "url": url, "label": label, "active": False})
    # The entry whose URL is the longest prefix of the current page is the active one, so
    # /reports/dashboard/ lights up 指挥看板 only, not also 日报 at /reports/.
    matches = [i for i in items if request.path == i["url"]
               or (i["url"] != "/" and request.path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    from django.conf import settings

    user = getattr(request, "user", None)
    role_label = ""
    if user is not None and user.is_authenticated:
        grants = scope_for(user).grants
        if grants:
            role_label = Role(grants[0].role).label
    return {
        "nav_items": nav_items_for(request),
        "site_name": settings.SITE_NAME,
        # The login view puts its own ``site_name`` (the host name) in the context.
        "brand_name": settings.SITE_NAME,
        "user_role_label": role_label,
    }
