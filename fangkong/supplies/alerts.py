"""The alert kinds supplies raises (declared on ``SuppliesConfig.alert_kinds``)."""

from django.utils.translation import gettext_lazy as _

from fangkong.core.registries import AlertKind, Severity

LOW_STOCK = AlertKind("low_stock", _("Low stock"), Severity.WARNING)
