from django.urls import path

from fangkong.core import views, views_alerts, views_notices, views_people_io, views_rules
from fangkong.core.jobs import views as views_jobs

app_name = "core"

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/import/", views_people_io.people_import, name="people_import"),
    path("people/import/template.xlsx", views_people_io.people_import_template,
         name="people_import_template"),
    path("people/export.xlsx", views_people_io.people_export, {"fmt": "xlsx"},
         name="people_export_xlsx"),
    path("people/export.csv", views_people_io.people_export, {"fmt": "csv"},
         name="people_export_csv"),
    path("people/export/", views_people_io.people_export_unmasked, name="people_export"),
    path("people/<id:pk>/", views.person, name="person"),
    path("people/<id:pk>/reveal", views.person_reveal, name="person_reveal"),
    path("units/", views.units, name="units"),
    path("alerts/", views_alerts.alerts, name="alerts"),
    path("alerts/<id:pk>/close", views_alerts.alert_close, name="alert_close"),
    path("notices/", views_notices.notices, name="notices"),
    path("notices/read", views_notices.notices_read, name="notices_read"),
    path("notices/<id:pk>/", views_notices.notice_open, name="notice"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/pii/", views.pii_log, name="pii_log"),
    path("jobs/", views_jobs.job_list, name="jobs"),
    path("jobs/<id:pk>/", views_jobs.job_detail, name="job"),
    path("jobs/<id:pk>/file", views_jobs.job_file, name="job_file"),
    path("jobs/<id:pk>/cancel", views_jobs.job_cancel, name="job_cancel"),
    path("jobs/<id:pk>/import", views_jobs.job_import, name="job_import"),
    path("rules/", views_rules.rule_list, name="rules"),
    path("rules/<str:code>/", views_rules.rule_history, name="rule_history"),
]
