from django.utils.translation import gettext_lazy as _

from fangkong.core.modules import FangkongModule
from fangkong.core.registries import NavEntry
from fangkong.core.roles import Cap
from fangkong.supplies import alerts
from fangkong.supplies.access import STORE_ROLES


class SuppliesConfig(FangkongModule):
    name = "fangkong.supplies"
    label = "supplies"
    verbose_name = _("Supplies")
    # Lines are written once with their movement and the ledger keeps every change of stock;
    # the movement's own audit entry names who recorded it.
    audited = ("Item", "Warehouse", "Balance", "Movement", "Need", "Pledge")
    nav = (
        NavEntry("supplies:index", _("Supplies"), Cap.VIEW, order=40),
        # Liaisons run their organisation's store: the same page, named for them (a nav
        # entry with roles is shown only to holders of those roles).
        NavEntry("supplies:stores", _("Supplies"), Cap.VIEW, roles=STORE_ROLES, order=40),
    )
    alert_kinds = (alerts.LOW_STOCK,)
    demo_step = "fangkong.demo.supplies"
