"""The PII access log: who saw or exported personal data in full, when, and why.

Create/change/delete history with before/after values is kept by django-auditlog
(``auditlog.LogEntry``); see ``core.audit`` for which models are registered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PiiAction(models.TextChoices):
    REVEAL = "reveal", _("Revealed")
    EXPORT = "export", _("Exported")


class PiiRefusal(models.TextChoices):
    """Why an attempt to reveal or export personal data was refused (blank: it was not)."""

    PERMISSION = "permission", _("Refused: no permission")
    SCOPE = "scope", _("Refused: outside the user's area")
    REASON = "reason", _("Refused: no reason given")


class PiiAccess(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=8, choices=PiiAction.choices)
    subject_type = models.CharField(_("record type"), max_length=100)
    subject_id = models.CharField(_("record"), max_length=64, blank=True)
    subject_label = models.CharField(_("record label"), max_length=200, blank=True)
    fields = models.CharField(_("fields"), max_length=200)
    row_count = models.PositiveIntegerField(_("rows"), default=1)
    reason = models.CharField(_("reason"), max_length=300)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    #: Blank when the data was shown or exported; else why the attempt was refused (and
    #: nothing was shown). Refused attempts are logged too: probing is worth seeing.
    refused = models.CharField(_("refused"), max_length=12, choices=PiiRefusal.choices,
                               blank=True, default="")

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.subject_type}#{self.subject_id}"


class PiiAccessPerson(models.Model):
    """A person whose data an export carried (``PiiAccess.people``): what lets the
    data-protection officer answer "who exported this person's data, and why".

    No database constraint on ``person``: the log outlives the registry row (retention
    may anonymise or delete it) and keeps the id it named."""

    access = models.ForeignKey(PiiAccess, on_delete=models.CASCADE, related_name="people")
    person = models.ForeignKey(
        "core.Person", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
        verbose_name=_("person"),
    )

    class Meta:
        verbose_name = _("person in an export")
        verbose_name_plural = _("people in an export")
        constraints = [models.UniqueConstraint(fields=["access", "person"],
                                               name="pii_access_person_once")]

    def __str__(self) -> str:
        return f"{self.access_id}:{self.person_id}"
