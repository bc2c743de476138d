from django.urls import path

from fangkong.resumption import views

app_name = "resumption"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("enterprises/", views.enterprises, name="enterprises"),
    path("enterprises/new/", views.enterprise_new, name="enterprise_new"),
    path("enterprises/import/", views.enterprise_import, name="enterprise_import"),
    path("enterprises/export/", views.enterprise_export, name="enterprise_export"),
    path("enterprises/<id:pk>/", views.enterprise, name="enterprise"),
    path("enterprises/<id:pk>/employees/", views.employee_new, name="employee_new"),
    path("enterprises/<id:pk>/demand/", views.demand_new, name="demand_new"),
    path("enterprises/<id:pk>/filing/", views.filing, name="filing"),
    path("enterprises/<id:pk>/filing/attachments/", views.attachment_new,
         name="attachment_new"),
    path("enterprises/<id:pk>/filing/review/", views.review, name="review"),
    path("enterprises/<id:pk>/filing/resumed/", views.resumed, name="resumed"),
    path("enterprises/<id:pk>/filing/suspend/", views.suspend, name="suspend"),
    path("enterprises/<id:pk>/filing/refile/", views.refile, name="refile"),
    path("enterprises/<id:pk>/notice.pdf", views.notice, name="notice"),
    path("attachments/<id:pk>/", views.attachment, name="attachment"),
    path("workers/", views.workers, name="workers"),
    path("workers/new/", views.worker_new, name="worker_new"),
    path("workers/import/", views.worker_import, name="worker_import"),
    path("workers/export/", views.worker_export, name="worker_export"),
    path("batches/", views.batches, name="batches"),
    path("batches/new/", views.batch_new, name="batch_new"),
    path("batches/<id:pk>/", views.batch, name="batch"),
    path("passes/", views.passes, name="passes"),
    path("passes/new/", views.pass_new, name="pass_new"),
    path("passes/keys/", views.keys, name="keys"),
    path("passes/<id:pk>/", views.pass_detail, name="pass"),
    path("verify/", views.verify, name="verify"),
]
