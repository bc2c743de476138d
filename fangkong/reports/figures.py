"""Figures read from the roll-up: a unit's totals for a day, cumulative totals, series, and
the table of a unit's children (the roll-up page and the province export).

Values come back typed by indicator: ``int`` for whole numbers, ``Decimal`` otherwise,
``None`` for an average nobody reported. ``api_value`` turns them into JSON (decimals as
strings, as money is everywhere in fangkong).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fangkong.core.models import Organisation, OrgUnit
from fangkong.core.scoping import subtree_q
from fangkong.reports import rollups
from fangkong.reports.models import (
    COUNTED_STATUSES,
    Aggregation,
    Indicator,
    Measure,
    Reporter,
    ReportForm,
    Rollup,
    Submission,
)

Value = int | Decimal | None


def aggregated_indicators(form: ReportForm) -> list[Indicator]:
    return [i for i in form.indicators.all() if i.is_active and i.is_aggregated]


def _empty(indicator: Indicator) -> Value:
    return None if indicator.aggregation == Aggregation.AVERAGE else rollups.typed(
        indicator, Decimal(0))


def _from_row(indicators: list[Indicator], row: Rollup | None) -> dict[str, Value]:
    if row is None:
        return {i.code: _empty(i) for i in indicators}
    return {i.code: rollups.value_from_row(i, row.sums, row.counts) for i in indicators}


def _submission_values(indicators: list[Indicator], sub: Submission | None
                       ) -> dict[str, Value]:
    out = {i.code: _empty(i) for i in indicators}
    if sub is None:
        return out
    by_id = {i.pk: i for i in indicators}
    for entry in sub.entries.all():
        ind = by_id.get(entry.indicator_id)
        if ind is not None:
            out[ind.code] = rollups.typed(ind, entry.number)
    return out


def _counted_reports(reporters: list[Reporter], day: dt.date) -> dict[int, Submission]:
    return {
        s.reporter_id: s for s in Submission.objects.filter(
            reporter__in=reporters, date=day, status__in=COUNTED_STATUSES,
        ).prefetch_related("entries")
    }


def aggregate(form: ReportForm, day: dt.date, target: OrgUnit | Organisation
              ) -> dict[str, Value]:
    """The totals (sum or average per indicator) of ``target``'s subtree on ``day``."""
    indicators = aggregated_indicators(form)
    if isinstance(target, Organisation):
        reporters = list(Reporter.objects.filter(form=form, organisation=target))
        return _submission_values(indicators, _counted_reports(reporters, day).get(
            reporters[0].pk) if reporters else None)
    return _from_row(indicators, rollups.row_for(form, target, day))


def cumulative(form: ReportForm, day: dt.date, unit: OrgUnit) -> dict[str, Value]:
    """As of ``day``: daily counts summed over all days up to it; levels as on the day."""
    indicators = aggregated_indicators(form)
    rows = list(Rollup.objects.filter(form=form, unit=unit, date__lte=day).only(
        "date", "sums", "counts"))
    today = next((r for r in rows if r.date == day), None)
    out = _from_row(indicators, today)
    for ind in indicators:
        if ind.measure == Measure.FLOW and ind.aggregation == Aggregation.SUM:
            total = sum((Decimal(r.sums.get(ind.code, "0")) for r in rows), Decimal(0))
            out[ind.code] = rollups.typed(ind, total)
    return out


def series(form: ReportForm, unit: OrgUnit, start: dt.date, end: dt.date
           ) -> dict[str, list[Value]]:
    """Per indicator, one value per day from ``start`` to ``end`` (the trend chart)."""
    indicators = aggregated_indicators(form)
    rows = rollups.rows_for(form, unit, start, end)
    out: dict[str, list[Value]] = {i.code: [] for i in indicators}
    d = start
    while d <= end:
        values = _from_row(indicators, rows.get(d))
        for code, v in values.items():
            out[code].append(v)
        d += dt.timedelta(days=1)
    return out


@dataclass
class TableRow:
    code: str
    name: str
    unit: OrgUnit | None
    reporter: Reporter | None
    values: dict[str, Value] = field(default_factory=dict)
    submitted: int = 0


@dataclass
class Table:
    """A unit's roll-up by child: one row per child unit with reports, one per reporter
    placed at the unit itself, and the total."""

    indicators: list[Indicator]
    rows: list[TableRow]
    total: dict[str, Value]
    submitted: int


def table(form: ReportForm, day: dt.date, unit: OrgUnit) -> Table:
    indicators = aggregated_indicators(form)
    children = list(OrgUnit.objects.filter(subtree_q("path", unit.path), depth=unit.depth + 1)
                    .order_by("code"))
    child_rows = rollups.child_rows(form, unit, day)
    reporting_paths = set(
        Reporter.objects.filter(subtree_q("unit_path", unit.path), form=form)
        .values_list("unit_path", flat=True))
    step = len(unit.path) + OrgUnit.steplen
    reporting_children = {p[:step] for p in reporting_paths if len(p) >= step}
    rows: list[TableRow] = []
    for child in children:
        if child.path not in reporting_children:
            continue
        row = child_rows.get(child.pk)
        # A row for a unit that sent nothing stays blank: the province reads a 0 as a
        # reported zero (the totals keep the documented zero-sum).
        values = (_from_row(indicators, row) if row and row.submitted
                  else dict.fromkeys(i.code for i in indicators))
        rows.append(TableRow(child.code, child.name, child, None, values,
                             row.submitted if row else 0))
    direct = list(Reporter.objects.filter(form=form, unit_path=unit.path)
                  .order_by("organisation_id", "code"))
    reports = _counted_reports(direct, day)
    for reporter in direct:
        sub = reports.get(reporter.pk)
        values = (_submission_values(indicators, sub) if sub is not None
                  else dict.fromkeys(i.code for i in indicators))
        rows.append(TableRow(reporter.code, reporter.name, None, reporter, values,
                             int(sub is not None)))
    own = rollups.row_for(form, unit, day)
    return Table(indicators, rows, _from_row(indicators, own), own.submitted if own else 0)


def api_value(value: Value) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def display(value: Value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def latest_day(form: ReportForm, up_to: dt.date) -> dt.date | None:
    """The most recent day up to ``up_to`` with any counted report."""
    return (Rollup.objects.filter(form=form, date__lte=up_to, submitted__gt=0)
            .order_by("-date").values_list("date", flat=True).first())


def reporting_day(today: dt.date | None = None) -> dt.date:
    """The day the reports pages open on when no ``?date=`` is given: ``core.dataday``'s
    rule over the active forms' reports alone (docs/decisions/reports-demo-day.md).

    Today on a live deployment; a copy of an old data set (the demo city of 2020-03-02
    on a machine whose clock says 2026, a training copy) opens on the day its reports
    end, where its reviews and late reporters are.
    """
    from fangkong.core.dataday import data_day
    from fangkong.reports.dataday import latest_day as reports_latest_day

    return data_day(today, sources=[reports_latest_day])
