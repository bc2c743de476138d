"""The registries modules plug into, so that core, reports and the dashboard never import them.

- Indicators: ``@indicator(code, name, unit, *, cumulative=False, home_card=False)`` on a
  function ``compute(org_unit, date)`` that returns a number for the unit's subtree on
  that day (or cumulative up to it). ``home_card=True`` puts it on the home page of the
  viewers it is relevant to: ``home_roles`` (the roles it serves; default every role
  with a home unit) and ``home_if`` (``relevant(unit) -> bool``, e.g.
  ``has_records("relief.PoorHousehold")``: the module has records in the viewer's
  subtree; default always). See ``core.services.dashboard_cards``.
- Briefing sentences: ``@sentence(order=...)`` on ``render(org_unit, date)``, which
  returns a Chinese sentence or None; the daily briefing is their concatenation.
- Navigation: ``NavEntry`` (what a module lists in ``FangkongModule.nav``).
- Alert kinds: ``AlertKind`` (``FangkongModule.alert_kinds``); ``core.services.alerts``
  opens alerts of registered kinds only, and the alerts inbox and the audit log show
  their labels.

A module declares its entries on its ``FangkongModule`` (``core/modules.py``), whose
``ready`` registers them and imports the module's ``indicators`` and ``briefing``, where the
decorators run. Callers read indicators through ``Indicator.value`` and sentences through
``render_sentences``, which log a module's failure and leave its figure or sentence out:
one broken module must not take the daily report, the briefing or the dashboard down.
Tests add or replace entries inside ``override(...)``, never by editing the dicts.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

Number = int | Decimal | float
F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)


# --- Indicators -----------------------------------------------------------------------

@dataclass(frozen=True)
class Indicator:
    code: str
    name: Any  # lazy translatable string
    unit: str
    compute: Callable[[Any, date], Number | None]
    module: str = ""
    cumulative: bool = False
    home_card: bool = False
    #: The figure is the present state (open alerts): the day does not change it.
    current: bool = False
    #: The home card serves viewers holding one of these roles (any grant); () = all.
    home_roles: tuple[str, ...] = ()
    #: ``relevant(unit) -> bool``: the home card is shown for a viewer's home unit below
    #: the city only if true (cached, ``core.services.dashboard_cards``); None = always.
    home_if: Callable[[Any], bool] | None = None

    def serves(self, scope: Any) -> bool:
        """Does the home card serve a viewer with this scope (by role)?"""
        return not self.home_roles or scope.superuser or scope.has_role(*self.home_roles)

    def value(self, org_unit: Any, day: date) -> Number | None:
        """``compute(org_unit, day)``, or None (logged) if the module fails."""
        try:
            return self.compute(org_unit, day)
        except Exception:  # noqa: BLE001 - see the module docstring
            log.exception("indicator %s failed for %s on %s", self.code, org_unit, day)
            return None


@dataclass(frozen=True)
class Sentence:
    order: int
    key: str
    render: Callable[[Any, date], str | None]


# --- Navigation -----------------------------------------------------------------------

@dataclass(frozen=True)
class NavEntry:
    """A navigation entry: shown to users whose grants carry ``capability`` (if given)
    and one of ``roles`` (if given), in ``order``."""

    url_name: str
    label: Any  # lazy translatable string
    capability: str | None = None
    roles: tuple[str, ...] = ()
    order: int = 50

    def visible_to(self, scope: Any) -> bool:
        """The one rule deciding whether a user sees this entry."""
        if self.capability and not scope.can(self.capability, roles=self.roles):
            return False
        return not self.roles or scope.superuser or scope.has_role(*self.roles)


# --- Alert kinds ----------------------------------------------------------------------

class Severity(models.TextChoices):
    """How urgent an alert is; declared here (no models) so that AppConfigs can name it.
    ``core.models.alerts.Severity`` is this class."""

    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


@dataclass(frozen=True)
class AlertKind:
    """A kind of alert a module raises: its stored code, the label people read, and the
    severity its alerts get unless the module says otherwise."""

    code: str
    label: Any  # lazy translatable string
    severity: str = Severity.WARNING

    def __str__(self) -> str:
        return str(self.label)


# --- The registries -------------------------------------------------------------------

_indicators: dict[str, Indicator] = {}
_sentences: dict[str, Sentence] = {}
_nav: dict[str, NavEntry] = {}
_alert_kinds: dict[str, AlertKind] = {}
#: module label -> (hook, roles): alerts a module opens to a non-territorial role.
_alert_visibility: dict[str, tuple[Callable[..., Any], dict[str, frozenset[str]]]] = {}
#: role -> capabilities the hooks serve, all modules together (``Alert``'s scoped_roles).
alert_visibility_roles: dict[str, frozenset[str]] = {}
#: module label -> ``latest(up_to) -> date | None`` (``core.dataday``).
_latest_day: dict[str, Callable[[date], date | None]] = {}


def _add(registry: dict[str, Any], key: str, entry: Any, what: str,
         same: Callable[[Any, Any], bool] = lambda a, b: a == b) -> Any:
    """Register ``entry`` under ``key``; the same entry again is a no-op (``ready`` and
    module imports may run twice), a different one under a taken key is a mistake."""
    if key in registry and not same(registry[key], entry):
        raise ValueError(f"{what} {key!r} is already registered")
    registry[key] = entry
    return entry


def register_indicator(
    code: str, name: Any, unit: str, compute: Callable[[Any, date], Number | None], *,
    module: str = "", cumulative: bool = False, home_card: bool = False, current: bool = False,
    home_roles: Iterable[str] = (), home_if: Callable[[Any], bool] | None = None,
) -> Indicator:
    ind = Indicator(code, name, unit, compute, module or code.split(".", 1)[0], cumulative,
                    home_card, current, tuple(home_roles), home_if)
    return _add(_indicators, code, ind, "indicator", lambda a, b: a.compute is b.compute)


#: Indicators a module can also compute for one organisation (an enterprise's daily report
#: is pre-filled from the enterprise's own records): code -> ``compute(organisation, day)``.
_organisation_figures: dict[str, Callable[[Any, date], Number | None]] = {}


def organisation_figure(code: str) -> Callable[[F], F]:
    """Declare ``compute(organisation, day)`` as the organisation's own value of the
    indicator ``code`` (declared with ``@indicator`` too)."""
    def decorate(compute: F) -> F:
        _add(_organisation_figures, code, compute, "organisation figure", lambda a, b: a is b)
        return compute
    return decorate


def organisation_value(code: str, organisation: Any, day: date) -> Number | None:
    """The organisation's own value of ``code``, or None (none declared, or it failed:
    logged)."""
    compute = _organisation_figures.get(code)
    if compute is None:
        return None
    try:
        return compute(organisation, day)
    except Exception:  # noqa: BLE001 - as ``Indicator.value``
        log.exception("organisation figure %s failed for %s on %s", code, organisation, day)
        return None


def indicator(code: str, name: Any, unit: str, *, cumulative: bool = False,
              home_card: bool = False, module: str = "", current: bool = False,
              home_roles: Iterable[str] = (), home_if: Callable[[Any], bool] | None = None,
              ) -> Callable[[F], F]:
    """Declare ``compute(org_unit, day)`` as the indicator ``code`` (``module.name``).

    The function is returned unchanged, so the module (and its sentences) call it
    directly. ``home_card=True``: shown on the home page for the user's home unit;
    choose the two or three figures a module's users look at first. Whom it is shown to:

    - ``home_roles``: the roles the card serves (a viewer holding any of them); default
      every viewer with a home unit.
    - ``home_if``: ``relevant(unit) -> bool``, asked for a home unit below the city (the
      city-wide set is always shown); usually ``has_records("app.Model", ...)``. Default:
      always relevant.
    """
    def decorate(compute: F) -> F:
        register_indicator(code, name, unit, compute, module=module, cumulative=cumulative,
                           home_card=home_card, current=current, home_roles=home_roles,
                           home_if=home_if)
        return compute
    return decorate


#: Model labels some ``has_records`` predicate reads: a save or delete of one of them
#: forgets the cached relevance (``core.services.dashboard_cards``). The receiver is
#: connected to these models only (by label, lazily): a hot path such as the passages'
#: ``bulk_create`` must keep no receivers.
relevance_models: set[str] = set()


def _relevant_record_changed(sender: Any, **kwargs: Any) -> None:
    from fangkong.core.services.dashboard_cards import clear_relevance

    clear_relevance()


def _watch_relevance(label: str) -> None:
    """Forget the cached ``home_if`` answers when a record of ``label`` is saved or
    deleted (once per label)."""
    from django.db.models.signals import post_delete, post_save

    if label in relevance_models:
        return
    relevance_models.add(label)
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(_relevant_record_changed, sender=label, weak=False,
                       dispatch_uid=f"fangkong.relevance.{label}.{name}")


def has_records(*model_labels: str) -> Callable[[Any], bool]:
    """A ``home_if`` predicate: one of these models (``"app.Model"``, with a ``unit_path``
    column) has a record in the unit's subtree. One indexed EXISTS per model until one
    answers, cached per unit by the home page."""
    from django.apps import apps

    for label in model_labels:
        _watch_relevance(label)

    def relevant(unit: Any) -> bool:
        from fangkong.core.scoping import subtree_q

        return any(apps.get_model(label)._default_manager
                   .filter(subtree_q("unit_path", unit.path)).exists()
                   for label in model_labels)

    relevant.models = model_labels  # type: ignore[attr-defined]
    relevant.__qualname__ = f"has_records({', '.join(model_labels)})"
    return relevant


def indicators() -> dict[str, Indicator]:
    return dict(sorted(_indicators.items()))


def get_indicator(code: str) -> Indicator | None:
    return _indicators.get(code)


def home_cards() -> list[Indicator]:
    """The indicators flagged ``home_card``, in the order they were declared (the home
    page orders them by module, ``core.services.dashboard_cards``)."""
    return [i for i in _indicators.values() if i.home_card]


def register_sentence(order: int, key: str, render: Callable[[Any, date], str | None]) -> None:
    _add(_sentences, key, Sentence(order, key, render), "sentence",
         lambda a, b: a.render is b.render)


def sentence(order: int, key: str = "") -> Callable[[F], F]:
    """Declare ``render(org_unit, day)`` as a briefing sentence at ``order`` (lower first;
    reports' completeness is 10, its figures 20, checkpoints 40-41). ``key`` defaults to
    ``<app>.<function name>`` and only names the sentence in logs."""
    def decorate(render: F) -> F:
        app = render.__module__.removeprefix("fangkong.").split(".", 1)[0]
        register_sentence(order, key or f"{app}.{render.__name__}", render)
        return render
    return decorate


def sentences() -> list[Sentence]:
    return sorted(_sentences.values(), key=lambda s: (s.order, s.key))


def render_sentences(org_unit: Any, day: date) -> list[str]:
    out = []
    for s in sentences():
        try:
            text = s.render(org_unit, day)
        except Exception:  # noqa: BLE001 - see the module docstring
            log.exception("briefing sentence %s failed for %s on %s", s.key, org_unit, day)
            continue
        if text:
            out.append(text)
    return out


def register_nav(entry: NavEntry) -> NavEntry:
    return _add(_nav, entry.url_name, entry, "navigation entry")


def nav_entries() -> list[NavEntry]:
    return sorted(_nav.values(), key=lambda e: (e.order, e.url_name))


def register_alert_kind(kind: AlertKind) -> AlertKind:
    return _add(_alert_kinds, kind.code, kind, "alert kind")


def register_alert_visibility(module: str, hook: Callable[..., Any],
                              roles: dict[str, frozenset[str]]) -> None:
    """Let ``module`` open alerts to a role without territorial grants (a duty user's own
    checkpoint's alerts): ``hook(user, scope, capability)`` returns a ``Q`` over Alert or
    None; ``roles`` (role -> capabilities) declares whom it serves (the scope contract).
    The alerts' queryset ORs every hook into ``extra_visibility``."""
    _alert_visibility[module] = (hook, roles)
    for role, caps in roles.items():
        alert_visibility_roles[role] = alert_visibility_roles.get(role, frozenset()) | caps


def register_latest_day(module: str, latest: Callable[[date], date | None]) -> None:
    """``latest(up_to)``: the latest day up to ``up_to`` with any of ``module``'s records
    (``core.dataday.data_day``, the day pages count when none is asked)."""
    _latest_day[module] = latest


def latest_day_sources() -> list[Callable[[date], date | None]]:
    return list(_latest_day.values())


def alert_visibility() -> list[tuple[Callable[..., Any], dict[str, frozenset[str]]]]:
    return list(_alert_visibility.values())


def alert_kinds() -> list[AlertKind]:
    return list(_alert_kinds.values())


def get_alert_kind(code: str) -> AlertKind | None:
    return _alert_kinds.get(code)


def alert_kind_label(code: str) -> Any:
    """The label of a registered kind; the raw code for a kind no module declares any
    more (old rows), so nothing fails on them."""
    kind = _alert_kinds.get(code)
    return kind.label if kind is not None else code


# --- Tests ----------------------------------------------------------------------------

@contextlib.contextmanager
def override(
    *, indicators: Iterable[Indicator] = (), sentences: Iterable[Sentence] = (),
    nav: Iterable[NavEntry] = (), alert_kinds: Iterable[AlertKind] = (),
    replace: bool = False,
) -> Iterator[None]:
    """For tests: the registries with these entries added (or, with ``replace``, only
    these), restored on exit, also whatever was registered inside the block."""
    saved = [(reg, dict(reg)) for reg in (_indicators, _sentences, _nav, _alert_kinds)]
    try:
        for registry, entries, key in (
            (_indicators, indicators, "code"), (_sentences, sentences, "key"),
            (_nav, nav, "url_name"), (_alert_kinds, alert_kinds, "code"),
        ):
            if replace:
                registry.clear()
            registry.update({getattr(e, key): e for e in entries})
        yield
    finally:
        for registry, content in saved:
            registry.clear()
            registry.update(content)


# --- Exports, imports and scheduled work (``core.jobs``) ---------------------------------

@dataclass(frozen=True)
class ExportKind:
    """A register the export flow serves (``core.exports.export_view``), by name, so that a
    job can build the same file later in a worker from the stored filters.

    ``build(user, params, capability)`` returns the objects behind the file's rows as
    ``user`` may see them with ``capability`` and the file's name, from the page's filters
    (``params``: strings, as a query string carries them). It raises ``Http404`` for a
    filter pointing outside the user's area and ``ValidationError`` for a bad filter."""

    name: str
    label: Any
    exporter: type
    build: Callable[[Any, Any, str], tuple[Any, str]]
    formats: tuple[str, ...] = ("xlsx",)


@dataclass(frozen=True)
class ImportKind:
    """An import the import flow serves (``core.imports.import_view``), by name.
    ``make(user, choices)`` returns the ``Importer`` for the form's other choices (stored
    by primary key); it raises ``ObjectDoesNotExist`` or ``PermissionDenied`` when a choice
    is no longer the user's."""

    name: str
    label: Any
    make: Callable[[Any, dict[str, Any]], Any]


@dataclass(frozen=True)
class Schedule:
    """Scheduled work: ``task`` (the dotted path of a function without arguments) runs once
    per slot of ``every``, ``offset`` after the slot starts (UTC). Declared in
    ``FangkongModule.schedules``; the scheduler of ``fangkong worker`` claims each slot
    once however many schedulers run, then the task queue runs it. The function must be
    idempotent all the same (a slot retried after a crash runs it twice)."""

    name: str
    task: str
    every: timedelta
    offset: timedelta = timedelta(0)
    label: Any = ""


_export_kinds: dict[str, ExportKind] = {}
_import_kinds: dict[str, ImportKind] = {}
_schedules: dict[str, Schedule] = {}


def export_kind(name: str, label: Any, exporter: type, *,
                formats: tuple[str, ...] = ("xlsx",)) -> Callable[[F], F]:
    """Decorator on a register's ``build(user, params, capability)`` (``ExportKind``)."""

    def decorate(build: F) -> F:
        _add(_export_kinds, name,
             ExportKind(name, label, exporter, build, formats), "export kind")
        return build

    return decorate


def import_kind(name: str, label: Any) -> Callable[[F], F]:
    """Decorator on an import's ``make(user, choices)`` (``ImportKind``)."""

    def decorate(make: F) -> F:
        _add(_import_kinds, name, ImportKind(name, label, make), "import kind")
        return make

    return decorate


def register_schedule(entry: Schedule) -> Schedule:
    return _add(_schedules, entry.name, entry, "schedule")


def export_kinds() -> dict[str, ExportKind]:
    return dict(_export_kinds)


def import_kinds() -> dict[str, ImportKind]:
    return dict(_import_kinds)


def schedules() -> dict[str, Schedule]:
    return dict(_schedules)
