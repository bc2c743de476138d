"""Every module's API under /api/v1/, plus the OpenAPI document and interactive docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("fangkong.core.api.urls")),
    path("", include("fangkong.checkpoints.api_urls")),
    path("reports/", include("fangkong.reports.api_urls")),
    path("schema", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
