"""Checkpoints' scheduled work (``CheckpointsConfig.schedules``, run by ``fangkong worker``)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation


def missed_temperature_checks() -> str:
    """Open one alert per outsider under observation with a missed temperature check
    (kind ``temperature_missed``). Idempotent and safe twice at once: an alert is unique
    per (kind, subject) while open, and a person's alert stays one alert however many
    checks they miss until a worker closes it."""
    from fangkong.checkpoints import alerts
    from fangkong.checkpoints.models import Outsider
    from fangkong.checkpoints.models.outsiders import OutsiderStatus
    from fangkong.checkpoints.services import missed_checks
    from fangkong.core.services.alerts import open_alert

    now = timezone.now()
    opened = 0
    observing = (Outsider.objects.filter(status=OutsiderStatus.OBSERVING)
                 .select_related("org_unit").prefetch_related("checks"))
    with translation.override(settings.LANGUAGE_CODE):
        for outsider in observing.iterator(chunk_size=500):
            missed = missed_checks(outsider, now)
            if not missed:
                continue
            day, slot = missed[-1]
            open_alert(
                kind=alerts.MISSED_CHECK, org_unit=outsider.org_unit,
                title=f"{outsider.name}漏测体温（{day.isoformat()}，共{len(missed)}次）",
                subject=f"checkpoints.outsider:{outsider.pk}", opened_at=now,
            )
            opened += 1
    return f"{opened} outsider(s) with missed checks"
