"""Included at /api/v1/water/ (fangkong/api_urls.py)."""

from django.urls import path

from fangkong.water import api

urlpatterns = [
    path("points", api.points, name="api-water-points"),
    path("readings", api.readings, name="api-water-readings"),
]
