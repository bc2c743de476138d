"""The life of a job: queued by a request, claimed by one worker, running with its
progress and heartbeat, then done, failed or cancelled.

Every change of state is a conditional ``update()`` of the job's row on (id, attempt,
state), committed on its own (short transactions, about once a second), so:

- two workers given the same job (a retried task, two queues) run it once: only one
  claim of ``queued`` succeeds;
- cancelling (``running`` → ``cancelled``) is seen by the worker's next progress write,
  which then stops and deletes its partial file;
- the reaper (``reap``) re-queues a running job whose heartbeat stopped with a new attempt
  number, so the dead worker's attempt, should it wake, can no longer write the row;
- the result file has one name per job (``<id>.<format>``), written under a temporary
  name and renamed in the transaction that marks the job done: a retry replaces it,
  never adds a second file;
- an import saves every row and marks its job done in one transaction: all or nothing,
  and a retry after a commit finds the job done. Its progress meanwhile goes to a file
  beside the job's (``Progress.outside``, read by ``live``), which is also its heartbeat;
  a cancel leaves a marker file there that the import sees and rolls back on;
- a large import is checked by a job first (``start_import(check=True)``), whose clean
  result ``import_checked`` turns into the import of the very file it checked.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.db.models import Q
from django.db.models.sql import UpdateQuery
from django.db.models.sql.constants import CURSOR
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from fangkong.core import exports, registries
from fangkong.core.clients import client_address
from fangkong.core.models import Job, JobState
from fangkong.core.models.accounts import Cap
from fangkong.core.models.jobs import FINISHED
from fangkong.core.scoping import scope_for
from fangkong.lib.tabular import ErrorReportExporter, write_csv, write_xlsx
from fangkong.lib.tabular.export import _with_extension

log = logging.getLogger(__name__)

#: Messages a failed job shows, translated when shown (``Job.error``).
NO_LONGER_VISIBLE = gettext_noop(
    "You can no longer see this register, or the filter points outside your area.")
NO_EXPORT_PERMISSION = gettext_noop(
    "You no longer have the permission to export personal data.")
BAD_FILTERS = gettext_noop("The filters of this export are not valid.")
UNKNOWN_KIND = gettext_noop("This kind of export or import no longer exists.")
WORKER_DIED = gettext_noop(
    "The worker running this job stopped %(attempts)d times; the job was given up.")
UNEXPECTED = gettext_noop(
    "The job failed unexpectedly. Try again; if it fails again, tell the administrator.")
IMPORT_ERRORS = gettext_noop(
    "The file has %(count)d problem(s); nothing was imported. Check the file again.")
IMPORT_CHOICE_GONE = gettext_noop(
    "You can no longer import into the chosen community.")
FILE_GONE = gettext_noop("The uploaded file is no longer on the server. Upload it again.")

#: Row errors an import job keeps for its page.
ERRORS_KEPT = 200
#: How long a progress write waits for SQLite's write lock before it is skipped.
LOCKED_WAIT_MS = 200


class JobLost(Exception):
    """The row is no longer this attempt's (cancelled, re-queued by the reaper)."""


class JobCancelled(JobLost):
    """The owner cancelled the job while it worked inside a transaction (an import): seen
    by the marker file ``cancel`` leaves, as the row may not be writable until then."""


