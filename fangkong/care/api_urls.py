"""Included at /api/v1/care/ (fangkong/api_urls.py)."""

from django.urls import path

from fangkong.care import api

urlpatterns = [
    path("totals", api.totals, name="api-care-totals"),
    path("workers", api.workers, name="api-care-workers"),
    path("workers/<id:pk>", api.worker, name="api-care-worker"),
    path("workers/<id:pk>/services", api.worker_services, name="api-care-worker-services"),
    path("elderly", api.elderly_list, name="api-care-elderly"),
    path("elderly/<id:pk>/requests", api.elderly_requests, name="api-care-elderly-requests"),
    path("taskforces", api.task_forces, name="api-care-taskforces"),
    path("taskforces/<id:pk>", api.task_force, name="api-care-taskforce"),
]
