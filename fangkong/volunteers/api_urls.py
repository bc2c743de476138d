"""Included at /api/v1/volunteers/ (fangkong/api_urls.py)."""

from django.urls import path

from fangkong.volunteers import api

urlpatterns = [
    path("drives", api.drives, name="api-volunteers-drives"),
    path("totals", api.totals, name="api-volunteers-totals"),
    path("shifts", api.shifts, name="api-volunteers-shifts"),
    path("shifts/mine", api.my_shifts, name="api-volunteers-my-shifts"),
    path("assignments/<id:pk>/check-in", api.check_in, name="api-volunteers-check-in"),
    path("assignments/<id:pk>/check-out", api.check_out, name="api-volunteers-check-out"),
    path("assignments/<id:pk>/confirm", api.confirm, name="api-volunteers-confirm"),
]
