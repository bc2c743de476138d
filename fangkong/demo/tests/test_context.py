"""``DemoContext.bulk`` and the demo steps the modules declare (no division data needed)."""

from __future__ import annotations

from datetime import date
from unittest import mock

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from fangkong.core.models import Person
from fangkong.core.modules import demo_steps
from fangkong.core.testing import FangkongTestCase
from fangkong.demo.context import DemoContext
from fangkong.lib.identity import make_id_number


class BulkTestCase(FangkongTestCase):
    def people(self, n: int) -> list[Person]:
        return [Person(id_number=make_id_number("610902", date(1980, 1, 1), k), name=f"居民{k}",
                       sex="M" if k % 2 else "F", birth_date=date(1980, 1, 1),
                       org_unit=self.community_a_unit, unit_path=self.community_a_unit.path)
                for k in range(n)]

    def entries(self) -> list[LogEntry]:
        return list(LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Person)).select_related("actor"))

    def test_it_inserts_the_rows_with_their_audit_entries_in_the_demo_actors_name(self) -> None:
        ctx = DemoContext(stdout=None)

        rows = ctx.bulk(Person, self.people(3), key=("id_number",))

        self.assertTrue(all(p.pk for p in rows))
        entries = self.entries()
        self.assertEqual(sorted(e.object_pk for e in entries), sorted(str(p.pk) for p in rows))
        self.assertEqual({e.actor.username for e in entries}, {"demo-loader"})
        self.assertEqual(entries[0].changes_dict["id_number"][1], "******")

    def test_it_reads_the_ids_back_on_a_backend_that_returns_none(self) -> None:
        ctx = DemoContext(stdout=None)
        features = type(connection.features)

        with mock.patch.object(features, "can_return_rows_from_bulk_insert", False):
            self.assertFalse(connection.features.can_return_rows_from_bulk_insert)
            rows = ctx.bulk(Person, self.people(4), key=("id_number",))

        stored = dict(Person.objects.values_list("id_number", "pk"))
        self.assertEqual([p.pk for p in rows], [stored[p.id_number] for p in rows])
        self.assertEqual(len(self.entries()), 4)


class StepsTestCase(FangkongTestCase):
    def test_the_modules_declare_their_steps_in_installed_apps_order(self) -> None:
        # reports waits for volunteers and care (ReportsConfig.demo_after).
        self.assertEqual(demo_steps(), ["fangkong.demo.core", "fangkong.demo.checkpoints",
                                        "fangkong.demo.resumption", "fangkong.demo.supplies",
                                        "fangkong.demo.relief", "fangkong.demo.volunteers",
                                        "fangkong.demo.training", "fangkong.demo.care",
                                        "fangkong.demo.reports", "fangkong.demo.water"])

    def test_a_step_waits_for_the_steps_whose_records_it_reads(self) -> None:
        from types import SimpleNamespace as Module

        installed = [Module(label="a", demo_step="a", demo_after=("c", "gone")),
                     Module(label="b", demo_step="b", demo_after=()),
                     Module(label="c", demo_step="c", demo_after=()),
                     Module(label="d", demo_step=None, demo_after=())]
        with mock.patch("fangkong.core.modules.modules", return_value=installed):
            self.assertEqual(demo_steps(), ["b", "c", "a"])
        installed[2] = Module(label="c", demo_step="c", demo_after=("a",))
        with mock.patch("fangkong.core.modules.modules", return_value=installed), \
                self.assertRaises(ValueError):
            demo_steps()
