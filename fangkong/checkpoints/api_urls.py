"""Included at /api/v1/ (fangkong/api_urls.py)."""

from django.urls import path

from fangkong.checkpoints import api

urlpatterns = [
    path("checkpoints", api.checkpoints, name="api-checkpoints"),
    path("checkpoints/<id:pk>/passages", api.PassagesView.as_view(),
         name="api-checkpoint-passages"),
]
