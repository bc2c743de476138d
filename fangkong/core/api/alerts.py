"""Alerts API, generic over ``core.Alert`` (fever, flagged plate, water quality …).

- ``GET  /api/v1/alerts?status=open&kind=fever[&unit=<code>][&page=&page_size=]``
- ``POST /api/v1/alerts/<id>/close`` with ``{"outcome": "…"}``

Scoped like everything else: a user sees the alerts under their territorial grants;
closing one needs the edit capability over its unit, and an outcome.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api.paging import PageQuerySerializer, page_response, page_serializer
from fangkong.core.api.schema import errors
from fangkong.core.api.serializers import StrictSerializer
from fangkong.core.models import Alert
from fangkong.core.models.accounts import Cap
from fangkong.core.models.alerts import AlertStatus
from fangkong.core.registries import alert_kind_label
from fangkong.core.scoping import get_for_user, get_unit_for_user, scope_for
from fangkong.core.services.alerts import close_alert


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="The kind's code (for programs).")
    kind_label = serializers.CharField(help_text="The kind as people read it, in the "
                                       "request's language (Accept-Language).")
    severity = serializers.CharField()
    severity_label = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField()
    subject = serializers.CharField(help_text="The record that raised it, 'app.model:pk'.")
    org_unit = serializers.CharField(help_text="Division code.")
    org_unit_name = serializers.CharField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()


AlertPageSerializer = page_serializer(AlertSerializer, "AlertPageSerializer")


class AlertQuerySerializer(PageQuerySerializer):
    status = serializers.ChoiceField(choices=AlertStatus.choices, required=False)
    kind = serializers.CharField(max_length=32, required=False)
    unit = serializers.CharField(max_length=12, required=False,
                                 help_text="Division code: only alerts in this subtree.")


class CloseSerializer(StrictSerializer):
    outcome = serializers.CharField(max_length=300, allow_blank=True,
                                    help_text="How the alert was resolved.")


def alert_payload(alert: Alert) -> dict[str, Any]:
    def local(value):
        return timezone.localtime(value).isoformat() if value else None

    return {
        "id": alert.pk, "kind": alert.kind, "kind_label": str(alert_kind_label(alert.kind)),
        "severity": alert.severity, "severity_label": alert.get_severity_display(),
        "status": alert.status, "status_label": alert.get_status_display(),
        "title": alert.title, "detail": alert.detail, "subject": alert.subject,
        "org_unit": alert.org_unit.code, "org_unit_name": alert.org_unit.name,
        "opened_at": local(alert.opened_at), "closed_at": local(alert.closed_at),
        "outcome": alert.outcome,
    }


@extend_schema(
    parameters=[AlertQuerySerializer],
    responses={200: AlertPageSerializer, **errors(400, 401, 404)},
    summary="Alerts in your area, newest first",
)
@api_view(["GET"])
def alerts(request: Request) -> Response:
    query = AlertQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    params = query.validated_data
    qs = Alert.objects.visible_to(request.user, Cap.VIEW).select_related("org_unit")
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("unit"):
        qs = qs.under(get_unit_for_user(request.user, params["unit"]))
    return page_response(qs.order_by("-opened_at", "-pk"), alert_payload, params)


@extend_schema(
    request=CloseSerializer,
    responses={200: AlertSerializer, **errors(400, 401, 403, 404)},
    summary="Close an alert with its outcome",
)
@api_view(["POST"])
def close(request: Request, pk: int) -> Response:
    alert = get_for_user(Alert.objects.select_related("org_unit"), request.user, Cap.VIEW, pk=pk)
    if not scope_for(request.user).can(Cap.EDIT, alert.unit_path):
        raise exceptions.PermissionDenied(_("You may not close alerts here."))
    body = CloseSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    alert = close_alert(alert, actor=request.user, outcome=body.validated_data["outcome"])
    return Response(alert_payload(alert))


urlpatterns = [
    path("alerts", alerts, name="api-alerts"),
    path("alerts/<id:pk>/close", close, name="api-alert-close"),
]
