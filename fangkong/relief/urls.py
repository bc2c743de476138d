from django.urls import path

from fangkong.relief import views

app_name = "relief"

urlpatterns = [
    path("", views.index, name="index"),
    path("calculator/", views.calculator, name="calculator"),
    path("households/", views.households, name="households"),
    path("households/new/", views.household_new, name="household_new"),
    path("households/<id:pk>/", views.household, name="household"),
    path("households/<id:pk>/reveal/", views.household_reveal, name="household_reveal"),
    path("households/<id:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<id:pk>/remove/", views.household_remove, name="household_remove"),
    path("households/<id:pk>/members/", views.member_add, name="member_add"),
    path("households/<id:pk>/members/<id:mid>/edit/", views.member_edit, name="member_edit"),
    path("households/<id:pk>/members/<id:mid>/remove/", views.member_remove,
         name="member_remove"),
    path("households/<id:pk>/apply/", views.household_apply, name="household_apply"),
    path("entities/", views.entities, name="entities"),
    path("import/<str:what>/", views.registry_import, name="import"),
    path("import/<str:what>/template/", views.registry_import_template,
         name="import_template"),
    path("entities/new/", views.entity_new, name="entity_new"),
    path("entities/<id:pk>/", views.entity, name="entity"),
    path("entities/<id:pk>/apply/", views.entity_apply, name="entity_apply"),
    path("entities/<id:pk>/loans/", views.entity_loan, name="entity_loan"),
    path("entities/<id:pk>/workers/", views.entity_worker, name="entity_worker"),
    path("entities/<id:pk>/led/", views.entity_lead, name="entity_lead"),
    path("entities/<id:pk>/resumed/", views.entity_resumed, name="entity_resumed"),
    path("applications/", views.applications, name="applications"),
    path("applications/<id:pk>/", views.application, name="application"),
    path("applications/<id:pk>/reject/", views.application_reject,
         name="application_reject"),
    path("batches/", views.batches, name="batches"),
    path("batches/acceptance/<str:code>/new/", views.acceptance_new, name="acceptance_new"),
    path("batches/acceptance/<id:pk>/", views.acceptance_batch, name="acceptance_batch"),
    path("batches/payment/<str:code>/new/", views.payment_new, name="payment_new"),
    path("batches/payment/<id:pk>/", views.payment_batch, name="payment_batch"),
    path("batches/payment/<id:pk>/settle/", views.payment_settle, name="payment_settle"),
    path("batches/payment/<id:pk>/bank-file/", views.bank_file, name="bank_file"),
]
