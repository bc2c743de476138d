"""Core pages: home, people (masked, reveal audited), territory, audit logs."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Case, Count, Q, QuerySet, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from fangkong.core import audit, pii, registries
from fangkong.core.dataday import data_day
from fangkong.core.forms import (
    REFUSED,
    AuditFilterForm,
    PersonSearchForm,
    PiiLogFilterForm,
    RevealForm,
)
from fangkong.core.models import Alert, Person, PiiAccess
from fangkong.core.models.accounts import Cap
from fangkong.core.models.alerts import Severity
from fangkong.core.models.audit import PiiAction, PiiRefusal
from fangkong.core.modules import home_panels
from fangkong.core.scoping import (
    capability_required,
    get_for_user,
    get_unit_for_user,
    scope_for,
    subtree_q,
    units_visible_to,
)
from fangkong.core.services import dashboard_cards
from fangkong.core.services.people import as_seen_by

PAGE_SIZE = 50
NOISE_FIELDS = frozenset({"created_at", "updated_at", "unit_path", "path", "depth", "numchild"})
VALUE_DISPLAY_LIMIT = 60
ACTION_LABELS = {
    LogEntry.Action.CREATE: pgettext_lazy("audit log", "Created"),
    LogEntry.Action.UPDATE: pgettext_lazy("audit log", "Changed"),
    LogEntry.Action.DELETE: pgettext_lazy("audit log", "Deleted"),
    LogEntry.Action.ACCESS: pgettext_lazy("audit log", "Viewed"),
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    alerts = (
        Alert.objects.visible_to(request.user).open().select_related("org_unit")
        .annotate(rank=Case(When(severity=Severity.CRITICAL, then=0),
                            When(severity=Severity.WARNING, then=1), default=2))
        .order_by("rank", "-opened_at")
    )
    day = data_day()
    return render(request, "core/home.html", {
        "grants": scope.grants,
        "cards": dashboard_cards.cards_for(request.user, day),
        "day": day,
        "open_alerts": alerts[:10],
        "open_alert_count": alerts.count(),
        # A duty user sees its checkpoint's alerts here but has no inbox (no VIEW).
        "can_open_inbox": scope.can(Cap.VIEW),
        "today": timezone.localdate(),
        "panels": home_panels(request),
    })


@capability_required(Cap.VIEW)
def people(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    qs = Person.objects.visible_to(request.user).select_related("org_unit")
    unit = None
    if form.is_valid():
        qs = qs.search(request.user, form.cleaned_data["q"])
        if form.cleaned_data["unit"]:
            unit = get_unit_for_user(request.user, form.cleaned_data["unit"])
            qs = qs.under(unit)
    page = Paginator(qs.order_by("unit_path", "name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = as_seen_by(request.user, page.object_list)
    template = "core/_people_rows.html" if request.htmx else "core/people.html"
    return render(request, template, {"form": form, "page": page, "unit": unit})


@capability_required(Cap.VIEW)
def person(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _person_for(request, pk)
    return _render_person(request, obj, RevealForm(), revealed=None)


@require_POST
@audit.logs_refusals(PiiAction.REVEAL, Person)  # no permission or out of scope: logged
@capability_required(Cap.REVEAL_PII)
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _person_for(request, pk)
    form = RevealForm(request.POST)
    revealed = None
    fields = list(pii.pii_fields(Person))
    if form.is_valid():
        try:
            revealed = audit.reveal(request.user, obj, fields, form.cleaned_data["reason"],
                                    request=request)
        except ValidationError as exc:
            form.add_error("reason", exc.message_dict.get("reason", exc.messages))
    else:
        audit.log_refused(request.user, PiiAction.REVEAL, Person._meta.label,
                          PiiRefusal.REASON, subject_id=obj.pk, label=str(obj), fields=fields,
                          reason=request.POST.get("reason"), request=request)
    if request.htmx:
        return render(request, "core/_person_pii.html", {
            "person": obj, "revealed": revealed, "reveal_form": form, "can_reveal": True,
        })
    return _render_person(request, obj, form, revealed)


def _person_for(request: HttpRequest, pk: int) -> Person:
    """The person as the user may see them (404 out of scope): the registry's row, or
    the person as the user's area registered them (``as_seen_by``)."""
    obj = get_for_user(Person.objects.select_related("org_unit"), request.user, pk=pk)
    return as_seen_by(request.user, [obj])[0]


