"""Training figures read from the records: per day for the indicators and the briefing,
and the totals pages' per course, per county and per business type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fangkong.core.models import OrgUnit
from fangkong.core.models.territory import Level
from fangkong.training.models import AttendMode, BusinessKind, Enrolment, Session


def day_range(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def sessions_on(unit: Any, day: date) -> QuerySet[Session]:
    start, end = day_range(day)
    return Session.objects.under(unit).filter(starts_at__gte=start, starts_at__lt=end)


@dataclass
class Row:
    label: str
    sessions: int = 0
    enrolled: int = 0
    attended: int = 0
    online: int = 0
    certificates: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> str:
        return f"{self.attended * 100 / self.enrolled:.0f}%" if self.enrolled else "—"


_COUNTS = {
    "enrolled": Count("pk"),
    "attended": Count("pk", filter=Q(attendance__isnull=False)),
    "online": Count("pk", filter=Q(attendance__isnull=False,
                                   attend_mode=AttendMode.ONLINE)),
    "certificates": Count("pk", filter=Q(certificate__isnull=False)),
}


def _fill(row: Row, counts: dict[str, int]) -> Row:
    for name in _COUNTS:
        setattr(row, name, counts.get(name) or 0)
    return row


def by_course(enrolments: QuerySet[Enrolment], sessions: QuerySet[Session]) -> list[Row]:
    per_course = {r["session__course"]: r for r in enrolments.values("session__course")
                  .annotate(**_COUNTS).order_by()}
    session_counts = dict(sessions.values_list("course").annotate(n=Count("pk")).order_by())
    rows = []
    from fangkong.training.models import Course
    for course in Course.objects.filter(pk__in=session_counts).select_related("org_unit"):
        row = _fill(Row(course.title), per_course.get(course.pk, {}))
        row.sessions = session_counts[course.pk]
        row.extra = {"course": course}
        rows.append(row)
    return rows


def by_county(enrolments: QuerySet[Enrolment], sessions: QuerySet[Session]) -> list[Row]:
    """Each county (district) the records fall in, by the session's unit."""
    paths = set(sessions.values_list("unit_path", flat=True))
    rows = []
    for county in OrgUnit.objects.filter(level=Level.COUNTY).order_by("path"):
        if not any(p.startswith(county.path) for p in paths):
            continue
        mine = enrolments.filter(unit_path__startswith=county.path)
        row = _fill(Row(county.name), mine.aggregate(**_COUNTS))
        row.sessions = sessions.filter(unit_path__startswith=county.path).count()
        rows.append(row)
    return rows


def by_business_kind(enrolments: QuerySet[Enrolment]) -> list[Row]:
    counts = {r["business__kind"]: r for r in enrolments.values("business__kind")
              .annotate(businesses=Count("business", distinct=True), **_COUNTS).order_by()}
    rows = []
    for kind in BusinessKind:
        if kind.value in counts:
            row = _fill(Row(str(kind.label)), counts[kind.value])
            row.extra = {"businesses": counts[kind.value]["businesses"]}
            rows.append(row)
    return rows


def total(rows: list[Row]) -> Row:
    row = Row("")
    for r in rows:
        for name in ("sessions", *_COUNTS):
            setattr(row, name, getattr(row, name) + getattr(r, name))
    return row
