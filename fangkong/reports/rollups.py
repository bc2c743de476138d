"""Roll-up rows: sums and counts per (form, date, unit) over the unit's subtree.

Why rows and not a query per request (ARCHITECTURE.md, "Counting fast"): the dashboard,
the API, the briefing and the province export all ask "the total for this unit and day",
often for 30 days at once. A report changes the rows of its ancestors (community, town,
county, city, province: at most five) in the same transaction as the report itself, so
the answer is always current and reading it is one indexed row per day.

Writers lock the ancestor rows in path order (``select_for_update``), so two reports of
the same county serialise on the county row and cannot deadlock. ``rebuild`` recomputes
the rows from the reports (``fangkong reports_rebuild``) after bulk loads.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from fangkong.core.models import OrgUnit
from fangkong.core.scoping import subtree_q
from fangkong.reports.models import (
    COUNTED_STATUSES,
    Aggregation,
    Indicator,
    IndicatorType,
    ReportForm,
    Rollup,
    Submission,
    SubmissionValue,
)

STEP = OrgUnit.steplen
_BATCH = 1000
ZERO = Decimal(0)


@dataclass(frozen=True)
class Contribution:
    """What one report adds to the roll-up of each of its ancestors."""

    counted: bool = False
    on_time: bool = False
    values: Mapping[str, Decimal] = field(default_factory=dict)


NOTHING = Contribution()


def contribution(submission: Submission, numbers: Mapping[str, Decimal | None],
                 aggregated: Iterable[str]) -> Contribution:
    if submission.status not in COUNTED_STATUSES:
        return NOTHING
    keep = set(aggregated)
    return Contribution(
        counted=True, on_time=bool(submission.on_time),
        values={c: Decimal(v) for c, v in numbers.items() if c in keep and v is not None},
    )


def canon(value: Decimal) -> str:
    """One spelling per number in the JSON (``30``, not ``30.0000``)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def apply(form_id: int, day: dt.date, unit_path: str, before: Contribution,
          after: Contribution) -> None:
    """Move the ancestors' rows from ``before`` to ``after``. Call inside the transaction
    that changes the report."""
    if before == after:
        return
    d_submitted = int(after.counted) - int(before.counted)
    d_on_time = int(after.counted and after.on_time) - int(before.counted and before.on_time)
    d_sum: dict[str, Decimal] = defaultdict(lambda: ZERO)
    d_count: dict[str, int] = defaultdict(int)
    for code, value in after.values.items():
        d_sum[code] += value
        d_count[code] += 1
    for code, value in before.values.items():
        d_sum[code] -= value
        d_count[code] -= 1
    units = list(OrgUnit.objects.filter(path__in=ancestor_paths(unit_path))
                 .values_list("pk", "path", "depth"))
    Rollup.objects.bulk_create(
        [Rollup(form_id=form_id, date=day, unit_id=pk, unit_path=path, depth=depth)
         for pk, path, depth in units],
        ignore_conflicts=True,
    )
    rows = list(Rollup.objects.select_for_update()
                .filter(form_id=form_id, date=day, unit_id__in=[u[0] for u in units])
                .order_by("unit_path"))
    for row in rows:
        row.submitted += d_submitted
        row.on_time += d_on_time
        for code in set(d_sum) | set(d_count):
            count = int(row.counts.get(code, 0)) + d_count[code]
            total = Decimal(row.sums.get(code, "0")) + d_sum[code]
            if count <= 0:
                row.counts.pop(code, None)
                row.sums.pop(code, None)
            else:
                row.counts[code] = count
                row.sums[code] = canon(total)
    Rollup.objects.bulk_update(rows, ["submitted", "on_time", "sums", "counts"])


