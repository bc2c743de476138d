"""Look-ups shared by the checkpoint pages: scoped, 404 when out of scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404

from fangkong.core.models import OrgUnit
from fangkong.core.models.accounts import Cap
from fangkong.core.models.scoped import path_filter
from fangkong.core.models.territory import Level
from fangkong.core.scoping import scope_for


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


def require(user: Any, capability: str, path: str | None = None) -> None:
    if not scope_for(user).can(capability, path):
        raise PermissionDenied


def add_errors(form: Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown keys: non-field)."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
