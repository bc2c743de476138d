"""Template access to ``core.scoping``: show an action only to those who may take it.

``{% user_can "import" as can_import %}`` (optionally with a unit path as a second
argument). Hiding a link is a courtesy; the view behind it checks again.
"""

from __future__ import annotations

from typing import Any

from django import template

from fangkong.core.scoping import scope_for

register = template.Library()


@register.simple_tag(takes_context=True)
def user_can(context: dict[str, Any], capability: str, path: str | None = None) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return scope_for(user).can(capability, path)
