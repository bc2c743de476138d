"""The outsider register: 14 days of observation, two checks a day, missed checks."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.checkpoints import services
from fangkong.checkpoints.forms import OutsiderForm, ReleaseForm, TemperatureCheckForm
from fangkong.checkpoints.models import Outsider, OutsiderStatus
from fangkong.core.exports import export_view
from fangkong.core.forms import add_errors
from fangkong.core.models.accounts import Cap
from fangkong.core.models.territory import Level
from fangkong.core.scoping import (
    capability_required,
    get_for_user,
    scope_for,
    units_visible_to,
)
from fangkong.core.services.people import clean_person_data


@capability_required(Cap.VIEW)
def index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", OutsiderStatus.OBSERVING)
    qs = Outsider.objects.visible_to(request.user).select_related("person", "org_unit")
    if status in OutsiderStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.prefetch_related("checks").order_by("-arrived_on", "pk"), 50).get_page(
        request.GET.get("page"))
    for o in page:
        o.missed = services.missed_checks(o)
    return render(request, "checkpoints/outsiders.html", {
        "page": page, "status": status,
        "can_edit": scope_for(request.user).can(Cap.EDIT),
    })


@capability_required(Cap.EDIT)
def register(request: HttpRequest) -> HttpResponse:
    communities = units_visible_to(request.user, Cap.EDIT, level=Level.COMMUNITY)
    form = OutsiderForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = data["community"]
        try:
            person = clean_person_data(id_number=data["id_number"], name=data["name"],
                                       phone=data["phone"])
            outsider, created = services.register_outsider(
                request.user, unit, person, arrived_on=data["arrived_on"],
                origin=data["origin"], host_address=data["host_address"],
                from_watched_area=data["from_watched_area"], reason=data["reason"],
                client_id=data["client_id"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if not created:
                messages.info(request, _("This person is already under observation here."))
            return redirect("checkpoints:outsider", pk=outsider.pk)
    return render(request, "checkpoints/outsider_form.html", {"form": form})


def _get(request: HttpRequest, pk: int, capability: str = Cap.VIEW) -> Outsider:
    return get_for_user(Outsider.objects.select_related("person", "org_unit"), request.user,
                        capability, pk=pk)


@capability_required(Cap.VIEW)
def detail(request: HttpRequest, pk: int, check_form=None, release_form=None) -> HttpResponse:
    outsider = _get(request, pk)
    return render(request, "checkpoints/outsider.html", {
        "outsider": outsider, "checks": outsider.checks.order_by("day", "slot"),
        "missed": services.missed_checks(outsider),
        "can_edit": scope_for(request.user).can(Cap.EDIT, outsider.unit_path),
        "check_form": check_form or TemperatureCheckForm(),
        "release_form": release_form or ReleaseForm(),
    })


@require_POST
@capability_required(Cap.EDIT)
def check(request: HttpRequest, pk: int) -> HttpResponse:
    outsider = _get(request, pk, Cap.EDIT)
    form = TemperatureCheckForm(request.POST)
    if form.is_valid():
        try:
            result, _created = services.record_temperature(request.user, outsider,
                                                          **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if result.fever:
                messages.error(request, _("Fever recorded: an alert was raised."))
            return redirect("checkpoints:outsider", pk=pk)
    return detail(request, pk, check_form=form)


@require_POST
@capability_required(Cap.EDIT)
def release(request: HttpRequest, pk: int) -> HttpResponse:
    outsider = _get(request, pk, Cap.EDIT)
    form = ReleaseForm(request.POST)
    if form.is_valid():
        try:
            services.release_outsider(request.user, outsider, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Released from observation."))
            return redirect("checkpoints:outsider", pk=pk)
    return detail(request, pk, release_form=form)


@capability_required(Cap.VIEW)
def export(request: HttpRequest) -> HttpResponse:
    return export_view(request, "outsiders", back=reverse("checkpoints:outsiders"))
