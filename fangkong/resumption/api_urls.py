"""Included at /api/v1/ (fangkong/api_urls.py): the summary and the public pass checks."""

from django.urls import path

from fangkong.resumption import api

urlpatterns = [
    path("resumption/summary", api.summary, name="api-resumption-summary"),
    path("passes/verify", api.verify, name="api-passes-verify"),
    path("passes/keys", api.keys, name="api-passes-keys"),
]
