"""Completeness and timeliness per day and level, current after every submission."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.utils import timezone

from fangkong.reports import services
from fangkong.reports.completeness import by_child, completeness, missing_streaks, trend
from fangkong.reports.tests.base import ReportsTestCase


class CompletenessTestCase(ReportsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form.deadline_days = 0
        self.form.save()
        self.day = self.today - dt.timedelta(days=1)  # yesterday: its deadline has passed

    def test_it_counts_expected_submitted_late_and_missing(self) -> None:
        comp = completeness(self.form, self.day, self.city)
        self.assertEqual((comp.expected, comp.submitted, comp.on_time), (6, 0, 0))
        self.submit(self.r_comm_a, self.day)  # submitted now: after yesterday's deadline
        services.save_report(self.hq, self.r_county_b, self.day, self.values(), submit=False)
        comp = completeness(self.form, self.day, self.city)
        self.assertEqual(comp.as_api(), {
            "expected": 6, "submitted": 1, "on_time": 0, "late": ["610902002002"],
            "missing": ["sjj", "610902", "610902003001", "610924", "610924100001"],
        })
        self.assertEqual(comp.rate, 16)

    def test_it_counts_on_time_reports(self) -> None:
        comp = completeness(self.form, self.today, self.county_a_unit)
        self.assertEqual(comp.expected, 3)
        self.submit(self.r_county_a, self.today)
        comp = completeness(self.form, self.today, self.county_a_unit)
        if comp.on_time != 1:  # the test runs after 17:00 Beijing time
            self.assertEqual([r.code for r in comp.late], ["610902"])
        else:
            self.assertEqual(comp.late, [])
        self.assertEqual(comp.submitted, 1)

    def test_it_tells_on_time_from_late_by_the_deadline_whatever_the_hour(self) -> None:
        """The test above accepts either outcome depending on when it runs; here the
        clock is set: before 17:00 on time, after it late."""
        def at(hour: int) -> dt.datetime:
            return timezone.make_aware(dt.datetime.combine(self.today, dt.time(hour)))

        with mock.patch("django.utils.timezone.now", return_value=at(9)):
            self.submit(self.r_county_a, self.today)
        with mock.patch("django.utils.timezone.now", return_value=at(20)):
            self.submit(self.r_comm_a, self.today)
            comp = completeness(self.form, self.today, self.county_a_unit)
        self.assertEqual((comp.submitted, comp.on_time), (2, 1))
        self.assertEqual([r.code for r in comp.late], ["610902002002"])

    def test_it_counts_a_returned_report_as_missing_again(self) -> None:
        sub = self.submit(self.r_comm_a, self.day)
        services.return_report(self.county_a, sub, "请更正")
        comp = completeness(self.form, self.day, self.town_a)
        self.assertEqual((comp.expected, comp.submitted), (1, 0))
        self.assertEqual(comp.missing[0].status, "returned")

    def test_it_splits_by_child_unit_with_member_units_apart(self) -> None:
        self.submit(self.r_comm_a, self.day)
        self.submit(self.r_sjj, self.day)
        groups = by_child(completeness(self.form, self.day, self.city), self.city, "direct")
        self.assertEqual([(g.label, g.expected, g.submitted) for g in groups],
                         [("汉滨区", 3, 1), ("紫阳县", 2, 0), ("direct", 1, 1)])

    def test_it_expects_only_active_reporters(self) -> None:
        services.stop_reporter(self.hq, self.r_comm_b, self.day - dt.timedelta(days=1))
        comp = completeness(self.form, self.day, self.county_b_unit)
        self.assertEqual([r.code for r in comp.rows], ["610924"])
        earlier = completeness(self.form, self.day - dt.timedelta(days=1), self.county_b_unit)
        self.assertEqual(earlier.expected, 2)

    def test_it_gives_one_organisation_its_own_completeness(self) -> None:
        comp = completeness(self.form, self.day, self.sjj)
        self.assertEqual(comp.as_api()["missing"], ["sjj"])

    def test_it_counts_days_missing_in_a_row(self) -> None:
        for back in (3, 1):
            self.submit(self.r_comm_a, self.today - dt.timedelta(days=back))
        rows = completeness(self.form, self.today, self.county_a_unit).rows
        streaks = missing_streaks(self.form, self.today, rows, window=7)
        self.assertEqual(streaks[self.r_comm_a.pk], 1)
        self.assertEqual(streaks[self.r_county_a.pk], 7)

    def test_it_reads_the_trend_from_the_roll_up(self) -> None:
        self.submit(self.r_comm_a, self.day)
        self.submit(self.r_comm_a2, self.day - dt.timedelta(days=1))
        counts = trend(self.form, self.county_a_unit, self.day - dt.timedelta(days=2), self.day)
        self.assertEqual([(c.expected, c.submitted) for c in counts], [(3, 0), (3, 1), (3, 1)])
        self.assertEqual(counts[-1].rate, 33)
