"""Checkpoints' scheduled work (``CheckpointsConfig.schedules``, run by ``fangkong worker``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

#: An observation that ended longer ago than this is history, not work: the schedule runs
#: every 30 minutes, so its misses were raised while it ran (an old data set, such as the
#: demo city of 2020 on a 2026 clock, must not raise them years later, dated today).
STALE_OBSERVATION = timedelta(days=1)


def missed_temperature_checks() -> str:
    """Open one alert per outsider under observation with a missed temperature check
    (kind ``temperature_missed``). Idempotent and safe twice at once: an alert is unique
    per (kind, subject) while open, and a person's alert stays one alert however many
    checks they miss until a worker closes it."""
    from fangkong.checkpoints.models import Outsider

    opened = open_missed_check_alerts(Outsider.objects.all(), timezone.now())
    return f"{opened} outsider(s) with missed checks"


def open_missed_check_alerts(outsiders: Any, now: datetime) -> int:
    """The alerts of ``outsiders`` (a queryset) under observation at ``now`` whose checks
    were missed by then, opened at ``now``; the demo runs it at the end of its day."""
    from fangkong.checkpoints import alerts
    from fangkong.checkpoints.models.outsiders import OBSERVATION_DAYS, OutsiderStatus
    from fangkong.checkpoints.services import missed_checks
    from fangkong.core.services.alerts import open_alert

    today = timezone.localtime(now).date()
    opened = 0
    # Observations that cover today or ended within STALE_OBSERVATION (indexed by arrival).
    first_arrival = today - timedelta(days=OBSERVATION_DAYS - 1) - STALE_OBSERVATION
    observing = (outsiders.filter(status=OutsiderStatus.OBSERVING,
                                  arrived_on__gte=first_arrival, arrived_on__lte=today)
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
    return opened
