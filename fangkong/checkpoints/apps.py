from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangkong.checkpoints import alerts
from fangkong.core.modules import FangkongModule
from fangkong.core.registries import NavEntry, Schedule
from fangkong.core.roles import Cap, Role


class CheckpointsConfig(FangkongModule):
    name = "fangkong.checkpoints"
    label = "checkpoints"
    verbose_name = _("Checkpoints and community screening")
    audited = (
        "Checkpoint", "DutyRoster", "TemperatureCheck", "Household",
        "ScreeningVisit", "Inspection", "PatrolLog", "HouseholdMember", "Passage",
        "Outsider", "Tip",
    )
    nav = (
        NavEntry("checkpoints:duty", _("Checkpoint duty"), Cap.REGISTER_PASSAGE,
                 roles=(Role.CHECKPOINT_DUTY,), order=10),
        NavEntry("checkpoints:index", _("Checkpoints"), Cap.VIEW, order=30),
        NavEntry("checkpoints:community", _("Community screening"), Cap.VIEW, order=31),
    )
    alert_kinds = (alerts.FEVER, alerts.PLATE, alerts.MISSED_CHECK, alerts.VISIT_FINDING)
    schedules = (
        Schedule("checkpoints.missed_checks",
                 "fangkong.checkpoints.schedules.missed_temperature_checks",
                 every=timedelta(minutes=30), label=_("Outsiders' missed temperature checks")),
    )
    demo_step = "fangkong.demo.checkpoints"
    # A duty user's home shows the open alerts of its own checkpoints (alert_access.py).
    alert_visibility = "fangkong.checkpoints.alert_access.duty_alerts"
    alert_visibility_roles = {Role.CHECKPOINT_DUTY: frozenset({Cap.VIEW})}
    latest_day = "fangkong.checkpoints.dataday.latest_day"
