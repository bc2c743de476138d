"""Pages residents open without an account: self-registration from the QR code, tips."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from fangkong.checkpoints import phone_checks, services
from fangkong.checkpoints.forms import PublicTipForm, SelfRegistrationForm
from fangkong.checkpoints.models import Channel, Checkpoint, Passage, TipChannel
from fangkong.checkpoints.validation import clean_passage
from fangkong.core import capture, ratelimit
from fangkong.core.forms import add_errors


def _too_many(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The form again, what was typed kept, with the reason: 429 and Retry-After."""
    form = context["form"]
    form.full_clean()  # what was typed comes back with its own errors, if any
    form.add_error(None, _(
        "Too many submissions from here in a short time. Please wait a few minutes and "
        "try again, or ask the staff on duty to register you."))
    response = render(request, template, context, status=429)
    response["Retry-After"] = "300"
    return response


def _checkpoint(key: str) -> Checkpoint:
    return get_object_or_404(Checkpoint.objects.select_related("org_unit"), public_key=key,
                             is_active=True)


@never_cache
@capture.shell_page
def selfreg(request: HttpRequest, key: str) -> HttpResponse:
    """The phone form behind the QR code. The page remembers the resident's details in
    the browser (localStorage, see static/checkpoints/selfreg.js), never on the server."""
    checkpoint = _checkpoint(key)
    form = SelfRegistrationForm(request.POST or None)
    if request.method == "POST" and not ratelimit.allow(
        request, selfreg_address=f"{checkpoint.pk}:{ratelimit.address_key(request)}",
        selfreg_checkpoint=str(checkpoint.pk),
    ):
        return _too_many(request, "checkpoints/selfreg.html", {
            "checkpoint": checkpoint, "form": form})
    if request.method == "POST" and form.is_valid():
        try:
            data = clean_passage(form.as_passage_data(), phone_required=True)
            passage, created = services.register_passage(None, checkpoint, data,
                                                         channel=Channel.SELF)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            done = redirect("checkpoints:selfreg_done", key=key, client_id=passage.client_id)
            if capture.from_queue(request):  # the queue goes to the page itself
                done = HttpResponse(done.url)
                done["Fk-Location"] = done.content.decode()
            return capture.form_answer(request, done, form, created)
    response = render(request, "checkpoints/selfreg.html", {
        "checkpoint": checkpoint, "form": form, "phone_checks": phone_checks.messages,
    })
    if request.method == "POST":
        return capture.form_answer(request, response, form)
    return response


@never_cache
def selfreg_done(request: HttpRequest, key: str, client_id: uuid.UUID) -> HttpResponse:
    """What the resident shows the duty staff; refreshes itself until confirmed."""
    checkpoint = _checkpoint(key)
    passage = Passage.objects.filter(checkpoint=checkpoint, client_id=client_id,
                                     channel=Channel.SELF).select_related("person").first()
    if passage is None:
        raise Http404
    template = ("checkpoints/_selfreg_status.html" if request.htmx
                else "checkpoints/selfreg_done.html")
    return render(request, template, {"checkpoint": checkpoint, "passage": passage})


@never_cache
def public_tip(request: HttpRequest, key: str) -> HttpResponse:
    checkpoint = _checkpoint(key)
    form = PublicTipForm(request.POST or None)
    done = None
    if request.method == "POST" and not ratelimit.allow(
        request, tip_address=ratelimit.address_key(request),
        tip_unit=str(checkpoint.org_unit_id),
    ):
        return _too_many(request, "checkpoints/public_tip.html", {
            "checkpoint": checkpoint, "form": form, "done": None})
    if request.method == "POST" and form.is_valid():
        try:
            done, _created = services.record_tip(
                None, checkpoint.org_unit, client_id=form.cleaned_data["client_id"],
                channel=TipChannel.ONLINE, category=form.cleaned_data["category"],
                content=form.cleaned_data["content"],
                caller_name=form.cleaned_data["caller_name"],
                caller_phone=form.cleaned_data["caller_phone"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
    return render(request, "checkpoints/public_tip.html", {
        "checkpoint": checkpoint, "form": form, "done": done,
    })
