from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangkong.core.modules import FangkongModule
from fangkong.core.registries import NavEntry, Schedule
from fangkong.core.roles import Cap, Role
from fangkong.water import alerts


class WaterConfig(FangkongModule):
    name = "fangkong.water"
    label = "water"
    verbose_name = _("Water-supply assurance")
    audited = ("Station", "SamplingPoint", "Shift", "Handover", "Reading", "Exceedance",
               "Patrol", "Fault")
    nav = (
        NavEntry("water:index", _("Water supply"), Cap.VIEW, order=45),
        # The utility's operators: the same page, under an entry for them (an entry with
        # roles is shown only to holders of those roles).
        NavEntry("water:utility", _("Water supply"), Cap.VIEW,
                 roles=(Role.UTILITY_OPERATOR,), order=45),
    )
    alert_kinds = (alerts.WATER_QUALITY, alerts.PRESSURE, alerts.COVER_GAP)
    schedules = (
        Schedule("water.cover_gaps", "fangkong.water.schedules.cover_gaps",
                 every=timedelta(hours=1), label=_("Stations without duty cover")),
    )
    demo_step = "fangkong.demo.water"
    # An operator sees its utility's water alerts (alert_access.py).
    alert_visibility = "fangkong.water.alert_access.utility_alerts"
    alert_visibility_roles = {Role.UTILITY_OPERATOR: frozenset({Cap.VIEW})}
    latest_day = "fangkong.water.dataday.latest_day"
