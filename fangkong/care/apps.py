from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangkong.care import alerts
from fangkong.care.access import CARE_ROLES
from fangkong.core.modules import FangkongModule
from fangkong.core.registries import NavEntry, Schedule
from fangkong.core.roles import Cap


class CareConfig(FangkongModule):
    name = "fangkong.care"
    label = "care"
    verbose_name = _("One-to-one support")
    # Family members belong to their worker (seen and changed through it).
    audited = ("TaskForce", "TaskForceMember", "Helper", "MedicalWorker", "FamilyMember",
               "Elderly", "Pairing", "ServiceLog", "Payment", "Benefit", "Visit",
               "HelpRequest")
    nav = (
        NavEntry("care:index", _("One-to-one support"), Cap.VIEW, order=35),
        NavEntry("care:workers", _("One-to-one support"), Cap.VIEW, roles=CARE_ROLES, order=35),
    )
    alert_kinds = (alerts.OVERDUE_REQUEST,)
    demo_step = "fangkong.demo.care"
    home_panel = "fangkong.care.home.panel"
    schedules = (
        Schedule("care.overdue_requests", "fangkong.care.schedules.overdue_requests",
                 every=timedelta(minutes=30), label=_("Overdue help requests")),
    )
