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
    issuer: str = ""

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


def issuer(unit: OrgUnit) -> str:
    """Who issues the briefing (发文机关): the unit's HQ organisation, or its name + 指挥部."""
    from fangkong.core.models import Organisation
    from fangkong.core.models.territory import OrgKind

    hq = (Organisation.objects.filter(kind=OrgKind.HQ, org_unit=unit, is_active=True)
          .order_by("code").values_list("name", flat=True).first())
    return hq or f"{unit.name}疫情防控指挥部"


def build(unit: OrgUnit, day: dt.date) -> Briefing:
    with translation.override("zh-hans"):
        sentences = registries.render_sentences(unit, day)
    return Briefing(
        unit=unit, day=day, title=f"{unit.name}疫情防控工作动态",
        dateline=f"{day.year}年{day.month}月{day.day}日", sentences=sentences,
        issuer=issuer(unit),
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
        # One figure, one source: the sentence names the form its figures come from, so
        # a reader can tell them from the registers' own sentences (卡点登记 …).
        source = f"据“{form.name}”汇总，"
        if flows:
            out.append(f"{source}截至{month_day(day)}，{area(unit)}累计" + "、".join(flows)
                       + "。")
            source = ""
        # Levels only from a day with reports: no reports is not "zero on duty".
        if stocks and Rollup.objects.filter(form=form, unit=unit, date=day,
                                            submitted__gt=0).exists():
            out.append(f"{source}当日{area(unit)}" + "、".join(stocks) + "。")
    return "".join(out) or None


# --- .docx ------------------------------------------------------------------------------
# GB/T 9704-2012 (党政机关公文格式): A4 paper; margins top 37 mm, bottom 35 mm, left 28 mm,
# right 26 mm; the issuing unit (发文机关标志) in red at the top, a red rule under it; the
# title in 2号 (22 pt) 小标宋, centred; the body in 3号 (16 pt) 仿宋, first lines indented
# two characters, 28.95 pt line spacing (22 lines a page); the date (成文日期) right-aligned
# under the body with the issuing unit above it; page numbers "— 1 —" in 4号 (14 pt) 宋体
# at the foot, outside edge (right on odd pages, left on even pages).

RED = "C00000"
BODY_PT, TITLE_PT, ISSUER_PT, PAGE_PT = 16, 22, 26, 14
LINE_PT = 28.95


def _fonts(run, latin: str, east_asian: str, size: float, *, bold: bool = False,
           colour: str | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = latin
    run.font.size = Pt(size)
    run.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)


def _page_number(paragraph) -> None:
    """“— PAGE —” as a field Word updates on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def field_char(kind: str):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    paragraph.add_run("— ")
    run = paragraph.add_run()
    run._r.append(field_char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run._r.append(instr)
    run._r.append(field_char("separate"))
    number_run = paragraph.add_run("1")
    number_run._r.append(field_char("end"))
    paragraph.add_run(" —")
    for r in paragraph.runs:
        _fonts(r, "SimSun", "宋体", PAGE_PT)


def _red_rule(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "6"), ("color", RED)):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _docx(briefing: Briefing) -> bytes:
    import datetime as _dt

    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Mm(7)
    doc.settings.odd_and_even_pages_header_footer = True

    normal = doc.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋_GB2312")
    normal.paragraph_format.line_spacing = Pt(LINE_PT)
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)

    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(head.add_run(briefing.issuer), "SimSun", "方正小标宋简体", ISSUER_PT, colour=RED)
    head.paragraph_format.line_spacing = Pt(ISSUER_PT * 1.5)
    _red_rule(head)
    doc.add_paragraph()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(title.add_run(briefing.title), "SimSun", "方正小标宋简体", TITLE_PT)
    title.paragraph_format.line_spacing = Pt(TITLE_PT * 1.5)
    doc.add_paragraph()
    for sentence in briefing.sentences or ["（当日暂无工作动态。）"]:
        p = doc.add_paragraph(sentence)
        p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    doc.add_paragraph()
    for text in (briefing.issuer, briefing.dateline):
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(BODY_PT * 4)

    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(PAGE_PT)
    _page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(PAGE_PT)
    _page_number(even)

    props = doc.core_properties
    props.title = briefing.title
    props.subject = f"{briefing.title}（{briefing.dateline}）"
    props.author = briefing.issuer
    props.last_modified_by = briefing.issuer
    props.category = "工作动态"
    props.language = "zh-CN"
    props.comments = ""
    props.keywords = "疫情防控 工作动态"
    now = _dt.datetime.now(_dt.UTC).replace(microsecond=0, tzinfo=None)
    props.created = props.modified = now
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
