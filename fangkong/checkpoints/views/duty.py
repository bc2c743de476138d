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
    PassageOutcome,
    PassageStatus,
)
from fangkong.checkpoints.models.checkpoints import DUTY_ROLES
from fangkong.checkpoints.validation import clean_passage, parse_temperature
from fangkong.core import capture
from fangkong.core.capture import Outcome
from fangkong.core.forms import add_errors
from fangkong.core.models import KeyConflict, Person
from fangkong.core.models.accounts import Cap
from fangkong.core.rules import NoRuleInForce
from fangkong.core.scoping import capability_required, get_for_user, scope_for
from fangkong.lib.masking import mask_name

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


def _pending(checkpoint: Checkpoint) -> dict:
    """The self-registrations waiting at the checkpoint, and those discarded today (which
    can be restored the same day)."""
    since = timezone.now() - timezone.timedelta(hours=12)
    rows = list(Passage.objects.filter(checkpoint=checkpoint, occurred_at__gte=since,
                                       status__in=(PassageStatus.PENDING,
                                                   PassageStatus.REJECTED))
                .select_related("person").order_by("occurred_at"))
    today = timezone.localdate()
    return {
        "checkpoint": checkpoint,
        "pending": [p for p in rows if p.status == PassageStatus.PENDING],
        "discarded": [p for p in rows if p.status == PassageStatus.REJECTED
                      and timezone.localdate(p.updated_at) == today],
    }


def _panel_context(checkpoint: Checkpoint, form: PassageForm | None = None,
                   notice: str = "", saved: Passage | None = None, error: bool = False,
                   mismatch: dict | None = None, ask_discard: int | None = None,
                   row_error: dict | None = None, shell: bool = False) -> dict:
    today = timezone.localdate()
    if shell:  # the offline app shell (core.capture): no person, no figure of the day
        return {"checkpoint": checkpoint, "form": PassageForm(), "pending": [],
                "discarded": [], "recent": [], "counts": None, "notice": "", "saved": None,
                "stop": None, "error": False, "mismatch": None, "ask_discard": None,
                "row_error": None, "outcomes": PassageOutcome.choices,
                "confirm_form": ConfirmForm(), "fever_threshold": _fever_threshold(today),
                "shell": True, "phone_checks": phone_checks.messages}
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
    stop = saved if saved is not None and (saved.fever or saved.plate_flagged) else None
    return {
        **_pending(checkpoint), "ask_discard": ask_discard, "row_error": row_error,
        "form": form or PassageForm(), "recent": recent, "counts": counts,
        "notice": notice, "saved": saved, "stop": stop, "error": error,
        "mismatch": mismatch, "outcomes": PassageOutcome.choices,
        "confirm_form": ConfirmForm(), "fever_threshold": _fever_threshold(today),
        "phone_checks": phone_checks.messages,
    }


def _fever_threshold(day) -> object:
    """Today's fever threshold (for the phone, which stops a fever without the network),
    or None when no screening rule is in force."""
    try:
        return services.screening_rule(day).fever_threshold
    except NoRuleInForce:
        return None


def _panel(request: HttpRequest, checkpoint: Checkpoint, **extra) -> HttpResponse:
    template = "checkpoints/_duty_panel.html" if request.htmx else "checkpoints/duty.html"
    return render(request, template, _panel_context(checkpoint, **extra))


@capture.shell_page
@capability_required(Cap.REGISTER_PASSAGE, roles=DUTY_ROLES)
def duty_screen(request: HttpRequest, pk: int) -> HttpResponse:
    return _panel(request, _checkpoint(request, pk), shell=capture.is_shell(request))


@capability_required(Cap.REGISTER_PASSAGE, roles=DUTY_ROLES)
def duty_pending(request: HttpRequest, pk: int) -> HttpResponse:
    """Just the pending section: the duty screen polls it (every few seconds, paused
    while the staff type in it), so a resident's self-registration shows without a
    reload."""
    return render(request, "checkpoints/_duty_pending.html",
                  _pending(_checkpoint(request, pk)))


