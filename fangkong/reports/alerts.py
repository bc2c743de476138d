"""The kinds of alert daily reporting raises (declared in ``ReportsConfig.alert_kinds``)."""

from django.utils.translation import gettext_lazy as _

from fangkong.core.registries import AlertKind, Severity

#: An expected report still missing after its deadline (``fangkong reports_overdue``).
REPORT_MISSING = AlertKind("report_missing", _("Daily report missing"), Severity.WARNING)
