from django.urls import path

from fangkong.core.api import views

urlpatterns = [
    path("auth/token", views.token, name="api-token"),
    path("people", views.people_create, name="api-people"),
    path("people/<int:pk>", views.people_detail, name="api-person"),
]
