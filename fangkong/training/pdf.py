"""The certificate as a PDF (reportlab), in Chinese with the Adobe CID font STSong-Light
(no font file to embed: every PDF reader has it), with a QR code of its verify page."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from fangkong.lib.pdf import cjk_font, draw_qr
from fangkong.training.models import Certificate


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    enrolment = certificate.enrolment
    session = enrolment.session
    font = cjk_font()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"{_('Certificate of training')} {certificate.number}")
    pdf.setLineWidth(3)
    pdf.rect(28, 28, width - 56, height - 56)
    pdf.setLineWidth(1)
    pdf.rect(36, 36, width - 72, height - 72)
    pdf.setFont(font, 34)
    pdf.drawCentredString(width / 2, height - 110, _("Certificate of training"))
    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, height - 170, _(
        "%(name)s of %(business)s") % {"name": enrolment.name,
                                        "business": enrolment.business.name})
    day = date_format(timezone.localtime(session.starts_at), "DATE_FORMAT")
    pdf.drawCentredString(width / 2, height - 205, _(
        "attended the course “%(course)s”, session %(n)d, on %(day)s,") % {
            "course": session.course.title, "n": session.number, "day": day})
    pdf.drawCentredString(width / 2, height - 235, _("organised by %(unit)s.") % {
        "unit": session.org_unit.name})
    topics = "、".join(t.title for t in session.topics.all())
    if topics:
        pdf.setFont(font, 12)
        pdf.drawCentredString(width / 2, height - 270, _("Topics: %(topics)s") % {
            "topics": topics})
    pdf.setFont(font, 11)
    pdf.drawString(70, 95, _("Certificate number: %(number)s") % {
        "number": certificate.number})
    pdf.drawString(70, 78, _("Issued on %(day)s") % {
        "day": date_format(timezone.localtime(certificate.issued_at), "DATE_FORMAT")})
    pdf.drawString(70, 61, _("Scan the code or open %(url)s to verify.") % {"url": verify_url})
    size = 110
    draw_qr(pdf, verify_url, width - 70 - size, 55, size)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
