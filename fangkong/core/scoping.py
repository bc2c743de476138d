"""Who may see and do what, decided in one place.

One vocabulary, used by querysets, object look-ups, views, forms, the API and services:

- ``Scope.covers(cap, path)``: a **territorial** grant carrying ``cap`` sits at or above
  ``path``. This is the one predicate; ``Scope.q`` (querysets), ``Scope.can`` (checks)
  and ``units_visible_to`` (unit pickers) are built on the same minimal path set, so a
  check can never allow what a list hides (the liaison hole of review §1.2).
- Non-territorial roles (checkpoint duty, helpers, volunteers, liaisons) see nothing
  through the territorial filter. A model that serves one of them says so in its
  queryset's ``extra_visibility`` hook (``core.models.scoped``), and a page that serves
  one names the role: ``can(cap, roles=(Role.CHECKPOINT_DUTY,))``.
- ``get_for_user`` / ``get_unit_for_user``: 404 when out of scope, so existence does not
  leak.

``scope_for(user)`` reads the user's grants once per request (cached on the user object).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.db.models import Q
from django.http import Http404

from fangkong.core.models.accounts import Cap, Grant, Role

M = TypeVar("M", bound=models.Model)
ROOT_PATH_LENGTH = 4  # OrgUnit.steplen: a path this long is a root of the tree
#: Sorts after every character of a tree path (OrgUnit.alphabet) in BINARY order.
PATH_END = "~"


def subtree_q(field: str, path: str) -> Q:
    """Rows whose ``field`` (a tree path) is ``path`` or below it, using an index.

    Django's ``startswith`` is ``LIKE 'p%' ESCAPE '\\'``. PostgreSQL serves that from the
    ``varchar_pattern_ops`` index Django adds to an indexed path column. SQLite cannot use
    an index for LIKE at all (its LIKE is case-insensitive and the index is BINARY), so on
    SQLite the subtree is asked as a range, ``path >= 'p' AND path < 'p~'``: the path
    alphabet (0-9, A-Z) sorts below '~' in BINARY order, so the range is exactly the
    subtree. A range is not used on PostgreSQL, where a locale collation may order '~'
    differently. Measured on 2,000 reporters (bench/reports_bench.py): about 0.5 ms of
    9 ms on SQLite.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": path, f"{field}__lt": path + PATH_END})
    return Q(**{f"{field}__startswith": path})


def subtrees_q(paths: Iterable[str], field: str = "unit_path") -> Q:
    """OR of ``subtree_q`` over ``paths``; no paths matches nothing."""
    q = Q(pk__in=[])
    for path in paths:
        q |= subtree_q(field, path)
    return q


def _minimal(paths: Iterable[str]) -> list[str]:
    """The paths not below another one of them (sorted)."""
    minimal: list[str] = []
    for p in sorted(set(paths)):
        if not any(p.startswith(m) for m in minimal):
            minimal.append(p)
    return minimal


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

    @property
    def territorial(self) -> bool:
        return Role.is_territorial(self.role)


