"""Checkpoint API (token auth, scoped like the UI).

- ``GET  /api/v1/checkpoints`` — the checkpoints the caller may see;
- ``POST /api/v1/checkpoints/<id>/passages`` — register a passage (201; 200 with the
  first record when the ``client_id`` was seen before);
- ``GET  /api/v1/checkpoints/<id>/passages?date=YYYY-MM-DD`` — that day's register.

The POST is the hot path. It is served by a plain Django function (``create_passage``)
with the hand-written validator of ``validation.py``, not by DRF's request/serializer
machinery, which measured here cost about as much as the whole rest of the request
(docs/performance.md, "Checkpoint passages"). It keeps the API's conventions all the
same, with core's helpers for plain views: bearer token or session (+ CSRF) by
``core.api.auth.plain_caller``, out of scope is 404, errors ``{"error", "fields"}`` in the
request's language by ``core.api.errors`` (``json_error``, ``from_validation``), 201/200
by ``core.api.responses.created_response``. ``PassagesView`` documents it in the OpenAPI
schema and serves the GET through DRF, paged by ``core.api.paging``.
"""

from __future__ import annotations

from functools import update_wrapper
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fangkong.checkpoints import services
from fangkong.checkpoints.models import Checkpoint, Passage
from fangkong.checkpoints.validation import clean_passage
from fangkong.core import pii
from fangkong.core.api import parsers
from fangkong.core.api.auth import BearerTokenAuthentication, plain_caller
from fangkong.core.api.errors import from_exception, from_validation, json_error
from fangkong.core.api.paging import PageQuerySerializer, page_response, page_serializer
from fangkong.core.api.responses import created_response
from fangkong.core.api.schema import errors
from fangkong.core.api.serializers import DayField
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import get_for_user, scope_for

# --- shapes (for the OpenAPI document) -----------------------------------------------


class CheckpointOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    community = serializers.CharField(help_text="Division code of the community.")
    community_name = serializers.CharField()
    kind = serializers.CharField()
    active = serializers.BooleanField()


class PassageInSerializer(serializers.Serializer):
    client_id = serializers.UUIDField(help_text="Made by the device once per record; a "
                                                "retry with the same key returns the first.")
    direction = serializers.ChoiceField(choices=["in", "out"])
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(help_text="18-character resident ID card number.")
    phone = serializers.CharField(required=False, help_text="Mainland mobile number.")
    temperature = serializers.DecimalField(
        max_digits=3, decimal_places=1, required=False, min_value=34, max_value=43,
        help_text="°C, 34.0-43.0, one decimal; required for 'in'. ≥ 37.3 opens a fever alert.",
    )
    plate = serializers.CharField(required=False, help_text="Vehicle plate, e.g. 陕G12345.")
    mask = serializers.BooleanField(required=False)
    resident = serializers.BooleanField(required=False, default=True)
    origin = serializers.CharField(required=False, help_text="Where from; required for "
                                                             "non-residents.")
    occurred_at = serializers.DateTimeField(required=False, help_text="Defaults to now; "
                                                                      "at most 3 days back.")


class PersonBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="Masked.")
    id_number = serializers.CharField(help_text="Masked.")


class PassageOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client_id = serializers.UUIDField()
    checkpoint = serializers.IntegerField()
    direction = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    day = serializers.DateField()
    person = PersonBriefSerializer()
    resident = serializers.BooleanField()
    origin = serializers.CharField()
    temperature = serializers.CharField(allow_null=True, help_text="Decimal string, '36.5'.")
    mask = serializers.BooleanField(allow_null=True)
    plate = serializers.CharField()
    fever = serializers.BooleanField()
    plate_flagged = serializers.BooleanField()
    channel = serializers.CharField()
    status = serializers.CharField()
    outcome = serializers.ChoiceField(
        choices=["admitted", "turned_back", "refused", "referred"],
        help_text="What the staff did: only 'admitted' counts as in or out. A fever is "
                  "'refused' until the duty staff decide.")


PassagePageSerializer = page_serializer(PassageOutSerializer, "PassagePageSerializer",
                                        date=serializers.DateField())


class PassageQuerySerializer(PageQuerySerializer):
    date = DayField(required=False, help_text="Default: today. Duty users may only read "
                                              "today.")


def checkpoint_payload(cp: Checkpoint) -> dict[str, Any]:
    return {
        "id": cp.pk, "name": cp.name, "community": cp.org_unit.code,
        "community_name": cp.org_unit.name, "kind": cp.kind, "active": cp.is_active,
    }


def passage_payload(p: Passage) -> dict[str, Any]:
    """A passage as the API shows it: personal data masked (the duty minimum)."""
    person = p.person
    return {
        "id": p.pk, "client_id": str(p.client_id), "checkpoint": p.checkpoint_id,
        "direction": p.direction, "occurred_at": timezone.localtime(p.occurred_at).isoformat(),
        "day": p.day.isoformat(),
        "person": {"id": person.pk, "name": p.masked_name,
                   "id_number": pii.value(person, "id_number")},
        "resident": p.resident, "origin": p.origin,
        "temperature": None if p.temperature is None else str(p.temperature),
        "mask": p.mask, "plate": p.plate, "fever": p.fever, "plate_flagged": p.plate_flagged,
        "channel": p.channel, "status": p.status, "outcome": p.outcome,
    }


