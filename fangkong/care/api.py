"""Care API (token or session auth, the kit's conventions).

- ``GET /api/v1/care/totals?until=YYYY-MM-DD&unit=<code>`` — the task force's figures for
  the families at home under the unit (the caller's area by default), up to ``until``
  (default today), over the records the caller may see.
- ``GET /api/v1/care/workers/<id>`` — a worker (masked phone) with their helper.
- ``POST /api/v1/care/workers/<id>/services`` — log a service (keyed: 201, then 200 for
  the same ``client_id``; 409 for the same key with other content).
- ``GET /api/v1/care/taskforces`` — the task forces the caller may see (paged), and
  ``GET /api/v1/care/taskforces/<id>`` — one with its member units (contacts' phones
  masked) and what each answers for. For territorial staff, coordinators and liaisons,
  as the pages (a helper: 403).
- ``GET /api/v1/care/workers?task_force=<id>&deployment=hubei|local`` — the workers the
  caller may see (paged, by number; phones masked as on the page); a task force out of
  scope answers 404.
- ``GET /api/v1/care/elderly`` — the elderly residents the caller may see (paged;
  addresses masked as on the page).
- ``POST /api/v1/care/elderly/<id>/requests`` — log a help request (``services.request_help``
  as the page; keyed: 201, then 200 for the same ``client_id``; 409 for the same key with
  other content).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.care import services
from fangkong.care.access import CARE_ROLES
from fangkong.care.models import (
    Category,
    Deployment,
    Elderly,
    Helper,
    HelpRequest,
    MedicalWorker,
    RequestKind,
    TaskForce,
    Unit,
)
from fangkong.core import pii
from fangkong.core.api.paging import (
    PageQuerySerializer,
    QuerySerializer,
    page_response,
    page_serializer,
)
from fangkong.core.api.responses import created_response
from fangkong.core.api.schema import errors
from fangkong.core.api.serializers import DayField, StrictSerializer
from fangkong.core.models import OrgUnit
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import (
    get_for_user,
    get_unit_for_user,
    home_unit,
    require_capability,
    scope_for,
)


class TotalsQuerySerializer(QuerySerializer):
    until = DayField(required=False)
    unit = serializers.CharField(required=False, max_length=12)


class TotalsSerializer(serializers.Serializer):
    workers = serializers.IntegerField()
    helpers = serializers.IntegerField()
    sent_to_hubei = serializers.IntegerField()
    necessities_sets = serializers.IntegerField()
    goods_kg = serializers.CharField(help_text="Kilograms, two places.")
    counselling_sessions = serializers.IntegerField()
    condolence_yuan = serializers.CharField(help_text="Yuan, two places.")
    temporary_subsidy_yuan = serializers.CharField(help_text="Yuan, two places.")


def _unit(user: Any, code: str | None) -> Any:
    """The territorial unit asked for: a territorial user's own area (404 outside it); a
    coordinator, liaison or helper may name any unit, and counts only their records."""
    scope = scope_for(user)
    if scope.paths(Cap.VIEW) or scope.superuser:
        return get_unit_for_user(user, code) if code else home_unit(user)
    if not scope.has_role(*CARE_ROLES):
        raise PermissionDenied
    if not code:
        return None
    unit = OrgUnit.objects.filter(code=str(code)).first()
    if unit is None:
        raise Http404
    return unit


@extend_schema(parameters=[TotalsQuerySerializer],
               responses={200: TotalsSerializer, **errors(400, 401, 403, 404)},
               summary="One-to-one support totals up to a day, from the records",
               examples=[OpenApiExample("Demo city, 2020-02-28", response_only=True, value={
                   "workers": 910, "helpers": 577, "sent_to_hubei": 10,
                   "necessities_sets": 932, "goods_kg": "4868.00",
                   "counselling_sessions": 593, "condolence_yuan": "253900.00",
                   "temporary_subsidy_yuan": "340200.00"})])
@api_view(["GET"])
def totals(request: Request) -> Response:
    query = TotalsQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    unit = _unit(request.user, query.validated_data.get("unit"))
    until = query.validated_data.get("until") or timezone.localdate()
    return Response(services.totals(unit, until, user=request.user).as_json())


def worker_payload(worker: MedicalWorker) -> dict[str, Any]:
    pairing = worker.pairings.filter(ended_on__isnull=True, primary=True).first()
    return {"id": worker.pk, "number": worker.number, "name": worker.name,
            "phone": pii.value(worker, "phone", masked=True), "hospital": worker.hospital,
            "department": worker.department, "deployment": worker.deployment,
            "deployed_from": worker.deployed_from and worker.deployed_from.isoformat(),
            "unit_contact": worker.unit_contact, "home": worker.org_unit.code,
            "helper": pairing.helper.name if pairing else None}


@extend_schema(responses={200: dict, **errors(400, 401, 404)}, summary="A frontline medical worker")
@api_view(["GET"])
def worker(request: Request, pk: int) -> Response:
    obj = get_for_user(MedicalWorker.objects.select_related("org_unit"), request.user,
                       Cap.VIEW, pk=pk)
    return Response(worker_payload(obj))


class ServiceInSerializer(StrictSerializer):
    client_id = serializers.UUIDField()
    day = DayField(required=False)
    category = serializers.ChoiceField(choices=Category.values)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit = serializers.ChoiceField(choices=Unit.values)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


@extend_schema(request=ServiceInSerializer,
               responses={201: dict, 200: dict, **errors(
                   400, 401, 404,
                   conflict="The client_id was already used for another service.")},
               summary="Log a service to a worker's family (keyed by client_id)")
@api_view(["POST"])
def worker_services(request: Request, pk: int) -> Any:
    obj = get_for_user(MedicalWorker, request.user, Cap.EDIT, pk=pk)
    body = ServiceInSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    d = body.validated_data
    log, created = services.log_service(
        request.user, obj, client_id=d["client_id"], day=d.get("day") or timezone.localdate(),
        category=d["category"], quantity=d["quantity"], unit=d["unit"], note=d.get("note", ""))
    return created_response({"id": log.pk, "client_id": str(log.client_id), "worker": obj.pk,
                             "day": log.day.isoformat(), "category": log.category,
                             "quantity": f"{log.quantity:.2f}", "unit": log.unit,
                             "note": log.note}, created)


# --- task forces ------------------------------------------------------------------------

class TaskForceOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    organisation = serializers.CharField(help_text="The lead organisation's code.")
    organisation_name = serializers.CharField()
    unit = serializers.CharField(help_text="Division code of the task force's unit.")
    leader = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField(help_text="Masked.")


TaskForcePageSerializer = page_serializer(TaskForceOutSerializer, "CareTaskForcePageSerializer")


def _task_force_roles(user: Any) -> None:
    from fangkong.care.views_taskforces import may_open

    if not may_open(user):
        raise PermissionDenied


def task_force_payload(tf: TaskForce) -> dict[str, Any]:
    return {"id": tf.pk, "name": tf.name, "organisation": tf.organisation.code,
            "organisation_name": tf.organisation.name, "unit": tf.org_unit.code,
            "leader": tf.leader, "contact_name": tf.contact_name,
            "contact_phone": pii.value(tf, "contact_phone", masked=True)}


@extend_schema(parameters=[PageQuerySerializer],
               responses={200: TaskForcePageSerializer, **errors(400, 401, 403)},
               summary="The task forces you may see (50 a page by name)")
@api_view(["GET"])
def task_forces(request: Request) -> Response:
    _task_force_roles(request.user)
    query = PageQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    qs = (TaskForce.objects.visible_to(request.user).select_related("organisation", "org_unit")
          .order_by("name", "pk"))
    return page_response(qs, task_force_payload, query.validated_data)


def _count(model: Any, tf: TaskForce, field: str, org_id: int) -> int:
    return model.objects.filter(task_force=tf, **{field: org_id}).count()


@extend_schema(responses={200: dict, **errors(400, 401, 403, 404)},
               summary="A task force with its member units")
@api_view(["GET"])
def task_force(request: Request, pk: int) -> Response:
    _task_force_roles(request.user)
    tf = get_for_user(TaskForce.objects.select_related("organisation", "org_unit"),
                      request.user, Cap.VIEW, pk=pk)
    members = [{
        "organisation": m.organisation.code, "organisation_name": m.organisation.name,
        "leader": m.leader, "contact_name": m.contact_name,
        "contact_phone": pii.value(m, "contact_phone", masked=True),
        "helpers": _count(Helper, tf, "organisation_id", m.organisation_id),
        "workers": _count(MedicalWorker, tf, "member_unit_id", m.organisation_id),
        "elderly": _count(Elderly, tf, "member_unit_id", m.organisation_id),
    } for m in tf.members.select_related("organisation").order_by("organisation__name")]
    return Response({**task_force_payload(tf), "members": members})


# --- lists of workers and elderly residents, a help request --------------------------------

def _care_view(user: Any) -> None:
    """As the care pages: territorial staff, or a task force, member-unit or helper grant."""
    require_capability(user, Cap.VIEW, roles=CARE_ROLES)


class WorkersQuerySerializer(PageQuerySerializer):
    task_force = serializers.IntegerField(min_value=1, required=False,
                                          help_text="A task force's id; out of scope: 404.")
    deployment = serializers.ChoiceField(choices=Deployment.values, required=False)


class WorkerRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField(help_text="Masked, as on the page.")
    hospital = serializers.CharField()
    department = serializers.CharField()
    deployment = serializers.CharField(help_text="hubei or local.")
    task_force = serializers.IntegerField()
    home = serializers.CharField(help_text="Division code of the family's home.")
    home_name = serializers.CharField()


WorkerPageSerializer = page_serializer(WorkerRowSerializer, "CareWorkerPageSerializer")


def worker_row(worker: MedicalWorker) -> dict[str, Any]:
    return {"id": worker.pk, "number": worker.number, "name": worker.name,
            "phone": pii.value(worker, "phone", masked=True), "hospital": worker.hospital,
            "department": worker.department, "deployment": worker.deployment,
            "task_force": worker.task_force_id, "home": worker.org_unit.code,
            "home_name": worker.org_unit.name}


@extend_schema(parameters=[WorkersQuerySerializer],
               responses={200: WorkerPageSerializer, **errors(400, 401, 403, 404)},
               summary="The frontline medical workers you may see (50 a page by number)")
@api_view(["GET"])
def workers(request: Request) -> Response:
    _care_view(request.user)
    query = WorkersQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    d = query.validated_data
    qs = MedicalWorker.objects.visible_to(request.user).select_related("org_unit")
    if d.get("task_force"):
        qs = qs.filter(task_force=get_for_user(TaskForce, request.user, pk=d["task_force"]))
    if d.get("deployment"):
        qs = qs.filter(deployment=d["deployment"])
    return page_response(qs.order_by("number", "pk"), worker_row, d)


class ElderlyRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="elderly or retired_cadre.")
    kind_label = serializers.CharField()
    address = serializers.CharField(help_text="Masked, as on the page.")
    task_force = serializers.IntegerField()
    home = serializers.CharField(help_text="Division code of the resident's home.")
    home_name = serializers.CharField()


ElderlyPageSerializer = page_serializer(ElderlyRowSerializer, "CareElderlyPageSerializer")


def elderly_row(e: Elderly) -> dict[str, Any]:
    return {"id": e.pk, "name": e.name, "kind": e.kind, "kind_label": e.get_kind_display(),
            "address": pii.value(e, "address", masked=True) or "",
            "task_force": e.task_force_id, "home": e.org_unit.code,
            "home_name": e.org_unit.name}


@extend_schema(parameters=[PageQuerySerializer],
               responses={200: ElderlyPageSerializer, **errors(400, 401, 403)},
               summary="The elderly residents you may see (50 a page)")
@api_view(["GET"])
def elderly_list(request: Request) -> Response:
    _care_view(request.user)
    query = PageQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    qs = Elderly.objects.visible_to(request.user).select_related("org_unit").order_by("pk")
    return page_response(qs, elderly_row, query.validated_data)


class HelpRequestInSerializer(StrictSerializer):
    client_id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=RequestKind.values)
    detail = serializers.CharField(required=False, allow_blank=True, max_length=200)


def help_request_payload(r: HelpRequest) -> dict[str, Any]:
    return {"id": r.pk, "client_id": str(r.client_id), "elderly": r.elderly_id,
            "kind": r.kind, "detail": r.detail, "status": r.status,
            "requested_at": r.requested_at.isoformat(), "due_by": r.due_by.isoformat()}


@extend_schema(request=HelpRequestInSerializer,
               responses={201: dict, 200: dict, **errors(
                   400, 401, 403, 404,
                   conflict="The client_id was already used for another request.")},
               summary="Log an elderly resident's help request (keyed by client_id)")
@api_view(["POST"])
def elderly_requests(request: Request, pk: int) -> Any:
    require_capability(request.user, Cap.EDIT, roles=CARE_ROLES)  # as the page
    obj = get_for_user(Elderly.objects.select_related("org_unit"), request.user, Cap.EDIT,
                       pk=pk)
    body = HelpRequestInSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    d = body.validated_data
    req, created = services.request_help(request.user, obj, client_id=d["client_id"],
                                         kind=d["kind"], detail=d.get("detail", ""))
    return created_response(help_request_payload(req), created)
