from django.utils.translation import gettext_lazy as _

from fangkong.core.modules import FangkongModule
from fangkong.core.registries import NavEntry
from fangkong.core.roles import Cap, Role


class ResumptionConfig(FangkongModule):
    name = "fangkong.resumption"
    label = "resumption"
    verbose_name = _("Work resumption (复工复产)")
    audited = ("Enterprise", "Filing", "FilingItem", "Attachment", "Employee",
               "MigrantWorker", "Demand", "TransportBatch", "ManifestEntry", "Pass",
               "SigningKey")
    nav = (
        NavEntry("resumption:index", _("Work resumption"), Cap.VIEW, order=55),
        NavEntry("resumption:mine", _("My enterprise"), Cap.REPORT,
                 roles=(Role.ENTERPRISE_LIAISON,), order=12),
    )
    demo_step = "fangkong.demo.resumption"
    home_panel = "fangkong.resumption.home.panel"
    latest_day = "fangkong.resumption.indicators.latest_day"