# --- the hot path --------------------------------------------------------------------


def _checkpoint_refusal(checkpoint: Checkpoint | None) -> JsonResponse | None:
    """404 for a checkpoint that does not exist or is not the caller's, 409 when closed."""
    if checkpoint is None:
        return json_error(_("Not found."), status=404)
    if not checkpoint.is_active:
        return json_error(_("This checkpoint is closed."), status=409)
    return None


def _caller(request: HttpRequest) -> Any:
    """The caller: a bearer token read by ``BearerTokenAuthentication`` itself (the
    token's rules and its last-used refresh), else the session with its CSRF check.
    Raises the API exceptions ``from_exception`` renders (401, 403)."""
    found = BearerTokenAuthentication().authenticate(request)  # type: ignore[arg-type]
    if found is not None:
        return found[0]
    return plain_caller(request)[1]


@csrf_exempt  # bearer calls need none; session calls are checked by plain_caller
def create_passage(request: HttpRequest, pk: int) -> JsonResponse:
    """Authenticate, validate, then read the checkpoint in the caller's scope, the key and
    the person in one statement (``services.passage_context``) and register. Refusals
    keep their order: 401, then 404/409 for the checkpoint, then 400 for the body; when
    the body is refused, the checkpoint is looked up on its own."""
    try:
        user = _caller(request)
    except exceptions.APIException as exc:
        return from_exception(exc)
    try:
        body = parsers.loads(request.body or b"null")
    except parsers.BodyError:
        return _refuse_body(user, pk, json_error(_("The request body is not valid JSON.")))
    try:
        data = clean_passage(body)
    except ValidationError as exc:
        return _refuse_body(user, pk, from_validation(exc))
    context = services.passage_context(user, pk, data.client_id, data.person.id_number)
    refusal = _checkpoint_refusal(context.checkpoint)
    if refusal is not None:
        return refusal
    try:
        passage, created = services.register_passage(user, context.checkpoint, data,
                                                     context=context)
    except ValidationError as exc:
        return from_validation(exc)
    return created_response(passage_payload(passage), created)


def _refuse_body(user: Any, pk: int, response: JsonResponse) -> JsonResponse:
    return _checkpoint_refusal(services.passage_context(user, pk).checkpoint) or response


# --- the rest, through DRF -----------------------------------------------------------


@extend_schema(responses={200: CheckpointOutSerializer(many=True), **errors(401)},
               summary="The checkpoints you may see (duty users: today's roster)")
@api_view(["GET"])
def checkpoints(request: Request) -> Response:
    rows = (Checkpoint.objects.visible_to(request.user, Cap.VIEW).select_related("org_unit")
            .order_by("unit_path", "name"))
    return Response([checkpoint_payload(cp) for cp in rows])


class PassagesView(APIView):
    """GET lists a day's passages; POST registers one (served by ``create_passage``)."""

    @classmethod
    def as_view(cls, **initkwargs: Any):
        drf_view = super().as_view(**initkwargs)

        def view(request: HttpRequest, *args: Any, **kwargs: Any):
            if request.method == "POST":
                return create_passage(request, *args, **kwargs)
            return drf_view(request, *args, **kwargs)

        update_wrapper(view, drf_view)
        view.csrf_exempt = True  # type: ignore[attr-defined]
        return view

    @extend_schema(
        parameters=[PassageQuerySerializer],
        responses={200: PassagePageSerializer, **errors(400, 401, 404)},
        summary="A checkpoint's passages on a day, newest first, masked (100 a page "
                "unless page_size says otherwise)",
    )
    def get(self, request: Request, pk: int) -> Response:
        checkpoint = get_for_user(Checkpoint, request.user, Cap.VIEW, pk=pk)
        query = PassageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        day = params.get("date") or timezone.localdate()
        if day != timezone.localdate() and not scope_for(request.user).can(
            Cap.VIEW, checkpoint.unit_path,
        ):
            raise exceptions.NotFound  # duty users: today's roster only
        qs = Passage.objects.filter(checkpoint=checkpoint, day=day).select_related("person")
        return page_response(qs.order_by("-occurred_at", "-pk"), passage_payload, params,
                             default=100, extra={"date": day.isoformat()})

    @extend_schema(
        request=PassageInSerializer,
        responses={
            201: OpenApiResponse(PassageOutSerializer, description="Registered"),
            200: OpenApiResponse(PassageOutSerializer,
                                 description="Seen before: the first record for this client_id"),
            **errors(400, 401, 403, 404, conflict="Checkpoint closed, or the client_id was "
                                                  "sent before with other content"),
        },
        summary="Register a passage (idempotent by client_id)",
    )
    def post(self, request: Request, pk: int) -> Any:  # pragma: no cover - see as_view
        return create_passage(request._request, pk)
