"""Completeness and timeliness: who has reported, who was late, who is missing.

Computed from the reports themselves, never from a nightly batch: one indexed query joins
the expected reporters under a unit with that day's reports (LEFT JOIN), so the answer
changes the moment a report is submitted. Counts over many days (the dashboard's trend)
read the roll-up rows, which carry the number of reports in and on time.

Definitions (docs/decisions/reports.md):
- expected: reporters of the form under the unit, active on the day;
- submitted: their reports that are submitted or approved (a returned report is not);
- on time: first submitted by the form's deadline; late: submitted, but after it;
- missing: expected without a submitted report (drafts and returned reports included).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from django.db.models import FilteredRelation, Q

from fangkong.core.models import Organisation, OrgUnit
from fangkong.core.scoping import subtree_q
from fangkong.reports.models import COUNTED_STATUSES, Reporter, ReportForm, Rollup, Submission


class ReporterState(NamedTuple):
    """One expected reporter and the state of its report for the day (a plain tuple: a
    city has thousands of them and they are built on every request)."""

    reporter_id: int
    code: str
    status: str | None
    on_time: bool | None
    submission_id: int | None
    name: str = ""
    unit_path: str = ""

    @property
    def counted(self) -> bool:
        return self.status in COUNTED_STATUSES

    @property
    def state(self) -> str:
        if not self.counted:
            return "missing"
        return "on_time" if self.on_time else "late"


@dataclass
class Completeness:
    """Classified once from the raw rows; only late and missing reporters become
    ``ReporterState`` up front (the API needs nothing else), all rows on demand."""

    form: ReportForm
    day: dt.date
    raw: list[tuple] = field(default_factory=list)
    submitted: int = field(init=False)
    on_time: int = field(init=False)
    late: list[ReporterState] = field(init=False)
    missing: list[ReporterState] = field(init=False)

    def __post_init__(self) -> None:
        self.late, self.missing, self.on_time = [], [], 0
        for row in self.raw:
            if row[2] in COUNTED_STATUSES:
                if row[3]:
                    self.on_time += 1
                else:
                    self.late.append(ReporterState(*row))
            else:
                self.missing.append(ReporterState(*row))
        self.submitted = len(self.raw) - len(self.missing)

    @cached_property
    def rows(self) -> list[ReporterState]:
        return [ReporterState(*row) for row in self.raw]

    @property
    def expected(self) -> int:
        return len(self.raw)

    @property
    def rate(self) -> int:
        """Percentage reported (rounded down), 100 when nobody is expected."""
        return 100 if not self.raw else self.submitted * 100 // self.expected

    def as_api(self) -> dict[str, Any]:
        return {
            "expected": len(self.raw),
            "submitted": self.submitted,
            "on_time": self.on_time,
            "late": [r.code for r in self.late],
            "missing": [r.code for r in self.missing],
        }

    def submitted_times(self, rows: list[ReporterState]) -> dict[int, dt.datetime]:
        """When the given rows' reports were first submitted (for the late list)."""
        ids = [r.submission_id for r in rows if r.submission_id]
        return dict(Submission.objects.filter(pk__in=ids).values_list(
            "reporter_id", "first_submitted_at"))


def reporters_under(form: ReportForm, target: OrgUnit | Organisation):
    qs = Reporter.objects.filter(form=form)
    if isinstance(target, Organisation):
        return qs.filter(organisation=target)
    return qs.filter(subtree_q("unit_path", target.path))


def completeness(form: ReportForm, day: dt.date, target: OrgUnit | Organisation, *,
                 codes_only: bool = False) -> Completeness:
    """Completeness of ``form`` on ``day`` under a unit (or for one organisation).

    ``codes_only`` (the API) leaves out the names and paths the pages show: the query then
    reads exactly what the answer needs.
    """
    fields = ["pk", "code", "sub__status", "sub__on_time", "sub__id"]
    if not codes_only:
        fields += ["name", "unit_path"]
    rows = (
        reporters_under(form, target).active_on(day)
        # The form in the join condition lets it seek the (form, reporter, date) index.
        .annotate(sub=FilteredRelation("submissions", condition=Q(
            submissions__form_id=form.pk, submissions__date=day)))
        .order_by("unit_path", "code")
        .values_list(*fields)
    )
    return Completeness(form, day, list(rows))


