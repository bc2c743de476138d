from django.urls import path
from django.views.generic import RedirectView

from fangkong.checkpoints.views import checkpoints, community, duty, outsiders, public

app_name = "checkpoints"

urlpatterns = [
    # residents, no login
    path("r/<str:key>/", public.selfreg, name="selfreg"),
    path("r/<str:key>/done/<uuid:client_id>/", public.selfreg_done, name="selfreg_done"),
    path("r/<str:key>/tip/", public.public_tip, name="public_tip"),
    # duty screen
    path("duty/", duty.duty_home, name="duty"),
    path("duty/<id:pk>/", duty.duty_screen, name="duty_screen"),
    path("duty/<id:pk>/register", duty.duty_register, name="duty_register"),
    path("duty/<id:pk>/quick/<id:passage_pk>/<str:direction>", duty.duty_quick,
         name="duty_quick"),
    path("duty/<id:pk>/confirm/<id:passage_pk>", duty.duty_confirm, name="duty_confirm"),
    path("duty/<id:pk>/outcome/<id:passage_pk>", duty.duty_outcome, name="duty_outcome"),
    path("duty/<id:pk>/pending", duty.duty_pending, name="duty_pending"),
    # checkpoints and registers
    path("", checkpoints.index, name="index"),
    path("<id:pk>/", checkpoints.detail, name="detail"),
    path("<id:pk>/edit", checkpoints.edit, name="edit"),
    path("<id:pk>/roster", checkpoints.roster_add, name="roster_add"),
    path("<id:pk>/close", checkpoints.close, name="close"),
    path("<id:pk>/roster/<id:entry_pk>/delete", checkpoints.roster_remove,
         name="roster_remove"),
    path("<id:pk>/poster.<str:fmt>", checkpoints.poster, name="poster"),
    path("<id:pk>/export", checkpoints.export, name="export"),
    # The alerts moved to core's inbox; old bookmarks land there with their filters.
    path("alerts/", RedirectView.as_view(pattern_name="core:alerts", query_string=True)),
    path("rule/", checkpoints.rule, name="rule"),
    # outsiders
    path("outsiders/", outsiders.index, name="outsiders"),
    path("outsiders/new", outsiders.register, name="outsider_new"),
    path("outsiders/export", outsiders.export, name="outsiders_export"),
    path("outsiders/<id:pk>/", outsiders.detail, name="outsider"),
    path("outsiders/<id:pk>/check", outsiders.check, name="outsider_check"),
    path("outsiders/<id:pk>/release", outsiders.release, name="outsider_release"),
    # community screening
    path("community/", community.overview, name="community"),
    path("households/", community.households, name="households"),
    path("households/new", community.household_new, name="household_new"),
    path("households/import", community.household_import, name="household_import"),
    path("households/template", community.household_template, name="household_template"),
    path("households/export", community.households_export, name="households_export"),
    path("households/<id:pk>/", community.household, name="household"),
    path("households/<id:pk>/edit", community.household_edit, name="household_edit"),
    path("households/<id:pk>/member", community.member_add, name="member_add"),
    path("households/<id:pk>/member/<id:member_pk>/remove", community.member_remove,
         name="member_remove"),
    path("households/<id:pk>/follow-up/<id:alert_pk>", community.follow_up,
         name="follow_up"),
    path("households/<id:pk>/visit", community.visit_add, name="visit_add"),
    path("inspections/", community.inspections, name="inspections"),
    path("patrols/", community.patrols, name="patrols"),
    path("tips/", community.tips, name="tips"),
    path("tips/<id:pk>/", community.tip, name="tip"),
]
