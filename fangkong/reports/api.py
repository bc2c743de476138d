"""Daily reporting API: forms, submissions, completeness, aggregate (token or session auth).

- ``GET  /api/v1/reports/forms``
- ``POST /api/v1/reports/<form>/submissions`` ``{"unit", "date", "values", "submit"}``
  → 201 created, 200 updated (or the same submission sent again), 409 locked
- ``GET  /api/v1/reports/<form>/completeness?date=&unit=``
- ``GET  /api/v1/reports/<form>/aggregate?date=&unit=``
- ``GET  /api/v1/reports/<form>/province.xlsx?date=`` (the city's report to the province)

Scoped like the UI. A form the caller neither reports nor oversees, and a unit outside
the caller's area in a query, answer 404; in a submission the unit is a field error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api.errors import correct_below, error_response
from fangkong.core.api.serializers import StrictSerializer
from fangkong.core.models import Organisation
from fangkong.lib.dates import check_record_day
from fangkong.lib.tabular import XLSX_CONTENT_TYPE
from fangkong.reports import access, exporters, figures, services
from fangkong.reports.completeness import completeness
from fangkong.reports.models import Reporter, ReportForm, Submission


class SubmissionRequest(StrictSerializer):
    unit = serializers.CharField(
        max_length=32, help_text="Division code of the reporting unit, or organisation code.")
    date = serializers.DateField(help_text="Reporting day, YYYY-MM-DD (Asia/Shanghai).")
    values = serializers.JSONField(
        required=False, help_text="Indicator code → value; numbers, or strings of numbers.")
    submit = serializers.BooleanField(
        default=False, help_text="true submits (and locks) the report, false saves a draft.")


SubmissionResponse = inline_serializer("ReportSubmission", {
    "id": serializers.IntegerField(),
    "form": serializers.CharField(),
    "unit": serializers.CharField(),
    "date": serializers.DateField(),
    "status": serializers.CharField(),
    "on_time": serializers.BooleanField(allow_null=True),
    "version": serializers.IntegerField(),
    "values": serializers.DictField(),
    "overridden": serializers.ListField(child=serializers.CharField()),
})

FormResponse = inline_serializer("ReportFormSummary", {
    "code": serializers.CharField(),
    "name": serializers.CharField(),
    "indicators": inline_serializer("ReportIndicator", {
        "code": serializers.CharField(), "name": serializers.CharField(),
        "type": serializers.ChoiceField(choices=["integer", "decimal", "text"]),
        "aggregation": serializers.ChoiceField(choices=["sum", "average", "none"]),
    }, many=True),
}, many=True)

CompletenessResponse = inline_serializer("ReportCompleteness", {
    "expected": serializers.IntegerField(),
    "submitted": serializers.IntegerField(),
    "on_time": serializers.IntegerField(),
    "late": serializers.ListField(child=serializers.CharField()),
    "missing": serializers.ListField(child=serializers.CharField()),
})

AggregateResponse = inline_serializer("ReportAggregate", {
    "unit": serializers.CharField(),
    "date": serializers.DateField(),
    "values": serializers.DictField(),
})

QUERY = [
    OpenApiParameter("date", str, description="YYYY-MM-DD; default today (Asia/Shanghai)."),
    OpenApiParameter("unit", str, description="Division or organisation code; default the "
                                              "caller's own area."),
]


def _form_for(user: Any, code: str) -> ReportForm:
    form = access.forms_for(user).filter(code=code).prefetch_related("indicators", "rules")
    return get_object_or_404(form)


def submission_payload(sub: Submission) -> dict[str, Any]:
    values: dict[str, Any] = {}
    overridden = []
    for entry in sub.entries.select_related("indicator").order_by("indicator__position"):
        ind = entry.indicator
        values[ind.code] = entry.text if not ind.is_numeric else figures.api_value(
            figures.rollups.typed(ind, entry.number))
        if entry.overridden:
            overridden.append(ind.code)
    return {
        "id": sub.pk, "form": sub.form.code, "unit": sub.reporter.code,
        "date": sub.date.isoformat(), "status": sub.status, "on_time": sub.on_time,
        "version": sub.version, "values": values, "overridden": overridden,
    }


@extend_schema(responses={200: FormResponse},
               summary="Report forms the caller reports or oversees, with their indicators")
@api_view(["GET"])
def forms(request: Request) -> Response:
    out = []
    for form in access.forms_for(request.user).prefetch_related("indicators"):
        out.append({
            "code": form.code,
            "name": form.display_name,
            "indicators": [
                {"code": i.code, "name": i.display_name, "type": i.type,
                 "aggregation": i.aggregation}
                for i in form.indicators.all() if i.is_active
            ],
        })
    return Response(out)


@extend_schema(request=SubmissionRequest,
               responses={201: SubmissionResponse, 200: SubmissionResponse},
               summary="Save or submit a unit's report for a day (one per form, unit, day)")
@api_view(["POST"])
def submissions(request: Request, form: str) -> Response:
    report_form = _form_for(request.user, form)
    ser = SubmissionRequest(data=request.data)
    ser.is_valid(raise_exception=True)
    data = ser.validated_data
    reporter = (Reporter.objects.filter(form=report_form, code=data["unit"])
                .select_related("unit", "organisation", "organisation__org_unit").first())
    if reporter is None or not access.can_report(request.user, reporter):
        fields = {"unit": [_("Unknown unit, or not in your area.")]}
        return error_response(correct_below(fields), fields)
    try:
        result = services.save_report(request.user, reporter, data["date"],
                                      data.get("values") or {}, submit=data["submit"])
    except services.ReportLocked as exc:
        return error_response(exc.messages[0], status_code=status.HTTP_409_CONFLICT)
    code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
    return Response(submission_payload(result.submission), status=code)


def _query(request: Request) -> tuple[dt.date, Any]:
    raw = request.query_params.get("date")
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise serializers.ValidationError(
                {"date": [_("Enter a date as YYYY-MM-DD.")]}) from None
        try:
            check_record_day(day, "date")
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
    else:
        day = timezone.localdate()
    target = access.resolve_unit(request.user, request.query_params.get("unit"))
    if target is None:
        raise Http404
    return day, target


@extend_schema(parameters=QUERY, responses={200: CompletenessResponse},
               summary="Who reported, on time or late, and who is missing")
@api_view(["GET"])
def completeness_view(request: Request, form: str) -> Response:
    report_form = _form_for(request.user, form)
    day, target = _query(request)
    return Response(completeness(report_form, day, target, codes_only=True).as_api())


@extend_schema(parameters=QUERY, responses={200: AggregateResponse},
               summary="Totals (sum or average per indicator) over a unit's subtree")
@api_view(["GET"])
def aggregate(request: Request, form: str) -> Response:
    report_form = _form_for(request.user, form)
    day, target = _query(request)
    values = figures.aggregate(report_form, day, target)
    return Response({
        "unit": target.code, "date": day.isoformat(),
        "values": {k: figures.api_value(v) for k, v in values.items()},
    })


@extend_schema(parameters=QUERY[:1], responses={(200, XLSX_CONTENT_TYPE): bytes},
               summary="The city's daily report to the province, as .xlsx (fixed layout)")
@api_view(["GET"])
def province_export(request: Request, form: str) -> HttpResponse:
    report_form = _form_for(request.user, form)
    day, target = _query(request)
    if isinstance(target, Organisation):
        raise Http404
    return exporters.province_response(report_form, day, target)
