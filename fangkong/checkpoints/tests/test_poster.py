import io

import segno
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from fangkong.checkpoints import poster
from fangkong.checkpoints.tests.base import CheckpointTestCase


class PosterTestCase(CheckpointTestCase):
    def test_it_draws_the_self_registration_url_as_a_qr_code(self) -> None:
        self.login(self.community_a)
        r = self.client.get(reverse("checkpoints:poster", args=[self.gate_a.pk, "png"]))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "image/png")
        image = Image.open(io.BytesIO(r.content)).convert("L")
        self.assertEqual(image.size, poster.PAGE)
        url = f"http://testserver/checkpoints/r/{self.gate_a.public_key}/"
        expected = poster.make_qr(url)
        left, top, size = poster.render(url, "文昌社区", "东门").qr_box  # same layout
        # Read the modules back from the served PNG: they spell exactly this URL.
        matrix = [[image.getpixel((left + c * size + size // 2, top + r_ * size + size // 2)) < 128
                   for c in range(len(expected.matrix))] for r_ in range(len(expected.matrix))]
        self.assertEqual(matrix, [[bool(v & 1) for v in row] for row in expected.matrix])
        other = segno.make(url + "x", error="q", micro=False, boost_error=False)
        self.assertNotEqual(matrix, [[bool(v & 1) for v in row] for row in other.matrix])

    def test_it_makes_a_one_page_pdf(self) -> None:
        self.login(self.community_a)
        r = self.client.get(reverse("checkpoints:poster", args=[self.gate_a.pk, "pdf"]))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertTrue(r.content.startswith(b"%PDF-"))
        self.assertIn(b"/Count 1", r.content)
        # Shown inline by the browser's PDF plugin, which object-src 'none' would block.
        self.assertNotIn("Content-Security-Policy", r)
        self.assertIn("no-store", r["Cache-Control"])

    @override_settings(FANGKONG_CJK_FONT="/nonexistent/font.ttc")
    def test_it_says_how_to_fix_a_missing_font(self) -> None:
        self.login(self.community_a)
        r = self.client.get(reverse("checkpoints:poster", args=[self.gate_a.pk, "pdf"]))
        self.assertEqual(r.status_code, 503)
        self.assertContains(r, "fonts-noto-cjk", status_code=503)

    def test_it_is_scoped(self) -> None:
        self.login(self.community_b)
        r = self.client.get(reverse("checkpoints:poster", args=[self.gate_a.pk, "png"]))
        self.assertEqual(r.status_code, 404)
