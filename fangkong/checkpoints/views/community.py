"""Door-to-door screening (households, members, visits), inspections, patrols, tips."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.checkpoints import alerts, indicators, services
from fangkong.checkpoints.forms import (
    DispatchForm,
    FollowUpForm,
    HouseholdEditForm,
    HouseholdForm,
    HouseholdImportForm,
    InspectionForm,
    MemberForm,
    PatrolForm,
    ResolveForm,
    TipForm,
    VisitForm,
)
from fangkong.checkpoints.importers import HouseholdImporter
from fangkong.checkpoints.models import (
    Household,
    HouseholdMember,
    Inspection,
    PatrolLog,
    ScreeningVisit,
    Tip,
    TipStatus,
)
from fangkong.core import capture, imports, pii
from fangkong.core.exports import export_view
from fangkong.core.forms import add_errors
from fangkong.core.models import Alert, Grant
from fangkong.core.models.accounts import Cap
from fangkong.core.models.territory import Level
from fangkong.core.roles import ROLE_CAPABILITIES
from fangkong.core.scoping import (
    capability_required,
    get_for_user,
    get_unit_for_user,
    require_capability,
    scope_for,
    units_visible_to,
)
from fangkong.core.services.people import clean_person_data


@capability_required(Cap.VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    """Population and screening per community (figures from the indicators), for every
    community in the user's area that has households or patrols: two grouped queries find
    them, so HQ's 2,000 communities cost no more than the few that report (the page once
    looked at the first 200 by code only)."""
    today = timezone.localdate()
    units = units_visible_to(request.user, level=Level.COMMUNITY)
    with_data = set(Household.objects.filter(org_unit__in=units)
                    .values_list("org_unit_id", flat=True).distinct())
    with_data |= set(PatrolLog.objects.filter(org_unit__in=units)
                     .values_list("org_unit_id", flat=True).distinct())
    shown = units.filter(pk__in=with_data) if with_data else units[:20]
    rows = []
    for unit in shown:
        rows.append({
            "unit": unit,
            "households": Household.objects.under(unit).count(),
            "population": indicators.population(unit, today),
            "permanent": indicators.permanent_residents(unit, today),
            "screened": indicators.households_screened_total(unit, today),
            "flagged": ScreeningVisit.objects.under(unit).filter(
                Q(from_hubei=True) | Q(hubei_vehicle=True) | Q(symptoms=True)
                | Q(contact=True)).values("household_id").distinct().count(),
            "gatherings": indicators.gatherings_dispersed(unit, today),
        })
    return render(request, "checkpoints/community.html", {
        "rows": rows, "follow_ups": _open_follow_ups(request.user)})


def _open_follow_ups(user, limit: int = 50) -> list:
    """The open door-to-door follow-ups in the user's area, oldest first, each with its
    household (the alert's subject is ``checkpoints.household:<pk>``)."""
    open_alerts = list(Alert.objects.visible_to(user).open()
                       .filter(kind=alerts.VISIT_FINDING.code).order_by("opened_at")[:limit])
    def household_id(alert: Alert) -> int:
        found = alert.subject.rpartition(":")[2]
        return int(found) if found.isdigit() else 0

    households = Household.objects.visible_to(user).select_related("org_unit").in_bulk(
        {household_id(a) for a in open_alerts})
    for alert in open_alerts:
        alert.household = households.get(household_id(alert))
    return [a for a in open_alerts if a.household is not None]


@capability_required(Cap.VIEW)
def households(request: HttpRequest) -> HttpResponse:
    qs = Household.objects.visible_to(request.user).select_related("org_unit").annotate(
        n_members=Count("members", distinct=True), n_visits=Count("visits", distinct=True))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(address__icontains=q))
    unit_code = request.GET.get("unit")
    if unit_code:
        unit = get_unit_for_user(request.user, unit_code, Cap.VIEW, level=Level.COMMUNITY)
        qs = qs.under(unit)
    if request.GET.get("mine"):
        qs = qs.filter(assigned_to=request.user)
    page = Paginator(qs.order_by("unit_path", "sort_key", "number"), 50).get_page(
        request.GET.get("page"))
    for h in page:
        h.shown = h.shown_address(request.user)
    return render(request, "checkpoints/households.html", {
        "page": page, "q": q, "mine": bool(request.GET.get("mine")),
        "can_edit": scope_for(request.user).can(Cap.EDIT),
        "can_import": scope_for(request.user).can(Cap.IMPORT),
    })


