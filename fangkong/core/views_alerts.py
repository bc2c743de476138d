"""The alerts inbox: every module's alerts in one list, closed with an outcome.

Modules only open alerts (``core.services.alerts.open_alert`` with a kind they declare);
listing, filtering and closing them is this page's, so no module writes its own.
A user sees the alerts under their grants (``visible_to``) and closes those whose unit
they may edit; closing needs an outcome (the service refuses an empty one).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.forms import AlertFilterForm, CloseAlertForm
from fangkong.core.models import Alert
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import capability_required, get_for_user, scope_for
from fangkong.core.services.alerts import close_alert

PAGE_SIZE = 50
#: The list's parameters a close form carries, so the list comes back as it was.
KEPT_PARAMETERS = ("status", "kind", "page")


def inbox_url(params: Any) -> str:
    """The inbox with the list parameters of ``params`` (a QueryDict), nothing else."""
    kept = {k: params.get(k) for k in KEPT_PARAMETERS if params.get(k)}
    return reverse("core:alerts") + (f"?{urlencode(kept)}" if kept else "")


@capability_required(Cap.VIEW)
def alerts(request: HttpRequest) -> HttpResponse:
    form = AlertFilterForm(request.GET)
    qs = Alert.objects.visible_to(request.user).select_related("org_unit", "closed_by")
    if form.is_valid():
        status = form.cleaned_data["status"] or "open"
        if status != "all":
            qs = qs.filter(status=status)
        if form.cleaned_data["kind"]:
            qs = qs.filter(kind=form.cleaned_data["kind"])
    else:
        qs = qs.none()
    page = Paginator(qs.order_by("-opened_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    scope = scope_for(request.user)
    for alert in page.object_list:
        alert.can_close = alert.status == "open" and scope.can(Cap.EDIT, alert.unit_path)
    kept = {k: request.GET.get(k) for k in KEPT_PARAMETERS if request.GET.get(k)}
    return render(request, "core/alerts.html", {
        "page": page, "form": form, "close_form": CloseAlertForm(), "kept": kept,
    })


@require_POST
@capability_required(Cap.EDIT)
def alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_for_user(Alert, request.user, Cap.EDIT, pk=pk)
    form = CloseAlertForm(request.POST)
    if form.is_valid():
        try:
            close_alert(alert, actor=request.user, outcome=form.cleaned_data["outcome"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Alert closed."))
    else:
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
    return redirect(inbox_url(request.POST))
