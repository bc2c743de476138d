from django.urls import path

from fangkong.volunteers.views import organisation, pages, public, shifts

app_name = "volunteers"

urlpatterns = [
    path("", pages.index, name="index"),
    path("org/", pages.index, name="org"),
    path("drives/new/", pages.drive_new, name="drive_new"),
    path("drives/<id:pk>/", pages.drive, name="drive"),
    path("drives/<id:pk>/signups/<id:sid>/take-on/", pages.take_on, name="take_on"),
    path("sites/<id:pk>/", pages.site, name="site"),
    path("sites/<id:pk>/qr.png", pages.site_qr, name="site_qr"),
    path("shifts/<id:pk>/", pages.shift, name="shift"),
    path("shifts/<id:pk>/join/", pages.join, name="join"),
    path("assignments/<id:pk>/log/", pages.log, name="log"),
    path("assignments/<id:pk>/<slug:action>/", pages.act, name="act"),
    path("people/", pages.volunteers, name="volunteers"),
    path("people/<id:pk>/", pages.volunteer, name="volunteer"),
    path("people/import/", pages.import_volunteers, name="import"),
    path("people/import/template/", pages.import_template, name="import_template"),
    path("certificates/<id:pk>/pdf/", pages.certificate_pdf, name="certificate_pdf"),
    path("totals/", pages.totals, name="totals"),
    path("export/", pages.export, name="export"),
    path("mine/", pages.mine, name="mine"),
    path("scan/<str:token>/", pages.scan, name="scan"),
    # Without an account.
    path("v/<str:key>/", public.signup, name="signup"),
    path("v/<str:key>/qr.png", public.drive_qr, name="drive_qr"),
    path("v/<str:key>/done/<uuid:client_id>/", public.signup_done, name="signup_done"),
    path("verify/<str:code>/", public.verify, name="verify"),
    path("ical/<str:key>.ics", public.feed, name="feed"),
    # Coordinators' shift pages (views/shifts.py).
    path("sites/<id:pk>/shifts/new/", shifts.shift_new, name="shift_new"),
    path("shifts/<id:pk>/edit/", shifts.shift_edit, name="shift_edit"),
    path("shifts/<id:pk>/cancel/", shifts.shift_cancel, name="shift_cancel"),
]

# The coordinator's organisation pages (issue #13): teams, paired communities, sites,
# enrolling one volunteer, a volunteer's profile.
urlpatterns += [
    path("teams/", organisation.teams, name="teams"),
    path("teams/new/", organisation.team_new, name="team_new"),
    path("teams/<id:pk>/", organisation.team, name="team"),
    path("teams/<id:pk>/edit/", organisation.team_edit, name="team_edit"),
    path("pairings/", organisation.pairings, name="pairings"),
    path("pairings/new/", organisation.pairing_new, name="pairing_new"),
    path("pairings/<id:pk>/end/", organisation.pairing_end, name="pairing_end"),
    path("sites/", organisation.sites, name="sites"),
    path("sites/new/", organisation.site_new, name="site_new"),
    path("sites/<id:pk>/edit/", organisation.site_edit, name="site_edit"),
    path("sites/<id:pk>/renew/", organisation.site_renew, name="site_renew"),
    path("people/new/", organisation.enrol, name="enrol"),
    path("people/<id:pk>/edit/", organisation.profile_edit, name="profile_edit"),
]