def _registry_mismatch(request: HttpRequest, data) -> dict | None:
    """The registry's person for the typed ID number, if its name differs from the typed
    one: what the worker is told. The registry's name (masked, as on this screen) only
    for a user whose scope covers the person's unit; anyone else learns only that the
    two disagree (docs/decisions/duty-screen.md)."""
    person = (Person.objects.filter(id_number=data.person.id_number)
              .only("pk", "name", "unit_path", "id_number", "sex", "birth_date",
                    "org_unit_id").first())
    if person is None or person.name == data.person.name:
        return None
    scope = scope_for(request.user)
    return {
        "person": person, "typed": data.person.name,
        "registry_name": (mask_name(person.name)
                          if scope.covers(Cap.VIEW, person.unit_path) else ""),
    }


@require_POST
@capability_required(Cap.REGISTER_PASSAGE, roles=DUTY_ROLES)
def duty_register(request: HttpRequest, pk: int) -> HttpResponse:
    checkpoint = _checkpoint(request, pk)
    form = PassageForm(request.POST)
    if form.is_valid():
        try:
            data = clean_passage(form.as_passage_data())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return _register_checked(request, checkpoint, form, data)
    return capture.form_answer(request, _panel(request, checkpoint, form=form), form)


def _register_checked(request: HttpRequest, checkpoint: Checkpoint, form: PassageForm,
                      data) -> HttpResponse:
    """Register, unless the typed name and the registry's for the ID number disagree
    and the worker has not yet said which is wrong (``name_check``)."""
    choice = request.POST.get("name_check", "")
    mismatch = _registry_mismatch(request, data)
    notice_extra = ""
    if mismatch is not None:
        if choice == "mistyped":
            form.add_error("id_number", _(
                "Check the ID number against the card and correct it."))
            return capture.form_answer(request, _panel(request, checkpoint, form=form), form)
        if choice != "registry":
            # The worker must answer: a record from the phone's queue is refused with the
            # question (sent live, the panel asking it is swapped in; sent later, the
            # record waits as failed, and "Edit" brings it back to be sent and asked).
            return capture.answer(
                request, _panel(request, checkpoint, form=form, mismatch=mismatch),
                Outcome.INVALID, _("The name and the ID number disagree") + ": " + _(
                    "Check the ID card. Nothing was registered yet."))
        if services.correct_registry_name(request.user, mismatch["person"],
                                          data.person.name):
            notice_extra = _("The registry's name for this ID number was corrected.")
        else:
            data.name_disputed = True
            notice_extra = _(
                "You may not correct the registry: the record keeps the name as typed and "
                "the community is asked to check it.")
    try:
        passage, created = services.register_passage(request.user, checkpoint, data)
    except ValidationError as exc:
        add_errors(form, exc)
        return capture.form_answer(request, _panel(request, checkpoint, form=form), form)
    return _after_save(request, checkpoint, passage, created, extra=notice_extra)


def _after_save(request: HttpRequest, checkpoint: Checkpoint, passage: Passage,
                created: bool, extra: str = "") -> HttpResponse:
    notice = _notice(passage, created)
    if extra:
        notice = f"{notice} {extra}"
    outcome = Outcome.SAVED if created else Outcome.DUPLICATE
    if request.htmx or (not capture.from_queue(request)
                        and (passage.fever or passage.plate_flagged)):
        # Without JavaScript too, a stop is the page itself, not a message after a
        # redirect.
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
    row = {"person": earlier.person_id, "direction": direction}
    refused = capture.version_error(
        PassageForm, capture.sent_version(PassageForm, request.POST.get("form_version")))
    if refused:
        return _refused(request, checkpoint, refused, Outcome.VERSION, row)
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
            exc, KeyConflict) else Outcome.INVALID, row)
    return _after_save(request, checkpoint, passage, created)


def _refused(request: HttpRequest, checkpoint: Checkpoint, notice: str,
             outcome: Outcome, row: dict) -> HttpResponse:
    if request.htmx:
        # Next to the row's own field, which takes the focus.
        return capture.answer(request, _panel(request, checkpoint, row_error={
            **row, "message": notice}), outcome, notice)
    if capture.from_queue(request):
        return capture.answer(request, HttpResponse(notice), outcome, notice)
    messages.error(request, notice)
    return redirect("checkpoints:duty_screen", pk=checkpoint.pk)


