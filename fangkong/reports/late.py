"""Records that arrive from a phone's queue after their day was reported
(``core.capture``): the day counts them, and the report's reviewer is told."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import capture
from fangkong.core.models import OrgUnit
from fangkong.core.services.alerts import open_alert
from fangkong.reports import alerts
from fangkong.reports.models import COUNTED_STATUSES, Submission


def _enclosing_paths(path: str) -> list[str]:
    step = OrgUnit.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


@capture.day_reported_check
def day_reported(unit_path: str, day: date) -> bool:
    """A report of that day is in (submitted or approved) from the unit or an enclosing
    one: its figures were taken before this record arrived."""
    if not unit_path:
        return False
    return Submission.objects.filter(
        date=day, status__in=COUNTED_STATUSES, unit_path__in=_enclosing_paths(unit_path),
    ).exists()


@capture.on_late
def tell_reviewer(record: Any, actor: Any) -> None:
    """One open alert per unit and day (later arrivals join it); the alert names the
    kind of record and when it was made and arrived."""
    day = capture.record_day(record)
    made = timezone.localtime(record.made_at).strftime("%Y-%m-%d %H:%M")
    arrived = timezone.localtime(record.created_at or timezone.now()).strftime(
        "%Y-%m-%d %H:%M")
    open_alert(
        kind=alerts.LATE_RECORD, org_unit=record.org_unit,
        title=_("%(day)s: records arrived after the day was reported") % {"day": day},
        detail=_("%(kind)s made at %(made)s, arrived at %(arrived)s. It is counted in "
                 "%(day)s; check that day's report.") % {
            "kind": record._meta.verbose_name, "made": made, "arrived": arrived, "day": day},
        subject=f"late:{record.unit_path}:{day.isoformat()}", actor=actor,
    )
