"""Spreadsheets of daily reporting: the city's report to the province (fixed layout) and the
reminder list of missing reports (through ``fangkong.lib.tabular``).

The province report is a form the province reads every day, so its layout is fixed and
documented here rather than a generic table: sheet "当日" and sheet "累计", each with

    row 1  title:   <city>疫情防控工作日报（<form name>）
    row 2  caption: 统计日期 YYYY年M月D日 · 应报 n 个 · 已报 n 个 · 迟报 n 个 · 未报 n 个
    row 4  header:  序号 | 单位代码 | 单位 | 报送情况 | <indicator (unit)> …
    row 5… one row per county (its roll-up) and per organisation placed at the city
    last   合计 (the city's roll-up)

Indicators appear in the form's order; text indicators and "none" aggregations are left
out. Numbers are real numbers (sum or average), never text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import OrgUnit
from fangkong.lib.tabular import Column, Exporter, workbook_response
from fangkong.lib.tabular.export import XLSX_OPTIONS
from fangkong.reports import figures
from fangkong.reports.completeness import Completeness, ReporterState, by_child, completeness
from fangkong.reports.models import ReportForm, Status

HEADER_ROW = 3  # zero-based: the 4th row
FIRST_INDICATOR_COL = 4


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _caption(day: dt.date, comp: Completeness) -> str:
    return (f"统计日期：{day.year}年{day.month}月{day.day}日  应报{comp.expected}个  "
            f"已报{comp.submitted}个  迟报{len(comp.late)}个  未报{len(comp.missing)}个")


def write_province_report(form: ReportForm, day: dt.date, unit: OrgUnit, fileobj: Any) -> None:
    comp = completeness(form, day, unit)
    groups = {g.unit.pk if g.unit else None: g for g in by_child(comp, unit, "")}
    states = {r.code: r for r in comp.rows}
    table = figures.table(form, day, unit)
    cumulative_rows = [
        figures.cumulative(form, day, row.unit) if row.unit is not None
        else _reporter_cumulative(form, day, row.reporter)
        for row in table.rows
    ]
    total_cumulative = figures.cumulative(form, day, unit)
    with xlsxwriter.Workbook(fileobj, {**XLSX_OPTIONS, "constant_memory": False}) as book:
        title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
        head = book.add_format({"bold": True, "border": 1, "align": "center",
                                "valign": "vcenter", "text_wrap": True, "bg_color": "#F2F2F2"})
        cell = book.add_format({"border": 1})
        text = book.add_format({"border": 1, "num_format": "@"})
        total_fmt = book.add_format({"border": 1, "bold": True})
        for sheet_name, values, total in (
            ("当日", [r.values for r in table.rows], table.total),
            ("累计", cumulative_rows, total_cumulative),
        ):
            sheet = book.add_worksheet(sheet_name)
            last_col = FIRST_INDICATOR_COL + len(table.indicators) - 1
            sheet.merge_range(0, 0, 0, last_col,
                              f"{unit.name}疫情防控工作日报（{form.name}）", title)
            sheet.write_string(1, 0, _caption(day, comp))
            headers = ["序号", "单位代码", "单位", "报送情况"] + [
                f"{i.name}（{i.unit}）" if i.unit else i.name for i in table.indicators]
            for col, header in enumerate(headers):
                sheet.write_string(HEADER_ROW, col, header, head)
            sheet.set_column(0, 0, 6)
            sheet.set_column(1, 1, 14)
            sheet.set_column(2, 2, 18)
            sheet.set_column(3, 3, 10)
            sheet.set_column(FIRST_INDICATOR_COL, last_col, 14)
            sheet.freeze_panes(HEADER_ROW + 1, 3)
            r = HEADER_ROW
            for n, (row, vals) in enumerate(zip(table.rows, values, strict=True), 1):
                r += 1
                sheet.write_number(r, 0, n, cell)
                sheet.write_string(r, 1, row.code, text)
                sheet.write_string(r, 2, row.name, cell)
                sheet.write_string(r, 3, _status_text(row, groups, states), cell)
                for col, ind in enumerate(table.indicators, FIRST_INDICATOR_COL):
                    _write_value(sheet, r, col, vals.get(ind.code), cell)
            r += 1
            sheet.write_string(r, 0, "合计", total_fmt)
            sheet.write_string(r, 1, unit.code, total_fmt)
            sheet.write_string(r, 2, unit.name, total_fmt)
            sheet.write_string(r, 3, f"{comp.submitted}/{comp.expected}", total_fmt)
            for col, ind in enumerate(table.indicators, FIRST_INDICATOR_COL):
                _write_value(sheet, r, col, total.get(ind.code), total_fmt)


def _write_value(sheet: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, _number(value), fmt)


def _status_text(row: figures.TableRow, groups: dict, states: dict[str, ReporterState]) -> str:
    if row.unit is not None:
        group = groups.get(row.unit.pk)
        return f"{group.submitted}/{group.expected}" if group else "0/0"
    state = states.get(row.code)
    if state is None:
        return ""
    return {"on_time": "已报", "late": "迟报", "missing": "未报"}[state.state]


def _reporter_cumulative(form: ReportForm, day: dt.date, reporter: Any) -> dict[str, Any]:
    """An organisation's own cumulative figures (it has no roll-up row of its own)."""
    from django.db.models import Sum

    from fangkong.reports.models import COUNTED_STATUSES, Measure, SubmissionValue

    indicators = figures.aggregated_indicators(form)
    out = figures._submission_values(indicators, figures._counted_reports([reporter], day)
                                     .get(reporter.pk))
    flows = {i.pk: i for i in indicators if i.measure == Measure.FLOW
             and i.aggregation == "sum"}
    sums = SubmissionValue.objects.filter(
        submission__reporter=reporter, submission__date__lte=day,
        submission__status__in=COUNTED_STATUSES, indicator_id__in=list(flows),
    ).values("indicator_id").annotate(total=Sum("number"))
    for row in sums:
        ind = flows[row["indicator_id"]]
        out[ind.code] = figures.rollups.typed(ind, row["total"] or Decimal(0))
    return out


