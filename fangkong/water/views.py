"""Water pages: the utility's overview, a station (roster, gaps, handovers, gate), a
sampling point (readings and the reading form), an exceedance (re-test, close), patrols,
faults and the monthly bulletin.

Every record is fetched in the user's scope (404 outside it); what hangs off it is looked
up under it. Writes go through ``services``, which authorise again.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import capture
from fangkong.core.dataday import data_day
from fangkong.core.exports import export_view
from fangkong.core.forms import add_errors
from fangkong.core.roles import Cap, Role
from fangkong.core.scoping import capability_required, get_for_user
from fangkong.water import forms as f
from fangkong.water import services
from fangkong.water.exporters import parse_month
from fangkong.water.models import (
    Exceedance,
    Fault,
    Handover,
    Patrol,
    Reading,
    SamplingPoint,
    Shift,
    Station,
)

ROLES = (Role.UTILITY_OPERATOR,)
view_required = capability_required(Cap.VIEW, roles=ROLES)


def _utility(request: HttpRequest):
    """The utility the page is about: ``?utility=<id>`` among those the user may see, or
    the first of them; None when the user sees none."""
    utilities = services.utilities_for(request.user, Cap.VIEW)
    raw = request.GET.get("utility") or request.POST.get("utility")
    if raw:
        try:
            found = utilities.filter(pk=int(raw)).first()
        except ValueError:
            found = None
        if found is None:
            raise Http404
        return found, utilities
    return utilities.first(), utilities


def _now_local() -> datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


@view_required
def index(request: HttpRequest) -> HttpResponse:
    utility, utilities = _utility(request)
    points = SamplingPoint.objects.visible_to(request.user).select_related("station")
    stations = Station.objects.visible_to(request.user)
    exceedances = Exceedance.objects.visible_to(request.user).select_related(
        "reading__point")
    faults = Fault.objects.visible_to(request.user).filter(repaired_at__isnull=True)
    if utility is not None:
        points, stations = points.filter(organisation=utility), stations.filter(
            organisation=utility)
        exceedances = exceedances.filter(organisation=utility)
        faults = faults.filter(organisation=utility)
    day = data_day()
    return render(request, "water/index.html", {
        "utility": utility, "utilities": utilities, "points": points, "stations": stations,
        "open_exceedances": exceedances.filter(closed_at__isnull=True),
        "faults": faults.order_by("-hospital", "reported_at"), "day": day,
        "can_manage": utility is not None and services.may_manage(request.user, utility),
        "month": f"{day:%Y-%m}",
    })


@view_required
def station(request: HttpRequest, pk: int) -> HttpResponse:
    st = get_for_user(Station.objects.select_related("organisation", "gate"), request.user,
                      Cap.VIEW, pk=pk)
    can_edit = services.may(request.user, st)
    day = data_day()
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=2)
    shift_form = f.ShiftForm(prefix="shift")
    handover_form = f.HandoverForm(prefix="handover", initial={"at": _now_local()})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if "shift-person_name" in request.POST:
            shift_form = f.ShiftForm(request.POST, prefix="shift")
            if shift_form.is_valid():
                d = shift_form.cleaned_data
                try:
                    services.add_shift(request.user, st, person_name=d["person_name"],
                                       starts_at=d["starts_at"], ends_at=d["ends_at"])
                except ValidationError as exc:
                    add_errors(shift_form, exc)
                else:
                    return redirect("water:station", pk=st.pk)
        else:
            handover_form = f.HandoverForm(request.POST, prefix="handover")
            if handover_form.is_valid():
                d = handover_form.cleaned_data
                try:
                    services.record_handover(
                        request.user, st, client_id=d["client_id"], at=d["at"],
                        outgoing=d["outgoing"], incoming=d["incoming"], note=d["note"],
                        outgoing_signature=d["outgoing_signature"],
                        incoming_signature=d["incoming_signature"], made_at=d["made_at"])
                except ValidationError as exc:
                    add_errors(handover_form, exc)
                else:
                    return redirect(reverse("water:station", args=[st.pk]) + "#handovers")
    gate_passages = None
    if st.gate_id:
        from fangkong.checkpoints.models import PassageDaily

        gate_passages = PassageDaily.objects.filter(checkpoint_id=st.gate_id, day=day).first()
    return render(request, "water/station.html", {
        "station": st, "can_edit": can_edit, "day": day,
        "shifts": Shift.objects.filter(station=st, ends_at__gt=start, starts_at__lt=end),
        "gaps": services.cover_gaps(st, start, end),
        "handovers": Handover.objects.filter(station=st)[:10],
        "shift_form": shift_form if can_edit else None,
        "handover_form": handover_form if can_edit else None,
        "points": st.points.visible_to(request.user), "gate_passages": gate_passages,
        "can_add_point": services.may_manage(request.user, st.organisation),
    })


@capture.shell_page
@view_required
def point(request: HttpRequest, pk: int) -> HttpResponse:
    """A sampling point: its readings and the reading form, which works offline (the
    phone's queue, ``core.capture``): its shell carries no readings and no names."""
    p = get_for_user(SamplingPoint.objects.select_related("station", "organisation"),
                     request.user, Cap.VIEW, pk=pk)
    shell = capture.is_shell(request)
    can_edit = services.may(request.user, p)
    retest_of = None
    raw_retest = request.GET.get("retest") or request.POST.get("retest")
    if raw_retest:
        retest_of = Reading.objects.filter(point=p, pk=raw_retest if raw_retest.isdigit()
                                           else 0).first()
        if retest_of is None:
            raise Http404
    # The sampler is the user (whose name the page's top bar shows, in the shell too).
    initial = {"taken_at": _now_local(), "sampler": request.user.get_full_name()}
    last = request.GET.get("saved", "")
    if retest_of is not None:
        initial["indicator"] = retest_of.indicator
    elif last.isdigit():
        # The next reading is most often the same indicator at the next point or time.
        initial["indicator"] = Reading.objects.filter(point=p, pk=int(last)).values_list(
            "indicator", flat=True).first()
    form = f.ReadingForm(request.POST or None, initial=initial,
                         indicators=services.indicator_choices(p))
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                reading, created = services.record_reading(
                    request.user, p, client_id=d["client_id"], indicator=d["indicator"],
                    value=d["value"], taken_at=d["taken_at"], sampler=d["sampler"],
                    instrument=d["instrument"], retest_of=retest_of, made_at=d["made_at"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                if capture.from_queue(request):
                    return capture.form_answer(request, HttpResponse(_("Saved.")), form,
                                               created)
                return redirect(reverse("water:point", args=[p.pk]) + f"?saved={reading.pk}")
    readings = Reading.objects.none() if shell else p.readings.select_related(
        "exceedance").order_by("-taken_at", "-pk")
    page = Paginator(readings, 15).get_page(request.GET.get("page"))
    saved = None
    if not shell and request.GET.get("saved", "").isdigit():
        saved = Reading.objects.filter(point=p, pk=int(request.GET["saved"])).select_related(
            "exceedance").first()
    response = render(request, "water/point.html", {
        "point": p, "form": form if can_edit else None, "saved": saved, "can_edit": can_edit,
        "station_visible": Station.objects.visible_to(request.user).filter(
            pk=p.station_id).exists(),
        "retest_of": retest_of, "shell": shell,
        "readings": page, "page": page, "phone_checks": services.phone_checks(),
    })
    if request.method == "POST":
        return capture.form_answer(request, response, form)
    return response


@view_required
def exceedance(request: HttpRequest, pk: int) -> HttpResponse:
    exc = get_for_user(Exceedance.objects.select_related(
        "reading__point", "retest", "alert", "closed_by"), request.user, Cap.VIEW, pk=pk)
    can_edit = services.may(request.user, exc)
    form = f.CloseForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.close_exceedance(request.user, exc, form.cleaned_data["note"])
            except ValidationError as err:
                add_errors(form, err)
            else:
                return redirect("water:exceedance", pk=exc.pk)
    retests = Reading.objects.filter(retest_of=exc.reading).order_by("taken_at")
    return render(request, "water/exceedance.html", {
        "exc": exc, "reading": exc.reading, "retests": retests, "can_edit": can_edit,
        "form": form if can_edit and exc.is_open else None,
    })


@view_required
def patrols(request: HttpRequest) -> HttpResponse:
    utility, utilities = _utility(request)
    if utility is None:
        raise Http404
    points = SamplingPoint.objects.filter(organisation=utility).order_by("point_type", "name")
    can_edit = services.may(request.user, Patrol(organisation=utility,
                                                 unit_path=utility.unit_path))
    form = f.PatrolForm(request.POST or None, points=[(p.pk, p.name) for p in points],
                        initial={"day": timezone.localdate(),
                                 "patroller": request.user.get_full_name()})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            chosen = list(points.filter(pk__in=[int(x) for x in d["points"]]))
            try:
                services.record_patrol(
                    request.user, utility, utility.org_unit, client_id=d["client_id"],
                    day=d["day"], route=d["route"], patroller=d["patroller"], points=chosen,
                    findings=d["findings"], made_at=d["made_at"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return redirect(reverse("water:patrols") + f"?utility={utility.pk}")
    rows = (Patrol.objects.visible_to(request.user).filter(organisation=utility)
            .prefetch_related("points")[:60])
    return render(request, "water/patrols.html", {
        "utility": utility, "utilities": utilities, "patrols": rows,
        "form": form if can_edit else None})


@view_required
def faults(request: HttpRequest) -> HttpResponse:
    utility, utilities = _utility(request)
    if utility is None:
        raise Http404
    points = SamplingPoint.objects.filter(organisation=utility).order_by("point_type", "name")
    can_edit = services.may(request.user, Fault(organisation=utility,
                                                unit_path=utility.unit_path))
    form = f.FaultForm(request.POST or None, points=[(p.pk, p.name) for p in points],
                       initial={"reported_at": _now_local()})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            near = points.filter(pk=d["point"]).first() if d["point"] else None
            try:
                fault, _created = services.report_fault(
                    request.user, utility, near.org_unit if near else utility.org_unit,
                    client_id=d["client_id"], location=d["location"], kind=d["kind"],
                    reported_by=d["reported_by"], reported_at=d["reported_at"], point=near,
                    description=d["description"], hospital=d["hospital"],
                    made_at=d["made_at"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return redirect("water:fault", pk=fault.pk)
    rows = (Fault.objects.visible_to(request.user).filter(organisation=utility)
            .select_related("point")[:60])
    return render(request, "water/faults.html", {
        "utility": utility, "utilities": utilities, "faults": rows,
        "form": form if can_edit else None})


@view_required
def fault(request: HttpRequest, pk: int) -> HttpResponse:
    ft = get_for_user(Fault.objects.select_related("point", "organisation"), request.user,
                      Cap.VIEW, pk=pk)
    can_edit = services.may(request.user, ft)
    dispatch = f.DispatchForm(prefix="d", initial={"dispatched_at": _now_local()})
    repair = f.RepairForm(prefix="r", initial={"repaired_at": _now_local()})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if "d-crew" in request.POST:
            dispatch = f.DispatchForm(request.POST, prefix="d")
            if dispatch.is_valid():
                try:
                    services.dispatch_fault(request.user, ft, crew=dispatch.cleaned_data["crew"],
                                            at=dispatch.cleaned_data["dispatched_at"])
                except ValidationError as exc:
                    add_errors(dispatch, exc)
                else:
                    return redirect("water:fault", pk=ft.pk)
        else:
            repair = f.RepairForm(request.POST, prefix="r")
            if repair.is_valid():
                try:
                    services.repair_fault(request.user, ft,
                                          at=repair.cleaned_data["repaired_at"],
                                          note=repair.cleaned_data["repair_note"])
                except ValidationError as exc:
                    add_errors(repair, exc)
                else:
                    return redirect("water:fault", pk=ft.pk)
    return render(request, "water/fault.html", {
        "fault": ft, "can_edit": can_edit,
        "can_list": services.utilities_for(request.user, Cap.VIEW).filter(
            pk=ft.organisation_id).exists(),
        "dispatch": dispatch if can_edit and not ft.dispatched_at else None,
        "repair": repair if can_edit and not ft.repaired_at else None})


@view_required
def bulletin(request: HttpRequest) -> HttpResponse:
    utility, _utilities = _utility(request)
    try:
        parse_month(request.GET.get("month"))
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    extra: dict[str, Any] = {"utility": utility.pk} if utility else {}
    if request.GET.get("format") == "pdf":
        # The document to publish: the same exporter, the same rows, drawn as a PDF
        # (a utility's points are a page or two: never a background job).
        from fangkong.core import exports
        from fangkong.water.bulletin_pdf import pdf_response

        exporter = exports.build(exports.get_kind("water_bulletin"), request.user,
                                 exports.filters_of(request, extra))
        return pdf_response(exporter)
    return export_view(request, "water_bulletin", back=reverse("water:index"), extra=extra)


# --- adding and editing stations and sampling points ------------------------------------

def _manageable_utility(request: HttpRequest):
    """The utility named by ``?utility=`` (404 outside the user's view), which the user
    must be allowed to manage (403 otherwise: no page links here then)."""
    utility, _utilities = _utility(request)
    if utility is None:
        raise Http404
    if not services.may_manage(request.user, utility):
        raise PermissionDenied
    return utility


def _unit_choices(user: Any, utility: Any) -> list[tuple[str, str]]:
    """Towns, and their communities named under them ("新城街道 · 文昌社区")."""
    units = list(services.units_for(user, utility))
    names = {u.path: u.name for u in units}
    step = type(units[0]).steplen if units else 0
    return [(u.code, f"{names[u.path[:-step]]} · {u.name}" if u.path[:-step] in names
             else u.name) for u in units]


def _station_choices(user: Any, utility: Any) -> list[tuple[int, str]]:
    return [(s.pk, s.name) for s in Station.objects.visible_to(user).filter(
        organisation=utility).order_by("kind", "name")]


def _unit(user: Any, utility: Any, code: str):
    return services.units_for(user, utility).filter(code=code).first()


@view_required
def station_new(request: HttpRequest) -> HttpResponse:
    utility = _manageable_utility(request)
    form = f.StationForm(request.POST or None, units=_unit_choices(request.user, utility))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            st, _created = services.create_station(
                request.user, utility, _unit(request.user, utility, d["unit"]),
                client_id=d["client_id"], name=d["name"], kind=d["kind"],
                address=d["address"], capacity=d["capacity"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("water:station", pk=st.pk)
    return render(request, "water/site_form.html", {
        "form": form, "utility": utility, "title": _("New station"),
        "back": reverse("water:index") + f"?utility={utility.pk}"})


@view_required
def station_edit(request: HttpRequest, pk: int) -> HttpResponse:
    st = get_for_user(Station.objects.select_related("organisation", "org_unit"),
                      request.user, Cap.VIEW, pk=pk)
    if not services.may(request.user, st):
        raise PermissionDenied
    utility = st.organisation
    form = f.StationEditForm(request.POST or None, units=_unit_choices(request.user, utility),
                             initial={"name": st.name, "kind": st.kind,
                                      "unit": st.org_unit.code, "address": st.address,
                                      "capacity": st.capacity, "is_active": st.is_active})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_station(
                request.user, st, _unit(request.user, utility, d["unit"]), name=d["name"],
                kind=d["kind"], address=d["address"], capacity=d["capacity"],
                is_active=d["is_active"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("water:station", pk=st.pk)
    return render(request, "water/site_form.html", {
        "form": form, "utility": utility, "title": _("Edit station"), "record": st,
        "back": reverse("water:station", args=[st.pk])})


def _station(user: Any, utility: Any, pk: Any):
    return (Station.objects.visible_to(user).filter(organisation=utility, pk=pk).first()
            if pk else None)


@view_required
def point_new(request: HttpRequest) -> HttpResponse:
    utility = _manageable_utility(request)
    initial: dict[str, Any] = {}
    raw = request.GET.get("station", "")
    if raw.isdigit() and _station(request.user, utility, int(raw)):
        initial["station"] = int(raw)
    form = f.PointForm(request.POST or None, initial=initial,
                       units=_unit_choices(request.user, utility),
                       stations=_station_choices(request.user, utility))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            p, _created = services.create_point(
                request.user, utility, _station(request.user, utility, d["station"]),
                _unit(request.user, utility, d["unit"]), client_id=d["client_id"],
                name=d["name"], point_type=d["point_type"], disinfectant=d["disinfectant"],
                near_kind=d["near_kind"], near_name=d["near_name"], address=d["address"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("water:point", pk=p.pk)
    back = (reverse("water:station", args=[initial["station"]]) if "station" in initial
            else reverse("water:index") + f"?utility={utility.pk}")
    return render(request, "water/site_form.html", {
        "form": form, "utility": utility, "title": _("New sampling point"), "back": back})


@view_required
def point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_for_user(SamplingPoint.objects.select_related("organisation", "org_unit"),
                     request.user, Cap.VIEW, pk=pk)
    if not services.may(request.user, p):
        raise PermissionDenied
    utility = p.organisation
    form = f.PointEditForm(
        request.POST or None, units=_unit_choices(request.user, utility),
        stations=_station_choices(request.user, utility),
        initial={"name": p.name, "point_type": p.point_type, "station": p.station_id,
                 "disinfectant": p.disinfectant, "near_kind": p.near_kind,
                 "near_name": p.near_name, "unit": p.org_unit.code, "address": p.address,
                 "is_active": p.is_active})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_point(
                request.user, p, _station(request.user, utility, d["station"]),
                _unit(request.user, utility, d["unit"]), name=d["name"],
                point_type=d["point_type"], disinfectant=d["disinfectant"],
                near_kind=d["near_kind"], near_name=d["near_name"], address=d["address"],
                is_active=d["is_active"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("water:point", pk=p.pk)
    return render(request, "water/site_form.html", {
        "form": form, "utility": utility, "title": _("Edit sampling point"), "record": p,
        "back": reverse("water:point", args=[p.pk])})
