"""Included at /api/v1/relief/ (fangkong/api_urls.py)."""

from django.urls import path

from fangkong.relief import api

urlpatterns = [
    path("quote", api.quote, name="api-relief-quote"),
    path("applications/<id:pk>", api.application, name="api-relief-application"),
]
