from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "fangkong.reports"
    label = "reports"
    verbose_name = _("Daily reporting")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fangkong.core import audit
        from fangkong.core.context_processors import register_nav
        from fangkong.core.models.accounts import Cap
        from fangkong.reports import briefing, indicators
        from fangkong.reports.access import OVERSEER_ROLES, REPORTS_ROLES
        from fangkong.reports.models import Indicator, Reporter, ReportForm, Rule, Submission

        for model in (ReportForm, Indicator, Rule, Reporter):
            audit.register(model)
        # Submissions keep their own immutable versions (values, status, actor, reason);
        # the audit log records the row's status changes without the value rows.
        audit.register(Submission)
        indicators.register()
        briefing.register_sentences()
        register_nav("reports:dashboard", _("Dashboard"), Cap.VIEW, roles=OVERSEER_ROLES,
                     order=5)
        # Reporters (REPORT) and overseers (VIEW) both work from the reports index.
        register_nav("reports:index", _("Daily reports"), roles=REPORTS_ROLES, order=10)
