"""The daily briefing (工作动态): the day's work in Chinese prose, from the data.

The briefing is the concatenation, in order, of the sentences every module declares with
``@core.registries.sentence`` (reports declares its own here: completeness of the day
and the key figures of the forms marked "in the daily briefing"). One ``Briefing`` renders
the web page, the .docx and ``fangkong briefing``, so the three never disagree. It is a
Chinese document whatever the reader's interface language, in the style of the page:
"截至2月28日，累计……" (full-width punctuation throughout).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation

from fangkong.core import registries
from fangkong.core.models import OrgUnit
from fangkong.core.models.territory import Level

NAMES_LISTED = 10


@dataclass(frozen=True)
class Briefing:
    unit: OrgUnit
    day: dt.date
    title: str
    dateline: str
    sentences: list[str]

    def text(self) -> str:
        body = "\n".join(self.sentences) if self.sentences else "（当日暂无工作动态。）"
        return f"{self.title}\n{self.dateline}\n\n{body}\n"

    def docx(self) -> bytes:
        return _docx(self)

    @property
    def filename(self) -> str:
        return f"{self.unit.name}工作动态{self.day.isoformat()}.docx"


def month_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def area(unit: OrgUnit) -> str:
    """How the page names the whole of a unit: 全市, 全县, 全区, or the unit's name."""
    if unit.level == Level.CITY:
        return "全市"
    if unit.level == Level.COUNTY:
        return "全区" if unit.name.endswith("区") else "全县"
    return unit.name


def number(value: int | Decimal | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        return text
    return str(value)


def build(unit: OrgUnit, day: dt.date) -> Briefing:
    with translation.override("zh-hans"):
        sentences = registries.render_sentences(unit, day)
    return Briefing(
        unit=unit, day=day, title=f"{unit.name}疫情防控工作动态",
        dateline=f"{day.year}年{day.month}月{day.day}日", sentences=sentences,
    )


# --- Reports' own sentences -------------------------------------------------------------


def _briefing_forms():
    from fangkong.reports.models import ReportForm

    return ReportForm.objects.filter(is_active=True, in_briefing=True).prefetch_related(
        "indicators")


@registries.sentence(order=10)
def completeness_sentence(unit: OrgUnit, day: dt.date) -> str | None:
    """“2月28日，县区日报应报20个单位，已报18个（迟报2个），未报2个：汉阴县、市审计局。”"""
    from fangkong.reports.completeness import completeness

    parts = []
    for form in _briefing_forms():
        comp = completeness(form, day, unit)
        if not comp.expected:
            continue
        text = f"“{form.name}”应报{comp.expected}个单位，已报{comp.submitted}个"
        if comp.late:
            text += f"（其中迟报{len(comp.late)}个）"
        missing = comp.missing
        if missing:
            names = "、".join(r.name for r in missing[:NAMES_LISTED])
            more = "等" if len(missing) > NAMES_LISTED else ""
            text += f"，未报{len(missing)}个：{names}{more}"
        else:
            text += "，全部报送"
        parts.append(text)
    if not parts:
        return None
    return f"{month_day(day)}，" + "；".join(parts) + "。"


@registries.sentence(order=20)
def figures_sentence(unit: OrgUnit, day: dt.date) -> str | None:
    """“截至2月28日，全市累计排查人员…人次、…；当日全市在岗卡点…个、…。”"""
    from fangkong.reports.figures import cumulative
    from fangkong.reports.models import Aggregation, Measure, Rollup

    out = []
    for form in _briefing_forms():
        if not Rollup.objects.filter(form=form, unit=unit, date__lte=day,
                                     submitted__gt=0).exists():
            continue
        figures = cumulative(form, day, unit)
        flows, stocks = [], []
        for ind in form.indicators.all():
            if not (ind.is_active and ind.in_briefing and ind.is_aggregated):
                continue
            value = figures.get(ind.code)
            if value is None:
                continue
            phrase = f"{ind.name}{number(value)}{ind.unit}"
            if ind.measure == Measure.FLOW and ind.aggregation == Aggregation.SUM:
                flows.append(phrase)
            else:
                stocks.append(phrase)
        if flows:
            out.append(f"截至{month_day(day)}，{area(unit)}累计" + "、".join(flows) + "。")
        # Levels only from a day with reports: no reports is not "zero on duty".
        if stocks and Rollup.objects.filter(form=form, unit=unit, date=day,
                                            submitted__gt=0).exists():
            out.append(f"当日{area(unit)}" + "、".join(stocks) + "。")
    return "".join(out) or None


# --- .docx ------------------------------------------------------------------------------


def _docx(briefing: Briefing) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(briefing.title)
    run.bold = True
    run.font.size = Pt(20)
    dateline = doc.add_paragraph(briefing.dateline)
    dateline.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for sentence in briefing.sentences or ["（当日暂无工作动态。）"]:
        p = doc.add_paragraph(sentence)
        p.paragraph_format.first_line_indent = Pt(28)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
