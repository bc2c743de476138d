"""Daily reporting API: forms, submissions, completeness, aggregate (token or session auth).

- ``GET  /api/v1/reports/forms``
- ``POST /api/v1/reports/<form>/submissions`` ``{"unit", "date", "values", "submit"}``
  → 201 created, 200 updated (or the same submission sent again), 409 locked
- ``GET  /api/v1/reports/<form>/submissions?unit=&date=&status=`` (the caller's reports
  read back, newest first, paged) and ``GET …/submissions/<id>`` (one report with its
  status, the reviewer's reason when returned, and every version)
- ``GET  /api/v1/reports/<form>/completeness?date=&unit=``
- ``GET  /api/v1/reports/<form>/aggregate?date=&unit=``
- ``GET  /api/v1/reports/<form>/province.xlsx?date=`` (the city's report to the province)

Scoped like the UI. A form the caller neither reports nor oversees, and a report outside
the caller's area, answer 404; a unit code that is unknown or outside the caller's area
is a field error (400, ``fields.unit``), in a query as in a submission.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
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
from fangkong.core.api.responses import created_response
from fangkong.core.api.schema import errors
from fangkong.core.api.serializers import DayField, ErrorSerializer, StrictSerializer
from fangkong.core.models import Organisation
from fangkong.lib.tabular import XLSX_CONTENT_TYPE
from fangkong.reports import access, exporters, figures, services
from fangkong.reports.completeness import completeness
from fangkong.reports.models import (
    Reporter,
    ReportForm,
    Status,
    Submission,
    SubmissionVersion,
    VersionAction,
)


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

    def validate_unit(self, code: str) -> Any:
        target = access.resolve_unit(self.context["user"], code)
        if target is None:
            raise serializers.ValidationError(_("Unknown unit, or not in your area."))
        return target


class SubmissionQuery(PageQuerySerializer):
    unit = serializers.CharField(required=False, max_length=32,
                                 help_text="Reporting unit's code; default every unit.")
    date = DayField(required=False, help_text="YYYY-MM-DD; default every day.")
    status = serializers.ChoiceField(choices=Status.values, required=False)

    def validate_unit(self, code: str) -> Reporter:
        reporter = self.context["reporter_for"](code)
        if reporter is None:
            raise serializers.ValidationError(_("Unknown unit, or not in your area."))
        return reporter


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    form = serializers.CharField()
    unit = serializers.CharField()
    unit_name = serializers.CharField()
    date = serializers.DateField()
    status = serializers.ChoiceField(choices=Status.values)
    status_display = serializers.CharField()
    reason = serializers.CharField(help_text="The reviewer's reason when the report was "
                                             "returned or reopened; empty otherwise.")
    on_time = serializers.BooleanField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()
    values = serializers.DictField()
    overridden = serializers.ListField(child=serializers.CharField())


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    action = serializers.ChoiceField(choices=VersionAction.values)
    status = serializers.ChoiceField(choices=Status.values)
    at = serializers.DateTimeField()
    by = serializers.CharField(help_text="Who made the change (display name).")
    reason = serializers.CharField()
    values = serializers.DictField(help_text="Indicator code → value at that version.")


class SubmissionDetailSerializer(SubmissionSerializer):
    versions = VersionSerializer(many=True)


SubmissionResponse = SubmissionSerializer
SubmissionPage = page_serializer(SubmissionSerializer, "ReportSubmissionPageSerializer")

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
        "unit_name": sub.reporter.name, "date": sub.date.isoformat(), "status": sub.status,
        "status_display": sub.get_status_display(),
        "reason": sub.review_reason if sub.status == Status.RETURNED else "",
        "on_time": sub.on_time, "submitted_at": _iso(sub.submitted_at),
        "reviewed_at": _iso(sub.reviewed_at), "version": sub.version, "values": values,
        "overridden": overridden,
    }


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else timezone.localtime(moment).isoformat()


def version_payload(version: SubmissionVersion) -> dict[str, Any]:
    actor = version.actor
    return {
        "number": version.number, "action": version.action, "status": version.status,
        "at": _iso(version.at),
        "by": (actor.get_full_name() or actor.get_username()) if actor else "",
        "reason": version.reason,
        "values": {code: v.get("value") for code, v in (version.values or {}).items()},
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


def _reporter_lookup(user: Any, report_form: ReportForm, capability: str = "report"):
    def reporter_for(code: str) -> Reporter | None:
        reporter = (Reporter.objects.filter(form=report_form, code=code)
                    .select_related("unit", "organisation", "organisation__org_unit").first())
        if reporter is None:
            return None
        if capability == "report":
            return reporter if access.can_report(user, reporter) else None
        return reporter if access.reporters_for(user).filter(pk=reporter.pk).exists() or (
            access.can_report(user, reporter)) else None
    return reporter_for


@extend_schema(methods=["POST"], request=SubmissionRequest,
               responses={
                   201: OpenApiResponse(SubmissionResponse, description="Created"),
                   200: OpenApiResponse(SubmissionResponse, description="Updated, or the "
                                        "same submission sent again"),
                   **errors(400, 401, 403, 404, conflict="Submitted and locked"),
                   415: OpenApiResponse(ErrorSerializer,
                                        description="The body is not JSON (Content-Type)"),
               },
               summary="Save or submit a unit's report for a day (one per form, unit, day)")
@extend_schema(methods=["GET"], parameters=[SubmissionQuery],
               operation_id="reports_submissions_list",
               responses={200: SubmissionPage, **errors(400, 401, 404)},
               summary="Read reports back: status, the reason when returned, the values")
@api_view(["GET", "POST"])
def submissions(request: Request, form: str) -> Response:
    report_form = _form_for(request.user, form)
    if request.method == "GET":
        query = SubmissionQuery(data=request.query_params, context={
            "reporter_for": _reporter_lookup(request.user, report_form, "view")})
        query.is_valid(raise_exception=True)
        params = query.validated_data
        qs = access.visible_submissions(request.user).filter(form=report_form)
        if params.get("unit"):
            qs = qs.filter(reporter=params["unit"])
        if params.get("date"):
            qs = qs.filter(date=params["date"])
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        qs = qs.select_related("form", "reporter").order_by("-date", "unit_path", "pk")
        return page_response(qs, submission_payload, params, default=50)
    ser = SubmissionRequest(data=request.data, context={
        "reporter_for": _reporter_lookup(request.user, report_form)})
    ser.is_valid(raise_exception=True)
    data = ser.validated_data
    try:
        result = services.save_report(request.user, data["unit"], data["date"],
                                      data.get("values") or {}, submit=data["submit"])
    except services.ReportLocked as exc:
        return error_response(exc.messages[0], status_code=status.HTTP_409_CONFLICT)
    return created_response(submission_payload(result.submission), result.created)


@extend_schema(responses={200: SubmissionDetailSerializer, **errors(400, 401, 404)},
               operation_id="reports_submission_retrieve",
               summary="One report: status, the reason when returned, every version")
@api_view(["GET"])
def submission_detail(request: Request, form: str, pk: int) -> Response:
    report_form = _form_for(request.user, form)
    sub = access.get_submission_for_user(request.user, pk=pk, form=report_form)
    payload = submission_payload(sub)
    payload["versions"] = [version_payload(v) for v in
                           sub.versions.select_related("actor").order_by("number")]
    return Response(payload)


def _query(request: Request) -> tuple[dt.date, Any]:
    query = ReportQuery(data=request.query_params, context={"user": request.user})
    query.is_valid(raise_exception=True)
    day = query.validated_data.get("date") or timezone.localdate()
    target = query.validated_data.get("unit") or access.resolve_unit(request.user, None)
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


@extend_schema(parameters=[ReportQuery],
               responses={(200, XLSX_CONTENT_TYPE): bytes, **errors(400, 401, 404)},
               summary="The city's daily report to the province, as .xlsx (fixed layout)")
@api_view(["GET"])
def province_export(request: Request, form: str) -> HttpResponse:
    report_form = _form_for(request.user, form)
    day, target = _query(request)
    if isinstance(target, Organisation):
        raise Http404
    return exporters.province_response(report_form, day, target)
