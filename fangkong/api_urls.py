"""Every module's API under /api/v1/, plus the OpenAPI document and interactive docs.

Both need a login, in development as in production (docs/decisions/security-headers.md):
the schema answers 401 without a session or a bearer token (``SERVE_PERMISSIONS``), the
docs page sends a browser to the login page. The docs are Swagger UI served as a page
plus a separate script (the split view), so that the page runs without inline script.
"""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("fangkong.core.api.urls")),
    path("", include("fangkong.checkpoints.api_urls")),
    path("", include("fangkong.resumption.api_urls")),
    path("reports/", include("fangkong.reports.api_urls")),
    path("supplies/", include("fangkong.supplies.api_urls")),
    path("volunteers/", include("fangkong.volunteers.api_urls")),
    path("relief/", include("fangkong.relief.api_urls")),
    path("training/", include("fangkong.training.api_urls")),
    path("care/", include("fangkong.care.api_urls")),
    path("water/", include("fangkong.water.api_urls")),
    path("schema", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
         name="api-docs"),
]