@dataclass
class Scope:
    grants: list[GrantInfo] = field(default_factory=list)
    superuser: bool = False

    def has_role(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    def paths(self, capability: str = Cap.VIEW) -> list[str]:
        """Path prefixes of the territorial grants carrying ``capability``, minimal set."""
        return _minimal(g.path for g in self.grants
                        if g.territorial and capability in g.capabilities)

    def covers(self, capability: str, path: str) -> bool:
        """The one predicate: a territorial grant with ``capability`` is at or above
        ``path``. ``q``, ``can`` and ``units_visible_to`` all mean exactly this."""
        return self.superuser or any(path.startswith(p) for p in self.paths(capability))

    def role_grants(self, capability: str, roles: Iterable[str]) -> list[GrantInfo]:
        """The grants of the named (non-territorial) ``roles`` carrying ``capability``."""
        roles = set(roles)
        return [g for g in self.grants if g.role in roles and capability in g.capabilities]

    def can(self, capability: str, path: str | None = None, *,
            roles: Iterable[str] = ()) -> bool:
        """May the user do ``capability`` at ``path`` (or somewhere, if None)?

        Territorial grants count (``covers``). Grants of other roles count only where the
        caller names them in ``roles``: a page or model that serves checkpoint duty, a
        helper or a liaison says so, and scopes that role's records itself (the model's
        ``extra_visibility``). A liaison's EDIT therefore never opens a community.
        """
        if self.superuser:
            return True
        if path is None:
            if self.paths(capability):
                return True
            return bool(self.role_grants(capability, roles))
        if self.covers(capability, path):
            return True
        return any(path.startswith(g.path) for g in self.role_grants(capability, roles))

    def q(self, capability: str = Cap.VIEW, field: str = "unit_path") -> Q | None:
        """The territorial filter for ``capability`` on ``field``; None means everything."""
        if self.is_global(capability):
            return None
        return subtrees_q(self.paths(capability), field)

    def is_global(self, capability: str = Cap.VIEW) -> bool:
        """True when a grant covers a root of the tree, so no filter is needed."""
        if self.superuser:
            return True
        return any(len(p) == ROOT_PATH_LENGTH for p in self.paths(capability))

    def organisation_ids(self, capability: str | None = None) -> set[int]:
        """The organisations the user acts for (with ``capability``, if given)."""
        return {
            g.organisation_id for g in self.grants
            if g.organisation_id and (capability is None or capability in g.capabilities)
        }


#: What a ``Scope`` is built from, per grant (``scope_for``): the grant's role, unit id,
#: the unit's path and level, the grant's organisation id, the unit's name.
GRANT_COLUMNS = ("role", "org_unit_id", "org_unit__path", "org_unit__level",
                 "organisation_id", "org_unit__name")


def scope_for(user: Any, grant_rows: Iterable[tuple[Any, ...]] | None = None) -> Scope:
    """The user's scope, built once per user object (so once per request).

    ``grant_rows``: the user's grants, already read as ``GRANT_COLUMNS`` tuples by a
    caller that read them with something else (the passage hot path's one read,
    ``checkpoints.services.passages.passage_context``); otherwise they are read here.
    Never kept beyond the user object: a revoked grant stops working at the next
    request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope()
    cached = getattr(user, "_fangkong_scope", None)
    if cached is not None:
        return cached
    if grant_rows is None:
        grant_rows = Grant.objects.filter(user=user).values_list(*GRANT_COLUMNS)
    grants = [
        GrantInfo(role=role, unit_id=unit_id, path=path, unit_level=level,
                  organisation_id=organisation_id, capabilities=Role.capabilities_of(role),
                  unit_name=name)
        for role, unit_id, path, level, organisation_id, name in grant_rows
    ]
    scope = Scope(grants=grants, superuser=bool(user.is_superuser))
    user._fangkong_scope = scope
    return scope


def get_for_user(
    queryset: models.QuerySet[M] | type[M], user: Any, capability: str = Cap.VIEW,
    **lookup: Any,
) -> M:
    """The object matching ``lookup`` if ``user`` may see it, else Http404."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    qs = qs.visible_to(user, capability)  # type: ignore[attr-defined]
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def units_visible_to(user: Any, capability: str = Cap.VIEW, *, level: str | None = None):
    """The org units under the user's territorial grants carrying ``capability``."""
    from fangkong.core.models import OrgUnit

    units = OrgUnit.objects.all()
    if level is not None:
        units = units.filter(level=level)
    q = scope_for(user).q(capability, field="path")
    return (units if q is None else units.filter(q)).order_by("path")


def get_unit_for_user(user: Any, code: Any, capability: str = Cap.VIEW, *,
                      level: str | None = None):
    """The unit with division ``code`` if the user's scope covers it, else Http404."""
    unit = units_visible_to(user, capability, level=level).filter(code=str(code)).first()
    if unit is None:
        raise Http404
    return unit


def home_unit(user: Any):
    """The widest territorial unit the user oversees (the default of every overview).

    A superuser without grants starts at the city, or else the first root of the tree.
    """
    from fangkong.core.models import OrgUnit

    scope = scope_for(user)
    paths = scope.paths(Cap.VIEW)
    if paths:
        return OrgUnit.objects.filter(path=min(paths, key=len)).first()
    if scope.superuser:
        return default_root()
    return None


def default_root():
    """The city (the tree's working root), or else the first root of the tree."""
    from fangkong.core.models import OrgUnit
    from fangkong.core.models.territory import Level

    return (OrgUnit.objects.filter(level=Level.CITY).order_by("path").first()
            or OrgUnit.objects.order_by("path").first())


def require_capability(user: Any, capability: str, path: str | None = None, *,
                       roles: Iterable[str] = ()) -> None:
    if not scope_for(user).can(capability, path, roles=roles):
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


def capability_required(capability: str, *, roles: Iterable[str] = ()) -> Callable[[F], F]:
    """View decorator: login required, and ``Scope.can(capability, roles=roles)``: a
    territorial grant carries ``capability``, or a grant of one of ``roles`` (the
    non-territorial roles the page serves) does."""
    roles = tuple(roles)


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
            require_capability(request.user, capability, roles=roles)
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
