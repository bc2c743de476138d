"""The alert kinds care raises (declared on ``CareConfig.alert_kinds``)."""

from django.utils.translation import gettext_lazy as _

from fangkong.core.registries import AlertKind, Severity

OVERDUE_REQUEST = AlertKind("care_request_overdue", _("Help request overdue"),
                            Severity.WARNING)
