"""The resumption notice (复工通知书) as a PDF, made from the approved filing."""

from __future__ import annotations

import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from fangkong.core.models.territory import Level
from fangkong.lib.pdf import cjk_font
from fangkong.resumption.models import Enterprise, Filing
from fangkong.resumption.services.filing import LABELS


def notice(enterprise: Enterprise, filing: Filing) -> bytes:
    font = cjk_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setTitle(f"复工通知书 {filing.notice_number}")
    width, height = A4
    y = height - 30 * mm
    c.setFont(font, 20)
    c.drawCentredString(width / 2, y, "企业复工复产通知书")
    y -= 10 * mm
    c.setFont(font, 11)
    c.drawCentredString(width / 2, y, f"编号：{filing.notice_number}")
    y -= 14 * mm
    county = enterprise.org_unit.get_ancestors().filter(level=Level.COUNTY).first() \
        or enterprise.org_unit
    decided = timezone.localtime(filing.decided_at)
    lines = [
        f"{enterprise.name}（统一社会信用代码 {enterprise.uscc}）：",
        "",
        f"你单位于{timezone.localtime(filing.filed_at):%Y年%m月%d日}报备的复工复产申请及疫情防控",
        "实施方案经审核，防控措施落实到位，同意复工复产。",
        f"计划复工日期：{filing.planned_start:%Y年%m月%d日}" if filing.planned_start else "",
        "",
        "审核确认的防控措施：",
    ]
    for item in filing.items.all():
        days = f"（可用{item.stock_days}天）" if item.stock_days else ""
        lines.append(f"  · {LABELS[item.code]}{days}")
    lines += [
        "",
        "复工后请每日报送企业疫情日报，落实职工健康监测、门岗登记和分餐制度，",
        "发现发热人员立即隔离并报告属地。",
        "",
        f"审核单位：{county.name}疫情防控指挥部",
        f"审核日期：{decided:%Y年%m月%d日}",
    ]
    c.setFont(font, 12)
    for line in lines:
        c.drawString(25 * mm, y, line)
        y -= 8 * mm
    c.showPage()
    c.save()
    return buf.getvalue()
