"""Core's own indicators: people registered and open alerts in a unit's subtree."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from fangkong.core.registries import indicator


@indicator("core.people_registered", _("People registered"), "人", cumulative=True,
           home_card=True)
def people_registered(unit, day: date) -> int:
    from fangkong.core.models import Person

    return Person.objects.under(unit).count()


@indicator("core.open_alerts", _("Open alerts"), "条", home_card=True, current=True)
def open_alerts(unit, day: date) -> int:
    from fangkong.core.models import Alert

    return Alert.objects.under(unit).filter(status="open").count()
