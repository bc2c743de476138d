from django.urls import path

from fangkong.core import views

app_name = "core"

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/reveal", views.person_reveal, name="person_reveal"),
    path("units/", views.units, name="units"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/pii/", views.pii_log, name="pii_log"),
]
