"""Volunteers API (token auth or session + CSRF, the kit's conventions).

- ``GET /api/v1/volunteers/drives?unit=<code>`` — the drives under the unit the caller
  may see: ``[{"id", "title", "organisation", "opened_at", "target", "signups",
  "filled_at", "minutes_to_fill"}]`` (``filled_at`` null until the target is reached).
- ``GET /api/v1/volunteers/totals?by=volunteer|team|organisation|community`` — approved
  hours per group (names of volunteers as the caller may see them: masked).

For a volunteer's phone (their own assignments only; another's answers 404):

- ``GET /api/v1/volunteers/shifts/mine`` — the caller's assignments, latest shift first
  (paged): the shift's window and site, the status and the offer's deadline.
- ``POST /api/v1/volunteers/assignments/<id>/check-in`` and ``/check-out`` with
  ``{"token": "<the site's QR token>"}`` — as the scan page (``services.check_in`` and
  ``check_out`` with the token): a forged, replaced or another site's token answers 400
  with the service's message under ``token``. Checking in or out twice is once (200).
- ``POST /api/v1/volunteers/assignments/<id>/confirm`` — take a place offered from the
  waiting list (``services.confirm``); too late, 400 with the message.

For coordinators (territorial staff, member-unit liaisons, as the site pages):

- ``GET /api/v1/volunteers/shifts?site=<id>&from=&to=`` — the shifts the caller may see,
  earliest first (paged), with capacity and how many are placed and waiting; a site out
  of scope answers 404.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api.errors import error_response
from fangkong.core.api.paging import (
    PageQuerySerializer,
    QuerySerializer,
    page_response,
    page_serializer,
)
from fangkong.core.api.schema import errors
from fangkong.core.api.serializers import DayField, StrictSerializer
from fangkong.core.roles import Cap
from fangkong.core.scoping import get_for_user, get_unit_for_user, require_capability, scope_for
from fangkong.lib.masking import mask_name
from fangkong.volunteers import services
from fangkong.volunteers.access import ORG_ROLES, VOLUNTEER_ROLES
from fangkong.volunteers.models import PLACED, Assignment, Drive, Shift, Site, Status


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


# --- a volunteer's own shifts ---------------------------------------------------------------

def _iso(at: Any) -> str | None:
    return at.isoformat() if at else None


class SiteOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MyAssignmentOut(serializers.Serializer):
    id = serializers.IntegerField(help_text="The assignment's id (check-in, confirm).")
    shift = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    site = SiteOut()
    tasks = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(help_text="The status in the caller's language.")
    status_reason = serializers.CharField(help_text="Why an offer expired or a place was "
                                          "cancelled; empty otherwise.")
    confirm_by = serializers.DateTimeField(allow_null=True, help_text=(
        "Until when an offered place can be confirmed; null unless offered."))
    check_in_at = serializers.DateTimeField(allow_null=True)
    check_out_at = serializers.DateTimeField(allow_null=True)
    credited_minutes = serializers.IntegerField(allow_null=True)
    shift_cancelled = serializers.BooleanField()


MyAssignmentPage = page_serializer(MyAssignmentOut, "VolunteersMyAssignmentPageSerializer")


def my_assignment_payload(a: Assignment) -> dict[str, Any]:
    shift = a.shift
    return {"id": a.pk, "shift": shift.pk, "starts_at": _iso(shift.starts_at),
            "ends_at": _iso(shift.ends_at),
            "site": {"id": shift.site_id, "name": shift.site.name}, "tasks": shift.tasks,
            "status": a.status, "status_label": a.get_status_display(),
            "status_reason": a.status_reason, "confirm_by": _iso(a.confirm_by),
            "check_in_at": _iso(a.check_in_at), "check_out_at": _iso(a.check_out_at),
            "credited_minutes": a.credited_minutes, "shift_cancelled": shift.is_cancelled}


def _volunteer_only(user: Any) -> None:
    """As the volunteer's own pages: for a user with the volunteer role (else 403)."""
    if not scope_for(user).has_role(*VOLUNTEER_ROLES):
        raise PermissionDenied


def _own_assignment(user: Any, pk: int) -> Assignment:
    """The caller's own assignment, in their scope; anyone else's answers 404."""
    _volunteer_only(user)
    return get_for_user(
        Assignment.objects.filter(volunteer__user_id=user.pk).select_related(
            "shift__site", "volunteer"), user, Cap.VIEW, pk=pk)


@extend_schema(parameters=[PageQuerySerializer],
               responses={200: MyAssignmentPage, **errors(400, 401, 403)},
               summary="Your own shifts (latest first, 50 a page)")
@api_view(["GET"])
def my_shifts(request: Request) -> Response:
    _volunteer_only(request.user)
    query = PageQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    qs = (Assignment.objects.visible_to(request.user)
          .filter(volunteer__user_id=request.user.pk).select_related("shift__site")
          .order_by("-shift__starts_at", "-pk"))
    return page_response(qs, my_assignment_payload, query.validated_data)


class TokenIn(StrictSerializer):
    token = serializers.CharField(max_length=500, help_text=(
        "The signed token of the site's QR code (what the code's URL ends with)."))


