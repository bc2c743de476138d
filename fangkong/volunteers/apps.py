from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangkong.core.modules import FangkongModule
from fangkong.core.registries import NavEntry, Schedule
from fangkong.core.roles import Cap
from fangkong.volunteers import alerts
from fangkong.volunteers.access import ORG_ROLES, VOLUNTEER_ROLES


class VolunteersConfig(FangkongModule):
    name = "fangkong.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteers")
    audited = ("Pairing", "Team", "Drive", "Signup", "Volunteer", "Site", "Shift",
               "Assignment", "DutyLog", "Certificate")
    nav = (
        NavEntry("volunteers:mine", _("My shifts"), None, roles=VOLUNTEER_ROLES, order=12),
        NavEntry("volunteers:index", _("Volunteers"), Cap.VIEW, order=45),
        NavEntry("volunteers:org", _("Volunteers"), Cap.VIEW, roles=ORG_ROLES, order=45),
    )
    alert_kinds = (alerts.UNDERSTAFFED, alerts.LEFT_OPEN)
    demo_step = "fangkong.demo.volunteers"
    schedules = (
        Schedule("volunteers.close_open_checkins",
                 "fangkong.volunteers.schedules.close_open_checkins",
                 every=timedelta(minutes=15), label=_("Close check-ins left open")),
        Schedule("volunteers.understaffed", "fangkong.volunteers.schedules.understaffed_shifts",
                 every=timedelta(hours=1), label=_("Warn of under-staffed shifts a day ahead")),
        Schedule("volunteers.expire_offers", "fangkong.volunteers.schedules.expire_offers",
                 every=timedelta(minutes=15),
                 label=_("Expire offered places not confirmed in time")),
    )
    latest_day = "fangkong.volunteers.dataday.latest_day"
