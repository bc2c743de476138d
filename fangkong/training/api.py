"""Training API (token auth or session + CSRF, the kit's conventions).

- ``GET /api/v1/training/sessions?date=YYYY-MM-DD&unit=<code>`` — the sessions starting
  on that day in the unit's subtree (default: today, the caller's area):
  ``[{"id", "course", "starts_at", "mode", "capacity", "enrolled", "attended"}]``.
  ``capacity`` is the distanced seats in the room (for an online-only session its online
  places, null when unlimited).
"""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api.paging import QuerySerializer
from fangkong.core.api.schema import errors
from fangkong.core.api.serializers import DayField
from fangkong.core.roles import Cap
from fangkong.core.scoping import get_unit_for_user
from fangkong.training import services
from fangkong.training.models import Mode, Session
from fangkong.training.totals import day_range


class SessionQuery(QuerySerializer):
    date = DayField(required=False, ahead=366, help_text="Default: today.")
    unit = serializers.CharField(max_length=12, required=False,
                                 help_text="Division code; default: everything you may see.")


class SessionOut(serializers.Serializer):
    id = serializers.IntegerField()
    course = serializers.CharField()
    starts_at = serializers.DateTimeField()
    mode = serializers.ChoiceField(choices=Mode.values)
    capacity = serializers.IntegerField(allow_null=True)
    enrolled = serializers.IntegerField()
    attended = serializers.IntegerField()


@extend_schema(parameters=[SessionQuery], responses={200: SessionOut(many=True),
                                                     **errors(400, 401, 404)},
               summary="Training sessions of a day")
@api_view(["GET"])
def sessions(request: Request) -> Response:
    query = SessionQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    day = query.validated_data.get("date") or timezone.localdate()
    rows = Session.objects.visible_to(request.user)
    if query.validated_data.get("unit"):
        unit = get_unit_for_user(request.user, query.validated_data["unit"], Cap.VIEW)
        rows = rows.under(unit)
    start, end = day_range(day)
    rows = (rows.filter(starts_at__gte=start, starts_at__lt=end)
            .select_related("course", "venue")
            .annotate(n_enrolled=Count("enrolments", distinct=True),
                      n_attended=Count("attendances", distinct=True))
            .order_by("starts_at", "pk"))
    return Response([{
        "id": s.pk, "course": s.course.title,
        "starts_at": timezone.localtime(s.starts_at).isoformat(), "mode": s.mode,
        "capacity": services.capacity(s), "enrolled": s.n_enrolled,
        "attended": s.n_attended} for s in rows])
