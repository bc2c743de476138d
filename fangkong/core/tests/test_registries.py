"""One module's failing indicator or sentence leaves its figure out; the rest stands."""

from datetime import date

from django.urls import reverse

from fangkong.core import registries
from fangkong.core.testing import FangkongTestCase


def _broken(unit, day):
    raise ZeroDivisionError("a module's bug")


class RegistryFailureTestCase(FangkongTestCase):
    def setUp(self) -> None:
        registries.register_indicator("aaa_broken", "broken", "个", _broken, module="core")
        registries.register_sentence(0, "aaa_broken", _broken)
        registries.register_sentence(1, "aaa_fine", lambda unit, day: "一切正常。")

    def tearDown(self) -> None:
        registries._indicators.pop("aaa_broken", None)
        registries._sentences.pop("aaa_broken", None)
        registries._sentences.pop("aaa_fine", None)

    def test_a_failing_module_is_left_out_and_logged(self) -> None:
        with self.assertLogs("fangkong.core.registries", "ERROR"):
            self.assertIsNone(registries.get_indicator("aaa_broken").value(self.city,
                                                                          date(2020, 3, 2)))
        with self.assertLogs("fangkong.core.registries", "ERROR"):
            sentences = registries.render_sentences(self.city, date(2020, 3, 2))
        self.assertIn("一切正常。", sentences)

    def test_the_home_page_still_shows_for_hq(self) -> None:
        self.client.force_login(self.hq)
        with self.assertLogs("fangkong.core.registries", "ERROR"):
            r = self.client.get(reverse("home"))
        self.assertEqual(r.status_code, 200)
