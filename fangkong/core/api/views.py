"""Core API: token, health, people."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api.errors import error_response
from fangkong.core.api.serializers import PersonCreateSerializer, person_payload
from fangkong.core.models import ApiToken, OrgUnit, Person
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import get_for_user, scope_for
from fangkong.core.services.people import clean_person_data, lookup_or_create_person


def healthz(request):
    """Liveness and database check for load balancers (no auth)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class TokenRequest(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


@extend_schema(
    request=TokenRequest,
    responses={200: inline_serializer("Token", {"token": serializers.CharField(),
                                                "expires_at": serializers.DateTimeField()})},
    summary="Exchange a username and password for a bearer token",
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def token(request: Request) -> Response:
    ser = TokenRequest(data=request.data)
    ser.is_valid(raise_exception=True)
    user = authenticate(
        request._request, username=ser.validated_data["username"],
        password=ser.validated_data["password"],
    )
    if user is None or not user.is_active:
        return error_response(_("Wrong username or password."), status_code=401)
    row, raw = ApiToken.issue(user, name="api")
    return Response({"token": raw, "expires_at": row.expires_at})


@extend_schema(request=PersonCreateSerializer, responses={201: dict, 200: dict},
               summary="Register a person (or find the existing one by ID number)")
@api_view(["POST"])
def people_create(request: Request) -> Response:
    ser = PersonCreateSerializer(data=request.data)
    ser.is_valid(raise_exception=True)
    code = ser.validated_data["org_unit"]
    unit = OrgUnit.objects.filter(code=code).first()
    scope = scope_for(request.user)
    if unit is None or not scope.can(Cap.EDIT, unit.path):
        return error_response(
            _("Please correct the errors below."),
            {"org_unit": [_("Unknown org unit, or not in your area.")]},
        )
    data = clean_person_data(
        id_number=ser.validated_data["id_number"], name=ser.validated_data["name"],
        phone=ser.validated_data.get("phone", ""), address=ser.validated_data.get("address", ""),
    )
    person, created = lookup_or_create_person(request.user, data, unit)
    if not created and not scope.can(Cap.VIEW, person.unit_path):
        # The number exists outside the caller's area: say so without leaking the record.
        return error_response(
            _("Please correct the errors below."),
            {"id_number": [_("This person is registered in another area.")]},
            status_code=409,
        )
    body = person_payload(person, reveal=False)
    body["warnings"] = data.warnings
    return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema(responses={200: dict}, summary="A person, masked unless ?reveal=1&reason=…")
@api_view(["GET"])
def people_detail(request: Request, pk: int) -> Response:
    person = get_for_user(Person, request.user, pk=pk)
    reveal = request.query_params.get("reveal") in ("1", "true")
    if reveal:
        from fangkong.core.audit import reveal as do_reveal

        do_reveal(request.user, person, ["id_number", "phone", "address"],
                  request.query_params.get("reason", ""), request=request._request)
    return Response(person_payload(person, reveal=reveal))


