from django.urls import path

from fangkong.water import views

app_name = "water"

urlpatterns = [
    path("", views.index, name="index"),
    path("utility/", views.index, name="utility"),
    path("stations/new/", views.station_new, name="station_new"),
    path("stations/<id:pk>/", views.station, name="station"),
    path("stations/<id:pk>/edit/", views.station_edit, name="station_edit"),
    path("points/new/", views.point_new, name="point_new"),
    path("points/<id:pk>/edit/", views.point_edit, name="point_edit"),
    path("points/<id:pk>/", views.point, name="point"),
    path("exceedances/<id:pk>/", views.exceedance, name="exceedance"),
    path("patrols/", views.patrols, name="patrols"),
    path("faults/", views.faults, name="faults"),
    path("faults/<id:pk>/", views.fault, name="fault"),
    path("bulletin/export/", views.bulletin, name="bulletin"),
]
