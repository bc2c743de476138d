from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from fangkong.core import capture
from fangkong.core import views as core_views
from fangkong.core.api import views as api_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", api_views.healthz, name="healthz"),
    # The service worker (offline app shell and queue, core.capture): served from the
    # root so that its scope is the whole site.
    path("sw.js", capture.service_worker, name="service_worker"),
    path("core/offline/session", capture.session, name="offline_session"),
    # Browsers ask for /favicon.ico before reading the page's icon link.
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
    path("accounts/", include("fangkong.core.urls_accounts")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("core/", include("fangkong.core.urls")),
    path("checkpoints/", include("fangkong.checkpoints.urls")),
    path("resumption/", include("fangkong.resumption.urls")),
    path("reports/", include("fangkong.reports.urls")),
    path("supplies/", include("fangkong.supplies.urls")),
    path("volunteers/", include("fangkong.volunteers.urls")),
    path("relief/", include("fangkong.relief.urls")),
    path("training/", include("fangkong.training.urls")),
    path("care/", include("fangkong.care.urls")),
    path("water/", include("fangkong.water.urls")),
    path("api/v1/", include("fangkong.api_urls")),
    path("django-admin/", admin.site.urls),
]

# Under /api/ errors keep the API's JSON shape; elsewhere the Chinese HTML pages.
handler404 = "fangkong.core.api.errors.not_found"
handler500 = "fangkong.core.api.errors.server_error"
