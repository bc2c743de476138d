from django.utils.translation import gettext_lazy as _

from fangkong.core.modules import FangkongModule
from fangkong.core.registries import NavEntry
from fangkong.core.roles import Cap


class ReliefConfig(FangkongModule):
    name = "fangkong.relief"
    label = "relief"
    verbose_name = _("Relief funds (扶贫资金政策)")
    audited = (
        "PoorHousehold", "PoorMember", "ReliefEntity", "EntityWorker", "Loan",
        "Application", "AcceptanceBatch", "PaymentBatch", "Payment",
    )
    nav = (
        NavEntry("relief:index", _("Relief funds"), Cap.VIEW, order=60),
        NavEntry("relief:calculator", _("Policy calculator"), Cap.VIEW, order=61),
    )
    demo_step = "fangkong.demo.relief"
