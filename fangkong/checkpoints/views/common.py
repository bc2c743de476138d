"""Look-ups shared by the checkpoint pages: scoped, 404 when out of scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from fangkong.core.forms import add_errors
from fangkong.core.models import OrgUnit
from fangkong.core.models.accounts import Cap
from fangkong.core.models.scoped import path_filter
from fangkong.core.models.territory import Level
from fangkong.core.scoping import require_capability, scope_for


def communities_for(user: Any, capability: str = Cap.VIEW) -> QuerySet[OrgUnit]:
    """The communities (and villages) under the user's grants carrying ``capability``."""
    scope = scope_for(user)
    units = OrgUnit.objects.filter(level=Level.COMMUNITY)
    if not scope.is_global(capability):
        units = units.filter(path_filter(scope.paths(capability), field="path"))
    return units.order_by("path")


def community_for(user: Any, code: str, capability: str = Cap.EDIT) -> OrgUnit:
    unit = communities_for(user, capability).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


#: Written once in core; re-exported for the checkpoint views.
require = require_capability
__all__ = ["add_errors", "communities_for", "community_for", "require"]
