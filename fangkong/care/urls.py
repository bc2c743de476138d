from django.urls import path

from fangkong.care import views, views_registry, views_taskforces

app_name = "care"

urlpatterns = [
    path("", views.index, name="index"),
    path("workers/", views.workers, name="workers"),
    path("workers/export/", views.workers_export, name="workers_export"),
    path("workers/import/", views.workers_import, name="workers_import"),
    path("workers/import/template/", views.workers_template, name="workers_template"),
    path("services/export/", views.services_export, name="services_export"),
    path("workers/<id:pk>/", views.worker, name="worker"),
    path("workers/<id:pk>/reveal/", views.worker_reveal, name="worker_reveal"),
    path("workers/<id:pk>/log/", views.worker_log, name="worker_log"),
    path("workers/<id:pk>/pay/", views.worker_pay, name="worker_pay"),
    path("workers/<id:pk>/benefit/", views.worker_benefit, name="worker_benefit"),
    path("workers/<id:pk>/visit/", views.worker_visit, name="worker_visit"),
    path("workers/<id:pk>/pair/", views.worker_pair, name="worker_pair"),
    path("elderly/", views.elderly_list, name="elderly_list"),
    path("elderly/<id:pk>/", views.elderly, name="elderly"),
    path("elderly/<id:pk>/request/", views.elderly_request, name="elderly_request"),
    path("requests/<id:pk>/fulfil/", views.request_fulfil, name="request_fulfil"),
    path("taskforces/", views_taskforces.taskforces, name="taskforces"),
    path("taskforces/new/", views_taskforces.taskforce_new, name="taskforce_new"),
    path("taskforces/<id:pk>/", views_taskforces.taskforce, name="taskforce"),
    path("taskforces/<id:pk>/edit/", views_taskforces.taskforce_edit, name="taskforce_edit"),
    path("taskforces/<id:pk>/reveal/", views_taskforces.taskforce_reveal,
         name="taskforce_reveal"),
    path("taskforces/<id:pk>/members/new/", views_taskforces.member_new, name="member_new"),
    path("members/<id:pk>/", views_taskforces.member_edit, name="member_edit"),
    path("members/<id:pk>/remove/", views_taskforces.member_remove, name="member_remove"),
    path("taskforces/<id:pk>/helpers/new/", views_taskforces.helper_new, name="helper_new"),
    path("helpers/<id:pk>/", views_taskforces.helper_edit, name="helper_edit"),
    # the register, one person at a time (views_registry)
    path("workers/new/", views_registry.worker_new, name="worker_new"),
    path("workers/<id:pk>/edit/", views_registry.worker_edit, name="worker_edit"),
    path("workers/<id:pk>/family/new/", views_registry.family_new, name="family_new"),
    path("workers/<id:pk>/family/<id:fid>/edit/", views_registry.family_edit,
         name="family_edit"),
    path("workers/<id:pk>/family/<id:fid>/remove/", views_registry.family_remove,
         name="family_remove"),
    path("elderly/new/", views_registry.elderly_new, name="elderly_new"),
    path("elderly/<id:pk>/edit/", views_registry.elderly_edit, name="elderly_edit"),
]
