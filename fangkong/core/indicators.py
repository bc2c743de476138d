"""Core's own indicators: people registered and open alerts in a unit's subtree."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from fangkong.core.registries import register_indicator


def people_registered(unit, day: date) -> int:
    from fangkong.core.models import Person

    return Person.objects.filter(unit_path__startswith=unit.path).count()


def open_alerts(unit, day: date) -> int:
    from fangkong.core.models import Alert

    return Alert.objects.filter(unit_path__startswith=unit.path, status="open").count()


def register() -> None:
    register_indicator("core.people_registered", _("People registered"), "人", people_registered,
                       module="core", cumulative=True)
    register_indicator("core.open_alerts", _("Open alerts"), "条", open_alerts, module="core")
