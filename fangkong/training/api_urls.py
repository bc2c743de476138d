"""Included at /api/v1/training/ (fangkong/api_urls.py)."""

from django.urls import path

from fangkong.training import api

urlpatterns = [
    path("sessions", api.sessions, name="api-training-sessions"),
]
