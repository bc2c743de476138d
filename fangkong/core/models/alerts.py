"""One alert model for every module (fever, flagged plate, water quality, low stock …).

Modules declare their kinds (``registries.AlertKind`` in ``FangkongModule.alert_kinds``),
open and close alerts through ``core.services.alerts``; the alerts inbox (/core/alerts/)
lists and closes them, the HQ dashboard lists the open ones, drilled down by territory.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.core.models.scoped import ScopedModel, ScopedQuerySet
from fangkong.core.registries import Severity, alert_visibility_roles

__all__ = ["Alert", "AlertQuerySet", "AlertStatus", "Severity"]


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class AlertQuerySet(ScopedQuerySet):
    #: The roles the modules' alert hooks serve (``registries.register_alert_visibility``
    #: fills it as the modules load).
    scoped_roles = alert_visibility_roles

    def open(self):
        return self.filter(status=AlertStatus.OPEN)

    def extra_visibility(self, user: Any, scope: Any, capability: str) -> Q | None:
        """What the modules open to their non-territorial roles (a duty user: the open
        alerts of the checkpoints it is rostered on)."""
        from fangkong.core import registries

        q = None
        for hook, _roles in registries.alert_visibility():
            extra = hook(user, scope, capability)
            if extra is not None:
                q = extra if q is None else q | extra
        return q


class Alert(ScopedModel):
    kind = models.CharField(_("kind"), max_length=32, db_index=True)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.WARNING,
    )
    status = models.CharField(
        _("status"), max_length=8, choices=AlertStatus.choices, default=AlertStatus.OPEN,
    )
    title = models.CharField(_("title"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    # The record that raised it, as "app_label.model:pk", so a module can find its alerts.
    subject = models.CharField(_("subject"), max_length=100, blank=True, db_index=True)
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("closed by"),
    )
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)

    objects = AlertQuerySet.as_manager()

    #: Fields the history (audit log) does not show: machine keys, said in words elsewhere.
    internal_fields = frozenset({"subject"})

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["status", "kind", "unit_path"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject"],
                condition=models.Q(status="open") & ~models.Q(subject=""),
                name="alert_one_open_per_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.title
