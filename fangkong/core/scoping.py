"""Who may see and do what, decided in one place.

``scope_for(user)`` reads the user's grants once per request (cached on the user object)
and answers: which subtrees carry a capability, whether a unit is covered, which
organisations the user acts for. Querysets use it through ``visible_to``; object lookups
through ``get_for_user`` (404 when out of scope, so existence does not leak).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from fangkong.core.models.accounts import Grant, Role

M = TypeVar("M", bound=models.Model)
ROOT_PATH_LENGTH = 4  # OrgUnit.steplen: a path this long is a root of the tree


@dataclass(frozen=True)
class GrantInfo:
    role: str
    unit_id: int
    path: str
    unit_level: str
    organisation_id: int | None
    capabilities: frozenset[str]
    unit_name: str = ""

    @property
    def role_label(self) -> str:
        return f"{Role(self.role).label} · {self.unit_name}"


@dataclass
class Scope:
    grants: list[GrantInfo] = field(default_factory=list)
    superuser: bool = False

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has_role(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    def capabilities(self) -> set[str]:
        caps: set[str] = set()
        for g in self.grants:
            caps |= g.capabilities
        return caps

    def can(self, capability: str, path: str | None = None) -> bool:
        """Does some grant carry ``capability`` over ``path`` (or anywhere, if None)?"""
        if self.superuser:
            return True
        for g in self.grants:
            if capability in g.capabilities and (path is None or path.startswith(g.path)):
                return True
        return False

    def paths(self, capability: str = "view") -> list[str]:
        """Path prefixes of territorial grants carrying ``capability``, minimal set."""
        found = sorted(
            {g.path for g in self.grants
             if capability in g.capabilities and Role.is_territorial(g.role)}
        )
        minimal: list[str] = []
        for p in found:
            if not any(p.startswith(m) for m in minimal):
                minimal.append(p)
        return minimal

    def is_global(self, capability: str = "view") -> bool:
        """True when a grant covers a root of the tree, so no filter is needed."""
        if self.superuser:
            return True
        return any(len(p) == ROOT_PATH_LENGTH for p in self.paths(capability))

    def organisation_ids(self, *roles: str) -> set[int]:
        return {
            g.organisation_id for g in self.grants
            if g.organisation_id and (not roles or g.role in roles)
        }

    def unit_ids(self, *roles: str) -> set[int]:
        return {g.unit_id for g in self.grants if not roles or g.role in roles}

    def home_path(self) -> str | None:
        """The widest territorial path the user works in (for default drill-downs)."""
        paths = self.paths("view") or sorted(g.path for g in self.grants)
        return min(paths, key=len) if paths else None


def scope_for(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope()
    cached = getattr(user, "_fangkong_scope", None)
    if cached is not None:
        return cached
    grants = [
        GrantInfo(
            role=g.role, unit_id=g.org_unit_id, path=g.org_unit.path,
            unit_level=g.org_unit.level, organisation_id=g.organisation_id,
            capabilities=Role.capabilities_of(g.role), unit_name=g.org_unit.name,
        )
        for g in Grant.objects.filter(user=user).select_related("org_unit")
    ]
    scope = Scope(grants=grants, superuser=bool(user.is_superuser))
    user._fangkong_scope = scope
    return scope


def forget_scope(user: Any) -> None:
    """Drop the cached scope after grants change."""
    if hasattr(user, "_fangkong_scope"):
        del user._fangkong_scope


def get_for_user(
    queryset: models.QuerySet[M] | type[M], user: Any, capability: str = "view", **lookup: Any,
) -> M:
    """The object matching ``lookup`` if ``user`` may see it, else Http404."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    qs = qs.visible_to(user, capability)  # type: ignore[attr-defined]
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def require_capability(user: Any, capability: str, path: str | None = None) -> None:
    if not scope_for(user).can(capability, path):
        raise PermissionDenied


F = TypeVar("F", bound=Callable[..., Any])


def _htmx_page(request: Any) -> str:
    """The page an HTMX call came from (``HX-Current-URL``), if it is one of ours."""
    from urllib.parse import urlsplit

    from django.utils.http import url_has_allowed_host_and_scheme

    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(
            current, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


def capability_required(capability: str) -> Callable[[F], F]:
    """View decorator: login required, and some grant carries ``capability``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(request, *args: Any, **kwargs: Any):
            from django.contrib.auth.views import redirect_to_login

            if not request.user.is_authenticated:
                if request.headers.get("HX-Request"):
                    # An expired session on an HTMX call: reload the whole page at the login
                    # form instead of swapping the login page into a fragment, and come back
                    # to the page the user was on (the call itself may be a POST).
                    response = redirect_to_login(_htmx_page(request))
                    response.status_code = 204
                    response["HX-Redirect"] = response["Location"]
                    return response
                return redirect_to_login(request.get_full_path())
            require_capability(request.user, capability)
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
