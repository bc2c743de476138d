"""The register's pages: register one frontline medical worker or elderly resident,
correct them, and add, correct or remove a member of a worker's family
(``services.registry``). Out of scope answers 404 (the worker is fetched in the actor's
scope first, a family member only through it); a helper, who logs services and
requests but does not change the register, gets 403 on their own families' forms.
Errors answer 422, each under its field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.care.access import CARE_ROLES
from fangkong.care.forms_registry import (
    ElderlyEditForm,
    ElderlyForm,
    FamilyEditForm,
    FamilyForm,
    WorkerEditForm,
    WorkerForm,
)
from fangkong.care.models import Elderly, FamilyMember, MedicalWorker
from fangkong.care.services import registry
from fangkong.care.services.access import require_coordinator
from fangkong.core import pii
from fangkong.core.forms import add_errors
from fangkong.core.models import Organisation, OrgUnit
from fangkong.core.models.accounts import Cap
from fangkong.core.models.territory import Level
from fangkong.core.scoping import capability_required, get_for_user, subtrees_q

edit_required = capability_required(Cap.EDIT, roles=CARE_ROLES)


def _homes(task_forces: Any, current: OrgUnit | None = None) -> Any:
    """Where a family may live: the counties and towns of the task forces' areas (a
    select a phone can carry), and the family's present home when it is another unit."""
    keep = Q(level__in=(Level.COUNTY, Level.TOWN))
    if current is not None:
        keep |= Q(pk=current.pk)
    county = OrgUnit.objects.filter(code=Substr(OuterRef("code"), 1, 6)).values("name")[:1]
    return (OrgUnit.objects.filter(subtrees_q([tf.unit_path for tf in task_forces], "path"))
            .filter(keep).annotate(county_name=Subquery(county)).order_by("path"))


def _units(user: Any, task_forces: Any) -> Any:
    ids: set[int] = set()
    for tf in task_forces:
        ids |= set(registry.member_units_for(user, tf).values_list("pk", flat=True))
    return Organisation.objects.filter(pk__in=ids).order_by("code")


