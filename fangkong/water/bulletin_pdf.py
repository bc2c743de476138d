"""The monthly water-quality bulletin as a document to publish (PDF, A4 landscape).

The same rows as the spreadsheet: it is drawn from the registered exporter
(``exporters.BulletinExporter``, built by ``core.exports.build`` from the same filters),
its ``columns`` and ``iterate_rows()`` — the limit row first, then one row per sampling
point. Nothing is queried here. Chinese text in the CID font every PDF reader has
(``lib.pdf.cjk_font``), wrapped in its cell.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from fangkong.lib.pdf import cjk_font
from fangkong.lib.tabular.export import content_disposition

#: Column widths in points, by column key (the indicators share what is left).
WIDTHS = {"point": 90, "type": 38, "near": 62, "samples": 30, "rate": 36, "conclusion": 44}
MARGIN = 12 * mm


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def render(exporter: Any) -> bytes:
    """The bulletin's PDF: title, the table (header, limit row, a row per point), and how
    the pass rate is counted."""
    font = cjk_font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=15, leading=20,
                                 alignment=1, spaceAfter=4)
    note_style = ParagraphStyle("note", fontName=font, fontSize=8, leading=11)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5,
                          wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, fontSize=7, leading=9, alignment=1)
    columns = list(exporter.columns)
    page_w, _page_h = landscape(A4)
    room = page_w - 2 * MARGIN
    fixed = sum(WIDTHS.get(c.key, 0) for c in columns)
    rest = [c for c in columns if c.key not in WIDTHS]
    each = (room - fixed) / max(len(rest), 1)
    widths = [WIDTHS.get(c.key, each) for c in columns]

    data = [[Paragraph(escape(str(c.header)), head) for c in columns]]
    rows = list(exporter.iterate_rows())
    for row in rows:
        data.append([Paragraph(escape(_text(v)), cell) for v in row])
    table = Table(data, colWidths=widths, repeatRows=2 if len(data) > 1 else 1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if len(data) > 1:  # the limit row
        style.append(("BACKGROUND", (0, 1), (-1, 1), colors.HexColor("#f6f6f6")))
    table.setStyle(TableStyle(style))

    title = exporter.get_filename()
    made = timezone.localdate()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        # No "·" here: the CID font has none.
        canvas.drawString(MARGIN, 7 * mm, _("%(title)s, made on %(day)s") % {
            "title": title, "day": f"{made:%Y-%m-%d}"})
        canvas.drawRightString(page_w - MARGIN, 7 * mm, _("Page %(n)d") % {"n": doc.page})
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=MARGIN,
                            rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=14 * mm,
                            title=title, author=_("Water-quality bulletin"))
    story = [
        Paragraph(escape(title), title_style),
        Paragraph(escape(_(
            "Judged against GB 5749-2022 (生活饮用水卫生标准) as the limits stood at the end "
            "of the month; a range is the month's lowest to highest result. The pass rate "
            "counts the results within their limit among those judged.")), note_style),
        Spacer(1, 4),
        table,
    ]
    if len(rows) <= 1:
        story.append(Spacer(1, 6))
        story.append(Paragraph(escape(_("No sampling points.")), note_style))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def pdf_response(exporter: Any) -> HttpResponse:
    response = HttpResponse(render(exporter), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{exporter.get_filename()}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response
