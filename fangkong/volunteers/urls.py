from django.urls import path

from fangkong.volunteers.views import pages, public, shifts

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
