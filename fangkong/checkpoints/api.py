"""Checkpoint API (token auth, scoped like the UI).

- ``GET  /api/v1/checkpoints`` — the checkpoints the caller may see;
- ``POST /api/v1/checkpoints/<id>/passages`` — register a passage (201; 200 with the
  first record when the ``client_id`` was seen before);
- ``GET  /api/v1/checkpoints/<id>/passages?date=YYYY-MM-DD`` — that day's register.

The POST is the hot path. It is served by a plain Django function (``create_passage``)
with the hand-written validator of ``validation.py``, not by DRF's request/serializer
machinery, which measured here cost about as much as the whole rest of the request
(docs/performance.md, "Checkpoint passages"). It keeps the API's conventions all the
same: bearer token or session (+ CSRF), out of scope is 404, errors are
``{"error", "fields"}`` in the request's language. ``PassagesView`` documents it in the
OpenAPI schema and serves the GET through DRF.
"""

from __future__ import annotations

import json
from datetime import date
from functools import update_wrapper
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fangkong.checkpoints import services
from fangkong.checkpoints.models import Checkpoint, Passage
from fangkong.checkpoints.validation import clean_passage
from fangkong.core.api.auth import BearerTokenAuthentication, SessionAuthentication
from fangkong.core.api.errors import correct_below
from fangkong.core.api.serializers import ErrorSerializer
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import get_for_user, scope_for
from fangkong.lib import masking

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input"),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated"),
    404: OpenApiResponse(ErrorSerializer, description="Not found, or not in your area"),
}
PAGE_SIZE_MAX = 500


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


class PassagePageSerializer(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = PassageOutSerializer(many=True)


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
        "person": {"id": person.pk, "name": masking.mask_name(person.name),
                   "id_number": masking.mask_id_number(person.id_number)},
        "resident": p.resident, "origin": p.origin,
        "temperature": None if p.temperature is None else str(p.temperature),
        "mask": p.mask, "plate": p.plate, "fever": p.fever, "plate_flagged": p.plate_flagged,
        "channel": p.channel, "status": p.status,
    }


# --- the hot path --------------------------------------------------------------------


