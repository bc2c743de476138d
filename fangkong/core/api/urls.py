from django.urls import include, path

from fangkong.core.api import views

urlpatterns = [
    path("auth/token", views.TokenView.as_view(), name="api-token"),
    path("people", views.people, name="api-people"),
    path("people/<id:pk>", views.person_detail, name="api-person"),
    path("", include("fangkong.core.api.alerts")),
    path("", include("fangkong.core.api.jobs")),
]
