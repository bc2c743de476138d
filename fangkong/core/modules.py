"""A module declared in one place: its ``AppConfig`` lists what core needs to know.

A fangkong module (checkpoints, reports, care, relief …) subclasses ``FangkongModule``
instead of ``AppConfig`` and declares, as class attributes:

- ``audited``: its models whose changes the audit log keeps, by model name, or
  ``(name, {register options})`` (``core.audit.register``'s keyword arguments);
- ``nav``: its navigation entries (``registries.NavEntry``);
- ``alert_kinds``: the kinds of alert it raises (``registries.AlertKind``);
- ``demo_step``: the module path of its demo step (``load(ctx) -> str``), or None;
  ``demo_after``: the labels of modules whose demo steps must run first (its step reads
  their records) though INSTALLED_APPS lists them later;
- ``schedules``: its scheduled work (``registries.Schedule``), run by ``fangkong worker``.

``ready`` registers all of these and imports the module's ``indicators``, ``briefing``,
``rules``, ``exporters`` and ``importers`` submodules if it has them, where
``@indicator``, ``@sentence``, ``core.rules.declare``, ``@export_kind`` and
``@import_kind`` declare the rest. Nothing
else is edited to add a module: not core, not a central list of demo steps.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from importlib import import_module
from typing import Any

from django.apps import AppConfig, apps
from django.utils.module_loading import import_string, module_has_submodule

from fangkong.core import registries

#: Submodules ``ready`` imports when present; they declare indicators and sentences.
DECLARING_SUBMODULES = ("indicators", "briefing", "rules", "exporters", "importers")


log = logging.getLogger(__name__)

class FangkongModule(AppConfig):
    audited: Sequence[str | tuple[str, Mapping[str, Any]]] = ()
    nav: Sequence[registries.NavEntry] = ()
    alert_kinds: Sequence[registries.AlertKind] = ()
    demo_step: str | None = None
    demo_after: Sequence[str] = ()
    schedules: Sequence[registries.Schedule] = ()
    #: Dotted path of a hook opening the module's alerts to a non-territorial role
    #: (``registries.register_alert_visibility``), and the roles it serves.
    alert_visibility: str | None = None
    alert_visibility_roles: Mapping[str, frozenset[str]] = {}
    #: Dotted path of ``latest(up_to) -> date | None``: the module's last day with records
    #: (``core.dataday``: pages open on it when an old data set has nothing today).
    latest_day: str | None = None
    #: Dotted path of ``panel(request) -> str | None``: the module's own work shown on the
    #: home page (HTML, rendered for the viewer; None when it has nothing for them), for
    #: roles the territorial home cards say nothing to (a helper's families).
    home_panel: str | None = None
    # Django takes the one AppConfig subclass in an apps.py as the app's config, or else
    # the one marked ``default``; every apps.py that imports this base holds two.
    default = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "default" not in cls.__dict__:
            cls.default = True

    def ready(self) -> None:
        from django.apps import apps

        if self.apps is not apps:
            # An isolated registry (``django.test.utils.isolate_apps``) re-runs ``ready``
            # without the project's models: the module is already registered.
            return
        self.register_audited()
        for entry in self.nav:
            registries.register_nav(entry)
        for kind in self.alert_kinds:
            registries.register_alert_kind(kind)
        for entry in self.schedules:
            registries.register_schedule(entry)
        if self.alert_visibility:
            registries.register_alert_visibility(
                self.label, import_string(self.alert_visibility),
                dict(self.alert_visibility_roles))
        if self.latest_day:
            registries.register_latest_day(self.label, import_string(self.latest_day))
        for name in DECLARING_SUBMODULES:
            if module_has_submodule(self.module, name):
                import_module(f"{self.name}.{name}")

    def register_audited(self) -> None:
        from fangkong.core import audit

        for entry in self.audited:
            name, options = (entry, {}) if isinstance(entry, str) else entry
            audit.register(self.get_model(name), **options)


def modules() -> list[FangkongModule]:
    """The installed fangkong modules, in INSTALLED_APPS order."""
    return [c for c in apps.get_app_configs() if isinstance(c, FangkongModule)]


def home_panels(request: Any) -> list[str]:
    """The home page's module panels for this viewer, in INSTALLED_APPS order."""
    out = []
    for m in modules():
        if not m.home_panel:
            continue
        try:
            html = import_string(m.home_panel)(request)
        except Exception:  # noqa: BLE001 - one broken module must not take the home page down
            log.exception("home panel of %s failed", m.label)
            continue
        if html:
            out.append(html)
    return out


def demo_steps() -> list[str]:
    """The demo steps the installed modules declare, in INSTALLED_APPS order (a module
    that reads another's data, like reports reading checkpoints' indicators, is listed
    after it), except that a step waits for the steps of the modules in its
    ``demo_after`` (reports' pre-filled figures read volunteers' and care's records)."""
    pending = [m for m in modules() if m.demo_step]
    labels = {m.label for m in pending}
    done: set[str] = set()
    out: list[str] = []
    while pending:
        ready = next((m for m in pending
                      if all(a in done or a not in labels for a in m.demo_after)), None)
        if ready is None:
            raise ValueError(f"demo_after loops: {[m.label for m in pending]}")
        pending.remove(ready)
        done.add(ready.label)
        out.append(ready.demo_step)  # type: ignore[arg-type]
    return out