@require_POST
@capability_required(Cap.REGISTER_PASSAGE, roles=DUTY_ROLES)
def duty_confirm(request: HttpRequest, pk: int, passage_pk: int) -> HttpResponse:
    """A self-registration: confirmed with a measured temperature, or explicitly with
    the resident's own reading (``confirm_self``); discarded after a second tap
    (``discard`` asks, ``reject`` does it); a discard of today restored (``restore``)."""
    checkpoint = _checkpoint(request, pk)
    passage = get_object_or_404(Passage.objects.select_related("person"),
                                checkpoint=checkpoint, pk=passage_pk)
    action = request.POST.get("action", "confirm")
    saved, error = None, False
    if action == "discard":
        return capture.answer(request, _panel(request, checkpoint, ask_discard=passage.pk),
                              Outcome.SAVED)
    if action == "keep":
        return capture.answer(request, _panel(request, checkpoint), Outcome.SAVED)
    # A confirmation, discard or undo replayed from the phone's queue finds it done: the
    # same answer as the first time, not an error.
    done = {"reject": PassageStatus.REJECTED, "restore": PassageStatus.PENDING}.get(
        action, PassageStatus.CONFIRMED)
    if passage.status == done and capture.from_queue(request):
        return _after_confirm(request, checkpoint, passage, _notice(passage, False),
                              passage if done == PassageStatus.CONFIRMED else None, False,
                              Outcome.DUPLICATE)
    try:
        if action == "reject":
            services.reject_passage(request.user, passage)
            notice = _("Registration of %(who)s discarded. You can restore it today.") % {
                "who": passage.masked_name}
        elif action == "restore":
            services.restore_passage(request.user, passage)
            notice = _("Registration of %(who)s restored: it waits for confirmation.") % {
                "who": passage.masked_name}
        else:
            raw = request.POST.get("temperature", "").strip()
            temperature = parse_temperature(raw, required=False) if raw else None
            passage = saved = services.confirm_passage(
                request.user, passage, temperature=temperature,
                self_reported=action == "confirm_self" and temperature is None)
            notice = _notice(passage, True)
    except ValidationError as exc:
        notice, error = " ".join(exc.messages), True
    return _after_confirm(request, checkpoint, passage, notice, saved, error,
                          Outcome.INVALID if error else Outcome.SAVED)


def _after_confirm(request: HttpRequest, checkpoint: Checkpoint, passage: Passage,
                   notice: str, saved: Passage | None, error: bool,
                   outcome: Outcome) -> HttpResponse:
    message = notice if error else ""
    if request.htmx and error and passage.status == PassageStatus.PENDING:
        # Next to the pending row's reading, which takes the focus.
        return capture.answer(request, _panel(request, checkpoint, row_error={
            "pk": passage.pk, "message": notice}), outcome, message)
    if request.htmx:
        return capture.answer(request, _panel(request, checkpoint, notice=notice, saved=saved,
                                              error=error), outcome, message)
    if capture.from_queue(request):
        return capture.answer(request, HttpResponse(notice), outcome, message)
    (messages.error if error else messages.info)(request, notice)
    return redirect("checkpoints:duty_screen", pk=checkpoint.pk)


@require_POST
@capability_required(Cap.REGISTER_PASSAGE, roles=DUTY_ROLES)
def duty_outcome(request: HttpRequest, pk: int, passage_pk: int) -> HttpResponse:
    """What the staff did with a person stopped (fever, plate): let through, persuaded
    to turn back, not let through, referred. Only today's register is theirs."""
    checkpoint = _checkpoint(request, pk)
    passage = get_object_or_404(Passage, checkpoint=checkpoint, pk=passage_pk,
                                day=timezone.localdate())
    error = False
    try:
        passage = services.set_outcome(request.user, passage, request.POST.get("outcome", ""))
        notice = _("%(who)s: %(outcome)s.") % {"who": passage.masked_name,
                                                "outcome": passage.get_outcome_display()}
    except ValidationError as exc:
        notice, error = " ".join(exc.messages), True
    if request.htmx:
        return _panel(request, checkpoint, notice=notice, error=error)
    (messages.error if error else messages.success)(request, notice)
    return redirect("checkpoints:duty_screen", pk=checkpoint.pk)
