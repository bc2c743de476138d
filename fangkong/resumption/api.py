"""Resumption API.

- ``GET /api/v1/resumption/summary?date=YYYY-MM-DD&unit=<code>`` — the figures of a county
  or the city on a day: ``{"projects", "resumed", "preparing", "employees_returned",
  "workers_transported"}`` (login; the unit must be in the caller's area, else 404).
- ``GET /api/v1/passes/verify?token=<the QR's token>`` — no login: the check of a pass,
  as the public verification page shows it.
- ``GET /api/v1/passes/keys`` — no login: the public keys (Ed25519, raw, base64url) by key
  id, and the revocation list (the ``jti`` of every revoked pass).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api.paging import QuerySerializer
from fangkong.core.api.schema import errors
from fangkong.core.api.serializers import DayField
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import get_unit_for_user, home_unit, scope_for
from fangkong.resumption import indicators
from fangkong.resumption.models import PassKind, SigningKey
from fangkong.resumption.services import passes as pass_svc


class SummaryQuery(QuerySerializer):
    date = DayField(required=False)
    unit = serializers.CharField(required=False, max_length=12)


class SummaryOut(serializers.Serializer):
    projects = serializers.IntegerField()
    resumed = serializers.IntegerField()
    preparing = serializers.IntegerField()
    employees_returned = serializers.IntegerField()
    workers_transported = serializers.IntegerField()


@extend_schema(parameters=[SummaryQuery], responses={200: SummaryOut,
                                                     **errors(400, 401, 403, 404)},
               summary="Work resumption figures of a unit on a day")
@api_view(["GET"])
def summary(request: Request) -> Response:
    if not scope_for(request.user).can(Cap.VIEW):
        raise PermissionDenied
    query = SummaryQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    code = data.get("unit")
    unit = get_unit_for_user(request.user, code) if code else home_unit(request.user)
    day = data.get("date") or timezone.localdate()
    return Response(indicators.summary(unit, day))


class VerifyQuery(QuerySerializer):
    token = serializers.CharField(max_length=2048)
    kind = serializers.ChoiceField(choices=PassKind.values, required=False,
                                   help_text="The purpose checked: a worker, vehicle or "
                                   "batch pass; another kind answers not_for_purpose.")


class VerifyOut(serializers.Serializer):
    status = serializers.ChoiceField(choices=["valid", "expired", "revoked",
                                              "invalid_signature", "not_for_purpose"])
    holder = serializers.CharField(allow_null=True)
    id_last4 = serializers.CharField(allow_null=True)
    scope = serializers.CharField(allow_null=True)
    kind = serializers.CharField(allow_null=True)
    valid_from = serializers.DateTimeField(allow_null=True)
    valid_until = serializers.DateTimeField(allow_null=True)
    issuer = serializers.CharField(allow_null=True)
    checked_at = serializers.DateTimeField()


@extend_schema(parameters=[VerifyQuery], responses={200: VerifyOut, **errors(400)},
               summary="Check a pass (no login)", auth=[])
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def verify(request: Request) -> Response:
    query = VerifyQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    result = pass_svc.check(query.validated_data["token"],
                            kind=query.validated_data.get("kind"))
    return Response(result.as_json())


@extend_schema(responses={200: dict}, summary="Pass-signing public keys and revocation list "
               "(no login)", auth=[])
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def keys(request: Request) -> Response:
    rows: list[dict[str, Any]] = [
        {"kid": k.kid, "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "x": k.public_key,
         "created_at": k.created_at.isoformat(),
         "retired_at": k.retired_at.isoformat() if k.retired_at else None}
        for k in SigningKey.objects.order_by("created_at")]
    return Response({"keys": rows, "revoked": sorted(pass_svc.revocation_list()),
                     "purpose": "fangkong.resumption.pass"})
