"""DailyCounter: the upsert adds (never replaces, never loses a count under races) and
the total sums a subtree on a day or up to it."""

from datetime import date

import pytest
from django.db import connection, models
from django.test import SimpleTestCase, TestCase, TransactionTestCase
from django.test.utils import isolate_apps

from fangkong.core.models.counters import DailyCounter
from fangkong.core.testing import run_together

DAY = date(2020, 2, 10)
A, A1, A2, B = "0001", "00010001", "00010002", "0002"

with isolate_apps("fangkong.core"):
    class Tally(DailyCounter):
        """A counter per place and day, as a module declares one."""

        place = models.CharField(max_length=10)
        visits = models.PositiveIntegerField(default=0)
        refusals = models.PositiveIntegerField(default=0)

        KEY = ("place", "day")

        class Meta:
            app_label = "core"
            db_table = "test_core_tally"
            constraints = [models.UniqueConstraint(fields=["place", "day"],
                                                   name="test_tally_unique")]

    class Unkeyed(DailyCounter):
        place = models.CharField(max_length=10)
        visits = models.PositiveIntegerField(default=0)

        KEY = ("place", "day")

        class Meta:
            app_label = "core"


class TableMixin:
    """The test model's table, made outside the test's transaction (SQLite cannot
    change its schema inside one)."""

    @classmethod
    def setUpClass(cls) -> None:
        with connection.schema_editor() as editor:
            editor.create_model(Tally)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        with connection.schema_editor() as editor:
            editor.delete_model(Tally)


class DailyCounterTestCase(TableMixin, TestCase):
    def test_it_creates_the_row_then_adds_to_it(self) -> None:
        Tally.bump({"place": "gate", "day": DAY, "unit_path": A1}, visits=2)
        Tally.bump({"place": "gate", "day": DAY, "unit_path": A1}, visits=3, refusals=1)
        Tally.bump({"place": "gate", "day": DAY, "unit_path": A1}, refusals=1)
        row = Tally.objects.get()
        self.assertEqual((row.visits, row.refusals, row.unit_path), (5, 2, A1))

    def test_it_keeps_one_row_per_key(self) -> None:
        Tally.bump({"place": "gate", "day": DAY, "unit_path": A1}, visits=1)
        Tally.bump({"place": "road", "day": DAY, "unit_path": A1}, visits=1)
        Tally.bump({"place": "gate", "day": date(2020, 2, 11), "unit_path": A1}, visits=1)
        Tally.bump({"place": "gate", "day": DAY, "unit_path": A1})  # nothing to add
        self.assertEqual(Tally.objects.count(), 3)
        self.assertEqual(Tally.objects.get(place="gate", day=DAY).visits, 1)

    def test_it_refuses_unknown_counters_and_incomplete_keys(self) -> None:
        with self.assertRaisesMessage(ValueError, "no counters ['vists']"):
            Tally.bump({"place": "gate", "day": DAY, "unit_path": A1}, vists=1)
        with self.assertRaisesMessage(ValueError, "needs ['unit_path']"):
            Tally.bump({"place": "gate", "day": DAY}, visits=1)
        with self.assertRaisesMessage(ValueError, "needs ['day']"):
            Tally.bump({"place": "gate", "unit_path": A1}, visits=1)
        self.assertFalse(Tally.objects.exists())

    def test_it_totals_a_subtree_on_a_day_or_up_to_it(self) -> None:
        Tally.bump({"place": "a1", "day": DAY, "unit_path": A1}, visits=2, refusals=1)
        Tally.bump({"place": "a2", "day": DAY, "unit_path": A2}, visits=3)
        Tally.bump({"place": "b", "day": DAY, "unit_path": B}, visits=100)
        Tally.bump({"place": "a1", "day": date(2020, 2, 9), "unit_path": A1}, visits=10)
        Tally.bump({"place": "a1", "day": date(2020, 2, 11), "unit_path": A1}, visits=1000)
        self.assertEqual(Tally.total(A, DAY, "visits"), 5)
        self.assertEqual(Tally.total(A, DAY, "visits", "refusals"), 6)
        self.assertEqual(Tally.total(A1, DAY, "visits"), 2)
        self.assertEqual(Tally.total(A, DAY, "visits", cumulative=True), 15)
        self.assertEqual(Tally.total(B, date(2020, 2, 9), "visits"), 0)

        class Unit:
            path = A2

        self.assertEqual(Tally.total(Unit(), DAY, "visits"), 3)

    def test_it_lists_its_counters(self) -> None:
        self.assertEqual(Tally.counter_names(), ("visits", "refusals"))


class DailyCounterCheckTestCase(SimpleTestCase):
    def test_it_needs_a_unique_constraint_on_its_key(self) -> None:
        self.assertEqual([e.id for e in Tally.check()], [])
        self.assertEqual([e.id for e in Unkeyed.check()], ["fangkong.E101"])


@pytest.mark.race
class DailyCounterRaceTestCase(TableMixin, TransactionTestCase):
    def test_concurrent_bumps_lose_no_count(self) -> None:
        """8 threads bump the same, not yet existing, row 25 times each, all starting at
        once: every first bump races to insert it."""
        threads, per_thread = 8, 25

        def work() -> None:
            for _n in range(per_thread):
                Tally.bump({"place": "gate", "day": DAY, "unit_path": A1}, visits=1,
                           refusals=2)

        _results, errors = run_together(work, threads)
        self.assertEqual(errors, [])
        row = Tally.objects.get()
        self.assertEqual((row.visits, row.refusals),
                         (threads * per_thread, 2 * threads * per_thread))
