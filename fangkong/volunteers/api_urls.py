"""Included at /api/v1/volunteers/ (fangkong/api_urls.py)."""

from django.urls import path

from fangkong.volunteers import api

urlpatterns = [
    path("drives", api.drives, name="api-volunteers-drives"),
    path("totals", api.totals, name="api-volunteers-totals"),
]
