"""The person's notices (/core/notices/): what reached them, newest first, unread marked."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fangkong.core.models import Notice
from fangkong.core.services.notices import mark_read

PAGE_SIZE = 30


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    qs = Notice.objects.for_user(request.user)
    page = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "core/notices.html", {
        "page": page, "unread": qs.unread().count(),
    })


@require_POST
@login_required
def notices_read(request: HttpRequest) -> HttpResponse:
    mark_read(request.user)
    return redirect("core:notices")


@login_required
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one's own notice read and go where it points (another's answers 404)."""
    notice = get_object_or_404(Notice.objects.for_user(request.user), pk=pk)
    mark_read(request.user, [notice.pk])
    if notice.url and url_has_allowed_host_and_scheme(
            notice.url, allowed_hosts={request.get_host()},
            require_https=request.is_secure()):
        return redirect(notice.url)
    return redirect("core:notices")