def _error(message: str, fields: dict[str, list[str]] | None = None,
           status: int = 400) -> JsonResponse:
    return JsonResponse({"error": str(message), "fields": fields or {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _caller(request: HttpRequest) -> tuple[Any, JsonResponse | None]:
    """(user, refusal): a bearer token read by ``BearerTokenAuthentication`` itself (the
    token's rules and its last-used refresh), else the session with its CSRF check."""
    try:
        found = BearerTokenAuthentication().authenticate(request)  # type: ignore[arg-type]
    except exceptions.AuthenticationFailed as exc:
        return None, _unauthenticated(str(exc.detail))
    if found is not None:
        return found[0], None
    user = request.user
    if user.is_authenticated:
        try:
            SessionAuthentication().enforce_csrf(request)  # type: ignore[arg-type]
        except exceptions.APIException as exc:
            return None, _error(str(exc.detail), status=exc.status_code)
        return user, None
    return None, _unauthenticated(_("Authentication credentials were not provided."))


def _unauthenticated(message: str) -> JsonResponse:
    response = _error(message, status=401)
    response["WWW-Authenticate"] = BearerTokenAuthentication.keyword
    return response


def _validation_error(exc: ValidationError) -> JsonResponse:
    if hasattr(exc, "error_dict"):
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items() if k != "__all__"}
        general = exc.message_dict.get("__all__")
        return _error(general[0] if general else correct_below(fields), fields)
    return _error(exc.messages[0])


@csrf_exempt  # bearer calls need none; session calls are checked in _caller
def create_passage(request: HttpRequest, pk: int) -> JsonResponse:
    """Authenticate, validate, then read the checkpoint in the caller's scope, the key and
    the person in one statement (``services.passage_context``) and register. Refusals
    keep their order: 401, then 404/409 for the checkpoint, then 400 for the body; when
    the body is refused, the checkpoint is looked up on its own."""
    user, failure = _caller(request)
    if failure is not None:
        return failure
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _refuse_body(user, pk, _error(_("The request body is not valid JSON.")))
    try:
        data = clean_passage(body)
    except ValidationError as exc:
        return _refuse_body(user, pk, _validation_error(exc))
    context = services.passage_context(user, pk, data.client_id, data.person.id_number)
    refusal = _checkpoint_refusal(context.checkpoint)
    if refusal is not None:
        return refusal
    try:
        passage, created = services.register_passage(user, context.checkpoint, data,
                                                     context=context)
    except ValidationError as exc:
        return _validation_error(exc)
    return JsonResponse(passage_payload(passage), status=201 if created else 200,
                        json_dumps_params={"ensure_ascii": False})


def _checkpoint_refusal(checkpoint: Checkpoint | None) -> JsonResponse | None:
    """404 for a checkpoint that does not exist or is not the caller's, 409 when closed."""
    if checkpoint is None:
        return _error(_("Not found."), status=404)
    if not checkpoint.is_active:
        return _error(_("This checkpoint is closed."), status=409)
    return None


def _refuse_body(user: Any, pk: int, response: JsonResponse) -> JsonResponse:
    return _checkpoint_refusal(services.passage_context(user, pk).checkpoint) or response


# --- the rest, through DRF -----------------------------------------------------------


@extend_schema(responses={200: CheckpointOutSerializer(many=True), 401: ERRORS[401]},
               summary="The checkpoints you may see (duty users: today's roster)")
@api_view(["GET"])
def checkpoints(request: Request) -> Response:
    rows = (Checkpoint.objects.visible_to(request.user, Cap.VIEW).select_related("org_unit")
            .order_by("unit_path", "name"))
    return Response([checkpoint_payload(cp) for cp in rows])


def _parse_day(raw: str | None) -> date:
    if not raw:
        return timezone.localdate()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise exceptions.ValidationError({"date": [_("Give the date as YYYY-MM-DD.")]}) from None


def _int_param(request: Request, name: str, default: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= high:
        raise exceptions.ValidationError({name: [
            _("Give a whole number from 1 to %(max)d.") % {"max": high}]})
    return value


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
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, description="Default: today. Duty "
                             "users may only read today."),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="1-500, default 100."),
        ],
        responses={200: PassagePageSerializer, 400: ERRORS[400], 401: ERRORS[401],
                   404: ERRORS[404]},
        summary="A checkpoint's passages on a day, newest first, masked",
    )
    def get(self, request: Request, pk: int) -> Response:
        checkpoint = get_for_user(Checkpoint, request.user, Cap.VIEW, pk=pk)
        day = _parse_day(request.query_params.get("date"))
        if day != timezone.localdate() and not scope_for(request.user).can(
            Cap.VIEW, checkpoint.unit_path,
        ):
            raise exceptions.NotFound  # duty users: today's roster only
        size = _int_param(request, "page_size", 100, PAGE_SIZE_MAX)
        page = _int_param(request, "page", 1, 1_000_000)
        qs = Passage.objects.filter(checkpoint=checkpoint, day=day).select_related("person")
        rows = qs.order_by("-occurred_at", "-pk")[(page - 1) * size: page * size]
        return Response({
            "date": day.isoformat(), "count": qs.count(), "page": page, "page_size": size,
            "results": [passage_payload(p) for p in rows],
        })

    @extend_schema(
        request=PassageInSerializer,
        responses={
            201: OpenApiResponse(PassageOutSerializer, description="Registered"),
            200: OpenApiResponse(PassageOutSerializer,
                                 description="Seen before: the first record for this client_id"),
            400: ERRORS[400], 401: ERRORS[401], 404: ERRORS[404],
            409: OpenApiResponse(ErrorSerializer, description="Checkpoint closed"),
        },
        summary="Register a passage (idempotent by client_id)",
    )
    def post(self, request: Request, pk: int) -> Any:  # pragma: no cover - see as_view
        return create_passage(request._request, pk)