@capability_required(Cap.EDIT)
def household_new(request: HttpRequest) -> HttpResponse:
    communities = units_visible_to(request.user, Cap.EDIT, level=Level.COMMUNITY)
    form = HouseholdForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = data["community"]
        try:
            household, _created = services.save_household(
                request.user, unit, number=data["number"], address=data["address"],
                phone=data["phone"], new_only=True, client_id=data["client_id"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("checkpoints:household", pk=household.pk)
    return render(request, "checkpoints/simple_form.html", {
        "form": form, "title": _("New household"), "submit": _("Save")})


def _household(request: HttpRequest, pk: int, capability: str = Cap.VIEW) -> Household:
    return get_for_user(Household.objects.select_related("org_unit"), request.user, capability,
                        pk=pk)


@capture.shell_page
@capability_required(Cap.VIEW)
def household(request: HttpRequest, pk: int, member_form=None, visit_form=None,
              follow_up_form=None, status: int = 200) -> HttpResponse:
    obj = _household(request, pk)
    shell = capture.is_shell(request)  # the offline shell: the visit form, nobody's data
    found = ([] if shell else services.follow_ups(Household.objects.filter(pk=obj.pk))
             .select_related("closed_by").order_by("-opened_at"))
    return render(request, "checkpoints/household.html", {
        "household": obj, "shell": shell,
        "members": [] if shell else obj.members.select_related("person"),
        "address": "" if shell else obj.shown_address(request.user),
        "assigned_to_me": obj.is_assigned_to(request.user),
        "visits": [] if shell else obj.visits.select_related("visited_by")
        .order_by("-visited_on", "-pk")[:30],
        "can_edit": scope_for(request.user).can(Cap.EDIT, obj.unit_path),
        "member_form": member_form or MemberForm(), "visit_form": visit_form or VisitForm(),
        "follow_ups": [a for a in found if a.status == "open"],
        "followed_up": [a for a in found if a.status != "open"][:10],
        "follow_up_form": follow_up_form or FollowUpForm(),
    }, status=status)


@capability_required(Cap.EDIT)
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a household and assign it to a worker of its community."""
    obj = _household(request, pk, Cap.EDIT)
    # The address and phone are shown in full to the assigned worker only (PII):
    # another editor sees them masked and keeps them unless typing new ones.
    own = obj.is_assigned_to(request.user)
    masked = None if own else {k: v for k, v in pii.mask_row(obj, ["address", "phone"]).items()
                               if v}
    form = HouseholdEditForm(request.POST or None, workers=_workers(obj), masked=masked,
                             initial={"number": obj.number, "notes": obj.notes,
                                      "assigned_to": obj.assigned_to_id,
                                      **({"address": obj.address, "phone": obj.phone}
                                         if own else {})})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        for name in masked or ():
            data[name] = data[name] or getattr(obj, name)
        try:
            services.edit_household(request.user, obj, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("checkpoints:household", pk=pk)
    return render(request, "checkpoints/simple_form.html", {
        "form": form, "submit": _("Save"),
        "title": _("Edit household %(number)s") % {"number": obj.number},
        "back": reverse("checkpoints:household", args=[pk])})


def _workers(household: Household):
    """The workers of the household's community (granted there, with EDIT): who may be
    assigned to it."""
    grants = Grant.objects.filter(user__is_active=True, org_unit_id=household.org_unit_id)
    ids = {g.user_id for g in grants if Cap.EDIT in ROLE_CAPABILITIES.get(g.role, ())}
    return get_user_model().objects.filter(pk__in=ids).order_by("username")


@require_POST
@capability_required(Cap.EDIT)
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _household(request, pk, Cap.EDIT)
    form = MemberForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            person = clean_person_data(id_number=data["id_number"], name=data["name"],
                                       phone=data["phone"])
            services.add_member(request.user, obj, person, relation=data["relation"],
                                permanent=data["permanent"], client_id=data["client_id"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("checkpoints:household", pk=pk)
    return household(request, pk, member_form=form)


@require_POST
@capability_required(Cap.EDIT)
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    obj = _household(request, pk, Cap.EDIT)
    member = obj.members.filter(pk=member_pk).first()
    if member is None:
        if HouseholdMember.objects.filter(pk=member_pk).exists():
            raise Http404  # another household's member
        messages.info(request, _("Already removed."))  # the button tapped twice
        return redirect("checkpoints:household", pk=pk)
    services.remove_member(request.user, member)
    messages.success(request, _("%(name)s was taken off the household.") % {
        "name": member.masked_name})
    return redirect("checkpoints:household", pk=pk)


@require_POST
@capability_required(Cap.EDIT)
def visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _household(request, pk, Cap.EDIT)
    form = VisitForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("form_version")
        try:
            visit, created = services.record_visit(request.user, obj, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if visit.flagged:
                text = _("Visit recorded. %(findings)s: the household is to be followed up "
                         "(alert opened).") % {"findings": "、".join(visit.flag_labels())}
            else:
                text = _("Visit recorded.")
            if capture.from_queue(request):
                # The follow-up warning goes with the queue's answer too (its list shows
                # it when the visit was sent later).
                return capture.answer(
                    request, HttpResponse(text),
                    capture.Outcome.SAVED if created else capture.Outcome.DUPLICATE,
                    text if visit.flagged else "")
            (messages.warning if visit.flagged else messages.success)(request, text)
            return redirect("checkpoints:household", pk=pk)
    return capture.form_answer(request, household(request, pk, visit_form=form), form)


@require_POST
@capability_required(Cap.EDIT)
def follow_up(request: HttpRequest, pk: int, alert_pk: int) -> HttpResponse:
    """Record the follow-up of a finding: the household's alert is closed with it."""
    obj = _household(request, pk, Cap.EDIT)
    alert = get_object_or_404(services.follow_ups(Household.objects.filter(pk=obj.pk)),
                              pk=alert_pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_household(request.user, obj, alert, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Follow-up recorded; the alert is closed."))
            return redirect("checkpoints:household", pk=pk)
    return household(request, pk, follow_up_form=form)


@capability_required(Cap.IMPORT)
def household_import(request: HttpRequest) -> HttpResponse:
    """Check, then import the checked file into the chosen community (``core.imports``)."""
    return imports.import_view(
        request, lambda data: HouseholdImporter(data["community"]), kind="households",
        template="checkpoints/household_import.html", form_class=HouseholdImportForm,
        form_kwargs={"communities": units_visible_to(request.user, Cap.IMPORT,
                                                    level=Level.COMMUNITY)},
        context={"fields": HouseholdImporter.fields, "back": reverse("checkpoints:households"),
                 "back_label": _("Back to the households")},
    )


@capability_required(Cap.VIEW)
def household_template(request: HttpRequest) -> HttpResponse:
    return imports.template_response(HouseholdImporter(None))


@capability_required(Cap.VIEW)
def households_export(request: HttpRequest) -> HttpResponse:
    return export_view(request, "households", back=reverse("checkpoints:households"))


def _keyed_create(request: HttpRequest, form_class, save, template: str, queryset,
                  title: str, extra: dict | None = None) -> HttpResponse:
    """List + create page of a keyed register (inspections, patrols, tips)."""
    communities = units_visible_to(request.user, Cap.EDIT, level=Level.COMMUNITY)
    can_edit = communities.exists()
    form = form_class(request.POST or None, communities=communities) if can_edit else None
    if request.method == "POST":
        require_capability(request.user, Cap.EDIT)
        if form.is_valid():
            data = dict(form.cleaned_data)
            unit = data.pop("community")
            data.pop("form_version")
            try:
                _record, created = save(request.user, unit, **data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                if capture.from_queue(request):
                    return capture.form_answer(request, HttpResponse(_("Saved.")), form,
                                               created)
                messages.success(request, _("Saved."))
                return redirect(request.path)
    if capture.is_shell(request):  # the offline shell: the form, no records
        queryset = queryset.none()
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    response = render(request, template, {"form": form, "page": page, "title": title,
                                          **(extra or {})})
    if request.method == "POST" and form is not None:
        return capture.form_answer(request, response, form)
    return response


@capture.shell_page
@capability_required(Cap.VIEW)
def inspections(request: HttpRequest) -> HttpResponse:
    qs = (Inspection.objects.visible_to(request.user).select_related("org_unit")
          .order_by("-day", "-pk"))
    return _keyed_create(request, InspectionForm, services.record_inspection,
                         "checkpoints/inspections.html", qs, _("Inspections"))


@capture.shell_page
@capability_required(Cap.VIEW)
def patrols(request: HttpRequest) -> HttpResponse:
    qs = (PatrolLog.objects.visible_to(request.user).select_related("org_unit")
          .order_by("-day", "-pk"))
    total = qs.aggregate(g=Sum("gatherings_dispersed"), p=Sum("people_persuaded"))
    return _keyed_create(request, PatrolForm, services.record_patrol,
                         "checkpoints/patrols.html", qs, _("Patrols"), {"total": total})


@capture.shell_page
@capability_required(Cap.VIEW)
def tips(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = Tip.objects.visible_to(request.user).select_related("org_unit").order_by("-received_at")
    if status in TipStatus.values:
        qs = qs.filter(status=status)
    return _keyed_create(request, TipForm, services.record_tip, "checkpoints/tips.html", qs,
                         _("Tips from residents"))


@capability_required(Cap.VIEW)
def tip(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Tip.objects.select_related("org_unit"), request.user, Cap.VIEW, pk=pk)
    can_edit = scope_for(request.user).can(Cap.EDIT, obj.unit_path)
    dispatch_form, resolve_form = DispatchForm(), ResolveForm()
    if request.method == "POST":
        require_capability(request.user, Cap.EDIT, obj.unit_path)
        action = request.POST.get("action")
        form = DispatchForm(request.POST) if action == "dispatch" else ResolveForm(request.POST)
        if form.is_valid():
            try:
                if action == "dispatch":
                    services.dispatch_tip(request.user, obj, **form.cleaned_data)
                else:
                    services.resolve_tip(request.user, obj, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return redirect("checkpoints:tip", pk=pk)
        if action == "dispatch":
            dispatch_form = form
        else:
            resolve_form = form
    return render(request, "checkpoints/tip.html", {
        "tip": obj, "can_edit": can_edit, "dispatch_form": dispatch_form,
        "resolve_form": resolve_form,
    })
