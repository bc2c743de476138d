"""The staff pages: courses, venues, a session (topics, seats, enrolments, QR codes,
certificates), an enrolment (reveal, check-in, certificate) and the totals.

Everything is fetched in the user's scope (404 outside it) and what is reached through
a record (a session's enrolments, an enrolment's certificate) is looked up under it.
Writes go through ``services``, which authorise again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core import audit
from fangkong.core.forms import RevealForm, add_errors
from fangkong.core.models.audit import PiiAction, PiiRefusal
from fangkong.core.roles import Cap
from fangkong.core.scoping import capability_required, get_for_user, scope_for, units_visible_to
from fangkong.core.services.people import clean_person_data
from fangkong.training import forms as f
from fangkong.training import pdf, services, totals
from fangkong.training.models import (
    AttendMode,
    Certificate,
    Course,
    Enrolment,
    Feedback,
    Method,
    Session,
    Source,
    Venue,
)
from fangkong.training.views.qr import svg_response


def _session_qs():
    return Session.objects.select_related("course", "venue", "org_unit")


def _enrolment_qs():
    return Enrolment.objects.select_related("session", "session__course", "session__org_unit",
                                            "session__venue", "business", "person")


@capability_required(Cap.VIEW)
def index(request: HttpRequest) -> HttpResponse:
    units = units_visible_to(request.user, Cap.EDIT)
    form = None
    if units.exists():
        form = f.CourseForm(request.POST or None, units=units)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                course, _created = services.create_course(
                    request.user, d["unit"], client_id=d["client_id"], title=d["title"],
                    audience=d["audience"], description=d["description"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return redirect("training:course", pk=course.pk)
    courses = (Course.objects.visible_to(request.user).select_related("org_unit")
               .annotate(n_sessions=Count("sessions", distinct=True),
                         n_enrolled=Count("sessions__enrolments", distinct=True),
                         n_attended=Count("sessions__enrolments__attendance", distinct=True))
               .order_by("-pk"))
    page = Paginator(courses, 30).get_page(request.GET.get("page"))
    upcoming = (_session_qs().visible_to(request.user)
                .filter(ends_at__gte=timezone.now()).order_by("starts_at")[:5])
    return render(request, "training/index.html", {
        "page": page, "form": form, "upcoming": upcoming,
    }, status=400 if form is not None and form.errors else 200)


@capability_required(Cap.VIEW)
def venues(request: HttpRequest) -> HttpResponse:
    units = units_visible_to(request.user, Cap.EDIT)
    form = f.VenueForm(request.POST or None, units=units) if units.exists() else None
    if form is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            venue, created = services.save_venue(
                request.user, d["unit"], name=d["name"], rows=d["rows"],
                seats_per_row=d["seats_per_row"], address=d["address"],
                seat_map=d["seat_map"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Venue saved: %(name)s, %(n)d seats.") % {
                "name": venue.name, "n": venue.seat_count})
            return redirect("training:venues")
    rooms = Venue.objects.visible_to(request.user).select_related("org_unit")
    return render(request, "training/venues.html", {"venues": rooms, "form": form},
                  status=400 if form is not None and form.errors else 200)


@capability_required(Cap.VIEW)
def course(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Course.objects.select_related("org_unit"), request.user, pk=pk)
    can_edit = scope_for(request.user).can(Cap.EDIT, obj.unit_path)
    form = None
    if can_edit:
        venues_here = Venue.objects.visible_to(request.user).filter(
            Q(unit_path__startswith=obj.unit_path)
            | Q(unit_path__in=[obj.unit_path[:n] for n in range(4, len(obj.unit_path), 4)]))
        form = f.SessionForm(request.POST or None, venues=venues_here)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                session, _created = services.create_session(
                    request.user, obj, client_id=d["client_id"], starts_at=d["starts_at"],
                    ends_at=d["ends_at"], mode=d["mode"], venue=d["venue"],
                    seat_spacing=d["seat_spacing"], row_spacing=d["row_spacing"],
                    online_link=d["online_link"], online_limit=d["online_limit"],
                    planned=d["planned"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return redirect("training:session", pk=session.pk)
    sessions = (obj.sessions.select_related("venue")
                .annotate(n_enrolled=Count("enrolments", distinct=True),
                          n_attended=Count("attendances", distinct=True)))
    rows = [(s, services.capacity(s)) for s in sessions]
    return render(request, "training/course.html", {
        "course": obj, "sessions": rows, "form": form, "can_edit": can_edit,
    }, status=400 if form is not None and form.errors else 200)


def _seat_rows(session: Session, enrolments: list[Enrolment]) -> list[list[str]]:
    """The room as rows of cells: ``taken`` (a trainee), ``free`` (a seat of the plan),
    ``apart`` (left empty for distance), ``off`` (out of use), ``aisle``."""
    if session.venue is None or not session.in_room:
        return []
    plan = {(s.row, s.number) for s in services.seat_plan(session)}
    taken = {(e.seat_row, e.seat_number) for e in enrolments if e.seat_row}
    rows = []
    for r, line in enumerate(session.venue.grid(), start=1):
        cells = []
        for n, place in enumerate(line, start=1):
            if place == "_":
                cells.append("aisle")
            elif place == "x":
                cells.append("off")
            elif (r, n) in taken:
                cells.append("taken")
            elif (r, n) in plan:
                cells.append("free")
            else:
                cells.append("apart")
        rows.append(cells)
    return rows


def _session_context(request: HttpRequest, session: Session, **extra: Any) -> dict[str, Any]:
    can_edit = scope_for(request.user).can(Cap.EDIT, session.unit_path)
    enrolments = list(session.enrolments.select_related("business", "attendance",
                                                        "certificate")
                      .order_by(F("seat_row").asc(nulls_last=True), "seat_number", "pk"))
    attended = [e for e in enrolments if hasattr(e, "attendance")]
    in_room = [e for e in enrolments if e.attend_mode == AttendMode.OFFLINE]
    feedback = Feedback.objects.filter(enrolment__session=session)
    ratings = feedback.aggregate(n=Count("pk"), **{
        f"r{i}": Count("pk", filter=Q(rating=i)) for i in range(1, 6)})
    now = timezone.now()
    enrol_form = extra.pop("enrol_form", None)
    if enrol_form is None and can_edit and now < session.ends_at:
        enrol_form = f.EnrolForm(session=session)
    return {
        "session": session, "course": session.course, "can_edit": can_edit,
        "topics": session.topics.all(), "topic_form": extra.pop("topic_form", None)
        or (f.TopicForm() if can_edit else None),
        "enrol_form": enrol_form,
        "capacity": services.capacity(session), "seats_taken": len(in_room),
        "enrolled": len(enrolments), "attended": len(attended),
        "online_attended": sum(1 for e in attended if e.attend_mode == AttendMode.ONLINE),
        "masks": sum(1 for e in attended if e.attendance.mask_worn),
        "certificates": sum(1 for e in enrolments if hasattr(e, "certificate")),
        "seat_rows": _seat_rows(session, enrolments),
        "page": Paginator(enrolments, 30).get_page(request.GET.get("page")),
        "ratings": ratings, "ratings_list": [ratings[f"r{i}"] for i in range(5, 0, -1)],
        "comments": feedback.exclude(comment="").order_by("-pk")[:10],
        "enrol_url": request.build_absolute_uri(
            reverse("training:enrol", args=[session.public_key])),
        "over": now >= session.ends_at,
        **extra,
    }


@capability_required(Cap.VIEW)
def session(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(_session_qs(), request.user, pk=pk)
    return render(request, "training/session.html", _session_context(request, obj))


@require_POST
@capability_required(Cap.EDIT)
def topic_add(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(_session_qs(), request.user, Cap.EDIT, pk=pk)
    form = f.TopicForm(request.POST)
    if form.is_valid():
        try:
            services.add_topic(request.user, obj, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect(reverse("training:session", args=[obj.pk]) + "#topics")
    return render(request, "training/session.html",
                  _session_context(request, obj, topic_form=form), status=400)


@require_POST
@capability_required(Cap.EDIT)
def enrol_staff(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(_session_qs(), request.user, Cap.EDIT, pk=pk)
    form = f.EnrolForm(request.POST, session=obj)
    if form.is_valid():
        d = form.cleaned_data
        try:
            person = clean_person_data(id_number=d["id_number"], name=d["name"],
                                       phone=d["phone"], phone_required=True)
            enrolment, created = services.enrol(
                request.user, obj, client_id=d["client_id"], person=person,
                business_name=d["business_name"], business_kind=d["business_kind"],
                attend_mode=d["attend_mode"], role_at_business=d["role_at_business"],
                source=Source.STAFF)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if created:
                messages.success(request, _("Enrolled: %(who)s, %(where)s.") % {
                    "who": enrolment.masked_name,
                    "where": enrolment.seat or enrolment.get_attend_mode_display()})
            return redirect(reverse("training:session", args=[obj.pk]) + "#enrolments")
    return render(request, "training/session.html",
                  _session_context(request, obj, enrol_form=form), status=400)


@capability_required(Cap.VIEW)
def session_qr(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    obj = get_for_user(_session_qs(), request.user, pk=pk)
    if kind == "enrol":
        url = reverse("training:enrol", args=[obj.public_key])
    elif kind == "door":
        if not scope_for(request.user).can(Cap.EDIT, obj.unit_path):
            raise Http404
        url = reverse("training:door", args=[services.checkin_token(obj)])
    else:
        raise Http404
    return svg_response(request.build_absolute_uri(url))


@capability_required(Cap.EDIT)
def door_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable card with the session's door check-in code."""
    obj = get_for_user(_session_qs(), request.user, Cap.EDIT, pk=pk)
    opens, closes = services.checkin_window(obj)
    return render(request, "training/door_card.html", {
        "session": obj, "opens": opens, "closes": closes,
        "door_url": request.build_absolute_uri(
            reverse("training:door", args=[services.checkin_token(obj)]))})


