"""Counters of submissions per key and time window (``core.ratelimit``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """How many times ``bucket`` was hit in the window starting at ``window_start``.

    In the database, not the process cache: every gunicorn worker must see the same
    counts, and the embedded SQLite deployment has no Redis. One upsert per hit."""

    bucket = models.CharField(_("bucket"), max_length=120)
    window_start = models.DateTimeField(_("window start"))
    hits = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
        constraints = [
            models.UniqueConstraint(fields=["bucket", "window_start"], name="rate_counter_unique"),
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.bucket} @ {self.window_start:%Y-%m-%d %H:%M}: {self.hits}"