class JobFailed(Exception):
    """Why a job failed (a message id and its parameters) and what it did (an import's
    row errors)."""

    def __init__(self, message: str, result: Mapping[str, Any] | None = None,
                 **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
        self.result = dict(result or {})


# --- Files ------------------------------------------------------------------------------

def jobs_dir() -> Path:
    """Where result files and waiting uploads are kept: personal data, so only the
    server's own user may read the directory."""
    path = Path(settings.FANGKONG_JOBS_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def file_path(job: Job) -> Path | None:
    return jobs_dir() / job.file_name if job.file_name else None


def upload_path(job: Job) -> Path:
    return jobs_dir() / f"{job.pk}.upload"


def progress_path(job: Job) -> Path:
    """Progress kept outside the database while a job works inside one transaction."""
    return jobs_dir() / f"{job.pk}.progress"


def cancel_path(job: Job) -> Path:
    return jobs_dir() / f"{job.pk}.cancel"


def live(job: Job) -> Job:
    """``job`` with the progress its worker keeps in ``progress_path`` while it works
    inside a transaction (an import checks or saves its rows): rows done and in all, and
    ``stage`` (``read``, ``save``; ``""`` when the row itself is current)."""
    job.stage = ""  # type: ignore[attr-defined]
    if job.state != JobState.RUNNING:
        return job
    try:
        data = json.loads(progress_path(job).read_text())
    except (OSError, ValueError):
        return job
    if isinstance(data, dict) and data.get("attempt") == job.attempt:
        job.stage = str(data.get("stage", ""))  # type: ignore[attr-defined]
        job.done = int(data.get("done") or 0)
        job.total = data.get("total")
    return job


def downloadable(job: Job) -> Path | None:
    """The job's file if it can be fetched now: done, not expired, still on disk."""
    if job.state != JobState.DONE or not job.file_name:
        return None
    if job.expires_at and job.expires_at <= timezone.now():
        return None
    path = file_path(job)
    return path if path and path.exists() else None


# --- Starting ---------------------------------------------------------------------------

def start_export(user: Any, kind: str, filters: Mapping[str, str], *, fmt: str,
                 masked: bool = True, reason: str = "", request: Any = None,
                 queue: bool = True) -> Job:
    """Queue an export of the registered ``kind``. The rows are chosen again by the job
    from ``filters``, as the user may see them when it runs. ``queue=False``: the caller
    runs it at once (``run``), for a small file."""
    job = Job.objects.create(
        owner=user, action=Job.EXPORT, kind=kind, masked=masked, reason=reason[:300],
        remote_addr=client_address(request) if request is not None else None,
        parameters={"filters": dict(filters), "format": fmt,
                    "language": translation.get_language()},
    )
    if queue:
        enqueue(job)
    return job


def start_import(user: Any, kind: str, data: bytes, choices: Mapping[str, Any], *,
                 filename: str, check: bool = False, back: str = "") -> Job:
    """Queue the import of a checked file, or with ``check`` its check (the dry run).
    The file waits in the job directory until the import has run (then it is deleted);
    a clean check keeps it for ``import_checked``. ``back``: the import page."""
    with transaction.atomic():
        parameters = {"choices": dict(choices), "filename": filename[:200],
                      "language": translation.get_language()}
        if check:
            parameters.update(check=True, back=back[:200])
        job = Job.objects.create(owner=user, action=Job.IMPORT, kind=kind,
                                 parameters=parameters)
        path = upload_path(job)
        part = path.with_suffix(".part")
        part.write_bytes(data)
        os.replace(part, path)
    enqueue(job)
    return job


def import_checked(user: Any, check: Job) -> Job:
    """Queue the import of the very file a check job checked (its stored upload), once
    however often it is asked: a second request gets the first import's job. Raises
    ``Http404`` for anything but the user's own clean, finished check, and ``JobFailed``
    (``FILE_GONE``) once its file has expired."""
    with transaction.atomic():
        row = (Job.objects.select_for_update()
               .filter(pk=check.pk, owner=user, action=Job.IMPORT, state=JobState.DONE)
               .first())
        if row is None or not row.parameters.get("check") or row.result.get("error_count"):
            raise Http404
        if row.result.get("import_job"):
            return Job.objects.get(pk=row.result["import_job"])
        source = upload_path(row)
        if not source.exists():
            raise JobFailed(FILE_GONE)
        parameters = {k: v for k, v in row.parameters.items() if k not in ("check", "back")}
        job = Job.objects.create(owner=user, action=Job.IMPORT, kind=row.kind,
                                 parameters={**parameters, "checked_job": row.pk})
        row.result = {**row.result, "import_job": job.pk}
        row.save(update_fields=["result"])
        os.replace(source, upload_path(job))  # last: only the commit can fail after it
        enqueue(job)
    return job


def checked_file_ready(job: Job) -> bool:
    """Whether a finished check can still be imported: clean, not imported yet, and its
    file still here (``expire_files`` deletes it after the keep time)."""
    return (job.action == Job.IMPORT and job.state == JobState.DONE
            and bool(job.parameters.get("check")) and not job.result.get("error_count")
            and not job.result.get("import_job") and upload_path(job).exists())


def enqueue(job: Job) -> None:
    """Hand (id, attempt) to the task queue once the row is committed."""
    from fangkong.core.jobs import tasks

    pk, attempt = job.pk, job.attempt
    transaction.on_commit(lambda: tasks.run_job.enqueue(pk, attempt))


def cancel(user: Any, job: Job) -> bool:
    """Cancel the user's own queued or running job; a running worker stops at its next
    progress write (about a second). False when the job had already finished."""
    if job.state == JobState.RUNNING and job.owner_id == getattr(user, "pk", None):
        # A worker inside a long transaction (an import) looks for this file once a
        # second and rolls back; on SQLite the update below waits until it has.
        cancel_path(job).touch()
    now = timezone.now()
    cancelled = Job.objects.filter(
        pk=job.pk, owner=user, state__in=(JobState.QUEUED, JobState.RUNNING),
    ).update(state=JobState.CANCELLED, finished_at=now)
    return bool(cancelled)


# --- Running ----------------------------------------------------------------------------

class Progress:
    """Rows done, written at most once per ``interval`` seconds, each in its own short
    transaction, which is also the heartbeat; raises ``JobLost`` when the row is no
    longer this attempt's running job (cancelled or re-queued).

    In a worker the writes go through a connection of their own: the export's rows are
    read from a cursor that stays open, and on SQLite a write on the reading connection
    fails ("database is locked", a stale snapshot) as soon as anyone else has committed
    (a gate registering a passage). Inside a caller's transaction (tests) the caller's
    connection is used, as another one could not see the job."""

    def __init__(self, job: Job, interval: float | None = None) -> None:
        self.job = job
        self.interval = settings.FANGKONG_JOB_PROGRESS_SECONDS if interval is None else interval
        self.done = 0
        self._last = time.monotonic()
        self._pending: dict[str, Any] = {}
        self._side: Any = None
        if not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            if self._side.vendor == "sqlite":
                # Another connection may hold SQLite's write lock for long (a large
                # import's transaction): a progress write then gives up at once and the
                # next interval tries again, rather than stall the export for the busy
                # timeout and fail it.
                self._side.ensure_connection()
                self._side.connection.execute(f"PRAGMA busy_timeout = {LOCKED_WAIT_MS}")
            elif self._side.vendor == "postgresql":
                # Progress and heartbeat are advisory: a write lost in a server crash
                # costs nothing, so the export does not wait for its WAL flush (7-20 ms
                # a commit measured on a busy host, once a second).
                with self._side.cursor() as cursor:
                    cursor.execute("SET synchronous_commit = off")

    def _mine(self) -> Any:
        return Job.objects.filter(pk=self.job.pk, attempt=self.job.attempt,
                                  state=JobState.RUNNING)

    def save(self, **fields: Any) -> None:
        """Write the rows done (and ``fields``) to the row. Skipped while SQLite's write
        lock is held elsewhere (``__init__``): ``fields`` then wait for the next write."""
        self._pending.update(fields)
        values = {"heartbeat_at": timezone.now(), "done": self.done, **self._pending}
        if self._side is None:
            updated = self._mine().update(**values)
        else:
            query = UpdateQuery(Job)
            query.add_update_values(values)
            query.add_q(Q(pk=self.job.pk, attempt=self.job.attempt, state=JobState.RUNNING))
            try:
                updated = query.get_compiler(connection=self._side).execute_sql(CURSOR)
            except OperationalError:
                if self._side.vendor != "sqlite":
                    raise
                self._last = time.monotonic()  # locked: the next interval tries again
                return
        if not updated:
            raise JobLost
        self._pending = {}
        self._last = time.monotonic()

    def step(self, rows: int = 1) -> None:
        self.done += rows
        if time.monotonic() - self._last >= self.interval:
            self.save()

    def outside(self, stage: str, done: int, total: int | None) -> None:
        """Progress of work inside one transaction (an import's ``Importer.run``): at most
        once per interval, written to ``progress_path`` (the job page reads it), not to the
        row: on SQLite nobody else could write the row until the transaction ends, and on
        any database the write would be rolled back with it. The file's time is also the
        heartbeat the reaper reads; the cancel marker stops the work (``JobCancelled``)."""
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        if cancel_path(self.job).exists():
            raise JobCancelled
        path = progress_path(self.job)
        part = path.with_suffix(".progress-part")
        part.write_text(json.dumps({"attempt": self.job.attempt, "stage": stage,
                                    "done": done, "total": total}))
        os.replace(part, path)

    def finish(self, **fields: Any) -> None:
        """Mark the job done, inside the caller's transaction."""
        now = timezone.now()
        fields = {**self._pending, **fields}
        if not self._mine().update(state=JobState.DONE, done=self.done, finished_at=now,
                                   heartbeat_at=now, **fields):
            raise JobLost

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def run(job_id: int, attempt: int) -> str:
    """Run one attempt of a job (the task body). Returns what happened, for the logs."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, attempt=attempt, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, done=0)
    if not claimed:
        return "skipped"
    job = Job.objects.select_related("owner").get(pk=job_id)
    progress = Progress(job)
    language = job.parameters.get("language") or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            if job.action == Job.EXPORT:
                _run_export(job, progress)
            else:
                _run_import(job, progress)
    except JobCancelled:
        Job.objects.filter(pk=job_id, attempt=attempt, state=JobState.RUNNING).update(
            state=JobState.CANCELLED, finished_at=timezone.now())
        upload_path(job).unlink(missing_ok=True)  # rolled back: no attempt needs it
        return "cancelled"
    except JobLost:
        return "lost"
    except JobFailed as exc:
        _fail(job, exc.message, exc.params, result=exc.result)
        return "failed"
    except Exception:
        log.exception("job %s failed", job_id)
        _fail(job, UNEXPECTED, {})
        return "failed"
    finally:
        progress.close()
        progress_path(job).unlink(missing_ok=True)
        cancel_path(job).unlink(missing_ok=True)
    return "done"


def _fail(job: Job, message: str, params: Mapping[str, Any], **fields: Any) -> None:
    Job.objects.filter(pk=job.pk, attempt=job.attempt, state=JobState.RUNNING).update(
        state=JobState.FAILED, error=message, error_params=dict(params),
        finished_at=timezone.now(), **fields)


def _run_export(job: Job, progress: Progress) -> None:
    kind = registries.export_kinds().get(job.kind)
    if kind is None:
        raise JobFailed(UNKNOWN_KIND)
    filters = job.parameters.get("filters", {})
    fmt = job.parameters.get("format") or kind.formats[0]
    if not job.masked and not scope_for(job.owner).can(Cap.EXPORT_PII):
        raise JobFailed(NO_EXPORT_PERMISSION)
    try:
        exporter = exports.build(kind, job.owner, filters, masked=job.masked)
        total = exporter.row_count()
    except (Http404, ObjectDoesNotExist, PermissionDenied) as exc:
        raise JobFailed(NO_LONGER_VISIBLE) from exc
    except ValidationError as exc:
        raise JobFailed(BAD_FILTERS) from exc
    progress.save(total=total)
    exporter.on_rows = progress.step  # counted a chunk at a time as the writer takes them
    name = f"{job.pk}.{fmt}"
    final = jobs_dir() / name
    for stale in jobs_dir().glob(f"{job.pk}.*.part"):  # a killed attempt's partial file
        stale.unlink(missing_ok=True)
    part = jobs_dir() / f"{job.pk}.{job.attempt}.part"
    try:
        with open(part, "wb") as out:
            (write_csv if fmt == "csv" else write_xlsx)(exporter, out)
        with transaction.atomic():
            if not job.masked:
                exports.log_unmasked(
                    exporter, job.owner, job.reason, fmt=fmt, filters=filters,
                    request=SimpleNamespace(META={"REMOTE_ADDR": job.remote_addr or ""}),
                    rows=progress.done)
            progress.finish(
                total=progress.done, file_name=name,
                result={"model": exporter.rows().model._meta.label,
                        "fields": exporter.logged_fields()},
                download_name=_with_extension(exporter.get_filename(), f".{fmt}"),
                expires_at=timezone.now() + timedelta(hours=settings.FANGKONG_EXPORT_KEEP_HOURS),
            )
            os.replace(part, final)
    finally:
        part.unlink(missing_ok=True)


def _run_import(job: Job, progress: Progress) -> None:
    kind = registries.import_kinds().get(job.kind)
    path = upload_path(job)
    check = bool(job.parameters.get("check"))
    keep_upload = False
    try:
        if kind is None:
            raise JobFailed(UNKNOWN_KIND)
        try:
            importer = kind.make(job.owner, job.parameters.get("choices", {}))
        except (ObjectDoesNotExist, PermissionDenied, Http404, ValueError, TypeError) as exc:
            raise JobFailed(IMPORT_CHOICE_GONE) from exc
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise JobFailed(FILE_GONE) from exc
        if check:
            keep_upload = _check_import(job, importer, data, progress)
            return
        # The import and the job's "done" commit together: all or nothing, and a retry
        # after the commit finds the job no longer queued. Its progress goes outside.
        with transaction.atomic():
            result = importer.run(data, job.owner, dry_run=False, progress=progress.outside)
            outcome = _outcome(importer, result)
            if result.errors:
                transaction.set_rollback(True)
            else:
                progress.done = result.rows_ok
                progress.finish(total=result.rows_ok, result=outcome)
        if result.errors:
            raise JobFailed(IMPORT_ERRORS, result=outcome, count=len(result.errors))
    finally:
        # The file stays only while another attempt, or the import of a clean check,
        # may still need it.
        if not keep_upload and Job.objects.filter(pk=job.pk, state__in=FINISHED).exists():
            path.unlink(missing_ok=True)


def _outcome(importer: Any, result: Any) -> dict[str, Any]:
    return {
        "rows": result.rows_ok, "created": result.created, "updated": result.updated,
        "unchanged": getattr(importer, "unchanged", None),
        "errors": [{"row": e.row, "column": str(e.column), "message": str(e.message)}
                   for e in result.errors[:ERRORS_KEPT]],
        "error_count": len(result.errors),
    }


def _check_import(job: Job, importer: Any, data: bytes, progress: Progress) -> bool:
    """The check (dry run) of a large file: the row errors on the job's page and, when
    there are any, the error report as the job's file. True when the file is clean (its
    upload is then kept for ``import_checked``)."""
    result = importer.run(data, job.owner, dry_run=True, progress=progress.outside)
    outcome = _outcome(importer, result)
    fields: dict[str, Any] = {}
    part = jobs_dir() / f"{job.pk}.{job.attempt}.part"
    name = f"{job.pk}.xlsx"
    try:
        if result.errors:
            report = ErrorReportExporter(result)
            with open(part, "wb") as out:
                write_xlsx(report, out)
            fields = {"file_name": name,
                      "download_name": _with_extension(report.get_filename(), ".xlsx")}
        with transaction.atomic():
            progress.done = result.rows_total
            progress.finish(
                total=result.rows_total, result=outcome,
                expires_at=timezone.now() + timedelta(hours=settings.FANGKONG_EXPORT_KEEP_HOURS),
                **fields)
            if result.errors:
                os.replace(part, jobs_dir() / name)
    finally:
        part.unlink(missing_ok=True)
    return not result.errors


# --- Upkeep: the reaper and the expiry of files -----------------------------------------

def reap(now: Any = None) -> dict[str, int]:
    """Jobs whose worker died (no heartbeat for ``FANGKONG_JOB_DEAD_SECONDS``): queued
    again with the next attempt number, or failed after ``FANGKONG_JOB_MAX_ATTEMPTS``.
    Safe to run anywhere at any time: each change is conditional on the stale row."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.FANGKONG_JOB_DEAD_SECONDS)
    counts = {"requeued": 0, "failed": 0}
    for job in Job.objects.filter(state=JobState.RUNNING, heartbeat_at__lt=stale):
        if _beats_outside(job, stale):
            continue
        mine = Job.objects.filter(pk=job.pk, attempt=job.attempt, state=JobState.RUNNING,
                                  heartbeat_at__lt=stale)
        if job.attempt >= settings.FANGKONG_JOB_MAX_ATTEMPTS:
            if mine.update(state=JobState.FAILED, error=WORKER_DIED,
                           error_params={"attempts": job.attempt}, finished_at=now):
                counts["failed"] += 1
            continue
        with transaction.atomic():
            if mine.update(state=JobState.QUEUED, attempt=job.attempt + 1, done=0,
                           heartbeat_at=None):
                job.attempt += 1
                enqueue(job)
                counts["requeued"] += 1
    return counts


def _beats_outside(job: Job, stale: Any) -> bool:
    """Whether the job's worker wrote its progress file since ``stale``: alive inside a
    long transaction, where the row's heartbeat cannot move."""
    try:
        return progress_path(job).stat().st_mtime >= stale.timestamp()
    except OSError:
        return False


def expire_files(now: Any = None) -> int:
    """Delete the files of jobs past ``expires_at``, and leftovers no job names (a
    partial file of a killed worker) older than the keep time. Idempotent."""
    now = now or timezone.now()
    deleted = 0
    for job in Job.objects.filter(expires_at__lte=now).exclude(file_name=""):
        path = file_path(job)
        if Job.objects.filter(pk=job.pk, file_name=job.file_name).update(file_name=""):
            if path:
                path.unlink(missing_ok=True)
            deleted += 1
    keep = settings.FANGKONG_EXPORT_KEEP_HOURS * 3600
    known = set(Job.objects.exclude(file_name="").values_list("file_name", flat=True))
    active = {f"{pk}.upload" for pk in Job.objects.filter(
        state__in=(JobState.QUEUED, JobState.RUNNING)).values_list("pk", flat=True)}
    for path in jobs_dir().iterdir():
        if path.name in known or path.name in active:
            continue
        if path.stat().st_mtime < now.timestamp() - keep:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def error_text(job: Job) -> str:
    """Why the job failed, in the reader's language."""
    from django.utils.translation import gettext

    if not job.error:
        return ""
    text = gettext(job.error)
    try:
        return text % job.error_params if job.error_params else text
    except (KeyError, TypeError, ValueError):
        return text
