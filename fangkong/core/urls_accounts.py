from django.contrib.auth import views as auth_views
from django.urls import path

from fangkong.core.forms import LoginForm


class LogoutView(auth_views.LogoutView):
    """Logging out also empties the browser's storage for the site: the offline queue
    (IndexedDB) and the service worker's cache (core.capture; offline.js clears the
    queue first and asks when records are unsent)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(
        authentication_form=LoginForm, redirect_authenticated_user=True,
    ), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
]
