"""Pages of the user's own jobs: "my exports" (``/core/jobs/``), one job with its progress
bar (polled by htmx until the job finishes), its file and its cancel button; a large
import's check with its row errors, its error report and "Import this checked file".

A job is its owner's only: anyone else gets 404, as for a job that does not exist.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core import audit, registries
from fangkong.core.jobs import services
from fangkong.core.models import Job
from fangkong.lib.tabular.export import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, content_disposition

PROGRESS_PARTIAL = "core/_job_progress.html"


def own_job(request: HttpRequest, pk: int) -> Job:
    return get_object_or_404(Job, pk=pk, owner=request.user)


def context(job: Job) -> dict:
    kind = (registries.export_kinds() if job.action == Job.EXPORT
            else registries.import_kinds()).get(job.kind)
    check = job.action == Job.IMPORT and bool(job.parameters.get("check"))
    return {"job": services.live(job), "kind_label": kind.label if kind else job.kind,
            "action_label": _("Check of an import") if check else job.get_action_display(),
            "check": check, "checked_file_ready": services.checked_file_ready(job),
            "error": services.error_text(job),
            "file_ready": services.downloadable(job) is not None}


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.filter(owner=request.user).order_by("-created_at", "-pk")
    page = Paginator(jobs, 30).get_page(request.GET.get("page"))
    rows = [context(job) for job in page]
    return render(request, "core/jobs.html", {"page": page, "rows": rows})


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = own_job(request, pk)
    template = PROGRESS_PARTIAL if request.htmx else "core/job.html"
    return render(request, template, context(job))


@login_required
def job_file(request: HttpRequest, pk: int) -> FileResponse:
    """The finished file, to its owner only; 404 once cancelled, failed or expired. Each
    download of an unmasked file is written to the personal-data access log."""
    job = own_job(request, pk)
    path = services.downloadable(job)
    if path is None:  # an export's file, or the error report of an import's check
        raise Http404
    if not job.masked:
        # Whose data the file carries was logged when it was made; each download adds
        # who fetched it, when and from where.
        audit.log_export(request.user, apps.get_model(job.result["model"]),
                         job.result.get("fields", []), job.total or 0, job.reason,
                         request=request, label=f"{job.download_name} (#{job.pk})")
    csv = job.file_name.endswith(".csv")
    response = FileResponse(path.open("rb"),
                            content_type=CSV_CONTENT_TYPE if csv else XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(job.download_name or path.name)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = own_job(request, pk)
    services.cancel(request.user, job)
    if request.htmx:
        job.refresh_from_db()
        return render(request, PROGRESS_PARTIAL, context(job))
    return redirect("core:job", pk=pk)


@require_POST
@login_required
def job_import(request: HttpRequest, pk: int) -> HttpResponse:
    """"Import this checked file": the import of the file a check job checked, as a job of
    its own (the same job however often it is asked)."""
    check = own_job(request, pk)
    try:
        job = services.import_checked(request.user, check)
    except services.JobFailed as exc:
        messages.error(request, _(exc.message))
        return redirect("core:job", pk=pk)
    return redirect("core:job", pk=job.pk)
