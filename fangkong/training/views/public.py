"""Pages trainees open without an account: the enrolment page behind a session's QR
code, the trainee's own page (seat, online join, feedback, certificate), the door
check-in behind the session's signed code, and the certificate verify page.

Every page is reached by an unguessable key (the session's, the trainee's, the
certificate's) or a signed code; submissions are rate-limited per address and per
session (``core.ratelimit``); no page shows a name or number unmasked."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fangkong.core import ratelimit
from fangkong.core.forms import add_errors
from fangkong.core.services.people import clean_person_data
from fangkong.training import forms as f
from fangkong.training import services
from fangkong.training.models import AttendMode, Certificate, Enrolment, Session, Source
from fangkong.training.views.staff import certificate_response


def _allowed(request: HttpRequest, session: Session) -> bool:
    return ratelimit.allow(
        request, training_address=f"{session.pk}:{ratelimit.address_key(request)}",
        training_session=str(session.pk))


def _too_many(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    form = context["form"]
    form.full_clean()
    form.add_error(None, _("Too many submissions from here in a short time. Please wait a "
                           "few minutes and try again, or ask the training staff."))
    response = render(request, template, context, status=429)
    response["Retry-After"] = "300"
    return response


def _session(key: str) -> Session:
    return get_object_or_404(Session.objects.select_related("course", "venue", "org_unit"),
                             public_key=key)


def _trainee(key: str) -> Enrolment:
    return get_object_or_404(
        Enrolment.objects.select_related("session", "session__course", "session__venue",
                                         "session__org_unit", "business"),
        trainee_key=key)


@never_cache
def enrol(request: HttpRequest, key: str) -> HttpResponse:
    session = _session(key)
    now = timezone.now()
    form = f.EnrolForm(request.POST or None, session=session)
    context = {"session": session, "form": form, "topics": session.topics.all(),
               "closed": now >= session.ends_at}
    if request.method == "POST" and not _allowed(request, session):
        return _too_many(request, "training/public_enrol.html", context)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = clean_person_data(id_number=d["id_number"], name=d["name"],
                                       phone=d["phone"], phone_required=True)
            enrolment, _created = services.enrol(
                None, session, client_id=d["client_id"], person=person,
                business_name=d["business_name"], business_kind=d["business_kind"],
                attend_mode=d["attend_mode"], role_at_business=d["role_at_business"],
                source=Source.PUBLIC)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("training:trainee", key=enrolment.trainee_key)
    return render(request, "training/public_enrol.html", context,
                  status=400 if form.errors else 200)


def _trainee_context(enrolment: Enrolment, **extra) -> dict:
    session = enrolment.session
    now = timezone.now()
    opens, closes = services.checkin_window(session)
    attendance = getattr(enrolment, "attendance", None)
    feedback = getattr(enrolment, "feedback", None)
    over = now > session.ends_at
    return {
        "e": enrolment, "session": session, "topics": session.topics.all(),
        "attendance": attendance, "feedback": feedback,
        "certificate": Certificate.objects.filter(enrolment=enrolment).first(),
        "door_open": opens <= now <= closes, "opens": opens, "over": over,
        "can_join": enrolment.attend_mode == AttendMode.ONLINE and opens <= now <= closes,
        "feedback_form": extra.pop("feedback_form", None) or (
            f.FeedbackForm(session=session) if over and attendance and not feedback else None),
        **extra,
    }


@never_cache
def trainee(request: HttpRequest, key: str) -> HttpResponse:
    enrolment = _trainee(key)
    return render(request, "training/trainee.html", _trainee_context(enrolment))


@never_cache
@require_POST
def trainee_join(request: HttpRequest, key: str) -> HttpResponse:
    """Records the online attendance, then opens the session's online link."""
    enrolment = _trainee(key)
    try:
        services.join_online(enrolment)
    except ValidationError as exc:
        return render(request, "training/trainee.html", _trainee_context(
            enrolment, join_errors=exc.messages), status=400)
    return redirect(enrolment.session.online_link)


@never_cache
@require_POST
def trainee_feedback(request: HttpRequest, key: str) -> HttpResponse:
    enrolment = _trainee(key)
    form = f.FeedbackForm(request.POST, session=enrolment.session)
    if not _allowed(request, enrolment.session):
        return _too_many(request, "training/trainee.html",
                         _trainee_context(enrolment, feedback_form=form, form=form))
    if form.is_valid():
        try:
            services.submit_feedback(enrolment, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("training:trainee", key=key)
    return render(request, "training/trainee.html",
                  _trainee_context(enrolment, feedback_form=form), status=400)


def trainee_certificate(request: HttpRequest, key: str) -> HttpResponse:
    enrolment = _trainee(key)
    certificate = Certificate.objects.filter(enrolment=enrolment).first()
    if certificate is None:
        raise Http404
    certificate.enrolment = enrolment
    return certificate_response(request, certificate)


@never_cache
def door(request: HttpRequest, token: str) -> HttpResponse:
    """The check-in behind the session's door QR code (signed for this session)."""
    session = services.session_for_token(token)
    if session is None:
        raise Http404
    form = f.DoorCheckinForm(request.POST or None)
    context = {"session": session, "form": form, "token": token}
    if request.method == "POST" and not _allowed(request, session):
        return _too_many(request, "training/door.html", context)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            attendance, created = services.check_in_at_door(
                session, id_number=d["id_number"], phone=d["phone"],
                mask_worn=d["mask_worn"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return render(request, "training/door_done.html", {
                "session": session, "attendance": attendance, "created": created,
                "e": attendance.enrolment})
    return render(request, "training/door.html", context, status=400 if form.errors else 200)


@never_cache
def verify(request: HttpRequest, key: str) -> HttpResponse:
    certificate = get_object_or_404(
        Certificate.objects.select_related("enrolment", "enrolment__session",
                                           "enrolment__session__course",
                                           "enrolment__session__org_unit",
                                           "enrolment__business"),
        verify_key=key)
    return render(request, "training/verify.html", {"certificate": certificate,
                                                    "e": certificate.enrolment})