@require_POST
@capability_required(Cap.EDIT)
def certificates_issue(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(_session_qs(), request.user, Cap.EDIT, pk=pk)
    try:
        n = services.issue_certificates(request.user, obj)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)d certificates issued.") % {"n": n})
    return redirect(reverse("training:session", args=[obj.pk]) + "#enrolments")


def _enrolment_context(request: HttpRequest, obj: Enrolment, **extra: Any) -> dict[str, Any]:
    scope = scope_for(request.user)
    now = timezone.now()
    opens, closes = services.checkin_window(obj.session)
    return {
        "e": obj, "session": obj.session, "attendance": getattr(obj, "attendance", None),
        "certificate": getattr(obj, "certificate", None),
        "feedback": getattr(obj, "feedback", None),
        "can_edit": scope.can(Cap.EDIT, obj.unit_path),
        "can_reveal": scope.can(Cap.REVEAL_PII, obj.unit_path),
        "reveal_form": extra.pop("reveal_form", None) or RevealForm(),
        "checkin_form": extra.pop("checkin_form", None) or f.StaffCheckinForm(),
        "door_open": opens <= now <= closes,
        **extra,
    }


@capability_required(Cap.VIEW)
def enrolment(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(_enrolment_qs(), request.user, pk=pk)
    return render(request, "training/enrolment.html", _enrolment_context(request, obj))


@require_POST
@audit.logs_refusals(PiiAction.REVEAL, Enrolment)
@capability_required(Cap.REVEAL_PII)
def enrolment_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(_enrolment_qs(), request.user, pk=pk)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            revealed = audit.reveal(request.user, obj, ["phone"], form.cleaned_data["reason"],
                                    request=request)
            revealed["id_number"] = obj.person.id_number
        except ValidationError as exc:
            form.add_error("reason", exc.message_dict.get("reason", exc.messages))
    else:
        audit.log_refused(request.user, PiiAction.REVEAL, Enrolment._meta.label,
                          PiiRefusal.REASON, subject_id=obj.pk, label=str(obj),
                          fields=["phone"], reason=request.POST.get("reason"),
                          request=request)
    return render(request, "training/enrolment.html", _enrolment_context(
        request, obj, revealed=revealed, reveal_form=form),
        status=200 if revealed else 400)


@require_POST
@capability_required(Cap.EDIT)
def enrolment_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(_enrolment_qs(), request.user, Cap.EDIT, pk=pk)
    form = f.StaffCheckinForm(request.POST)
    if form.is_valid():
        method = Method.ONLINE if obj.attend_mode == AttendMode.ONLINE else Method.STAFF
        try:
            services.check_in(request.user, obj, method=method,
                              mask_worn=form.cleaned_data["mask_worn"]
                              if method == Method.STAFF else None)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Checked in."))
            return redirect("training:enrolment", pk=obj.pk)
    return render(request, "training/enrolment.html",
                  _enrolment_context(request, obj, checkin_form=form), status=400)


def certificate_response(request: HttpRequest, certificate: Certificate) -> HttpResponse:
    verify = request.build_absolute_uri(reverse("training:verify",
                                                args=[certificate.verify_key]))
    response = HttpResponse(pdf.certificate_pdf(certificate, verify),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
    return response


@capability_required(Cap.VIEW)
def enrolment_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(_enrolment_qs(), request.user, pk=pk)
    certificate = Certificate.objects.filter(enrolment=obj).first()
    if certificate is None:
        raise Http404
    certificate.enrolment = obj
    return certificate_response(request, certificate)


@capability_required(Cap.VIEW)
def totals_page(request: HttpRequest) -> HttpResponse:
    enrolments = Enrolment.objects.visible_to(request.user)
    sessions = Session.objects.visible_to(request.user)
    courses = totals.by_course(enrolments, sessions)
    counties = totals.by_county(enrolments, sessions)
    kinds = totals.by_business_kind(enrolments)
    return render(request, "training/totals.html", {
        "courses": courses, "counties": counties, "kinds": kinds,
        "total": totals.total(courses),
    })
