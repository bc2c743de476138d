"""Scheduled work (``WaterConfig.schedules``, run by ``fangkong worker``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from fangkong.water import services


def cover_gaps() -> int:
    """Alert every gap in the duty roster of an active station in the next 24 hours.
    Idempotent: one open alert per station and gap start."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    return services.alert_cover_gaps(now, now + timedelta(hours=24))
