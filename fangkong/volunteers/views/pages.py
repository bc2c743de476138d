"""The coordinators' pages (drives, sites, shifts, volunteers, totals) and the
volunteer's own (my shifts, the site QR scan). Records are fetched in the user's scope
(404 outside it); writes go through ``services``, which authorise again."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.dataday import data_day
from fangkong.core.exports import export_view
from fangkong.core.forms import add_errors
from fangkong.core.models import Organisation
from fangkong.core.roles import Cap
from fangkong.core.scoping import capability_required, get_for_user, scope_for, units_visible_to
from fangkong.volunteers import forms as f
from fangkong.volunteers import pdf, services
from fangkong.volunteers.access import ORG_ROLES, VOLUNTEER_ROLES
from fangkong.volunteers.models import (
    ACTIVE,
    PLACED,
    Assignment,
    Certificate,
    Drive,
    Pairing,
    Shift,
    Site,
    Status,
    Team,
    Volunteer,
)

view_required = capability_required(Cap.VIEW, roles=ORG_ROLES)


def _day_bounds(day: Any) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


@view_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    day = data_day()
    start, end = _day_bounds(day)
    drives = (Drive.objects.visible_to(user).select_related("organisation", "org_unit")
              .order_by("-opened_at")[:20])
    sites = Site.objects.visible_to(user).select_related("org_unit").annotate(
        n=Count("shifts"))[:100]
    shifts = (Shift.objects.visible_to(user).filter(starts_at__lt=end, ends_at__gte=start)
              .select_related("site").annotate(placed=Count(
                  "assignments", filter=Q(assignments__status__in=PLACED))))
    pairings = (Pairing.objects.visible_to(user).active()
                .select_related("organisation", "org_unit")[:50])
    teams = Team.objects.visible_to(user).select_related("organisation", "org_unit").annotate(
        n=Count("members"))[:50]
    return render(request, "volunteers/index.html", {
        "drives": drives, "sites": sites, "shifts": shifts, "day": day,
        "pairings": pairings, "teams": teams,
        "can_create": bool(units_visible_to(user, Cap.EDIT).exists()
                           or _organisations(user).exists()),
        "can_make_sites": units_visible_to(user, Cap.EDIT).exists(),
    })


def _organisations(user: Any) -> Any:
    scope = scope_for(user)
    if scope.is_global(Cap.EDIT):
        return Organisation.objects.filter(is_active=True)
    ids = {g.organisation_id for g in scope.grants if g.role in ORG_ROLES and g.organisation_id}
    return Organisation.objects.filter(Q(pk__in=ids) | Q(
        pk__in=Organisation.objects.visible_to(user, Cap.EDIT).values("pk")))


@view_required
def drive_new(request: HttpRequest) -> HttpResponse:
    from fangkong.core.models import OrgUnit

    scope = scope_for(request.user)
    units = units_visible_to(request.user, Cap.EDIT)
    if not units.exists():  # a liaison: its organisation's unit and paired communities
        orgs = {g.organisation_id for g in scope.grants if g.role in ORG_ROLES}
        units = OrgUnit.objects.filter(Q(pk__in=Organisation.objects.filter(
            pk__in=orgs).values("org_unit_id")) | Q(pk__in=Pairing.objects.active().filter(
                organisation_id__in=orgs).values("org_unit_id")))
    form = f.DriveForm(request.POST or None, units=units,
                       organisations=_organisations(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            drive, _created = services.create_drive(
                request.user, d["community"], client_id=d["client_id"], title=d["title"],
                organisation=d["organisation"], target=d["target"], opened_at=d["opened_at"],
                closes_at=d["closes_at"], description=d["description"])
        except PermissionDenied:
            form.add_error("organisation", _("You may not open drives for this organisation "
                                             "in this unit."))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("volunteers:drive", pk=drive.pk)
    return render(request, "volunteers/form.html", {
        "form": form, "title": _("New volunteer drive"), "submit": _("Open the drive"),
        "back": reverse("volunteers:index")})


@view_required
def drive(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Drive.objects.select_related("organisation", "org_unit", "team"),
                       request.user, pk=pk)
    signups = obj.signups.select_related("person", "volunteer").order_by("submitted_at", "pk")
    return render(request, "volunteers/drive.html", {
        "drive": obj, "signups": signups,
        "public_url": request.build_absolute_uri(
            reverse("volunteers:signup", args=[obj.public_key])),
        "can_edit": services.may_coordinate(request.user, obj.unit_path, obj.organisation_id),
    })


@require_POST
@view_required
def take_on(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    obj = get_for_user(Drive, request.user, pk=pk)
    signup = obj.signups.filter(pk=sid).select_related("person", "drive").first()
    if signup is None:
        raise Http404
    volunteer = services.take_on(request.user, signup)
    messages.success(request, _("%(name)s is now a volunteer.") % {"name": volunteer.masked_name})
    return redirect("volunteers:drive", pk=pk)


@view_required
def site(request: HttpRequest, pk: int) -> HttpResponse:
    """A site: its QR code and shifts (a new shift: ``views.shifts.shift_new``)."""
    obj = get_for_user(Site.objects.select_related("org_unit"), request.user, pk=pk)
    can_edit = services.may_coordinate(request.user, obj.unit_path)
    shifts = Paginator(obj.shifts.annotate(placed=Count(
        "assignments", filter=Q(assignments__status__in=PLACED))).order_by("-starts_at"),
        30).get_page(request.GET.get("page"))
    return render(request, "volunteers/site.html", {
        "site": obj, "page": shifts, "can_edit": can_edit})


@view_required
def site_qr(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Site, request.user, pk=pk)
    if not services.may_coordinate(request.user, obj.unit_path):
        raise Http404
    url = request.build_absolute_uri(services.scan_url(obj))
    return HttpResponse(pdf.qr_png(url), content_type="image/png")


@view_required
def shift(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Shift.objects.select_related("site", "org_unit"), request.user, pk=pk)
    can_edit = services.may_coordinate(request.user, obj.unit_path)
    candidates = Volunteer.objects.visible_to(request.user, Cap.EDIT).select_related(
        "organisation").order_by("name")
    form = f.AssignForm(request.POST or None, volunteers=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            a, _created = services.join(request.user, obj, form.cleaned_data["volunteer"],
                                        override_reason=form.cleaned_data["override_reason"])
        except PermissionDenied:
            form.add_error("volunteer", _("You may not put this volunteer on this shift."))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("%(name)s: %(status)s") % {
                "name": a.volunteer.masked_name, "status": a.get_status_display()})
            return redirect("volunteers:shift", pk=pk)
    rows = (obj.assignments.select_related("volunteer__organisation")
            .order_by("status", "queued_at", "pk"))
    return render(request, "volunteers/shift.html", {
        "shift": obj, "rows": rows, "form": form, "can_edit": can_edit,
        "can_assign": can_edit and not obj.is_cancelled,
        "time_form": f.CheckTimeForm()})


@require_POST
@login_required
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """An action on an assignment: the volunteer's (confirm, cancel, scan check-in/out
    arrive through ``scan``) or the coordinator's (check in/out at a time, approve)."""
    a = get_for_user(Assignment.objects.select_related("shift__site", "volunteer"),
                     request.user, pk=pk)
    back = request.POST.get("back") or ""
    back = back if back.startswith("/volunteers/") else reverse("volunteers:mine")
    time_form = f.CheckTimeForm(request.POST)
    at = time_form.cleaned_data["at"] if time_form.is_valid() else None
    try:
        if action == "confirm":
            services.confirm(request.user, a)
        elif action == "cancel":
            services.cancel(request.user, a)
        elif action == "checkin":
            services.check_in(request.user, a, at=at)
        elif action == "checkout":
            services.check_out(request.user, a, at=at)
        elif action == "approve":
            services.approve(request.user, a)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect(back)


