"""Background jobs: one row per export or import that runs off the request path, and one
row per scheduled slot that a scheduler claimed.

A ``Job`` is what the user sees (state, progress, the file, why it failed); the task
queue (``django_tasks``: the database by default, RQ on Redis by choice) only carries
``(job id, attempt)``. Every change of state is a conditional ``update()`` on the row
(``core.jobs.services``), so two workers, a reaper and a cancel can never both win.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Job", "JobState", "ScheduledRun"]


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


#: States a job never leaves.
FINISHED = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class Job(models.Model):
    EXPORT = "export"
    IMPORT = "import"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="jobs", verbose_name=_("owner"))
    action = models.CharField(_("action"), max_length=8,
                              choices=[(EXPORT, _("Export")), (IMPORT, _("Import"))])
    #: The registered export or import kind (``people``, ``passages`` …).
    kind = models.CharField(_("kind"), max_length=40)
    #: What the job needs to run again from scratch: the page's filters, the format,
    #: an import's choices. Never personal data: the reason of an unmasked export is
    #: stored in ``reason``, an import's file in the job directory.
    parameters = models.JSONField(_("parameters"), default=dict)
    masked = models.BooleanField(_("masked"), default=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    #: The requester's address, for the personal-data access log written when the file
    #: is made.
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=JobState.choices,
                             default=JobState.QUEUED, db_index=True)
    #: Incremented by each retry: a task of an older attempt finds the row no longer
    #: its own and stops.
    attempt = models.PositiveSmallIntegerField(default=1)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    #: Name of the result file in the job directory (``settings.FANGKONG_JOBS_DIR``).
    file_name = models.CharField(max_length=100, blank=True)
    #: The name the download carries.
    download_name = models.CharField(max_length=200, blank=True)
    #: Why it failed, as an English message id translated when shown (``error_params``
    #: fills its placeholders), so each reader sees it in their own language.
    error = models.CharField(_("error"), max_length=300, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    #: What an import did (rows, created, updated, the first row errors).
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: When the file is deleted (``core.jobs.services.expire_files``).
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "action", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action}:{self.kind}#{self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)


class ScheduledRun(models.Model):
    """One run of a scheduled task for one time slot. The unique key is the claim: when
    two schedulers fire for the same slot, one insert wins and only it enqueues."""

    name = models.CharField(max_length=80)
    slot = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "slot"],
                                               name="core_scheduledrun_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.name}@{self.slot.isoformat()}"
