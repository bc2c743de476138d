"""Relief pages: the overview with totals, the policy calculator (政策试算), the
registry of poor households and entities, applications with their frozen results,
acceptance and payment batches, the bank file."""

from __future__ import annotations

import uuid
from typing import Any

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.core import audit, imports, pii
from fangkong.core.exports import export_view
from fangkong.core.forms import add_errors
from fangkong.core.models.accounts import Cap
from fangkong.core.models.audit import PiiAction, PiiRefusal
from fangkong.core.models.territory import Level
from fangkong.core.scoping import (
    capability_required,
    get_for_user,
    get_unit_for_user,
    home_unit,
    scope_for,
    units_visible_to,
)
from fangkong.core.services.people import clean_person_data
from fangkong.core.views import _describe_entry
from fangkong.relief import engine, reports, services
from fangkong.relief.forms import (
    AcceptanceForm,
    ApplicationForm,
    CalculatorForm,
    EntityForm,
    HouseholdEditForm,
    HouseholdForm,
    LeadForm,
    LoanForm,
    MemberEditForm,
    MemberForm,
    PaymentBatchForm,
    RejectForm,
    ResumedForm,
    RevealForm,
    SettleForm,
    WorkerForm,
)
from fangkong.relief.importers import PoorHouseholdImporter, ReliefEntityImporter
from fangkong.relief.models import (
    HOUSEHOLD_MEASURES,
    AcceptanceBatch,
    Application,
    ApplicationStatus,
    Measure,
    PaymentBatch,
    PoorHousehold,
    PoorMember,
    ReliefEntity,
)


def _unit(request: HttpRequest) -> Any:
    code = request.GET.get("unit")
    return get_unit_for_user(request.user, code) if code else home_unit(request.user)


