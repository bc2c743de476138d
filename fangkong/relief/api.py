"""Relief API.

- ``POST /api/v1/relief/quote`` — evaluate one measure on the facts given, under the
  rules in force on ``as_of`` (default: today): ``{"measure", "status", "amount",
  "explanation", "trace"}`` (``tier`` and ``content`` for measure 4). ``status`` is
  ``ok`` (0.00 / tier 0 with the reason for a case the rules do not cover),
  ``no_rule`` (no version in force that day: ``amount`` is null) or ``conflict``.
- ``GET /api/v1/relief/applications/<id>`` — an application with its frozen result.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api.schema import errors
from fangkong.core.api.serializers import StrictSerializer
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import get_for_user, scope_for
from fangkong.relief import engine, facts
from fangkong.relief.models import Application
from fangkong.relief.rules import PROJECT_TYPES

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class QuoteInSerializer(StrictSerializer):
    measure = serializers.ChoiceField(choices=list(engine.MEASURES))
    as_of = serializers.DateField(required=False, help_text="Evaluate under the rules in "
                                  "force on this day (YYYY-MM-DD); default today.")
    members = serializers.ListField(
        child=serializers.JSONField(), required=False, allow_empty=False,
        help_text='Measure "employment": each member as {"months_away": 6} or '
                  '{"away_from": "2020-01-10", "away_to": "2020-08-01"}.')
    resumed = serializers.BooleanField(required=False)
    resumed_on = serializers.DateField(required=False)
    poor_workers = serializers.IntegerField(required=False, min_value=0, max_value=100000)
    households_led = serializers.IntegerField(required=False, min_value=0, max_value=100000)
    for_production = serializers.BooleanField(required=False)
    principal = serializers.DecimalField(**MONEY, required=False)
    annual_rate = serializers.DecimalField(max_digits=8, decimal_places=6, min_value=0,
                                           max_value=1, required=False,
                                           help_text="Subsidised annual rate, e.g. 0.0435.")
    due_date = serializers.DateField(required=False)
    project_type = serializers.ChoiceField(choices=list(PROJECT_TYPES), required=False)
    accepted = serializers.BooleanField(required=False)

    def validate_whole(self, data: Any) -> dict[str, Any]:
        """Which facts the measure needs or does not use, and the members: reported with
        the other field errors in one answer."""
        from django.core.exceptions import ValidationError

        measure = data.get("measure")
        errors = facts.check_presence(measure, data)
        if measure == "employment" and data.get("members") is not None:
            _members, member_errors = facts._member_errors(data.get("members"))
            if member_errors:
                errors["members"] = member_errors
        if errors:
            raise ValidationError(errors)
        return {}


class QuoteOutSerializer(serializers.Serializer):
    measure = serializers.CharField()
    status = serializers.ChoiceField(choices=["ok", "no_rule", "conflict"])
    amount = serializers.CharField(allow_null=True, help_text="Yuan, two places, e.g. "
                                   "\"1000.00\"; null when no rule is in force.")
    tier = serializers.IntegerField(required=False, help_text="Measure 4 only; 0 for none.")
    content = serializers.CharField(required=False, help_text="Measure 4: what the tier gets.")
    explanation = serializers.CharField()
    trace = serializers.DictField(help_text="The rule, the facts used, each parameter with "
                                  "the day it was read for and its version, the steps.")


@extend_schema(
    request=QuoteInSerializer,
    responses={200: QuoteOutSerializer, **errors(400, 401, 403)},
    summary="Evaluate a relief measure on given facts, with explanation and trace",
    examples=[
        OpenApiExample("Employment", request_only=True,
                       value={"measure": "employment",
                              "members": [{"months_away": 6}, {"months_away": 7}]}),
        OpenApiExample("Loan interest", request_only=True, value={
            "measure": "loan_interest", "resumed": True, "for_production": True,
            "principal": "100000.00", "annual_rate": "0.0435", "due_date": "2020-03-15"}),
    ],
)
@api_view(["POST"])
def quote(request: Request) -> Response:
    if not scope_for(request.user).can(Cap.VIEW):
        raise PermissionDenied
    body = QuoteInSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    measure = data["measure"]
    as_of = data.get("as_of") or timezone.localdate()
    result = engine.quote(measure, facts.build(measure, data), as_of)
    return Response(result.payload())


class ApplicationOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    measure = serializers.CharField()
    subject = serializers.CharField()
    status = serializers.CharField()
    submitted_on = serializers.DateField()
    result = QuoteOutSerializer(allow_null=True, help_text="The frozen result, if accepted.")


@extend_schema(responses={200: ApplicationOutSerializer, **errors(400, 401, 404)},
               summary="An application with its frozen result (amount, explanation, trace)")
@api_view(["GET"])
def application(request: Request, pk: int) -> Response:
    app = get_for_user(Application.objects.select_related("evaluation"), request.user,
                       Cap.VIEW, pk=pk)
    ev = app.evaluation
    result = None if ev is None else {
        "measure": ev.measure, "status": ev.status,
        "amount": None if ev.amount is None else format(ev.amount, "f"),
        "tier": ev.tier, "explanation": ev.explanation, "trace": ev.trace}
    return Response({"id": app.pk, "measure": app.measure, "subject": app.subject_name,
                     "status": app.status, "submitted_on": app.submitted_on.isoformat(),
                     "result": result})


