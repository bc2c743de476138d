"""Navigation by role: the entries modules declare (``FangkongModule.nav``) that the
user's grants open (``NavEntry.visible_to``), and the brand and role for the top bar."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from fangkong.core import registries
from fangkong.core.models.accounts import Role
from fangkong.core.scoping import scope_for


def nav_items_for(request: HttpRequest) -> list[dict[str, Any]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    scope = scope_for(user)
    items = []
    for entry in registries.nav_entries():
        if not entry.visible_to(scope):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"name": entry.url_name, "url": url, "label": entry.label,
                      "active": False})
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
        "notice_unread": SimpleLazyObject(lambda: _unread(user)),
    }


def _unread(user: Any) -> int:
    from fangkong.core.services.notices import unread_count

    return unread_count(user) if user is not None and user.is_authenticated else 0