def _render_person(
    request: HttpRequest, obj: Person, form: RevealForm, revealed: dict[str, str] | None,
) -> HttpResponse:
    # The history of what the user sees: the area's registration, not the registry's row.
    recorded = obj.registration or obj
    history = (LogEntry.objects.get_for_object(recorded)
               .select_related("actor", "content_type")[:20])
    return render(request, "core/person.html", {
        "person": obj,
        "can_reveal": scope_for(request.user).can(Cap.REVEAL_PII, obj.unit_path),
        "reveal_form": form,
        "revealed": revealed,
        "history": [_describe_entry(e, {}) for e in history],
    })


@capability_required(Cap.VIEW)
def units(request: HttpRequest) -> HttpResponse:
    visible = units_visible_to(request.user)
    parent_code = request.GET.get("parent")
    if parent_code:
        parent = get_unit_for_user(request.user, parent_code)
        rows = visible.filter(subtree_q("path", parent.path), depth=parent.depth + 1)
        scope = scope_for(request.user)
        crumbs = [u for u in parent.ancestors_and_self() if scope.covers(Cap.VIEW, u.path)]
    else:
        parent, crumbs = None, []
        top = visible.order_by("depth").values_list("depth", flat=True).first() or 1
        rows = visible.filter(depth=top)
    rows = list(rows.order_by("code"))
    for u in rows:
        u.n_people = Person.objects.under(u).count()
    return render(request, "core/units.html", {"parent": parent, "rows": rows, "crumbs": crumbs})


