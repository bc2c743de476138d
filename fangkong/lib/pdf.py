"""What every PDF the platform makes shares (reportlab): the Chinese font and the QR code.

Certificates (training, volunteers' hours) and notices (resumption) are drawn with the
Adobe CID font STSong-Light: nothing to embed, every PDF reader has it. A QR code is drawn
as vector squares from segno's matrix (the same encoder as the posters and pages), so it
stays sharp when printed and scans like the on-screen codes.
"""

from __future__ import annotations

import segno
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"


def cjk_font() -> str:
    """The registered name of the Chinese font (registered on first use)."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def draw_qr(c: canvas.Canvas, url: str, x: float, y: float, size: float) -> None:
    """A QR code of ``url``, ``size`` points square with its quiet zone, its lower left
    corner at (``x``, ``y``)."""
    matrix = segno.make(url, error="m").matrix
    n = len(matrix) + 8
    cell = size / n
    c.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + (col + 4) * cell, y + size - (r + 5) * cell, cell, cell,
                       stroke=0, fill=1)
