"""Roll-up at every level: sums and averages over the subtree, cumulative figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fangkong.reports import figures
from fangkong.reports.tests.base import ReportsTestCase


class RollupTestCase(ReportsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.d1 = self.today - dt.timedelta(days=1)
        self.submit(self.r_comm_a, self.d1, people_screened=100, avg_temp="36.4",
                    projects_total=10, projects_resumed=4)
        self.submit(self.r_comm_a2, self.d1, people_screened=50, avg_temp="36.8",
                    projects_total=6, projects_resumed=6)
        self.submit(self.r_comm_b, self.d1, people_screened=20, avg_temp=None)
        self.submit(self.r_sjj, self.d1, people_screened=5, avg_temp="36.0")
        self.submit(self.r_comm_a, self.today, people_screened=30, projects_resumed=5)

    def test_it_sums_and_averages_at_every_level(self) -> None:
        county = figures.aggregate(self.form, self.d1, self.county_a_unit)
        self.assertEqual(county["people_screened"], 150)
        self.assertEqual(county["avg_temp"], Decimal("36.6"))
        town = figures.aggregate(self.form, self.d1, self.town_a)
        self.assertEqual(town["people_screened"], 100)
        city = figures.aggregate(self.form, self.d1, self.city)
        self.assertEqual(city["people_screened"], 175)  # member unit counted at the city
        self.assertEqual(city["avg_temp"], Decimal("36.4"))  # (36.4 + 36.8 + 36.0) / 3
        self.assertEqual(city["projects_total"], 36)
        self.assertNotIn("note", city)  # text is not aggregated

    def test_it_gives_zero_and_none_where_nobody_reported(self) -> None:
        empty = figures.aggregate(self.form, self.d1 - dt.timedelta(days=5), self.city)
        self.assertEqual(empty["people_screened"], 0)
        self.assertIsNone(empty["avg_temp"])

    def test_it_accumulates_daily_counts_and_keeps_levels(self) -> None:
        cum = figures.cumulative(self.form, self.today, self.county_a_unit)
        self.assertEqual(cum["people_screened"], 180)  # flow: 150 + 30
        self.assertEqual(cum["projects_resumed"], 5)  # stock: the day's level

    def test_a_unit_that_sent_nothing_has_blank_figures_not_zeros(self) -> None:
        """The province read 汉阴县 0/1 with zeros in every column as a reported zero."""
        table = figures.table(self.form, self.d1 - dt.timedelta(days=5), self.city)
        self.assertTrue(table.rows)
        for row in table.rows:
            self.assertEqual(row.submitted, 0)
            self.assertEqual(set(row.values.values()), {None}, row.name)
        self.assertEqual(table.total["people_screened"], 0)  # the documented zero-sum

    def test_it_tables_children_and_reporters_placed_at_the_unit(self) -> None:
        table = figures.table(self.form, self.d1, self.city)
        self.assertEqual([(r.name, r.values["people_screened"], r.submitted)
                          for r in table.rows],
                         [("汉滨区", 150, 2), ("紫阳县", 20, 1), ("安康市审计局", 5, 1)])
        self.assertEqual(table.total["people_screened"], 175)
        self.assertEqual(table.submitted, 4)

    def test_it_gives_a_series_per_day(self) -> None:
        series = figures.series(self.form, self.city, self.d1 - dt.timedelta(days=1),
                                self.today)
        self.assertEqual(series["people_screened"], [0, 175, 30])
