"""The printable QR poster of a checkpoint (PNG and PDF).

One raster rendering serves both: the QR code drawn module by module from segno's
matrix (so every module is a whole number of pixels and prints sharp), the community
and checkpoint names in Chinese set with a CJK font, and the PDF is that page embedded
at 200 dpi on A4. A raster page keeps the PDF free of font embedding (the CJK fonts are
CFF collections of ~20 MB that a small PDF writer cannot subset); at 200 dpi the text
prints clean and the QR modules are 10 px each.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import segno
from django.conf import settings
from django.utils.translation import gettext as _

DPI = 200
PAGE = (1654, 2339)  # A4 at 200 dpi
QUIET_ZONE = 4  # modules of white around the code (ISO/IEC 18004)
FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),  # index 2: Simplified Chinese
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)


class PosterFontMissing(RuntimeError):
    """No font with Chinese characters was found; the message says how to fix it."""


@dataclass(frozen=True)
class Poster:
    url: str
    qr: segno.QRCode
    png: bytes
    qr_box: tuple[int, int, int]  # left, top, module size in pixels


def find_font() -> tuple[str, int]:
    """The configured font (``FANGKONG_CJK_FONT``, optionally ``path#index``), else the
    first installed candidate."""
    configured = getattr(settings, "FANGKONG_CJK_FONT", "") or os.environ.get(
        "FANGKONG_CJK_FONT", "")
    candidates = list(FONT_CANDIDATES)
    if configured:
        path, _sep, index = configured.partition("#")
        candidates = [(path, int(index or 0))]
    for path, index in candidates:
        if Path(path).is_file():
            return path, index
    raise PosterFontMissing(_(
        "The poster needs a font with Chinese characters. Install the Debian package "
        "fonts-noto-cjk, or set FANGKONG_CJK_FONT to the path of a CJK font file."
    ))


def make_qr(url: str) -> segno.QRCode:
    # Error level Q: a poster taped to a gate gets creased, wet and partly covered.
    return segno.make(url, error="q", micro=False, boost_error=False)


def render(url: str, community: str, checkpoint: str, site_name: str = "") -> Poster:
    from PIL import Image, ImageDraw, ImageFont

    path, index = find_font()
    try:
        def font(size: int):
            return ImageFont.truetype(path, size, index=index)
        title_font, name_font, text_font, small_font = font(120), font(96), font(52), font(34)
    except OSError as exc:
        raise PosterFontMissing(_(
            "The font file %(path)s cannot be read (%(error)s). Install fonts-noto-cjk or set "
            "FANGKONG_CJK_FONT."
        ) % {"path": path, "error": exc}) from exc

    qr = make_qr(url)
    width, height = PAGE
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)

    def centred(y: int, text: str, fnt, fill: int = 0) -> int:
        left, top, right, bottom = draw.textbbox((0, 0), text, font=fnt)
        draw.text(((width - (right - left)) // 2 - left, y - top), text, font=fnt, fill=fill)
        return y + (bottom - top)

    draw.rectangle([0, 0, width, 260], fill=40)
    centred(70, _("Scan to register"), title_font, fill=255)
    y = centred(340, community, text_font, fill=40)
    centred(y + 40, checkpoint, name_font)

    modules = len(qr.matrix) + 2 * QUIET_ZONE
    size = min(1100 // modules, 40)
    qr_left = (width - modules * size) // 2
    qr_top = 700
    for row, line in enumerate(qr.matrix):
        for col, dark in enumerate(line):
            if dark & 1:
                x = qr_left + (col + QUIET_ZONE) * size
                y0 = qr_top + (row + QUIET_ZONE) * size
                draw.rectangle([x, y0, x + size - 1, y0 + size - 1], fill=0)
    y = qr_top + modules * size + 40
    y = centred(y, _("Scan with your phone and fill in the form;"), text_font)
    y = centred(y + 30, _("show the confirmation to the staff on duty."), text_font)
    centred(y + 50, url, small_font, fill=90)
    if site_name:
        centred(height - 110, site_name, small_font, fill=90)
    out = io.BytesIO()
    page.save(out, format="PNG", optimize=True, dpi=(DPI, DPI))
    return Poster(url=url, qr=qr, png=out.getvalue(),
                  qr_box=(qr_left + QUIET_ZONE * size, qr_top + QUIET_ZONE * size, size))


def as_pdf(poster: Poster) -> bytes:
    """The poster page as a one-page A4 PDF."""
    from PIL import Image

    image = Image.open(io.BytesIO(poster.png))
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=DPI, title="QR poster")
    return out.getvalue()
