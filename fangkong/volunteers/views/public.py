"""Pages without an account: a drive's sign-up page and its QR code, the certificate
verify page, and a volunteer's calendar feed (its key is the credential)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from fangkong.core import capture, ratelimit
from fangkong.core.forms import add_errors
from fangkong.volunteers import ical, pdf, services
from fangkong.volunteers.forms import SignupForm
from fangkong.volunteers.models import ACTIVE, Certificate, Drive, Signup, Volunteer


def _drive(key: str) -> Drive:
    return get_object_or_404(Drive.objects.select_related("org_unit", "organisation"),
                             public_key=key)


@never_cache
@capture.shell_page
def signup(request: HttpRequest, key: str) -> HttpResponse:
    drive = _drive(key)
    form = SignupForm(request.POST or None)
    context = {"drive": drive, "form": form,
               "closed": services.drive_open(drive, timezone.now())}
    if request.method == "POST" and not ratelimit.allow(
        request, signup_address=f"{drive.pk}:{ratelimit.address_key(request)}",
        signup_drive=str(drive.pk),
    ):
        form.full_clean()
        form.add_error(None, _("Too many sign-ups from here in a short time. Please wait a "
                               "few minutes and try again."))
        response = render(request, "volunteers/signup.html", context, status=429)
        response["Retry-After"] = "300"
        return response
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            record, created = services.sign_up(
                drive, client_id=d["client_id"], id_number=d["id_number"], name=d["name"],
                phone=d["phone"], skills=d["skills"], political=d["political"],
                made_at=d.get("made_at"))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            done = redirect("volunteers:signup_done", key=key, client_id=record.client_id)
            if capture.from_queue(request):
                done = HttpResponse(done.url)
                done["Fk-Location"] = done.content.decode()
            return capture.form_answer(request, done, form, created)
    response = render(request, "volunteers/signup.html", context)
    if request.method == "POST":
        response.status_code = 422 if form.errors else 200
        return capture.form_answer(request, response, form)
    return response


@never_cache
def signup_done(request: HttpRequest, key: str, client_id: uuid.UUID) -> HttpResponse:
    drive = _drive(key)
    record = Signup.objects.filter(drive=drive, client_id=client_id).first()
    if record is None:
        raise Http404
    return render(request, "volunteers/signup_done.html", {"drive": drive, "signup": record})


def drive_qr(request: HttpRequest, key: str) -> HttpResponse:
    drive = _drive(key)
    url = request.build_absolute_uri(f"/volunteers/v/{drive.public_key}/")
    return HttpResponse(pdf.qr_png(url), content_type="image/png")


@never_cache
def verify(request: HttpRequest, code: str) -> HttpResponse:
    cert = (Certificate.objects.filter(code=code)
            .select_related("volunteer__organisation", "volunteer__org_unit").first())
    return render(request, "volunteers/verify.html", {"cert": cert},
                  status=200 if cert else 404)


def feed(request: HttpRequest, key: str) -> HttpResponse:
    volunteer = get_object_or_404(Volunteer, feed_key=key)
    rows = (volunteer.assignments.filter(status__in=ACTIVE)
            .select_related("shift__site__org_unit").order_by("shift__starts_at"))
    body = ical.calendar(rows, name=_("My volunteer shifts"), host=request.get_host(),
                         now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="shifts.ics"'
    return response
