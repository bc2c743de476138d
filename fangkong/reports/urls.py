from django.urls import path

from fangkong.reports.views import config, entry, overview

app_name = "reports"

urlpatterns = [
    path("", entry.index, name="index"),
    path("dashboard/", overview.dashboard, name="dashboard"),
    path("dashboard/data.json", overview.dashboard_data, name="dashboard_data"),
    path("briefing/", overview.briefing_page, name="briefing"),
    path("briefing.docx", overview.briefing_docx, name="briefing_docx"),
    # Configuration (HQ)
    path("forms/", config.form_list, name="form_list"),
    path("forms/new/", config.form_new, name="form_new"),
    path("forms/<slug:code>/", config.form_detail, name="form_detail"),
    path("forms/<slug:code>/indicators/new", config.indicator_edit, name="indicator_new"),
    path("forms/<slug:code>/indicators/<id:pk>/", config.indicator_edit,
         name="indicator_edit"),
    path("forms/<slug:code>/rules/new", config.rule_new, name="rule_new"),
    path("forms/<slug:code>/rules/<id:pk>/delete", config.rule_delete, name="rule_delete"),
    path("forms/<slug:code>/reporters/add", config.reporters_add, name="reporters_add"),
    path("forms/<slug:code>/reporters/<id:pk>/stop", config.reporter_stop,
         name="reporter_stop"),
    # One form's reports
    path("<slug:form>/fill/", entry.fill, name="fill"),
    path("<slug:form>/submissions/", entry.submission_list, name="submissions"),
    path("<slug:form>/submissions/<id:pk>/", entry.submission_detail, name="submission"),
    path("<slug:form>/submissions/<id:pk>/review", entry.review, name="review"),
    path("<slug:form>/completeness/", overview.completeness_page, name="completeness"),
    path("<slug:form>/completeness/remind", overview.remind, name="remind"),
    path("<slug:form>/completeness/reminders.xlsx", overview.reminders_xlsx,
         name="reminders_xlsx"),
    path("<slug:form>/rollup/", overview.rollup_page, name="rollup"),
    path("<slug:form>/province.xlsx", overview.province_xlsx, name="province_xlsx"),
]