@dataclass
class Group:
    """Completeness of one child unit (or of the reporters placed at the unit itself)."""

    unit: OrgUnit | None
    label: str
    rows: list[ReporterState] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return len(self.rows)

    @property
    def submitted(self) -> int:
        return sum(1 for r in self.rows if r.counted)

    @property
    def on_time(self) -> int:
        return sum(1 for r in self.rows if r.state == "on_time")

    @property
    def late(self) -> list[ReporterState]:
        return [r for r in self.rows if r.state == "late"]

    @property
    def missing(self) -> list[ReporterState]:
        return [r for r in self.rows if r.state == "missing"]

    @property
    def rate(self) -> int:
        return 100 if not self.rows else self.submitted * 100 // self.expected


def by_child(comp: Completeness, unit: OrgUnit, direct_label: str) -> list[Group]:
    """Split ``comp`` (computed for ``unit``) by the unit's children; reporters placed at
    the unit itself (its member units, or the unit's own report) form the last group."""
    children = list(OrgUnit.objects.filter(subtree_q("path", unit.path), depth=unit.depth + 1)
                    .order_by("code"))
    step = len(unit.path) + OrgUnit.steplen
    groups = {c.path: Group(c, c.name) for c in children}
    direct = Group(None, direct_label)
    for row in comp.rows:
        group = groups.get(row.unit_path[:step]) if len(row.unit_path) >= step else None
        (group or direct).rows.append(row)
    out = [g for g in groups.values() if g.rows]
    if direct.rows:
        out.append(direct)
    return out


def missing_streaks(form: ReportForm, day: dt.date, rows: list[ReporterState],
                    window: int = 7) -> dict[int, int]:
    """For each missing reporter, on how many days in a row (up to ``day``, at most
    ``window``) it has not reported: the escalation view lists the chronic ones."""
    ids = [r.reporter_id for r in rows if not r.counted]
    if not ids:
        return {}
    start = day - dt.timedelta(days=window - 1)
    reported: dict[int, set[dt.date]] = defaultdict(set)
    for rid, d in Submission.objects.filter(
        form=form, reporter_id__in=ids, date__gte=start, date__lte=day,
        status__in=COUNTED_STATUSES,
    ).values_list("reporter_id", "date"):
        reported[rid].add(d)
    spans = dict(Reporter.objects.filter(pk__in=ids).values_list("pk", "active_from"))
    streaks = {}
    for rid in ids:
        n, d = 0, day
        while d >= start and d not in reported[rid] and (spans[rid] is None or d >= spans[rid]):
            n += 1
            d -= dt.timedelta(days=1)
        streaks[rid] = n
    return streaks


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    expected: int
    submitted: int
    on_time: int

    @property
    def rate(self) -> int:
        return 100 if not self.expected else self.submitted * 100 // self.expected


def trend(form: ReportForm, unit: OrgUnit, start: dt.date, end: dt.date) -> list[DayCount]:
    """Reports in and on time per day, from the roll-up rows (no scan of the reports)."""
    counts = {
        d: (s, o) for d, s, o in Rollup.objects.filter(
            form=form, unit=unit, date__gte=start, date__lte=end,
        ).values_list("date", "submitted", "on_time")
    }
    spans = list(Reporter.objects.filter(subtree_q("unit_path", unit.path), form=form)
                 .values_list("active_from", "active_until"))
    out = []
    d = start
    while d <= end:
        expected = sum(1 for a, u in spans if (a is None or a <= d) and (u is None or u >= d))
        s, o = counts.get(d, (0, 0))
        out.append(DayCount(d, expected, s, o))
        d += dt.timedelta(days=1)
    return out
