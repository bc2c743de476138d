"""``{% home_notices as notices %}``: the person's unread notices (and the latest read
ones when there are few) for the home page fragment ``core/_home_notices.html``."""

from __future__ import annotations

from typing import Any

from django import template

from fangkong.core.models import Notice

register = template.Library()

HOME_NOTICES = 5


@register.simple_tag(takes_context=True)
def home_notices(context: Any) -> dict[str, Any]:
    user = context.get("user")
    qs = Notice.objects.for_user(user)
    unread = list(qs.unread().order_by("-created_at", "-pk")[:HOME_NOTICES])
    return {"items": unread, "unread": qs.unread().count() if unread else 0}