def rebuild(form: ReportForm, days: Iterable[dt.date] | None = None) -> int:
    """Recompute the roll-up rows of ``form`` (for ``days``, or all) from the reports."""
    aggregated = {
        i.pk: i.code for i in form.indicators.all() if i.is_aggregated
    }
    subs = Submission.objects.filter(form=form, status__in=COUNTED_STATUSES)
    rows_q = Rollup.objects.filter(form=form)
    if days is not None:
        days = sorted(set(days))
        subs = subs.filter(date__in=days)
        rows_q = rows_q.filter(date__in=days)
    acc: dict[tuple[dt.date, str], list] = {}

    def bucket(key: tuple[dt.date, str]) -> list:
        if key not in acc:
            acc[key] = [0, 0, defaultdict(lambda: ZERO), defaultdict(int)]
        return acc[key]

    where: dict[int, tuple[dt.date, str]] = {}
    for pk, day, path, on_time in subs.values_list("pk", "date", "unit_path", "on_time"):
        where[pk] = (day, path)
        for prefix in ancestor_paths(path):
            b = bucket((day, prefix))
            b[0] += 1
            b[1] += int(bool(on_time))
    values = SubmissionValue.objects.filter(
        submission__in=subs, indicator_id__in=list(aggregated), number__isnull=False,
    ).values_list("submission_id", "indicator_id", "number")
    for sub_id, ind_id, number in values.iterator(chunk_size=10000):
        day, path = where[sub_id]
        code = aggregated[ind_id]
        for prefix in ancestor_paths(path):
            b = acc[(day, prefix)]
            b[2][code] += number
            b[3][code] += 1
    units = {
        path: (pk, depth) for pk, path, depth in OrgUnit.objects.filter(
            path__in={p for _d, p in acc}).values_list("pk", "path", "depth")
    }
    with transaction.atomic():
        rows_q.delete()
        batch: list[Rollup] = []
        for (day, path), (submitted, on_time, sums, counts) in sorted(acc.items()):
            if path not in units:
                continue
            pk, depth = units[path]
            batch.append(Rollup(
                form=form, date=day, unit_id=pk, unit_path=path, depth=depth,
                submitted=submitted, on_time=on_time,
                sums={c: canon(v) for c, v in sums.items()}, counts=dict(counts),
            ))
            if len(batch) >= _BATCH:
                Rollup.objects.bulk_create(batch)
                batch = []
        Rollup.objects.bulk_create(batch)
    return len(acc)


# --- Reading ---------------------------------------------------------------------------


def typed(indicator: Indicator, value: Decimal | None) -> int | Decimal | None:
    """A number as its indicator's type: ``int`` for whole numbers, else a Decimal rounded to
    the indicator's places (averages of whole numbers keep two places)."""
    if value is None:
        return None
    if indicator.type == IndicatorType.INTEGER and value == value.to_integral_value():
        return int(value)
    places = indicator.decimal_places if indicator.type == IndicatorType.DECIMAL else 2
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def value_from_row(indicator: Indicator, sums: Mapping[str, str],
                   counts: Mapping[str, int]) -> int | Decimal | None:
    total = Decimal(sums.get(indicator.code, "0"))
    if indicator.aggregation == Aggregation.AVERAGE:
        n = int(counts.get(indicator.code, 0))
        return typed(indicator, total / n) if n else None
    return typed(indicator, total)


def rows_for(form: ReportForm, unit: OrgUnit, start: dt.date, end: dt.date
             ) -> dict[dt.date, Rollup]:
    return {
        r.date: r for r in Rollup.objects.filter(
            form=form, unit=unit, date__gte=start, date__lte=end)
    }


def row_for(form: ReportForm, unit: OrgUnit, day: dt.date) -> Rollup | None:
    return Rollup.objects.filter(form=form, unit=unit, date=day).first()


def child_rows(form: ReportForm, unit: OrgUnit, day: dt.date) -> dict[int, Rollup]:
    """The rows of the unit's children for ``day``, by unit id."""
    return {
        r.unit_id: r for r in Rollup.objects.filter(
            subtree_q("unit_path", unit.path), form=form, date=day, depth=unit.depth + 1)
    }