def province_filename(form: ReportForm, day: dt.date, unit: OrgUnit) -> str:
    return f"{unit.name}{form.name}{day.isoformat()}.xlsx"


def province_response(form: ReportForm, day: dt.date, unit: OrgUnit) -> FileResponse:
    return workbook_response(lambda fileobj: write_province_report(form, day, unit, fileobj),
                             province_filename(form, day, unit))


# --- The reminder list ------------------------------------------------------------------

STATUS_LABELS = {
    None: _("Not started"),
    Status.DRAFT: _("Draft, not submitted"),
    Status.RETURNED: _("Returned for correction"),
}


class ReminderExporter(Exporter):
    """Reporters still missing a report for the day, with how long they have been missing."""

    columns = (
        Column("code", _("Code"), "text"),
        Column("name", _("Reporting unit"), "text", width=24),
        Column("state", _("State"), "text", width=16),
        Column("days", _("Days missing in a row"), "int"),
        Column("deadline", _("Deadline"), "datetime"),
    )

    def __init__(self, form: ReportForm, day: dt.date, rows: list[ReporterState],
                 streaks: dict[int, int], place: str) -> None:
        self.form, self.day, self.rows, self.streaks, self.place = (
            form, day, rows, streaks, place)

    def get_filename(self) -> str:
        return f"{self.place}{self.form.name}未报名单{self.day.isoformat()}"

    def iterate_rows(self):
        deadline = self.form.deadline_for(self.day)
        for r in self.rows:
            yield {
                "code": r.code, "name": r.name, "state": str(STATUS_LABELS.get(r.status, "")),
                "days": self.streaks.get(r.reporter_id, 1), "deadline": deadline,
            }
