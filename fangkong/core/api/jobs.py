"""Jobs API: exports made in the background, on the export flow of ``core.exports``.

- ``GET  /api/v1/jobs/exports``: the registers the caller may export (kind, label, formats,
  whether an unmasked export is allowed).
- ``POST /api/v1/jobs/exports`` with ``{"kind": "people", "filters": {…}, "format":
  "xlsx", "unmasked": false, "reason": ""}``: 202 ``{"id": …, "state": "queued"}``; an
  export under ``FANGKONG_EXPORT_DIRECT_ROWS`` rows is made at once: 200, ``"done"``.
- ``GET  /api/v1/jobs/<id>``: state, rows done and in all, why it failed.
- ``GET  /api/v1/jobs/<id>/file``: the file once done (404 before, after expiry, once
  cancelled, and for anyone but its owner).
- ``POST /api/v1/jobs/<id>/cancel``.

The filters are the export page's query parameters (``{"q": "…", "unit": "610902"}``
for people, ``{"checkpoint": 3, "date": "2020-02-10"}`` for passages). An unmasked
export needs ``Cap.EXPORT_PII`` and a reason, and is logged when its file is made.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core import audit, exports, registries
from fangkong.core.api.schema import errors
from fangkong.core.jobs import services
from fangkong.core.jobs.views import job_file as _job_file
from fangkong.core.models import Job
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import scope_for


class ExportKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    formats = serializers.ListField(child=serializers.CharField())
    unmasked = serializers.BooleanField(help_text="Whether you may export it unmasked.")


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=40)
    filters = serializers.DictField(child=serializers.CharField(max_length=200,
                                                                allow_blank=True),
                                    required=False, default=dict)
    format = serializers.CharField(max_length=8, required=False, default="")
    unmasked = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(max_length=300, required=False, default="",
                                   allow_blank=True)

    def validate_kind(self, value: str) -> str:
        if value not in registries.export_kinds():
            raise serializers.ValidationError(_("There is no export of this kind."))
        return value

    def validate_filters(self, value: dict[str, Any]) -> dict[str, str]:
        if len(value) > 20:
            raise serializers.ValidationError(_("Too many filters."))
        return {str(k)[:40]: str(v) for k, v in value.items()}

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        kind = registries.export_kinds()[data["kind"]]
        if data["format"] and data["format"] not in kind.formats:
            raise serializers.ValidationError({"format": [_(
                "Choose one of: %(formats)s.") % {"formats": ", ".join(kind.formats)}]})
        data["format"] = data["format"] or kind.formats[0]
        if data["unmasked"]:
            try:
                data["reason"] = audit.clean_reason(data["reason"])
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.message_dict) from exc
        return data


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_null=True, help_text="Why it failed, in your language.")
    unmasked = serializers.BooleanField()
    file = serializers.CharField(allow_null=True, help_text="The file's URL once done.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)


def job_payload(job: Job) -> dict[str, Any]:
    def local(value: Any) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    ready = services.downloadable(job) is not None
    job = services.live(job)  # an import's progress is kept outside its transaction
    return {
        "id": job.pk, "action": job.action, "kind": job.kind, "state": job.state,
        "done": job.done, "total": job.total, "error": services.error_text(job) or None,
        "unmasked": not job.masked,
        "file": f"/api/v1/jobs/{job.pk}/file" if ready else None,
        "created_at": local(job.created_at), "expires_at": local(job.expires_at),
    }


def _own(request: Request, pk: int) -> Job:
    job = Job.objects.filter(pk=pk, owner=request.user).first()
    if job is None:
        raise exceptions.NotFound()
    return job


@extend_schema(
    methods=["GET"], responses={200: ExportKindSerializer(many=True), **errors(401)},
    summary="The registers you may export",
    description="Each register (`kind`) you may export, its file formats, and whether "
                "you may export it unmasked (`Cap.EXPORT_PII`). Empty without a view "
                "permission.",
)
@extend_schema(
    methods=["POST"], request=ExportRequestSerializer,
    responses={200: JobSerializer, 202: JobSerializer, **errors(400, 401, 403, 404)},
    summary="Export a register (in the background when it is large)",
    description="`filters` are the export page's query parameters (`{\"q\": \"…\", "
                "\"unit\": \"610902\"}` for people). A file of fewer than "
                "`FANGKONG_EXPORT_DIRECT_ROWS` rows is made at once: 200 with `state` "
                "`done` and its `file`. A larger one is queued: 202 with `state` `queued`; "
                "poll `GET /api/v1/jobs/{id}` (about once a second is enough) until `done`, "
                "then fetch `file`. `unmasked` needs the export permission and a `reason` "
                "(400 without, 403 without the permission) and is written to the "
                "personal-data access log when the file is made. A filter outside your "
                "area answers 404.",
)
@api_view(["GET", "POST"])
def export_jobs(request: Request) -> Response:
    scope = scope_for(request.user)
    if request.method == "GET":
        unmasked = scope.can(Cap.EXPORT_PII)
        kinds = [] if not scope.can(Cap.VIEW) else [
            {"kind": k.name, "label": str(k.label), "formats": list(k.formats),
             "unmasked": unmasked}
            for k in registries.export_kinds().values()
        ]
        return Response(kinds)
    body = ExportRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    masked = not data["unmasked"]
    if not scope.can(Cap.VIEW) or (not masked and not scope.can(Cap.EXPORT_PII)):
        raise exceptions.PermissionDenied(_("You may not export this."))
    kind = registries.export_kinds()[data["kind"]]
    exporter = exports.build(kind, request.user, data["filters"], masked=masked)
    small = exports.direct(exporter)
    job = services.start_export(request.user, kind.name, data["filters"], fmt=data["format"],
                                masked=masked, reason=data["reason"], request=request,
                                queue=not small)
    if small:
        services.run(job.pk, job.attempt)
        job.refresh_from_db()
        return Response(job_payload(job), status=status.HTTP_200_OK)
    return Response(job_payload(job), status=status.HTTP_202_ACCEPTED)


@extend_schema(responses={200: JobSerializer, **errors(400, 401, 404)},
               summary="One of your jobs",
               description="`state`: queued, running, done, failed or cancelled; `done` "
                           "and `total`: rows (`total` is null until counted), updated "
                           "about once a second while it runs; `error`: why it failed, in "
                           "your language; `file`: the download URL once done, null after "
                           "it expired. 404 for a job that is not yours.")
@api_view(["GET"])
def job_detail(request: Request, pk: int) -> Response:
    return Response(job_payload(_own(request, pk)))


@extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                                         **errors(400, 401, 404)},
               summary="The file of one of your finished exports",
               description="The .xlsx or .csv once the job is done. 404 before, once "
                           "failed, cancelled or expired, and for anyone but the job's "
                           "owner. Each download of an unmasked file is written to the "
                           "personal-data access log.")
@api_view(["GET"])
def job_file(request: Request, pk: int) -> Any:
    return _job_file(request._request, pk)


@extend_schema(request=None, responses={200: JobSerializer, **errors(400, 401, 404)},
               summary="Cancel one of your jobs",
               description="A queued job never runs; a running one stops within a few "
                           "seconds and leaves no file (an import saves nothing). A "
                           "finished job is answered as it is.")
@api_view(["POST"])
def job_cancel(request: Request, pk: int) -> Response:
    job = _own(request, pk)
    services.cancel(request.user, job)
    job.refresh_from_db()
    return Response(job_payload(job))


urlpatterns = [
    path("jobs/exports", export_jobs, name="api-job-exports"),
    path("jobs/<id:pk>", job_detail, name="api-job"),
    path("jobs/<id:pk>/file", job_file, name="api-job-file"),
    path("jobs/<id:pk>/cancel", job_cancel, name="api-job-cancel"),
]