@capability_required(Cap.VIEW_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    models_by_key = {
        f"{m._meta.app_label}.{m._meta.model_name}": m for m in auditlog.get_models()
    }
    choices = sorted(
        ((key, capfirst(m._meta.verbose_name)) for key, m in models_by_key.items()),
        key=lambda c: str(c[1]),
    )
    form = AuditFilterForm(request.GET, model_choices=choices)
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    if form.is_valid():
        qs = _filter_log(qs, form.cleaned_data, "timestamp")
        if form.cleaned_data["model"]:
            model = models_by_key[form.cleaned_data["model"]]
            qs = qs.filter(content_type=ContentType.objects.get_for_model(model))
    else:
        qs = qs.none()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    names: dict[tuple[Any, str], str] = {}
    page.object_list = [_describe_entry(e, names) for e in page.object_list]
    return render(request, "core/audit.html", {"page": page, "form": form, "tab": "changes"})


@capability_required(Cap.VIEW_AUDIT)
def pii_log(request: HttpRequest) -> HttpResponse:
    form = PiiLogFilterForm(request.GET)
    qs = (PiiAccess.objects.select_related("actor").annotate(people_count=Count("people"))
          .order_by("-at", "-pk"))
    if form.is_valid():
        qs = _filter_log(qs, form.cleaned_data, "at")
        if form.cleaned_data["action"] == REFUSED:
            qs = qs.exclude(refused="")
        elif form.cleaned_data["action"]:
            qs = qs.filter(action=form.cleaned_data["action"])
        if form.cleaned_data["id_number"]:
            qs = _carrying(qs, form.cleaned_data["id_number"])
    else:
        qs = qs.none()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for access in page.object_list:
        model = _model_for_label(access.subject_type)
        access.type_label = capfirst(model._meta.verbose_name) if model else access.subject_type
        access.field_labels = [
            _field_label(model, name) for name in access.fields.split(",") if name
        ]
    return render(request, "core/pii_log.html", {"page": page, "form": form, "tab": "pii"})


def _carrying(qs: QuerySet, id_number: str) -> QuerySet:
    """Accesses that showed or exported the data of the person with ``id_number``."""
    person = Person.objects.filter(id_number=id_number).values_list("pk", flat=True).first()
    if person is None:
        return qs.none()
    label = Person._meta.label
    return qs.filter(Q(people__person_id=person)
                     | Q(subject_type=label, subject_id=str(person))).distinct()


def _filter_log(qs: QuerySet, data: dict[str, Any], time_field: str) -> QuerySet:
    """User (username or name) and date range (Asia/Shanghai days) of either log."""
    if data["actor"].strip():
        who = data["actor"].strip()
        qs = qs.filter(
            Q(actor__username__iexact=who) | Q(actor__first_name__contains=who)
            | Q(actor__last_name__contains=who)
        )
    if data["date_from"]:
        qs = qs.filter(**{f"{time_field}__date__gte": data["date_from"]})
    if data["date_to"]:
        qs = qs.filter(**{f"{time_field}__date__lte": data["date_to"]})
    return qs


# --- Presenting history rows ------------------------------------------------------------

def _model_for_label(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field_label(model: type[models.Model] | None, name: str) -> str:
    if model is None:
        return name
    field = _get_field(model, name)
    return str(capfirst(field.verbose_name)) if field is not None else name


def _hidden_fields(model: type[models.Model] | None) -> set[str]:
    """Personal-data fields whose values the history never shows, not even masked."""
    if model is None:
        return pii.all_field_names()
    hidden = set(pii.pii_fields(model))
    if auditlog.contains(model):
        hidden |= set(auditlog.get_model_fields(model)["mask_fields"])
    return hidden


def _describe_entry(entry: LogEntry, names: dict[tuple[Any, str], str] | None = None) -> LogEntry:
    """Attach display attributes: the action's label and the changed fields, PII hidden.

    Reverse relations, the primary key and timestamps are left out (the entry has its own
    time); a creation lists only the fields that were filled in.
    """
    model = entry.content_type.model_class()
    hidden = _hidden_fields(model)
    creating = entry.action == LogEntry.Action.CREATE
    changes = []
    for name, values in (entry.changes_dict or {}).items():
        field = _get_field(model, name)
        if model is not None and (field is None or field.primary_key or name in NOISE_FIELDS
                                  or name in getattr(model, "internal_fields", ())):
            continue
        label = str(capfirst(field.verbose_name)) if field is not None else name
        pair = values if isinstance(values, list | tuple) and len(values) == 2 else ("", values)
        before, after = (_display_value(field, v, names) for v in pair)
        if creating and not after:
            continue
        if name in hidden:
            changes.append({"field": label, "hidden": True})
        else:
            changes.append({"field": label, "before": "" if creating else before, "after": after})
    entry.changes_list = changes
    entry.action_label = ACTION_LABELS.get(entry.action, entry.get_action_display())
    entry.type_label = capfirst(model._meta.verbose_name) if model else entry.content_type.model
    return entry


def _get_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _display_value(
    field: models.Field | None, value: Any, names: dict[tuple[Any, str], str] | None = None,
) -> str:
    if value is None or value in ("None", ""):
        return ""
    text = str(value)
    if field is None:
        return _shorten(text)
    if field.choices:
        return str(dict(field.flatchoices).get(text, text))
    if field.model is Alert and field.name == "kind":  # the kinds are declared, not choices
        return str(registries.alert_kind_label(text))
    if isinstance(field, models.BooleanField):
        return _("Yes") if text == "True" else _("No")
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(text)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, UTC)
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    if isinstance(field, models.ForeignKey) and text.isdigit():
        names = {} if names is None else names
        key = (field.related_model, text)
        if key not in names:
            related = field.related_model._default_manager.filter(pk=text).first()
            names[key] = _shorten(str(related)) if related is not None else f"#{text}"
        return names[key]
    return _shorten(text)


def _shorten(text: str) -> str:
    if len(text) <= VALUE_DISPLAY_LIMIT:
        return text
    return text[: VALUE_DISPLAY_LIMIT - 1] + "…"
