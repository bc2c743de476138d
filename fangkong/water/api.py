"""Water API (token auth or session + CSRF, the kit's conventions).

- ``GET /api/v1/water/points`` — the caller's utility's sampling points, with their type.
- ``POST /api/v1/water/readings`` — ``{"client_id", "point", "indicator", "value": "0.1" |
  "not_detected", "taken_at", "unit"?, "sampler"?, "instrument"?, "retest_of"?}`` → 201
  ``{"id", "within_limits", "limit", "alert"}``; the same ``client_id`` again: 200 with the
  same reading; 400 with every field error at once (a wrong unit, pH 15); 404 for a point
  outside the caller's utility; 409 for a key reused for other content.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api.responses import created_response
from fangkong.core.api.schema import errors
from fangkong.core.api.serializers import StrictSerializer
from fangkong.core.roles import Cap
from fangkong.core.scoping import get_for_user
from fangkong.water import services
from fangkong.water.models import Reading, SamplingPoint
from fangkong.water.quality import Ind


class ReadingRequest(StrictSerializer):
    client_id = serializers.UUIDField(help_text="Made by the client once per reading; a "
                                                "retry with the same key returns the first.")
    point = serializers.IntegerField(min_value=1)
    indicator = serializers.ChoiceField(choices=Ind.values)
    value = serializers.CharField(max_length=20, help_text='A decimal string ("0.1") or '
                                                          '"not_detected".')
    taken_at = serializers.DateTimeField()
    unit = serializers.CharField(max_length=12, required=False, allow_blank=True,
                                 help_text="Optional; must be the indicator's unit "
                                           "(mg/L, NTU, MPN/100mL …).")
    sampler = serializers.CharField(max_length=30, required=False, allow_blank=True,
                                    help_text="Default: the caller's name.")
    instrument = serializers.CharField(max_length=60, required=False, allow_blank=True)
    retest_of = serializers.IntegerField(min_value=1, required=False,
                                         help_text="The reading this one re-tests.")


class ReadingOut(serializers.Serializer):
    id = serializers.IntegerField()
    within_limits = serializers.BooleanField(allow_null=True,
                                             help_text="null: no limit applies (pressure).")
    limit = serializers.CharField(help_text='e.g. "≥ 0.3 mg/L (GB 5749-2022 表2)"')
    alert = serializers.IntegerField(allow_null=True)


class PointOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField(help_text="outlet, network_end or secondary")
    disinfectant = serializers.CharField()
    station = serializers.IntegerField()
    near = serializers.CharField(help_text="hospital, estate or other")
    near_name = serializers.CharField()
    unit = serializers.CharField(help_text="Division code.")


def reading_payload(r: Reading) -> dict[str, Any]:
    exceedance = getattr(r, "exceedance", None)
    if exceedance is None and r.within_limits is False and r.retest_of_id:
        # A failed re-test keeps the first exceedance's alert open: that is its alert.
        exceedance = getattr(r.retest_of, "exceedance", None)
    return {"id": r.pk, "within_limits": r.within_limits, "limit": r.limit_text,
            "alert": exceedance.alert_id if exceedance is not None else None}


@extend_schema(responses={200: PointOut(many=True), **errors(401)},
               summary="The sampling points of your utility")
@api_view(["GET"])
def points(request: Request) -> Response:
    rows = (SamplingPoint.objects.visible_to(request.user).filter(is_active=True)
            .select_related("org_unit").order_by("point_type", "name"))
    return Response([{"id": p.pk, "name": p.name, "type": p.point_type,
                      "disinfectant": p.disinfectant, "station": p.station_id,
                      "near": p.near_kind, "near_name": p.near_name,
                      "unit": p.org_unit.code} for p in rows])


@extend_schema(
    request=ReadingRequest,
    responses={201: OpenApiResponse(ReadingOut, description="Recorded and judged"),
               200: OpenApiResponse(ReadingOut, description="The same client_id again: "
                                    "the first reading, unchanged"),
               **errors(400, 401, 403, 404, conflict="The client_id was used for other "
                                                      "content")},
    summary="Record a water-quality reading, judged against GB 5749-2022")
@api_view(["POST"])
def readings(request: Request) -> Response:
    ser = ReadingRequest(data=request.data)
    ser.is_valid(raise_exception=True)
    d = ser.validated_data
    point = get_for_user(SamplingPoint.objects.select_related("org_unit"), request.user,
                         Cap.VIEW, pk=d["point"])
    retest_of = None
    if d.get("retest_of"):
        retest_of = Reading.objects.filter(point=point, pk=d["retest_of"]).first()
        if retest_of is None:
            return Response({"error": _("Unknown reading."), "fields": {"retest_of": [
                _("No reading of this point has this id.")]}}, status=400)
    reading, created = services.record_reading(
        request.user, point, client_id=d["client_id"], indicator=d["indicator"],
        value=d["value"], taken_at=d["taken_at"], unit=d.get("unit", ""),
        sampler=d.get("sampler") or request.user.get_full_name() or request.user.username,
        instrument=d.get("instrument", ""), retest_of=retest_of)
    reading = Reading.objects.select_related("exceedance").get(pk=reading.pk)
    return created_response(reading_payload(reading), created)
