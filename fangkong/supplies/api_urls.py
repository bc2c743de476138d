"""Included at /api/v1/supplies/ (fangkong/api_urls.py)."""

from django.urls import path

from fangkong.supplies import api

urlpatterns = [
    path("movements", api.movements, name="api-supplies-movements"),
    path("warehouses", api.warehouses, name="api-supplies-warehouses"),
    path("balances", api.balances, name="api-supplies-balances"),
    path("items", api.items, name="api-supplies-items"),
]
