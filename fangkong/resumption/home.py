"""Resumption's panel on the home page: an enterprise liaison's filing, one tap away.

The liaison's work is their enterprise's filing; the territorial home cards say nothing
to them. The panel names what is left (a filing not yet sent, or returned with items to
complete) and opens the filing."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from fangkong.core.roles import Role
from fangkong.core.scoping import scope_for


def panel(request: Any) -> str | None:
    from fangkong.resumption.models import Enterprise

    scope = scope_for(request.user)
    if not any(g.role == Role.ENTERPRISE_LIAISON for g in scope.grants):
        return None
    mine = list(Enterprise.objects.filter(organisation_id__in=scope.organisation_ids())
                .order_by("name"))
    if not mine:
        return None
    return render_to_string("resumption/_my_enterprise.html", {"mine": mine}, request=request)
