from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangkong.core.modules import FangkongModule
from fangkong.core.registries import NavEntry, Schedule
from fangkong.core.roles import Cap, Role
from fangkong.reports import alerts

#: Roles that oversee a territory (the dashboard).
OVERSEER_ROLES = (
    Role.PROVINCE_VIEWER, Role.HQ_STAFF, Role.TERRITORY_STAFF, Role.COMMUNITY_WORKER,
)
#: Roles that work with daily reports: reporters (REPORT) and overseers (VIEW) both work
#: from the reports index.
REPORTS_ROLES = (
    Role.PROVINCE_VIEWER, Role.HQ_STAFF, Role.TASK_FORCE, Role.MEMBER_UNIT,
    Role.TERRITORY_STAFF, Role.COMMUNITY_WORKER, Role.ENTERPRISE_LIAISON,
    Role.UTILITY_OPERATOR,
)


class ReportsConfig(FangkongModule):
    name = "fangkong.reports"
    label = "reports"
    verbose_name = _("Daily reporting")
    default_auto_field = "django.db.models.BigAutoField"
    # Submissions keep their own immutable versions (values, status, actor, reason); the
    # audit log records the row's status changes without the value rows.
    audited = ("ReportForm", "Indicator", "Rule", "Reporter", "Submission")
    nav = (
        NavEntry("reports:dashboard", _("Dashboard"), Cap.VIEW, roles=OVERSEER_ROLES, order=5),
        NavEntry("reports:index", _("Daily reports"), roles=REPORTS_ROLES, order=10),
    )
    alert_kinds = (alerts.REPORT_MISSING, alerts.LATE_RECORD)
    latest_day = "fangkong.reports.dataday.latest_day"  # core.dataday
    home_panel = "fangkong.reports.home.panel"  # the day's reports left to file
    schedules = (
        Schedule("reports.overdue", "fangkong.reports.schedules.overdue_reminders",
                 every=timedelta(minutes=15), label=_("Overdue-report reminders")),
        # 17:30 UTC is 01:30 in Shanghai: after the day, before anyone reads the dashboard.
        Schedule("reports.rollup_check", "fangkong.reports.schedules.rollup_check",
                 every=timedelta(days=1), offset=timedelta(hours=17, minutes=30),
                 label=_("Daily roll-up check")),
    )
    demo_step = "fangkong.demo.reports"
    # The reports carry the live figures of these modules (demo.reports.LIVE_SOURCES).
    demo_after = ("volunteers", "care")

    def ready(self) -> None:
        super().ready()
        # Registers the "day already reported" check and the reviewer's alert for records
        # that arrive late from a phone's queue (core.capture).
        from fangkong.reports import late  # noqa: F401
