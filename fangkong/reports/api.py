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

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api.errors import error_response
from fangkong.core.api.paging import QuerySerializer
from fangkong.core.api.responses import created_response
from fangkong.core.api.schema import errors
from fangkong.core.api.serializers import DayField, StrictSerializer
from fangkong.core.models import Organisation
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

    def validate_unit(self, code: str) -> Reporter:
        """The reporter, if the caller reports for it (``context["reporter_for"]``): an
        error on this field, together with the body's other field errors."""
        reporter = self.context["reporter_for"](code)
        if reporter is None:
            raise serializers.ValidationError(_("Unknown unit, or not in your area."))
        return reporter


class ReportQuery(QuerySerializer):
    date = DayField(required=False, help_text="YYYY-MM-DD; default today (Asia/Shanghai).")
    unit = serializers.CharField(required=False, help_text="Division or organisation code; "
                                                           "default the caller's own area.")


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

EXPORT_QUERY = [
    OpenApiParameter("date", OpenApiTypes.DATE,
                     description="YYYY-MM-DD; default today (Asia/Shanghai)."),
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


@extend_schema(responses={200: FormResponse, **errors(401)},
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
               responses={
                   201: OpenApiResponse(SubmissionResponse, description="Created"),
                   200: OpenApiResponse(SubmissionResponse, description="Updated, or the "
                                        "same submission sent again"),
                   **errors(400, 401, 404, conflict="Submitted and locked"),
               },
               summary="Save or submit a unit's report for a day (one per form, unit, day)")
@api_view(["POST"])
def submissions(request: Request, form: str) -> Response:
    report_form = _form_for(request.user, form)

    def reporter_for(code: str) -> Reporter | None:
        reporter = (Reporter.objects.filter(form=report_form, code=code)
                    .select_related("unit", "organisation", "organisation__org_unit").first())
        return reporter if reporter and access.can_report(request.user, reporter) else None

    ser = SubmissionRequest(data=request.data, context={"reporter_for": reporter_for})
    ser.is_valid(raise_exception=True)
    data = ser.validated_data
    try:
        result = services.save_report(request.user, data["unit"], data["date"],
                                      data.get("values") or {}, submit=data["submit"])
    except services.ReportLocked as exc:
        return error_response(exc.messages[0], status_code=status.HTTP_409_CONFLICT)
    return created_response(submission_payload(result.submission), result.created)


def _query(request: Request) -> tuple[dt.date, Any]:
    query = ReportQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    day = query.validated_data.get("date") or timezone.localdate()
    target = access.resolve_unit(request.user, query.validated_data.get("unit"))
    if target is None:
        raise Http404
    return day, target


@extend_schema(parameters=[ReportQuery],
               responses={200: CompletenessResponse, **errors(400, 401, 404)},
               summary="Who reported, on time or late, and who is missing")
@api_view(["GET"])
def completeness_view(request: Request, form: str) -> Response:
    report_form = _form_for(request.user, form)
    day, target = _query(request)
    return Response(completeness(report_form, day, target, codes_only=True).as_api())


@extend_schema(parameters=[ReportQuery],
               responses={200: AggregateResponse, **errors(400, 401, 404)},
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


@extend_schema(parameters=EXPORT_QUERY,
               responses={(200, XLSX_CONTENT_TYPE): bytes, **errors(400, 401, 404)},
               summary="The city's daily report to the province, as .xlsx (fixed layout)")
@api_view(["GET"])
def province_export(request: Request, form: str) -> HttpResponse:
    report_form = _form_for(request.user, form)
    day, target = _query(request)
    if isinstance(target, Organisation):
        raise Http404
    return exporters.province_response(report_form, day, target)
