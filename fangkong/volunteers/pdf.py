"""The hours certificate as a PDF (reportlab): Chinese text in the PDF's standard CID
font STSong-Light (no font file to embed or find), and a QR code, drawn module by module
from segno's matrix, that opens the public verify page."""

from __future__ import annotations

import io

import segno
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from fangkong.lib.pdf import cjk_font, draw_qr
from fangkong.volunteers.models import Certificate


def certificate_pdf(cert: Certificate, *, verify_url: str) -> bytes:
    font = cjk_font()
    buf = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(_("Volunteer service hours certificate"))
    c.setFont(font, 26)
    c.drawCentredString(width / 2, height - 120, _("Volunteer service hours certificate"))
    v = cert.volunteer
    hours = cert.minutes / 60
    lines = [
        _("Volunteer: %(name)s") % {"name": v.name},
        _("Organisation: %(org)s") % {"org": v.organisation or "—"},
        _("Community served: %(unit)s") % {"unit": v.org_unit.name},
        _("Period: %(start)s to %(end)s") % {"start": cert.period_from.isoformat(),
                                             "end": cert.period_until.isoformat()},
        _("Approved service: %(hours).1f hours in %(shifts)d shifts") % {
            "hours": hours, "shifts": cert.shifts},
        _("Issued: %(at)s") % {"at": timezone.localtime(cert.issued_at).strftime("%Y-%m-%d")},
    ]
    c.setFont(font, 14)
    y = height - 200
    for line in lines:
        c.drawString(90, y, line)
        y -= 30
    size = 150
    draw_qr(c, verify_url, width - 90 - size, 110, size)
    c.setFont(font, 10)
    c.drawString(90, 150, _("Scan the code to verify this certificate:"))
    c.drawString(90, 134, verify_url[:90])
    c.drawString(90, 118, _("Verification code: %(code)s") % {"code": cert.code})
    c.showPage()
    c.save()
    return buf.getvalue()


def qr_png(url: str) -> bytes:
    """A QR code as PNG (the drive's poster, a site's printed code)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()
