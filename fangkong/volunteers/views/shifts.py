"""The coordinator's shift pages: a new shift at a site, changing a shift's window and
capacity, cancelling it with a reason. Records are fetched in the user's scope (404
outside it, and for one who sees the site but may not run it); the services authorise
again and hold the rules (capacity against the places held, the waiting list, the
notices). Bad input answers 422 with the message under its field."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core import capture
from fangkong.core.dataday import data_day
from fangkong.core.forms import add_errors
from fangkong.core.scoping import get_for_user
from fangkong.volunteers import forms as f
from fangkong.volunteers import services
from fangkong.volunteers.models import PLACED, Shift, Site
from fangkong.volunteers.views.pages import view_required


def earliest() -> datetime:
    """Where a new or moved shift may start: now, or on a copy of an old data set (the
    demo city of 2020 on a later clock) the start of its data day (``core.dataday``)."""
    now = timezone.now()
    day = data_day()
    if day >= timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.combine(day, time.min))


def _site(request: HttpRequest, pk: int) -> Site:
    obj = get_for_user(Site.objects.select_related("org_unit"), request.user, pk=pk)
    if not services.may_coordinate(request.user, obj.unit_path):
        raise Http404
    return obj


def _shift(request: HttpRequest, pk: int) -> Shift:
    obj = get_for_user(Shift.objects.select_related("site", "org_unit"), request.user, pk=pk)
    if not services.may_coordinate(request.user, obj.unit_path):
        raise Http404
    return obj


def _page(request: HttpRequest, context: dict[str, Any], *, failed: bool) -> HttpResponse:
    return render(request, "volunteers/shift_form.html", context, status=422 if failed else 200)


@view_required
def shift_new(request: HttpRequest, pk: int) -> HttpResponse:
    site = _site(request, pk)
    start = timezone.localtime(earliest()).replace(second=0, microsecond=0)
    form = f.ShiftForm(request.POST or None, initial={"capacity": 2})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            shift, created = services.create_shift(
                request.user, site, client_id=d["client_id"], starts_at=d["starts_at"],
                ends_at=d["ends_at"], capacity=d["capacity"], tasks=d["tasks"],
                requirements=d["requirements"], party_members_only=d["party_members_only"],
                made_at=d.get("made_at"), earliest=earliest())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return capture.form_answer(
                request, redirect("volunteers:shift", pk=shift.pk), form, created)
    response = _page(request, {
        "form": form, "site": site, "title": _("New shift at %(site)s") % {"site": site.name},
        "submit": _("Add the shift"), "back": reverse("volunteers:site", args=[site.pk]),
        "back_label": site.name,
        "hint": _("A shift must end after %(at)s and start no earlier than that day.") % {
            "at": start.strftime("%Y-%m-%d %H:%M")},
    }, failed=bool(form.errors))
    if request.method == "POST":
        return capture.form_answer(request, response, form)
    return response


def _edit_context(shift: Shift, form: Any, cancel_form: Any) -> dict[str, Any]:
    return {
        "form": form, "cancel_form": cancel_form, "shift": shift, "site": shift.site,
        "title": _("Change the shift"), "submit": _("Save the changes"),
        "back": reverse("volunteers:shift", args=[shift.pk]),
        "back_label": f"{shift.site.name} "
                      f"{timezone.localtime(shift.starts_at):%Y-%m-%d %H:%M}",
        "placed": shift.assignments.filter(status__in=PLACED).count(),
    }


@view_required
def shift_edit(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _shift(request, pk)
    if shift.is_cancelled:
        messages.error(request, _("This shift was cancelled: it cannot be changed."))
        return redirect("volunteers:shift", pk=pk)
    form = f.ShiftEditForm(request.POST or None, initial={
        "starts_at": shift.starts_at, "ends_at": shift.ends_at, "capacity": shift.capacity,
        "tasks": shift.tasks, "requirements": shift.requirements})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.edit_shift(request.user, shift, starts_at=d["starts_at"],
                                ends_at=d["ends_at"], capacity=d["capacity"], tasks=d["tasks"],
                                requirements=d["requirements"], earliest=earliest())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The shift is changed."))
            return redirect("volunteers:shift", pk=pk)
    return _page(request, _edit_context(shift, form, f.ShiftCancelForm()),
                 failed=bool(form.errors))


@require_POST
@view_required
def shift_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _shift(request, pk)
    form = f.ShiftCancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_shift(request.user, shift, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The shift is cancelled; its volunteers are told."))
            return redirect("volunteers:shift", pk=pk)
    if shift.is_cancelled:
        return redirect("volunteers:shift", pk=pk)
    edit = f.ShiftEditForm(initial={
        "starts_at": shift.starts_at, "ends_at": shift.ends_at, "capacity": shift.capacity,
        "tasks": shift.tasks, "requirements": shift.requirements})
    return _page(request, _edit_context(shift, edit, form), failed=True)
