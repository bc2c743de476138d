"""Core API: health, tokens, people.

Endpoints parse with a serializer, authorise through ``core.scoping`` (out of scope is
404), call a service and answer; errors take the one shape of ``core.api.errors``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import api_view
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fangkong.core import audit, pii
from fangkong.core.api.auth import BearerTokenAuthentication
from fangkong.core.api.errors import error_response
from fangkong.core.api.paging import page_response
from fangkong.core.api.responses import created_response
from fangkong.core.api.schema import errors
from fangkong.core.api.serializers import (
    PeopleQuerySerializer,
    PersonCreatedSerializer,
    PersonCreateSerializer,
    PersonPageSerializer,
    PersonSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    person_payload,
)
from fangkong.core.lockout import lockout_message
from fangkong.core.models import ApiToken, OrgUnit, Person
from fangkong.core.models.accounts import Cap
from fangkong.core.models.audit import PiiAction
from fangkong.core.scoping import get_for_user, get_unit_for_user, scope_for, units_visible_to
from fangkong.core.services.people import as_seen_by, register_person
from fangkong.lib.identity import normalize_id_number


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers (no auth, no session)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class TokenView(APIView):
    """``POST`` exchanges a username and password for a token; ``DELETE`` revokes the
    token the request is made with.

    Failed logins count towards django-axes' lockout exactly like the login page: the
    request goes to ``authenticate(request=...)``.
    """

    authentication_classes = [BearerTokenAuthentication]

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def perform_authentication(self, request: Request) -> None:
        # A stale Authorization header must not stop a client from getting a new token.
        if request.method != "POST":
            super().perform_authentication(request)

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer,
                   **errors(400, 401, too_many="Locked out after repeated failed logins")},
        summary="Exchange a username and password for a bearer token",
        description="Send the token as 'Authorization: Bearer <token>'. Five failed attempts "
                    "lock the account for a while (429), also for the right password.",
        auth=[],
    )
    def post(self, request: Request) -> Response:
        ser = TokenRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            django_request, username=ser.validated_data["username"],
            password=ser.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            # Answer in JSON here; left set, axes' middleware would swap in its HTML page.
            django_request.axes_locked_out = False
            return error_response(lockout_message(), status_code=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            return error_response(
                _("Wrong username or password."), status_code=status.HTTP_401_UNAUTHORIZED,
            )
        row, raw = ApiToken.issue(user, name=ser.validated_data.get("name") or "api")
        return Response(TokenSerializer({"token": raw, "expires_at": row.expires_at}).data)

    @extend_schema(responses={204: None, **errors(401)},
                   summary="Revoke the token this request is made with",
                   description="The token stops working at once.")
    def delete(self, request: Request) -> Response:
        ApiToken.objects.filter(pk=request.auth.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    methods=["GET"],
    parameters=[PeopleQuerySerializer],
    responses={200: PersonPageSerializer, **errors(400, 401, 404)},
    summary="People in your area, masked, a page at a time",
    operation_id="people_list",
)
@extend_schema(
    methods=["POST"],
    request=PersonCreateSerializer,
    responses={
        201: OpenApiResponse(PersonCreatedSerializer, description="Registered"),
        200: OpenApiResponse(PersonCreatedSerializer,
                             description="Already registered: the existing person"),
        **errors(400, 401, 403),
    },
    summary="Register a person (or find the existing one by ID card number)",
    operation_id="people_create",
)
@api_view(["GET", "POST"])
def people(request: Request) -> Response:
    if request.method == "POST":
        return _people_create(request)
    query = PeopleQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    params = query.validated_data
    qs = Person.objects.visible_to(request.user, Cap.VIEW).select_related("org_unit")
    if params.get("unit"):
        unit = get_unit_for_user(request.user, params["unit"])
        qs = qs.under(unit)
    if params.get("id_number"):
        qs = qs.filter(id_number=normalize_id_number(params["id_number"]))
    return page_response(
        qs.order_by("unit_path", "name", "pk"),
        lambda p: PersonSerializer(person_payload(p, reveal=False)).data, params,
        prepare=lambda people: as_seen_by(request.user, people),
    )


def _people_create(request: Request) -> Response:
    scope = scope_for(request.user)
    if not scope.can(Cap.EDIT):
        raise exceptions.PermissionDenied

    def unit_in_area(code: str) -> OrgUnit | None:
        return units_visible_to(request.user, Cap.EDIT).filter(code=code).first()

    ser = PersonCreateSerializer(data=request.data, context={"unit_in_area": unit_in_area})
    ser.is_valid(raise_exception=True)  # every field error at once, the unit's among them
    unit, data = ser.validated_data["org_unit"], ser.validated_data["person"]
    # A number registered in another area is registered here too and answered like a
    # new one, so the answer never tells whether it exists elsewhere (item 3, #9).
    person, created = register_person(request.user, data, unit)
    body = PersonCreatedSerializer({**person_payload(person, reveal=False),
                                    "warnings": data.warnings}).data
    return created_response(body, created)


@extend_schema(
    parameters=[
        OpenApiParameter("reveal", OpenApiTypes.BOOL,
                         description="Show personal data in full (needs the reveal permission; "
                                     "written to the personal-data access log)."),
        OpenApiParameter("reason", OpenApiTypes.STR,
                         description="Why the data is revealed; required with reveal=1."),
    ],
    responses={200: PersonSerializer, **errors(400, 401, 403, 404)},
    summary="A person, masked unless ?reveal=1&reason=…",
)
@api_view(["GET"])
def person_detail(request: Request, pk: int) -> Response:
    reveal = request.query_params.get("reveal", "").lower() in ("1", "true", "yes")
    if not reveal:
        person = get_for_user(Person.objects.select_related("org_unit"), request.user, pk=pk)
        person = as_seen_by(request.user, [person])[0]
        return Response(PersonSerializer(person_payload(person, reveal=False)).data)
    reason = request.query_params.get("reason", "")
    # A refusal is logged, out of scope (404) included: audit.reveal logs its own.
    with audit.refusals_logged(request.user, PiiAction.REVEAL, Person._meta.label,
                               subject_id=pk, reason=reason, request=request._request):
        person = get_for_user(Person.objects.select_related("org_unit"), request.user, pk=pk)
        person = as_seen_by(request.user, [person])[0]
        audit.reveal(request.user, person, list(pii.pii_fields(Person)), reason,
                     request=request._request)
    return Response(PersonSerializer(person_payload(person, reveal=reveal)).data)
