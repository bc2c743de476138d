"""Checkpoints, their registers and rosters, posters and the screening rule (their alerts
are listed and closed in core's alerts inbox)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.checkpoints import alerts, services
from fangkong.checkpoints import poster as posters
from fangkong.checkpoints.forms import (
    CheckpointEditForm,
    CheckpointForm,
    RosterForm,
    RuleForm,
)
from fangkong.checkpoints.models import (
    Checkpoint,
    DutyRoster,
    Passage,
    PassageDaily,
)
from fangkong.checkpoints.services import screening
from fangkong.core import exports
from fangkong.core.forms import add_errors
from fangkong.core.models import Alert, Grant
from fangkong.core.models.accounts import Cap, Role
from fangkong.core.models.territory import Level
from fangkong.core.rules import NoRuleInForce
from fangkong.core.scoping import (
    capability_required,
    get_for_user,
    require_capability,
    scope_for,
    units_visible_to,
)
from fangkong.lib.dates import day_param

#: The alerts the index counts: the ones checkpoints raises.
ALERT_KINDS = (alerts.FEVER.code, alerts.PLATE.code)


def _day(raw: str | None) -> date:
    return day_param(raw)


def selfreg_url(request: HttpRequest, checkpoint: Checkpoint) -> str:
    """The address the QR poster prints: ``settings.FANGKONG_PUBLIC_URL`` (what residents'
    phones reach, e.g. https://fk.ankang.gov.cn) if set, else this request's own, which
    is wrong when staff open the page on an internal address."""
    from django.conf import settings

    path = reverse("checkpoints:selfreg", args=[checkpoint.public_key])
    base = getattr(settings, "FANGKONG_PUBLIC_URL", "")
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


@capability_required(Cap.VIEW)
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    q = " ".join(request.GET.get("q", "").split())[:60]
    found = Checkpoint.objects.visible_to(request.user).select_related("org_unit")
    if q:
        found = found.filter(Q(name__icontains=q) | Q(location__icontains=q)
                             | Q(org_unit__name__icontains=q))
    checkpoints = list(found.order_by("unit_path", "name"))
    counts = {
        row["checkpoint_id"]: row for row in PassageDaily.objects.filter(
            checkpoint__in=checkpoints, day=today,
        ).values("checkpoint_id", "passages_in", "passages_out", "fevers", "plates_flagged")
    }
    for cp in checkpoints:
        cp.today = counts.get(cp.pk, {})
    editable = units_visible_to(request.user, Cap.EDIT, level=Level.COMMUNITY)
    form = CheckpointForm(request.POST or None, communities=editable)
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["community"]
        try:
            cp = services.create_checkpoint(
                request.user, unit, name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"], location=form.cleaned_data["location"],
                opened_on=form.cleaned_data["opened_on"],
                client_id=form.cleaned_data["client_id"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Checkpoint %(name)s created.") % {"name": cp.name})
            return redirect("checkpoints:detail", pk=cp.pk)
    pending = Passage.objects.filter(checkpoint__in=checkpoints, status="pending").count()
    return render(request, "checkpoints/index.html", {
        "checkpoints": checkpoints, "form": form if editable.exists() else None,
        "pending": pending, "today": today, "q": q,
        "open_alerts": Alert.objects.visible_to(request.user).open()
        .filter(kind__in=ALERT_KINDS).count(),
    })


@capability_required(Cap.VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    checkpoint = get_for_user(Checkpoint.objects.select_related("org_unit"), request.user,
                              Cap.VIEW, pk=pk)
    day = _day(request.GET.get("date"))
    passages = (Passage.objects.filter(checkpoint=checkpoint, day=day)
                .select_related("person", "recorded_by").order_by("-occurred_at"))
    page = Paginator(passages, 100).get_page(request.GET.get("page"))
    counts = PassageDaily.objects.filter(checkpoint=checkpoint, day=day).first()
    can_edit = scope_for(request.user).can(Cap.EDIT, checkpoint.unit_path)
    roster = (DutyRoster.objects.filter(checkpoint=checkpoint, day__gte=timezone.localdate())
              .select_related("user").order_by("day", "user__username")[:50])
    return render(request, "checkpoints/detail.html", {
        "checkpoint": checkpoint, "day": day, "page": page, "counts": counts,
        "can_edit": can_edit, "roster": roster,
        # A closed checkpoint has no duty screen (it answers 404): no button to it.
        "can_register": checkpoint.is_active and Checkpoint.may_register(
            scope_for(request.user), checkpoint.unit_path, rostered_today=False),
        "roster_form": RosterForm(users=_duty_users(checkpoint)) if can_edit else None,
        "selfreg_url": selfreg_url(request, checkpoint),
        "prev_day": day - timezone.timedelta(days=1),
        "next_day": day + timezone.timedelta(days=1),
    })


@capability_required(Cap.EDIT)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a checkpoint's name, kind, location or first day."""
    checkpoint = get_for_user(Checkpoint.objects.select_related("org_unit"), request.user,
                              Cap.EDIT, pk=pk)
    form = CheckpointEditForm(request.POST or None, initial={
        "name": checkpoint.name, "kind": checkpoint.kind, "location": checkpoint.location,
        "opened_on": checkpoint.opened_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_checkpoint(request.user, checkpoint, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("checkpoints:detail", pk=checkpoint.pk)
    return render(request, "checkpoints/simple_form.html", {
        "form": form, "submit": _("Save"),
        "title": _("Edit checkpoint %(name)s") % {"name": checkpoint.name},
        "back": reverse("checkpoints:detail", args=[checkpoint.pk])})


def _duty_users(checkpoint: Checkpoint):
    grants = Grant.objects.filter(role=Role.CHECKPOINT_DUTY).select_related("org_unit", "user")
    users = {g.user_id: g.user for g in grants
             if checkpoint.unit_path.startswith(g.org_unit.path) and g.user.is_active}
    return sorted(users.values(), key=lambda u: u.username)


@require_POST
@capability_required(Cap.EDIT)
def roster_add(request: HttpRequest, pk: int) -> HttpResponse:
    checkpoint = get_for_user(Checkpoint, request.user, Cap.EDIT, pk=pk)
    form = RosterForm(request.POST, users=_duty_users(checkpoint))
    if form.is_valid():
        user = get_object_or_404(get_user_model(), pk=form.cleaned_data["user"])
        try:
            services.roster(request.user, checkpoint, user, form.cleaned_data["day"])
            messages.success(request, _("Rostered."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Choose a duty user and a date."))
    return redirect("checkpoints:detail", pk=checkpoint.pk)


@require_POST
@capability_required(Cap.EDIT)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift the checkpoint from today: no more registrations; it still counts for the
    days it ran."""
    checkpoint = get_for_user(Checkpoint, request.user, Cap.EDIT, pk=pk)
    try:
        services.close_checkpoint(request.user, checkpoint)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Checkpoint closed."))
    return redirect("checkpoints:detail", pk=checkpoint.pk)


@require_POST
@capability_required(Cap.EDIT)
def roster_remove(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    checkpoint = get_for_user(Checkpoint, request.user, Cap.EDIT, pk=pk)
    entry = get_object_or_404(DutyRoster, checkpoint=checkpoint, pk=entry_pk)
    services.unroster(request.user, entry)
    return redirect("checkpoints:detail", pk=checkpoint.pk)


@capability_required(Cap.VIEW)
def poster(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    from django.conf import settings

    if fmt not in ("png", "pdf"):
        raise Http404
    checkpoint = get_for_user(Checkpoint.objects.select_related("org_unit"), request.user,
                              Cap.VIEW, pk=pk)
    url = selfreg_url(request, checkpoint)
    place = " ".join(u.display_name for u in checkpoint.org_unit.ancestors_and_self()[-2:])
    try:
        page = posters.render(url, place, checkpoint.name, settings.SITE_NAME)
    except posters.PosterFontMissing as exc:
        return render(request, "checkpoints/poster_error.html", {"message": str(exc)},
                      status=503)
    if fmt == "png":
        response = HttpResponse(page.png, content_type="image/png")
    else:
        response = HttpResponse(posters.as_pdf(page), content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename=\"checkpoint-{checkpoint.pk}.{fmt}\"")
    return response


@capability_required(Cap.VIEW)
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """One day's passages (``checkpoints.exporters.build_passages``)."""
    day = _day(exports.params(request).get("date"))
    return exports.export_view(
        request, "passages", extra={"checkpoint": pk, "date": day.isoformat()},
        back=reverse("checkpoints:detail", args=[pk]) + f"?date={day}",
    )


@capability_required(Cap.VIEW)
def rule(request: HttpRequest) -> HttpResponse:
    """The screening rule in force today; its history is core's (``core:rule_history``)."""
    try:
        current = services.screening_rule()
    except NoRuleInForce:
        current = None
    can_configure = scope_for(request.user).can(Cap.CONFIGURE)
    form = None
    if can_configure:
        form = RuleForm(request.POST or None, initial={
            "fever_threshold": current.fever_threshold if current else None,
            "watched_provinces": current.watched_provinces if current else "",
        })
        if request.method == "POST" and form.is_valid():
            try:
                services.change_rule(request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The screening rule is saved."))
                return redirect("checkpoints:rule")
    elif request.method == "POST":
        require_capability(request.user, Cap.CONFIGURE)
    return render(request, "checkpoints/rule.html", {
        "current": current, "form": form,
        "fever_code": screening.FEVER_CODE, "provinces_code": screening.PROVINCES_CODE,
    })