@capability_required(Cap.VIEW)
def index(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    rows = reports.by_measure(unit)
    return render(request, "relief/index.html", {
        "unit": unit, "rows": rows, "total": reports.total(rows),
        "children": reports.by_child(unit),
        "can_approve": scope_for(request.user).can(Cap.APPROVE),
        "counties": services.workflow.visible_counties(request.user),
    })


@capability_required(Cap.VIEW)
def calculator(request: HttpRequest) -> HttpResponse:
    form = CalculatorForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = engine.quote(data["measure"], data["facts"],
                              data.get("as_of") or timezone.localdate())
    return render(request, "relief/calculator.html", {
        "form": form, "result": result, "fields": CalculatorForm.FIELDS,
    })


# --- households -------------------------------------------------------------------------
@capability_required(Cap.VIEW)
def households(request: HttpRequest) -> HttpResponse:
    qs = (PoorHousehold.objects.visible_to(request.user).select_related("org_unit")
          .annotate(n_members=Count("members")))
    text = request.GET.get("q", "").strip()
    if text:
        qs = qs.filter(Q(number__icontains=text) | Q(head_name__icontains=text))
    page = Paginator(qs.order_by("unit_path", "number"), 50).get_page(request.GET.get("page"))
    scope = scope_for(request.user)
    return render(request, "relief/households.html", {
        "page": page, "q": text, "can_edit": scope.can(Cap.EDIT),
        "can_import": scope.can(Cap.IMPORT) and scope.can(Cap.EDIT)})


@capability_required(Cap.EDIT)
def household_new(request: HttpRequest) -> HttpResponse:
    villages = units_visible_to(request.user, Cap.EDIT, level=Level.COMMUNITY)
    form = HouseholdForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            head = clean_person_data(id_number=d["head_id_number"], name=d["head_name"],
                                     phone=d["phone"])
            household, _created = services.register_household(
                request.user, d["village"], client_id=d["client_id"], number=d["number"],
                head=head, account_number=d["account_number"],
                account_bank=d["account_bank"], registered_on=timezone.localdate())
        except ValidationError as exc:
            if "id_number" in getattr(exc, "error_dict", {}):
                exc = ValidationError({("head_id_number" if k == "id_number" else
                                        "head_name" if k == "name" else k): v
                                       for k, v in exc.error_dict.items()})
            add_errors(form, exc)
        else:
            return redirect("relief:household", pk=household.pk)
    return render(request, "relief/form.html", {
        "form": form, "title": _("Register a poor household"),
        "submit": _("Register the household"), "back": "relief:households"})


def _household_context(request: HttpRequest, household: PoorHousehold, **extra: Any
                       ) -> dict[str, Any]:
    scope = scope_for(request.user)
    return {
        "household": household,
        "members": household.members.select_related("person").order_by("pk"),
        "applications": household.applications.select_related("evaluation")
        .order_by("-pk"),
        "led_by": household.led_by.all(),
        "can_edit": scope.can(Cap.EDIT, household.unit_path),
        "can_reveal": scope.can(Cap.REVEAL_PII, household.unit_path),
        "member_form": extra.pop("member_form", None) or MemberForm(),
        "apply_form": extra.pop("apply_form", None) or ApplicationForm(
            measures=HOUSEHOLD_MEASURES),
        "reveal_form": extra.pop("reveal_form", None) or RevealForm(),
        "history": _household_history(household),
        **extra,
    }


def _household_history(household: PoorHousehold, limit: int = 30) -> list[Any]:
    """The change history of the household and of its members, removed ones included
    (their entries carry the household's id, ``PoorMember.get_additional_data``)."""
    types = ContentType.objects.get_for_models(PoorHousehold, PoorMember)
    entries = (LogEntry.objects.filter(
        Q(content_type=types[PoorHousehold], object_pk=str(household.pk))
        | Q(content_type=types[PoorMember], additional_data__household=household.pk))
        .select_related("actor", "content_type").order_by("-timestamp", "-pk")[:limit])
    return [_describe_entry(e, {}) for e in entries]


@capability_required(Cap.VIEW)
def household(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(PoorHousehold.objects.select_related("org_unit"), request.user, pk=pk)
    return render(request, "relief/household.html", _household_context(request, obj))


@require_POST
@audit.logs_refusals(PiiAction.REVEAL, PoorHousehold)
@capability_required(Cap.REVEAL_PII)
def household_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(PoorHousehold.objects.select_related("org_unit"), request.user, pk=pk)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            revealed = audit.reveal(request.user, obj, ["account_number"],
                                    form.cleaned_data["reason"], request=request)
        except ValidationError as exc:
            form.add_error("reason", exc.message_dict.get("reason", exc.messages))
    else:
        audit.log_refused(request.user, PiiAction.REVEAL, PoorHousehold._meta.label,
                          PiiRefusal.REASON, subject_id=obj.pk, label=str(obj),
                          fields=["account_number"], reason=request.POST.get("reason"),
                          request=request)
    return render(request, "relief/household.html", _household_context(
        request, obj, revealed=revealed, reveal_form=form))


@require_POST
@capability_required(Cap.EDIT)
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(PoorHousehold.objects.select_related("org_unit"), request.user,
                       Cap.EDIT, pk=pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            person = clean_person_data(id_number=d["id_number"], name=d["name"])
            services.add_member(request.user, obj, person, relation=d["relation"],
                                away_from=d["away_from"], away_to=d["away_to"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Member added."))
            return redirect("relief:household", pk=obj.pk)
    return render(request, "relief/household.html",
                  _household_context(request, obj, member_form=form), status=400)


@capability_required(Cap.EDIT)
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a household; below the form, its removal (or why it cannot be removed)."""
    obj = get_for_user(PoorHousehold.objects.select_related("org_unit"), request.user,
                       Cap.EDIT, pk=pk)
    masked = str(pii.value(obj, "account_number"))
    initial = {"number": obj.number, "account_bank": obj.account_bank,
               "registered_on": obj.registered_on, "seen": services.household_version(obj)}
    form = HouseholdEditForm(request.POST or None, initial=initial, masked_account=masked)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_household(
                request.user, obj, number=d["number"], account_number=d["account_number"],
                account_bank=d["account_bank"], registered_on=d["registered_on"],
                seen=d["seen"])
        except ValidationError as exc:
            if getattr(exc, "code", None) == "stale":
                obj.refresh_from_db()
                fresh = {**initial, "number": obj.number, "account_bank": obj.account_bank,
                         "registered_on": obj.registered_on,
                         "seen": services.household_version(obj)}
                form = HouseholdEditForm(
                    {k: "" if v is None else v for k, v in fresh.items()},
                    masked_account=masked)
                form.is_valid()
            add_errors(form, exc)
        else:
            messages.success(request, _("The household is corrected."))
            return redirect("relief:household", pk=obj.pk)
    return render(request, "relief/household_edit.html", {
        "form": form, "household": obj, "refusal": services.removal_refusal(obj)},
        status=400 if form.is_bound and form.errors else 200)


@require_POST
@capability_required(Cap.EDIT)
def household_remove(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(PoorHousehold.objects.select_related("org_unit"), request.user,
                       Cap.EDIT, pk=pk)
    try:
        services.remove_household(request.user, obj)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("relief:household", pk=obj.pk)
    messages.success(request, _("Household %(number)s removed from the register.") % {
        "number": obj.number})
    return redirect("relief:households")


def _member(request: HttpRequest, pk: int, mid: int) -> PoorMember:
    household = get_for_user(PoorHousehold.objects.select_related("org_unit"), request.user,
                             Cap.EDIT, pk=pk)
    member = household.members.select_related("person").filter(pk=mid).first()
    if member is None:
        raise Http404
    member.household = household
    return member


@capability_required(Cap.EDIT)
def member_edit(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    member = _member(request, pk, mid)
    form = MemberEditForm(request.POST or None, initial={
        "relation": member.relation, "away_from": member.away_from,
        "away_to": member.away_to})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_member(request.user, member, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Member corrected."))
            return redirect("relief:household", pk=pk)
    return render(request, "relief/form.html", {
        "form": form, "title": _("Correct a member: %(name)s") % {"name": member.name},
        "submit": _("Save"), "back_url": reverse("relief:household", args=[pk])},
        status=400 if form.is_bound and form.errors else 200)


@require_POST
@capability_required(Cap.EDIT)
def member_remove(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    try:
        member = _member(request, pk, mid)
    except Http404:  # removed already (sent twice): nothing left to do
        get_for_user(PoorHousehold.objects.all(), request.user, Cap.EDIT, pk=pk)
        return redirect("relief:household", pk=pk)
    try:
        entities = services.remove_member(request.user, member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        text = _("%(name)s removed from the household.") % {"name": member.name}
        if entities:
            text += " " + _("No longer counted as a registered poor worker of: %(names)s.") % {
                "names": "、".join(entities)}
        messages.success(request, text)
    return redirect("relief:household", pk=pk)


def _apply(request: HttpRequest, *, household: PoorHousehold | None = None,
           entity: ReliefEntity | None = None) -> tuple[ApplicationForm, Application | None]:
    loans = [(str(loan.pk), f"{loan.contract_number} · {loan.principal} 元")
             for loan in entity.loans.all()] if entity else []
    measures = HOUSEHOLD_MEASURES if household else [m for m in Measure.values
                                                     if m not in HOUSEHOLD_MEASURES]
    form = ApplicationForm(request.POST, loans=loans, measures=measures)
    if not form.is_valid():
        return form, None
    d = form.cleaned_data
    loan = entity.loans.filter(pk=d["loan"]).first() if entity and d.get("loan") else None
    try:
        application, _created = services.apply(
            request.user, d["measure"], client_id=d["client_id"],
            submitted_on=timezone.localdate(), household=household, entity=entity, loan=loan,
            project_type=d["project_type"])
    except ValidationError as exc:
        add_errors(form, exc)
        return form, None
    return form, application


@require_POST
@capability_required(Cap.EDIT)
def household_apply(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(PoorHousehold.objects.select_related("org_unit"), request.user,
                       Cap.EDIT, pk=pk)
    form, application = _apply(request, household=obj)
    if application is not None:
        return redirect("relief:application", pk=application.pk)
    return render(request, "relief/household.html",
                  _household_context(request, obj, apply_form=form), status=400)


# --- entities -------------------------------------------------------------------------------
@capability_required(Cap.VIEW)
def entities(request: HttpRequest) -> HttpResponse:
    qs = (ReliefEntity.objects.visible_to(request.user).select_related("org_unit")
          .annotate(n_workers=Count("workers", distinct=True),
                    n_led=Count("led_households", distinct=True)))
    page = Paginator(qs.order_by("unit_path", "name"), 50).get_page(request.GET.get("page"))
    scope = scope_for(request.user)
    return render(request, "relief/entities.html", {
        "page": page, "can_edit": scope.can(Cap.EDIT),
        "can_import": scope.can(Cap.IMPORT) and scope.can(Cap.EDIT)})


@capability_required(Cap.EDIT)
def entity_new(request: HttpRequest) -> HttpResponse:
    units = units_visible_to(request.user, Cap.EDIT).filter(
        level__in=(Level.TOWN, Level.COMMUNITY))
    form = EntityForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            entity, _created = services.register_entity(
                request.user, d["unit"], client_id=d["client_id"], name=d["name"],
                kind=d["kind"], account_number=d["account_number"],
                account_bank=d["account_bank"], resumed_on=d["resumed_on"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("relief:entity", pk=entity.pk)
    return render(request, "relief/form.html", {
        "form": form, "title": _("Register a poverty-relief entity"),
        "submit": _("Register the entity"), "back": "relief:entities"})


def _entity_choices(request: HttpRequest, entity: ReliefEntity) -> dict[str, Any]:
    """Members and households the user may see in the entity's county."""
    unit = entity.org_unit
    county = next((u for u in unit.ancestors_and_self() if u.level == Level.COUNTY), unit)
    households = (PoorHousehold.objects.visible_to(request.user)
                  .filter(unit_path__startswith=county.path).select_related("org_unit"))
    members = (PoorMember.objects.filter(household__in=households)
               .select_related("household__org_unit").order_by("household__number", "pk"))
    return {"households": households.order_by("number"), "members": members}


def _entity_context(request: HttpRequest, entity: ReliefEntity, **extra: Any
                    ) -> dict[str, Any]:
    loans = [(str(loan.pk), f"{loan.contract_number} · {loan.principal} 元")
             for loan in entity.loans.all()]
    choices = _entity_choices(request, entity)
    context = _entity_context_base(request, entity, loans, choices, extra)
    context["edit_forms"] = [
        (reverse("relief:entity_resumed", args=[entity.pk]), context["resumed_form"],
         _("Resumed work")),
        (reverse("relief:entity_worker", args=[entity.pk]), context["worker_form"],
         _("Add a registered poor worker")),
        (reverse("relief:entity_lead", args=[entity.pk]), context["lead_form"],
         _("Add a household led")),
        (reverse("relief:entity_loan", args=[entity.pk]), context["loan_form"],
         _("Add a loan")),
    ]
    return context


def _entity_context_base(request: HttpRequest, entity: ReliefEntity, loans: Any,
                         choices: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "loan_form": extra.pop("loan_form", None) or LoanForm(),
        "worker_form": extra.pop("worker_form", None) or WorkerForm(
            members=choices["members"]),
        "lead_form": extra.pop("lead_form", None) or LeadForm(
            households=choices["households"]),
        "resumed_form": extra.pop("resumed_form", None) or ResumedForm(
            initial={"resumed_on": entity.resumed_on}),
        "entity": entity,
        "workers": entity.workers.select_related("member__household__org_unit"),
        "led": entity.led_households.select_related("org_unit"),
        "loans": entity.loans.all(),
        "applications": entity.applications.select_related("evaluation", "loan")
        .order_by("-pk"),
        "can_edit": scope_for(request.user).can(Cap.EDIT, entity.unit_path),
        "edit_forms": None,
        "apply_form": extra.pop("apply_form", None) or ApplicationForm(
            loans=loans, measures=[m for m in Measure.values if m not in HOUSEHOLD_MEASURES]),
        **extra,
    }


@capability_required(Cap.VIEW)
def entity(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(ReliefEntity.objects.select_related("org_unit"), request.user, pk=pk)
    return render(request, "relief/entity.html", _entity_context(request, obj))


@require_POST
@capability_required(Cap.EDIT)
def entity_apply(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(ReliefEntity.objects.select_related("org_unit"), request.user,
                       Cap.EDIT, pk=pk)
    form, application = _apply(request, entity=obj)
    if application is not None:
        return redirect("relief:application", pk=application.pk)
    return render(request, "relief/entity.html", _entity_context(request, obj, apply_form=form),
                  status=400)


def _entity_for_edit(request: HttpRequest, pk: int) -> ReliefEntity:
    return get_for_user(ReliefEntity.objects.select_related("org_unit"), request.user,
                        Cap.EDIT, pk=pk)


def _entity_done(request: HttpRequest, entity: ReliefEntity, form: Any, name: str,
                 call: Any) -> HttpResponse:
    """Run ``call(cleaned_data)`` if ``form`` is valid; back to the entity page, or the
    page again with the form's errors (400)."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("relief:entity", pk=entity.pk)
    return render(request, "relief/entity.html",
                  _entity_context(request, entity, **{name: form}), status=400)


@require_POST
@capability_required(Cap.EDIT)
def entity_loan(request: HttpRequest, pk: int) -> HttpResponse:
    entity = _entity_for_edit(request, pk)
    return _entity_done(request, entity, LoanForm(request.POST), "loan_form",
                        lambda d: services.add_loan(request.user, entity, **d))


@require_POST
@capability_required(Cap.EDIT)
def entity_worker(request: HttpRequest, pk: int) -> HttpResponse:
    entity = _entity_for_edit(request, pk)
    form = WorkerForm(request.POST, members=_entity_choices(request, entity)["members"])
    return _entity_done(request, entity, form, "worker_form",
                        lambda d: services.add_worker(request.user, entity, d["member"],
                                                      since=d["since"]))


@require_POST
@capability_required(Cap.EDIT)
def entity_lead(request: HttpRequest, pk: int) -> HttpResponse:
    entity = _entity_for_edit(request, pk)
    form = LeadForm(request.POST, households=_entity_choices(request, entity)["households"])
    return _entity_done(request, entity, form, "lead_form",
                        lambda d: services.lead_household(request.user, entity,
                                                          d["household"]))


@require_POST
@capability_required(Cap.EDIT)
def entity_resumed(request: HttpRequest, pk: int) -> HttpResponse:
    entity = _entity_for_edit(request, pk)
    return _entity_done(request, entity, ResumedForm(request.POST), "resumed_form",
                        lambda d: services.set_resumed(request.user, entity,
                                                       d["resumed_on"]))


# --- applications --------------------------------------------------------------------------
@capability_required(Cap.VIEW)
def applications(request: HttpRequest) -> HttpResponse:
    qs = Application.objects.visible_to(request.user).select_related(
        "org_unit", "household", "entity", "loan", "evaluation", "acceptance_batch")
    status = request.GET.get("status", "")
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    measure = request.GET.get("measure", "")
    if measure in Measure.values:
        qs = qs.filter(measure=measure)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "relief/applications.html", {
        "page": page, "status": status, "measure": measure,
        "statuses": ApplicationStatus.choices, "measures": Measure.choices})


@capability_required(Cap.VIEW)
def application(request: HttpRequest, pk: int, reject_form: RejectForm | None = None,
                status: int = 200) -> HttpResponse:
    obj = get_for_user(Application.objects.select_related(
        "org_unit", "household", "entity", "loan", "evaluation", "acceptance_batch"),
        request.user, pk=pk)
    preview = None
    if obj.evaluation is None and obj.status == ApplicationStatus.SUBMITTED:
        preview = services.workflow.evaluate_application(obj, timezone.localdate(),
                                                         accepted=True)
    return render(request, "relief/application.html", {
        "application": obj, "evaluation": obj.evaluation, "preview": preview,
        "payments": obj.payments.select_related("batch").order_by("pk"),
        "can_reject": obj.status == ApplicationStatus.SUBMITTED and scope_for(
            request.user).can(Cap.APPROVE, obj.unit_path),
        "reject_form": reject_form or RejectForm()}, status=status)


@require_POST
@capability_required(Cap.APPROVE)
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Application, request.user, Cap.APPROVE, pk=pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.reject(request.user, obj, form.cleaned_data["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The application is rejected."))
            return redirect("relief:application", pk=obj.pk)
    return application(request, pk, reject_form=form, status=400)


# --- batches ----------------------------------------------------------------------------------
@capability_required(Cap.VIEW)
def batches(request: HttpRequest) -> HttpResponse:
    return render(request, "relief/batches.html", {
        "acceptance": AcceptanceBatch.objects.visible_to(request.user)
        .annotate(n=Count("applications")).select_related("org_unit")[:100],
        "payment": PaymentBatch.objects.visible_to(request.user)
        .annotate(n=Count("payments")).select_related("org_unit")[:100],
        "counties": services.workflow.visible_counties(request.user),
    })


def _posted_key(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        return None


@capability_required(Cap.APPROVE)
def acceptance_new(request: HttpRequest, code: str) -> HttpResponse:
    county = get_unit_for_user(request.user, code, Cap.APPROVE, level=Level.COUNTY)
    listed = Q(status=ApplicationStatus.SUBMITTED)
    key = _posted_key(request)
    if key is not None:
        # The same form sent again (a double tap, back and send): the applications its
        # batch accepted are no longer waiting but are still its choices, so the service
        # answers the batch made by the first send.
        listed |= Q(acceptance_batch__client_id=key)
    waiting = list(Application.objects.filter(listed, unit_path__startswith=county.path)
                   .select_related("household", "entity", "loan", "org_unit").order_by("pk"))
    choices = [(a.pk, f"{a.org_unit.name} · {a.subject_name} · {a.get_measure_display()}")
               for a in waiting]
    form = AcceptanceForm(request.POST or None, choices=choices,
                          initial={"accepted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chosen = [a for a in waiting if a.pk in set(d["applications"])]
        try:
            batch, held = services.accept(request.user, county, chosen,
                                          accepted_on=d["accepted_on"],
                                          client_id=d["client_id"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            for application_, reason in held:
                messages.warning(request, f"{application_.subject_name}: {reason}")
            return redirect("relief:acceptance_batch", pk=batch.pk)
    return render(request, "relief/acceptance_new.html", {"form": form, "county": county})


@capability_required(Cap.VIEW)
def acceptance_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_for_user(AcceptanceBatch.objects.select_related("org_unit"), request.user,
                         pk=pk)
    return render(request, "relief/acceptance_batch.html", {
        "batch": batch, "applications": batch.applications.select_related(
            "org_unit", "household", "entity", "loan", "evaluation").order_by("pk")})


@capability_required(Cap.APPROVE)
def payment_new(request: HttpRequest, code: str) -> HttpResponse:
    county = get_unit_for_user(request.user, code, Cap.APPROVE, level=Level.COUNTY)
    waiting = list(services.payable(county))
    form = PaymentBatchForm(request.POST or None,
                            initial={"prepared_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            batch, refusals = services.build_payment_batch(
                request.user, county, prepared_on=d["prepared_on"], client_id=d["client_id"])
        except ValidationError as exc:
            add_errors(form, ValidationError({"prepared_on": exc.messages}))
        else:
            for refusal in refusals:
                messages.warning(request, refusal)
            return redirect("relief:payment_batch", pk=batch.pk)
    return render(request, "relief/payment_new.html", {
        "form": form, "county": county, "waiting": waiting,
        "total": sum((a.evaluation.amount for a in waiting), engine.ZERO)})


def _settle_form(batch: PaymentBatch, data: Any = None) -> SettleForm:
    choices = [(p.pk, f"{p.payee} · {p.amount}") for p in batch.payments.order_by("pk")]
    return SettleForm(data, choices=choices, initial={"paid_on": timezone.localdate()})


@capability_required(Cap.VIEW)
def payment_batch(request: HttpRequest, pk: int, form: SettleForm | None = None,
                  status: int = 200) -> HttpResponse:
    batch = get_for_user(PaymentBatch.objects.select_related("org_unit"), request.user, pk=pk)
    payments = batch.payments.select_related("application__org_unit").order_by("pk")
    return render(request, "relief/payment_batch.html", {
        "batch": batch, "payments": payments,
        "total": sum((p.amount for p in payments), engine.ZERO),
        "can_settle": batch.status == "draft" and scope_for(request.user).can(
            Cap.APPROVE, batch.unit_path),
        "form": form or _settle_form(batch),
    }, status=status)


@require_POST
@capability_required(Cap.APPROVE)
def payment_settle(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_for_user(PaymentBatch, request.user, Cap.APPROVE, pk=pk)
    form = _settle_form(batch, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.settle(request.user, batch, bank_reference=d["bank_reference"],
                            paid_on=d["paid_on"],
                            returned={pk: d["returned_reason"] for pk in d["returned"]})
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The batch is settled."))
            return redirect("relief:payment_batch", pk=batch.pk)
    return payment_batch(request, pk, form=form, status=400)


@capability_required(Cap.VIEW)
def bank_file(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_for_user(PaymentBatch, request.user, pk=pk)
    return export_view(request, "relief_bank_file", back="relief:batches",
                       extra={"batch": batch.pk})


# --- imports ---------------------------------------------------------------------------------
_IMPORTS = {
    "households": (PoorHouseholdImporter, "relief_households", "relief:households",
                   gettext_lazy("Import registered poor households"),
                   gettext_lazy("Registered poor households")),
    "entities": (ReliefEntityImporter, "relief_entities", "relief:entities",
                 gettext_lazy("Import poverty-relief entities"),
                 gettext_lazy("Poverty-relief entities")),
}


@capability_required(Cap.IMPORT)
def registry_import(request: HttpRequest, what: str) -> HttpResponse:
    """Check, then import the checked file (``core.imports``); the row-by-row report."""
    if what not in _IMPORTS:
        raise Http404
    importer, kind, back, title, back_label = _IMPORTS[what]
    return imports.import_view(
        request, importer(request.user), kind=kind, template="relief/import.html",
        context={"what": what, "title": title, "back": reverse(back),
                 "back_label": back_label})


@capability_required(Cap.IMPORT)
def registry_import_template(request: HttpRequest, what: str) -> HttpResponse:
    if what not in _IMPORTS:
        raise Http404
    return imports.template_response(_IMPORTS[what][0](request.user))
