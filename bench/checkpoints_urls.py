"""The project's URLs plus ``bench/minimal-passage/<checkpoint id>`` (bench only)."""

from django.urls import path

from bench.checkpoints_minimal import minimal_passage
from fangkong.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("bench/minimal-passage/<int:pk>", minimal_passage),
]
