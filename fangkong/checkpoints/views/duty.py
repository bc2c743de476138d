"""The duty screen: big targets for a phone at the gate, personal data masked.

Duty users see only the checkpoints they are rostered on today
(``Checkpoint.objects.visible_to``); community workers see their community's.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.checkpoints import phone_checks, services
from fangkong.checkpoints.forms import ConfirmForm, PassageForm
from fangkong.checkpoints.models import (
    Checkpoint,
    Passage,
    PassageDaily,
    PassageStatus,
)
from fangkong.checkpoints.models.checkpoints import DUTY_ROLES
from fangkong.checkpoints.validation import clean_passage, parse_temperature
from fangkong.core import capture
from fangkong.core.capture import Outcome
from fangkong.core.forms import add_errors
from fangkong.core.models import KeyConflict
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import capability_required, get_for_user

RECENT = 12


def _checkpoint(request: HttpRequest, pk: int) -> Checkpoint:
    return get_for_user(Checkpoint.objects.active().select_related("org_unit"), request.user,
                        Cap.REGISTER_PASSAGE, pk=pk)


@capability_required(Cap.REGISTER_PASSAGE, roles=DUTY_ROLES)
def duty_home(request: HttpRequest) -> HttpResponse:
    checkpoints = list(Checkpoint.objects.visible_to(request.user, Cap.REGISTER_PASSAGE)
                       .active().select_related("org_unit").order_by("unit_path", "name"))
    if len(checkpoints) == 1:
        return redirect("checkpoints:duty_screen", pk=checkpoints[0].pk)
    return render(request, "checkpoints/duty_home.html", {"checkpoints": checkpoints})


def _panel_context(checkpoint: Checkpoint, form: PassageForm | None = None,
                   notice: str = "", saved: Passage | None = None,
                   shell: bool = False) -> dict:
    today = timezone.localdate()
    if shell:  # the offline app shell (core.capture): no person, no figure of the day
        return {"checkpoint": checkpoint, "form": PassageForm(), "pending": [], "recent": [],
                "counts": None, "notice": "", "saved": None, "confirm_form": ConfirmForm(),
                "shell": True, "phone_checks": phone_checks.messages}
    pending = (Passage.objects.filter(checkpoint=checkpoint, status=PassageStatus.PENDING,
                                      occurred_at__gte=timezone.now() - timezone.timedelta(
                                          hours=12))
               .select_related("person").order_by("occurred_at"))
    recent, seen = [], set()
    for p in (Passage.objects.filter(checkpoint=checkpoint, day=today,
                                     status=PassageStatus.CONFIRMED)
              .select_related("person").order_by("-occurred_at")[:60]):
        if p.person_id not in seen:
            seen.add(p.person_id)
            recent.append(p)
        if len(recent) >= RECENT:
            break
    for p in recent:
        p.quick_in_key, p.quick_out_key = uuid.uuid4(), uuid.uuid4()
    counts = PassageDaily.objects.filter(checkpoint=checkpoint, day=today).first()
    return {
        "checkpoint": checkpoint, "form": form or PassageForm(), "pending": list(pending),
        "recent": recent, "counts": counts, "notice": notice, "saved": saved,
        "confirm_form": ConfirmForm(), "phone_checks": phone_checks.messages,
    }


def _panel(request: HttpRequest, checkpoint: Checkpoint, **extra) -> HttpResponse:
    template = "checkpoints/_duty_panel.html" if request.htmx else "checkpoints/duty.html"
    return render(request, template, _panel_context(checkpoint, **extra))


@capture.shell_page
@capability_required(Cap.REGISTER_PASSAGE, roles=DUTY_ROLES)
def duty_screen(request: HttpRequest, pk: int) -> HttpResponse:
    return _panel(request, _checkpoint(request, pk), shell=capture.is_shell(request))


@require_POST
@capability_required(Cap.REGISTER_PASSAGE, roles=DUTY_ROLES)
def duty_register(request: HttpRequest, pk: int) -> HttpResponse:
    checkpoint = _checkpoint(request, pk)
    form = PassageForm(request.POST)
    if form.is_valid():
        try:
            passage, created = services.register_passage(
                request.user, checkpoint, clean_passage(form.as_passage_data()),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return _after_save(request, checkpoint, passage, created)
    return capture.form_answer(request, _panel(request, checkpoint, form=form), form)


def _after_save(request: HttpRequest, checkpoint: Checkpoint, passage: Passage,
                created: bool) -> HttpResponse:
    notice = _notice(passage, created)
    outcome = Outcome.SAVED if created else Outcome.DUPLICATE
    if request.htmx:
        return capture.answer(request, _panel(request, checkpoint, notice=notice,
                                              saved=passage), outcome)
    if capture.from_queue(request):
        return capture.answer(request, HttpResponse(notice), outcome)
    messages.success(request, notice)
    return redirect("checkpoints:duty_screen", pk=checkpoint.pk)


def _notice(passage: Passage, created: bool) -> str:
    who = passage.masked_name
    if not created:
        return _("Already registered: %(who)s.") % {"who": who}
    if passage.fever:
        return _("%(who)s registered. FEVER %(t)s °C: do not let them in; an alert was "
                 "raised.") % {"who": who, "t": passage.temperature}
    text = _("%(who)s registered (%(direction)s).") % {
        "who": who, "direction": passage.get_direction_display()}
    if passage.plate_flagged:
        text += " " + _("Vehicle %(plate)s is from a watched province: screen it.") % {
            "plate": passage.plate}
    return text


@require_POST
@capability_required(Cap.REGISTER_PASSAGE, roles=DUTY_ROLES)
def duty_quick(request: HttpRequest, pk: int, passage_pk: int, direction: str) -> HttpResponse:
    """In or out again for a recent person: one tap (plus the temperature going in)."""
    checkpoint = _checkpoint(request, pk)
    # Only today's register is the duty staff's (the screen lists today's people).
    earlier = get_object_or_404(Passage.objects.select_related("person"),
                                checkpoint=checkpoint, pk=passage_pk, day=timezone.localdate())
    refused = capture.version_error(
        PassageForm, request.POST.get("form_version") or capture.UNVERSIONED)
    if refused:
        return _refused(request, checkpoint, refused, Outcome.VERSION)
    made_at = capture.made_at(request.POST.get("made_at"))
    # What was typed for this person here before, never the registry's row.
    body = {
        "client_id": request.POST.get("client_id"), "direction": direction,
        "occurred_at": made_at.isoformat() if made_at else None,
        "name": earlier.name, "id_number": earlier.person.id_number, "phone": earlier.phone,
        "temperature": request.POST.get("temperature") or None, "plate": earlier.plate,
        "mask": earlier.mask, "resident": earlier.resident, "origin": earlier.origin,
    }
    try:
        passage, created = services.register_passage(request.user, checkpoint,
                                                     clean_passage(body))
    except ValidationError as exc:
        notice = " ".join(m for ms in getattr(exc, "message_dict", {"": exc.messages}).values()
                          for m in ms)
        return _refused(request, checkpoint, notice, Outcome.CONFLICT if isinstance(
            exc, KeyConflict) else Outcome.INVALID)
    return _after_save(request, checkpoint, passage, created)


def _refused(request: HttpRequest, checkpoint: Checkpoint, notice: str,
             outcome: Outcome) -> HttpResponse:
    if request.htmx:
        return capture.answer(request, _panel(request, checkpoint, notice=notice), outcome,
                              notice)
    if capture.from_queue(request):
        return capture.answer(request, HttpResponse(notice), outcome, notice)
    messages.error(request, notice)
    return redirect("checkpoints:duty_screen", pk=checkpoint.pk)


@require_POST
@capability_required(Cap.REGISTER_PASSAGE, roles=DUTY_ROLES)
def duty_confirm(request: HttpRequest, pk: int, passage_pk: int) -> HttpResponse:
    checkpoint = _checkpoint(request, pk)
    passage = get_object_or_404(Passage.objects.select_related("person"),
                                checkpoint=checkpoint, pk=passage_pk)
    action = request.POST.get("action", "confirm")
    saved, outcome = None, Outcome.SAVED
    # A confirmation (or discard) replayed from the phone's queue finds it done: the
    # same answer as the first time, not an error.
    done = {"reject": PassageStatus.REJECTED}.get(action, PassageStatus.CONFIRMED)
    if passage.status == done and capture.from_queue(request):
        return _after_confirm(request, checkpoint, _notice(passage, False),
                              passage if done == PassageStatus.CONFIRMED else None,
                              Outcome.DUPLICATE)
    try:
        if action == "reject":
            services.reject_passage(request.user, passage)
            notice = _("Registration of %(who)s discarded.") % {
                "who": passage.masked_name}
        else:
            raw = request.POST.get("temperature", "").strip()
            temperature = parse_temperature(raw, required=False) if raw else None
            passage = saved = services.confirm_passage(request.user, passage,
                                                       temperature=temperature)
            notice = _notice(passage, True)
    except ValidationError as exc:
        notice, outcome = " ".join(exc.messages), Outcome.INVALID
    return _after_confirm(request, checkpoint, notice, saved, outcome)


def _after_confirm(request: HttpRequest, checkpoint: Checkpoint, notice: str,
                   saved: Passage | None, outcome: Outcome) -> HttpResponse:
    message = notice if outcome == Outcome.INVALID else ""
    if request.htmx:
        return capture.answer(request, _panel(request, checkpoint, notice=notice, saved=saved),
                              outcome, message)
    if capture.from_queue(request):
        return capture.answer(request, HttpResponse(notice), outcome, message)
    messages.info(request, notice)
    return redirect("checkpoints:duty_screen", pk=checkpoint.pk)


