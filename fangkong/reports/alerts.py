"""The kinds of alert daily reporting raises (declared in ``ReportsConfig.alert_kinds``)."""

from django.utils.translation import gettext_lazy as _

from fangkong.core.registries import AlertKind, Severity

#: An expected report still missing after its deadline (``fangkong reports_overdue``).
REPORT_MISSING = AlertKind("report_missing", _("Daily report missing"), Severity.WARNING)
#: A record from a phone's queue arrived after its day's report was sent: the report's
#: figure may be short by it (``core.capture``; ``reports.late``).
LATE_RECORD = AlertKind("late_record", _("Record arrived after the day was reported"),
                        Severity.INFO)