@view_required
def volunteers(request: HttpRequest) -> HttpResponse:
    qs = (Volunteer.objects.visible_to(request.user)
          .select_related("organisation", "team", "org_unit").order_by("unit_path", "name"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "volunteers/volunteers.html", {
        "page": page, "can_import": scope_for(request.user).can(Cap.IMPORT),
        "can_enrol": bool(units_visible_to(request.user, Cap.EDIT).exists()
                          or _organisations(request.user).exists())})


@view_required
def volunteer(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Volunteer.objects.select_related("organisation", "team", "org_unit",
                                                        "person"), request.user, pk=pk)
    can_edit = services.may_coordinate(request.user, obj.unit_path, obj.organisation_id)
    form = f.CertificateForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                cert, _c = services.issue_certificate(
                    request.user, obj, period_from=form.cleaned_data["period_from"],
                    period_until=form.cleaned_data["period_until"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return redirect("volunteers:volunteer", pk=pk)
    rows = obj.assignments.select_related("shift__site").order_by("-shift__starts_at")[:60]
    return render(request, "volunteers/volunteer.html", {
        "v": obj, "rows": rows, "form": form, "can_edit": can_edit,
        "certificates": obj.certificates.all(),
        "total": services.totals(obj.assignments.all(), "volunteer")})


def _certificate(request: HttpRequest, pk: int) -> Certificate:
    return get_for_user(Certificate.objects.select_related(
        "volunteer__organisation", "volunteer__org_unit"), request.user, pk=pk)


@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk)
    url = request.build_absolute_uri(reverse("volunteers:verify", args=[cert.code]))
    response = HttpResponse(pdf.certificate_pdf(cert, verify_url=url),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{cert.pk}.pdf"'
    return response


@view_required
def totals(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by", "organisation")
    if by not in services.GROUPS:
        by = "organisation"
    rows = services.totals(Assignment.objects.visible_to(request.user), by)
    return render(request, "volunteers/totals.html", {
        "rows": rows, "by": by, "groups": [
            ("volunteer", _("Volunteer")), ("team", _("Team")),
            ("organisation", _("Organisation")), ("community", _("Community"))]})


@view_required
def export(request: HttpRequest) -> HttpResponse:
    kind = "volunteer_hours" if request.GET.get("what") == "hours" else "volunteers"
    return export_view(request, kind, back=reverse("volunteers:index"))


# --- the volunteer's own pages --------------------------------------------------------

def _own_profile(request: HttpRequest) -> Volunteer | None:
    if not scope_for(request.user).has_role(*VOLUNTEER_ROLES):
        raise PermissionDenied
    return Volunteer.objects.filter(user=request.user).select_related(
        "organisation", "org_unit").first()


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    me = _own_profile(request)
    day = data_day()
    start, end = _day_bounds(day)
    form = f.ProfileForm(request.POST or None, initial={
        "skills": me.skills, "availability": me.availability, "health_ok": me.health_ok,
    } if me else None)
    if request.method == "POST" and me is not None and form.is_valid():
        services.save_profile(request.user, me, **form.cleaned_data,
                              health_declared_on=timezone.localdate()
                              if form.cleaned_data["health_ok"] else me.health_declared_on)
        messages.success(request, _("Saved."))
        return redirect("volunteers:mine")
    rows = (Assignment.objects.filter(volunteer=me).select_related("shift__site__org_unit")
            .prefetch_related("duty_logs").order_by("-shift__starts_at")) if me else []
    current = [a for a in rows if a.status in ACTIVE and a.shift.ends_at >= start]
    past = [a for a in rows if a not in current][:20]
    open_shifts = []
    if me is not None:
        taken = {a.shift_id for a in rows if a.status in ACTIVE}
        # Only shifts still to come can be joined (an old data set offers none).
        open_shifts = [s for s in Shift.objects.visible_to(request.user).filter(
            ends_at__gt=timezone.now())
            .exclude(pk__in=taken).select_related("site__org_unit").annotate(placed=Count(
                "assignments", filter=Q(assignments__status__in=PLACED)))
            .order_by("starts_at")[:20]]
    return render(request, "volunteers/mine.html", {
        "me": me, "day": day, "current": current, "past": past, "open_shifts": open_shifts,
        "profile_form": form, "log_form": f.DutyLogForm(), "today": timezone.localdate(),
        "feed_url": request.build_absolute_uri(reverse("volunteers:feed", args=[me.feed_key]))
        if me else "",
        "total": services.totals(Assignment.objects.filter(volunteer=me), "volunteer")
        if me else [],
        "started": end,
    })


@require_POST
@login_required
def join(request: HttpRequest, pk: int) -> HttpResponse:
    me = _own_profile(request)
    if me is None:
        raise Http404
    obj = get_for_user(Shift, request.user, pk=pk)
    try:
        a, _c = services.join(request.user, obj, me)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, a.get_status_display())
    return redirect("volunteers:mine")


@require_POST
@login_required
def log(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_for_user(Assignment.objects.select_related("shift__site", "volunteer"),
                     request.user, pk=pk)
    form = f.DutyLogForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.log_duty(request.user, a, client_id=d["client_id"], task=d["task"],
                              count=d["count"], note=d["note"], made_at=d.get("made_at"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Duty logged."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("volunteers:mine")


@login_required
def scan(request: HttpRequest, token: str) -> HttpResponse:
    """What a volunteer's phone opens from a site's QR code: their shift at this site
    now, to check in or out. The signed code is checked again on every POST."""
    me = _own_profile(request)
    error, site, here = None, None, []
    try:
        site = services.site_from_token(token)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    now = timezone.now()
    if me is not None and request.method == "POST":
        a = Assignment.objects.filter(volunteer=me, pk=request.POST.get("assignment") or 0
                                      ).select_related("shift__site", "volunteer").first()
        if a is None:
            raise Http404
        try:
            if request.POST.get("action") == "checkout":
                services.check_out(request.user, a, token=token)
            else:
                services.check_in(request.user, a, token=token)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("volunteers:scan", token=token)
    if me is not None and site is not None:
        here = list(Assignment.objects.filter(
            volunteer=me, shift__site=site, status=Status.CONFIRMED,
            shift__starts_at__lte=now + services.EARLY, shift__ends_at__gte=now - services.GRACE,
        ).select_related("shift__site"))
    mine_now = [] if me is None else list(Assignment.objects.filter(
        volunteer=me, status=Status.CONFIRMED, shift__starts_at__lte=now + services.EARLY,
        shift__ends_at__gte=now).exclude(shift__site=site).select_related("shift__site"))
    status = 400 if error and request.method == "POST" else 200
    return render(request, "volunteers/scan.html", {
        "site": site, "error": error, "here": here, "elsewhere": mine_now, "me": me,
        "token": token}, status=status)


@capability_required(Cap.IMPORT)
def import_volunteers(request: HttpRequest) -> HttpResponse:
    """Check, then import the checked file into the chosen community (``core.imports``)."""
    from fangkong.core import imports
    from fangkong.core.models import Level
    from fangkong.volunteers.importers import VolunteerImporter

    return imports.import_view(
        request, lambda data: VolunteerImporter(data["community"]), kind="volunteers",
        template="volunteers/import.html", form_class=f.VolunteerImportForm,
        form_kwargs={"communities": units_visible_to(request.user, Cap.IMPORT,
                                                    level=Level.COMMUNITY)},
        context={"fields": VolunteerImporter.fields, "back": reverse("volunteers:volunteers"),
                 "back_label": _("Back to the volunteers")},
    )


@capability_required(Cap.IMPORT)
def import_template(request: HttpRequest) -> HttpResponse:
    from fangkong.core import imports
    from fangkong.volunteers.importers import VolunteerImporter

    return imports.template_response(VolunteerImporter(None))