def _answer(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    form = context["form"]
    return render(request, template, context,
                  status=422 if form.is_bound and form.errors else 200)


def _already(form: Any, exc: registry.AlreadyRegistered, user: Any,
             context: dict[str, Any]) -> None:
    """The person is registered already: the message under the ID number and, when the
    actor may open it, a link to the record."""
    add_errors(form, exc)
    record = exc.record
    if record is not None and type(record).objects.visible_to(user).filter(
            pk=record.pk).exists():
        context["existing"] = record


def _stale_form(form_class: type, record: Any, initial: dict[str, Any],
                **kwargs: Any) -> Any:
    """The form again with the record's current values (someone changed it meanwhile)."""
    data = {k: ("" if v is None else getattr(v, "pk", v)) for k, v in initial.items()}
    if "home" in data and record is not None:
        data["home"] = record.org_unit.code
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


def family_history(worker: MedicalWorker, limit: int = 20) -> list[Any]:
    """The change history of the worker's family, removed members included (their
    entries carry the worker's id: ``FamilyMember.get_additional_data``)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from fangkong.core.views import _describe_entry

    kind = ContentType.objects.get_for_model(FamilyMember)
    entries = (LogEntry.objects.filter(content_type=kind, additional_data__worker=worker.pk)
               .select_related("actor", "content_type").order_by("-timestamp", "-pk")[:limit])
    return [_describe_entry(e, {}) for e in entries]


# --- workers ----------------------------------------------------------------------------

@edit_required
def worker_new(request: HttpRequest) -> HttpResponse:
    task_forces = registry.coordinated_task_forces(request.user)
    if not task_forces.exists():
        raise PermissionDenied
    form = WorkerForm(request.POST or None, task_forces=task_forces,
                      homes=_homes(task_forces), units=_units(request.user, task_forces))
    context: dict[str, Any] = {"form": form, "creating": True}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            worker, _created = registry.create_worker(
                request.user, d["task_force"], d["home"], client_id=d["client_id"],
                id_number=d["id_number"], name=d["name"], phone=d["phone"],
                number=d["number"], member_unit=d["member_unit"], hospital=d["hospital"],
                department=d["department"], deployment=d["deployment"],
                deployed_from=d["deployed_from"], deployed_until=d["deployed_until"],
                unit_contact=d["unit_contact"], unit_contact_phone=d["unit_contact_phone"],
                registered_on=d["registered_on"])
        except registry.AlreadyRegistered as exc:
            _already(form, exc, request.user, context)
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied:
            form.add_error("member_unit", _("Choose a unit you work for."))
        else:
            messages.success(request, _("Registered: %(name)s, number %(number)s.") % {
                "name": worker.name, "number": worker.number})
            return redirect("care:worker", pk=worker.pk)
    return _answer(request, "care/worker_form.html", context)


def _worker_for_edit(request: HttpRequest, pk: int) -> MedicalWorker:
    worker = get_for_user(MedicalWorker.objects.select_related(
        "org_unit", "member_unit", "task_force", "person"), request.user, Cap.EDIT, pk=pk)
    require_coordinator(request.user, worker.task_force)
    return worker


def _worker_initial(worker: MedicalWorker) -> dict[str, Any]:
    return {"name": worker.name, "home": worker.org_unit, "member_unit": worker.member_unit,
            "hospital": worker.hospital, "department": worker.department,
            "deployment": worker.deployment, "deployed_from": worker.deployed_from,
            "deployed_until": worker.deployed_until, "unit_contact": worker.unit_contact,
            "registered_on": worker.registered_on, "seen": registry.version(worker)}


@edit_required
def worker_edit(request: HttpRequest, pk: int) -> HttpResponse:
    worker = _worker_for_edit(request, pk)
    kwargs = {"homes": _homes([worker.task_force], worker.org_unit),
              "units": _units(request.user, [worker.task_force]),
              "masked_phone": str(pii.value(worker, "phone")),
              "masked_contact_phone": str(pii.value(worker, "unit_contact_phone"))}
    form = WorkerEditForm(request.POST or None, initial=_worker_initial(worker), **kwargs)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            registry.update_worker(request.user, worker, **d)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "stale":
                worker.refresh_from_db()
                form = _stale_form(WorkerEditForm, worker, _worker_initial(worker), **kwargs)
            add_errors(form, exc)
        except PermissionDenied:
            form.add_error("member_unit", _("Choose a unit you work for."))
        else:
            messages.success(request, _("The worker is corrected."))
            return redirect("care:worker", pk=worker.pk)
    return _answer(request, "care/worker_form.html", {"form": form, "worker": worker})


# --- a worker's family ------------------------------------------------------------------

@edit_required
def family_new(request: HttpRequest, pk: int) -> HttpResponse:
    worker = _worker_for_edit(request, pk)
    form = FamilyForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "worker": worker, "creating": True}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            member, _created = registry.add_family(
                request.user, worker, client_id=d["client_id"], id_number=d["id_number"],
                name=d["name"], phone=d["phone"], relationship=d["relationship"],
                address=d["address"], needs=d["needs"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Added to the family: %(name)s.") % {
                "name": member.name})
            return redirect(reverse("care:worker", args=[worker.pk]) + "#family")
    return _answer(request, "care/family_form.html", context)


def _family_member(request: HttpRequest, pk: int, fid: int) -> FamilyMember:
    worker = _worker_for_edit(request, pk)
    member = worker.family.select_related("person").filter(pk=fid).first()
    if member is None:
        raise Http404
    member.worker = worker
    return member


def _family_initial(member: FamilyMember) -> dict[str, Any]:
    return {"name": member.name, "relationship": member.relationship, "needs": member.needs,
            "seen": registry.version(member)}


@edit_required
def family_edit(request: HttpRequest, pk: int, fid: int) -> HttpResponse:
    member = _family_member(request, pk, fid)
    kwargs = {"masked_phone": str(pii.value(member, "phone")),
              "masked_address": str(pii.value(member, "address"))}
    form = FamilyEditForm(request.POST or None, initial=_family_initial(member), **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            registry.update_family(request.user, member, **form.cleaned_data)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "stale":
                member.refresh_from_db()
                form = _stale_form(FamilyEditForm, None, _family_initial(member), **kwargs)
            add_errors(form, exc)
        else:
            messages.success(request, _("The family member is corrected."))
            return redirect(reverse("care:worker", args=[pk]) + "#family")
    return _answer(request, "care/family_form.html",
                   {"form": form, "worker": member.worker, "member": member})


@require_POST
@edit_required
def family_remove(request: HttpRequest, pk: int, fid: int) -> HttpResponse:
    try:
        member = _family_member(request, pk, fid)
    except Http404:  # removed already (sent twice): nothing left to do
        _worker_for_edit(request, pk)
        return redirect(reverse("care:worker", args=[pk]) + "#family")
    registry.remove_family(request.user, member)
    messages.success(request, _("%(name)s is no longer listed in the family.") % {
        "name": member.name})
    return redirect(reverse("care:worker", args=[pk]) + "#family")


# --- elderly residents ------------------------------------------------------------------

@edit_required
def elderly_new(request: HttpRequest) -> HttpResponse:
    task_forces = registry.coordinated_task_forces(request.user)
    if not task_forces.exists():
        raise PermissionDenied
    form = ElderlyForm(request.POST or None, task_forces=task_forces,
                       homes=_homes(task_forces), units=_units(request.user, task_forces))
    context: dict[str, Any] = {"form": form, "creating": True}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            elderly, _created = registry.create_elderly(
                request.user, d["task_force"], d["home"], client_id=d["client_id"],
                id_number=d["id_number"], name=d["name"], phone=d["phone"],
                member_unit=d["member_unit"], kind=d["kind"], address=d["address"],
                needs=d["needs"], registered_on=d["registered_on"])
        except registry.AlreadyRegistered as exc:
            _already(form, exc, request.user, context)
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied:
            form.add_error("member_unit", _("Choose a unit you work for."))
        else:
            messages.success(request, _("Registered: %(name)s.") % {"name": elderly.name})
            return redirect("care:elderly", pk=elderly.pk)
    return _answer(request, "care/elderly_form.html", context)


def _elderly_initial(elderly: Elderly) -> dict[str, Any]:
    return {"name": elderly.name, "kind": elderly.kind, "home": elderly.org_unit,
            "member_unit": elderly.member_unit, "needs": elderly.needs,
            "registered_on": elderly.registered_on, "seen": registry.version(elderly)}


@edit_required
def elderly_edit(request: HttpRequest, pk: int) -> HttpResponse:
    elderly = get_for_user(Elderly.objects.select_related(
        "org_unit", "member_unit", "task_force", "person"), request.user, Cap.EDIT, pk=pk)
    require_coordinator(request.user, elderly.task_force)
    kwargs = {"homes": _homes([elderly.task_force], elderly.org_unit),
              "units": _units(request.user, [elderly.task_force]),
              "masked_phone": str(pii.value(elderly, "phone")),
              "masked_address": str(pii.value(elderly, "address"))}
    form = ElderlyEditForm(request.POST or None, initial=_elderly_initial(elderly), **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            registry.update_elderly(request.user, elderly, **form.cleaned_data)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "stale":
                elderly.refresh_from_db()
                form = _stale_form(ElderlyEditForm, elderly, _elderly_initial(elderly),
                                   **kwargs)
            add_errors(form, exc)
        except PermissionDenied:
            form.add_error("member_unit", _("Choose a unit you work for."))
        else:
            messages.success(request, _("The record is corrected."))
            return redirect("care:elderly", pk=elderly.pk)
    return _answer(request, "care/elderly_form.html", {"form": form, "elderly": elderly})