def _scan(request: Request, pk: int, act: Any) -> Response:
    a = _own_assignment(request.user, pk)
    body = TokenIn(data=request.data)
    body.is_valid(raise_exception=True)
    try:
        a = act(request.user, a, token=body.validated_data["token"])
    except ValidationError as exc:
        # The service names the scanned code ``code``: here it is the body's ``token``.
        if hasattr(exc, "error_dict") and "code" in exc.error_dict:
            messages = exc.message_dict["code"]
            return error_response(messages[0], {"token": messages})
        return error_response(exc.messages[0])
    a.refresh_from_db()
    return Response(my_assignment_payload(a))


SCAN_ERRORS = errors(400, 401, 403, 404, invalid=(
    "A forged, replaced or another site's token (named under 'token'), or outside the "
    "shift's window or not a confirmed place (the service's message in 'error')"))


@extend_schema(request=TokenIn, responses={200: MyAssignmentOut, **SCAN_ERRORS},
               summary="Check in to your shift with the site's QR token")
@api_view(["POST"])
def check_in(request: Request, pk: int) -> Response:
    return _scan(request, pk, services.check_in)


@extend_schema(request=TokenIn, responses={200: MyAssignmentOut, **SCAN_ERRORS},
               summary="Check out of your shift with the site's QR token")
@api_view(["POST"])
def check_out(request: Request, pk: int) -> Response:
    return _scan(request, pk, services.check_out)


@extend_schema(request=None, responses={200: MyAssignmentOut, **errors(
    400, 401, 403, 404,
    invalid="Too late (the offer expired: the place went to the next one waiting), or no "
            "place is waiting for your confirmation")},
    summary="Confirm a place offered to you from the waiting list")
@api_view(["POST"])
def confirm(request: Request, pk: int) -> Response:
    a = _own_assignment(request.user, pk)
    a = services.confirm(request.user, a)
    return Response(my_assignment_payload(
        Assignment.objects.select_related("shift__site").get(pk=a.pk)))


# --- shifts, for coordinators ---------------------------------------------------------------

#: How far ahead ``from``/``to`` may name a day (shifts are planned ahead).
AHEAD_DAYS = 90


class ShiftsQuery(PageQuerySerializer):
    site = serializers.IntegerField(min_value=1, required=False,
                                    help_text="A site's id; out of your area: 404.")
    # ``from`` is a Python keyword: the field is declared below under its query name.
    to = DayField(ahead=AHEAD_DAYS, required=False,
                  help_text="Shifts starting on or before this day (YYYY-MM-DD).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first, last = attrs.get("from"), attrs.get("to")
        if first and last and first > last:
            raise serializers.ValidationError(
                {"to": [_("The last day is before the first.")]})
        return attrs


ShiftsQuery._declared_fields["from"] = DayField(  # noqa: SLF001
    ahead=AHEAD_DAYS, required=False,
    help_text="Shifts starting on or after this day (YYYY-MM-DD).")


class ShiftOut(serializers.Serializer):
    id = serializers.IntegerField()
    site = SiteOut()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(help_text="Volunteers needed.")
    assigned = serializers.IntegerField(help_text="Places held: confirmed or offered.")
    waiting = serializers.IntegerField(help_text="On the waiting list.")
    tasks = serializers.CharField()
    requirements = serializers.CharField()
    party_members_only = serializers.BooleanField()
    cancelled = serializers.BooleanField()


ShiftPage = page_serializer(ShiftOut, "VolunteersShiftPageSerializer")


def shift_payload(s: Shift) -> dict[str, Any]:
    return {"id": s.pk, "site": {"id": s.site_id, "name": s.site.name},
            "starts_at": _iso(s.starts_at), "ends_at": _iso(s.ends_at),
            "capacity": s.capacity, "assigned": s.placed, "waiting": s.waiting,
            "tasks": s.tasks, "requirements": s.requirements,
            "party_members_only": s.party_members_only, "cancelled": s.is_cancelled}


def _day_start(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@extend_schema(parameters=[ShiftsQuery], responses={200: ShiftPage,
                                                     **errors(400, 401, 403, 404)},
               summary="Shifts you may see, with their places taken and waiting")
@api_view(["GET"])
def shifts(request: Request) -> Response:
    require_capability(request.user, Cap.VIEW, roles=ORG_ROLES)
    query = ShiftsQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    d = query.validated_data
    qs = Shift.objects.visible_to(request.user).select_related("site")
    if d.get("site"):
        qs = qs.filter(site=get_for_user(Site, request.user, pk=d["site"]))
    if d.get("from"):
        qs = qs.filter(starts_at__gte=_day_start(d["from"]))
    if d.get("to"):
        qs = qs.filter(starts_at__lt=_day_start(d["to"] + timedelta(days=1)))
    qs = qs.annotate(
        placed=Count("assignments", filter=Q(assignments__status__in=PLACED)),
        waiting=Count("assignments", filter=Q(assignments__status=Status.WAITING)),
    ).order_by("starts_at", "pk")
    return page_response(qs, shift_payload, d)
