"""Limits on anonymous submissions: counted in the database, per window, overridable."""

from datetime import UTC, datetime, timedelta

from django.test import TestCase, override_settings

from fangkong.core import ratelimit
from fangkong.core.models import RateCounter

NOW = datetime(2020, 2, 10, 9, 3, 20, tzinfo=UTC)


class RateLimitTestCase(TestCase):
    def test_it_allows_up_to_the_limit_and_refuses_after_it(self) -> None:
        limit = ratelimit.Limit("t", 3, 600)
        results = [ratelimit.hit(limit, "1.2.3.4", now=NOW) for _ in range(5)]
        self.assertEqual(results, [True, True, True, False, False])
        self.assertEqual(RateCounter.objects.get().hits, 5)
        self.assertTrue(ratelimit.hit(limit, "5.6.7.8", now=NOW))  # another key

    def test_it_opens_a_new_window_when_the_old_one_ends(self) -> None:
        limit = ratelimit.Limit("t", 1, 600)
        start = ratelimit.window_of(limit, NOW)
        self.assertEqual(start, datetime(2020, 2, 10, 9, 0, tzinfo=UTC))
        self.assertTrue(ratelimit.hit(limit, "k", now=NOW))
        self.assertFalse(ratelimit.hit(limit, "k", now=start + timedelta(seconds=599)))
        self.assertTrue(ratelimit.hit(limit, "k", now=start + timedelta(seconds=600)))
        self.assertEqual(RateCounter.objects.count(), 2)

    @override_settings(FANGKONG_RATE_LIMITS={"tip_address": (1, 60)})
    def test_settings_override_a_limit(self) -> None:
        self.assertEqual(ratelimit.limits()["tip_address"], ratelimit.Limit("tip_address", 1, 60))
        self.assertEqual(ratelimit.limits()["tip_unit"].hits, 200)
