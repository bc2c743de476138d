"""Core pages: home, people (masked, reveal audited), territory, audit logs."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from fangkong.core import audit
from fangkong.core.forms import PersonSearchForm, RevealForm
from fangkong.core.models import Alert, OrgUnit, Person, PiiAccess
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import capability_required, get_for_user, scope_for
from fangkong.core.services import dashboard_cards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    ctx = {
        "grants": scope.grants,
        "cards": dashboard_cards.cards_for(request.user),
        "open_alerts": Alert.objects.visible_to(request.user).open()[:10],
    }
    return render(request, "core/home.html", ctx)


@capability_required(Cap.VIEW)
def people(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    qs = Person.objects.visible_to(request.user).select_related("org_unit")
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            qs = qs.filter(Q(name__contains=q) | Q(id_number=q.upper()) | Q(phone=q))
        if form.cleaned_data["unit"]:
            unit = get_object_or_404(
                units_visible_to(request.user), code=form.cleaned_data["unit"]
            )
            qs = qs.filter(unit_path__startswith=unit.path)
    page = Paginator(qs.order_by("unit_path", "name", "pk"), 50).get_page(request.GET.get("page"))
    template = "core/_people_rows.html" if request.htmx else "core/people.html"
    return render(request, template, {"form": form, "page": page})


@capability_required(Cap.VIEW)
def person(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Person.objects.select_related("org_unit"), request.user, pk=pk)
    can_reveal = scope_for(request.user).can(Cap.REVEAL_PII, obj.unit_path)
    history = LogEntry.objects.get_for_object(obj).select_related("actor")[:20]
    return render(request, "core/person.html", {
        "person": obj, "can_reveal": can_reveal, "reveal_form": RevealForm(), "history": history,
    })


@require_POST
@capability_required(Cap.REVEAL_PII)
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Person.objects.select_related("org_unit"), request.user, pk=pk)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            revealed = audit.reveal(request.user, obj, ["id_number", "phone", "address"],
                                    form.cleaned_data["reason"], request=request)
        except ValidationError as exc:
            form.add_error("reason", exc.message_dict.get("reason", exc.messages))
    return render(request, "core/_person_pii.html", {
        "person": obj, "revealed": revealed, "reveal_form": form, "can_reveal": True,
    })


def units_visible_to(user) -> QuerySet[OrgUnit]:
    """The org units in the user's territorial scope (the tree itself is not scoped)."""
    from fangkong.core.models.scoped import path_filter

    scope = scope_for(user)
    if scope.is_global():
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(path_filter(scope.paths(), field="path"))


@capability_required(Cap.VIEW)
def units(request: HttpRequest) -> HttpResponse:
    visible = units_visible_to(request.user)
    parent_code = request.GET.get("parent")
    if parent_code:
        parent = get_object_or_404(visible, code=parent_code)
        rows = visible.filter(path__startswith=parent.path, depth=parent.depth + 1)
        crumbs = [u for u in parent.ancestors_and_self() if visible.filter(pk=u.pk).exists()]
    else:
        parent, crumbs = None, []
        top = visible.order_by("depth").values_list("depth", flat=True).first() or 1
        rows = visible.filter(depth=top)
    rows = list(rows.order_by("code"))
    people_counts = {
        u.pk: Person.objects.filter(unit_path__startswith=u.path).count() for u in rows
    }
    for u in rows:
        u.n_people = people_counts[u.pk]
    return render(request, "core/units.html", {"parent": parent, "rows": rows, "crumbs": crumbs})


@capability_required(Cap.VIEW_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    actor = request.GET.get("actor", "").strip()
    if actor:
        qs = qs.filter(actor__username=actor)
    model = request.GET.get("model", "").strip()
    if model:
        qs = qs.filter(content_type__model=model.lower())
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"page": page, "actor": actor, "model": model})


@capability_required(Cap.VIEW_AUDIT)
def pii_log(request: HttpRequest) -> HttpResponse:
    qs = PiiAccess.objects.select_related("actor")
    actor = request.GET.get("actor", "").strip()
    if actor:
        qs = qs.filter(actor__username=actor)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/pii_log.html", {"page": page, "actor": actor})
