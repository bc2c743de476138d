"""Volunteers API (token auth or session + CSRF, the kit's conventions).

- ``GET /api/v1/volunteers/drives?unit=<code>`` — the drives under the unit the caller
  may see: ``[{"id", "title", "organisation", "opened_at", "target", "signups",
  "filled_at", "minutes_to_fill"}]`` (``filled_at`` null until the target is reached).
- ``GET /api/v1/volunteers/totals?by=volunteer|team|organisation|community`` — approved
  hours per group (names of volunteers as the caller may see them: masked).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api.paging import QuerySerializer
from fangkong.core.api.schema import errors
from fangkong.core.scoping import get_unit_for_user
from fangkong.lib.masking import mask_name
from fangkong.volunteers import services
from fangkong.volunteers.models import Assignment, Drive


class DrivesQuery(QuerySerializer):
    unit = serializers.CharField(max_length=12, required=False,
                                 help_text="Division code; default: everything you may see.")


class DriveOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    organisation = serializers.CharField(help_text="The organisation's code.")
    opened_at = serializers.DateTimeField()
    target = serializers.IntegerField()
    signups = serializers.IntegerField()
    filled_at = serializers.DateTimeField(allow_null=True)
    minutes_to_fill = serializers.IntegerField(allow_null=True)


def drive_payload(d: Drive) -> dict[str, Any]:
    def iso(at: Any) -> str | None:
        return at.isoformat() if at else None

    return {"id": d.pk, "title": d.title, "organisation": d.organisation.code,
            "opened_at": iso(d.opened_at), "target": d.target, "signups": d.signup_count,
            "filled_at": iso(d.filled_at), "minutes_to_fill": d.minutes_to_fill}


@extend_schema(parameters=[DrivesQuery], responses={200: DriveOut(many=True),
                                                     **errors(400, 401, 404)},
               summary="Volunteer drives, with how long each took to fill")
@api_view(["GET"])
def drives(request: Request) -> Response:
    query = DrivesQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    qs = Drive.objects.visible_to(request.user).select_related("organisation")
    code = query.validated_data.get("unit")
    if code:
        qs = qs.under(get_unit_for_user(request.user, code))
    return Response([drive_payload(d) for d in qs.order_by("opened_at", "pk")])


class TotalsQuery(QuerySerializer):
    by = serializers.ChoiceField(choices=list(services.GROUPS), required=False)


class TotalOut(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True, help_text="The group's id; null for "
                                   "volunteers without a team or organisation.")
    name = serializers.CharField(help_text="Volunteers' names masked.")
    hours = serializers.CharField(help_text="Approved hours, one decimal place.")
    shifts = serializers.IntegerField()
    volunteers = serializers.IntegerField()


@extend_schema(parameters=[TotalsQuery], responses={200: TotalOut(many=True),
                                                     **errors(400, 401)},
               summary="Approved volunteer hours per volunteer, team, organisation or community")
@api_view(["GET"])
def totals(request: Request) -> Response:
    query = TotalsQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    by = query.validated_data.get("by") or "organisation"
    rows = services.totals(Assignment.objects.visible_to(request.user), by)
    for row in rows:
        if by == "volunteer":
            row["label"] = mask_name(row["label"])
        row["hours"] = f"{row['minutes'] / 60:.1f}"
    return Response([{"key": r["key"], "name": r["label"], "hours": r["hours"],
                      "shifts": r["shifts"], "volunteers": r["people"]} for r in rows])
