"""QR codes as SVG images (segno), for the session page and its printouts."""

from __future__ import annotations

import io

import segno
from django.http import HttpResponse


def svg_response(url: str) -> HttpResponse:
    out = io.BytesIO()
    # Level Q: a code printed on a door or a desk card gets creased and partly covered.
    segno.make(url, error="q", micro=False).save(out, kind="svg", scale=6, border=4,
                                                  xmldecl=False)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response
