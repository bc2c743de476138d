"""``core.unique``: the one race-safe create, and the core create paths built on it.

The race tests run real threads on their own connections (``run_together``), on
PostgreSQL and on the suite's SQLite file (conftest.py).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase, TransactionTestCase
from django.utils import timezone

from fangkong.checkpoints import alerts as checkpoint_alerts
from fangkong.checkpoints.models import Checkpoint, Household, Outsider
from fangkong.checkpoints.services import screening
from fangkong.core import rules
from fangkong.core.models import Alert, OrgUnit, Parameter, ParameterValue, Person, Role
from fangkong.core.models.territory import Level
from fangkong.core.services.alerts import open_alert
from fangkong.core.services.rules import add_value
from fangkong.core.testing import make_unit, make_user, run_together
from fangkong.core.unique import get_or_create_unique, save_unique

THREADS = 8


class LookupTests(SimpleTestCase):
    def test_it_refuses_a_lookup_that_no_unique_constraint_backs(self) -> None:
        """Such a get_or_create makes two rows when requests race."""
        for model, lookup in ((Household, {"number": "1"}),
                              (Checkpoint, {"org_unit": 1, "name": "东门", "kind": "gate"}),
                              (Outsider, {"person": 1, "org_unit": 1})):
            with self.subTest(model=model.__name__), self.assertRaises(TypeError):
                get_or_create_unique(model.objects, lookup)

    def test_it_accepts_the_fields_of_a_constraint_and_of_its_condition(self) -> None:
        from fangkong.core.unique import require_unique_lookup

        for model, keys in ((Household, {"org_unit_id", "number"}),
                            (Person, {"id_number"}),
                            (Outsider, {"person", "org_unit", "status"}),
                            (Alert, {"kind", "subject", "status"})):
            with self.subTest(model=model.__name__):
                require_unique_lookup(model, frozenset(keys))


@pytest.mark.race
class CoreRaceTests(TransactionTestCase):
    def setUp(self) -> None:
        root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        self.city = make_unit(OrgUnit.objects.get(pk=root.pk), "610900", "安康市", Level.CITY)
        self.hq = make_user("hq", Role.HQ_STAFF, self.city)

    def test_it_opens_one_alert_when_the_same_alert_is_opened_at_once(self) -> None:
        results, errors = run_together(lambda: open_alert(
            kind=checkpoint_alerts.FEVER, org_unit=self.city, title="发热",
            subject="checkpoints.passage:1"), THREADS)
        self.assertEqual(errors, [])
        self.assertEqual({a.pk for a in results}, {Alert.objects.get().pk})

    def test_it_adds_one_version_when_the_same_keyed_rule_change_races(self) -> None:
        key = uuid.uuid4()
        day = timezone.localdate() + timedelta(days=1)
        results, errors = run_together(lambda: add_value(
            self.hq, screening.FEVER_CODE, value=Decimal("37.5"), valid_from=day,
            client_id=key), THREADS)
        self.assertEqual(errors, [])
        self.assertEqual(sum(created for _v, created in results), 1)
        self.assertEqual(len({v.pk for v, _created in results}), 1)

    def test_it_refuses_a_racing_unkeyed_rule_change_with_a_field_error(self) -> None:
        day = timezone.localdate() + timedelta(days=1)
        results, errors = run_together(lambda: add_value(
            self.hq, screening.FEVER_CODE, value=Decimal("37.5"), valid_from=day), THREADS)
        self.assertEqual(len(results), 1)
        self.assertEqual(len(errors), THREADS - 1)
        for exc in errors:
            self.assertIsInstance(exc, ValidationError)
            self.assertIn("valid_from", exc.message_dict)

    def test_it_adds_the_shipped_rules_once_when_two_processes_migrate_at_once(self) -> None:
        ParameterValue.objects.all().delete()
        Parameter.objects.filter(code=screening.FEVER_CODE).delete()
        _results, errors = run_together(rules.sync_declared, THREADS)
        self.assertEqual(errors, [])
        for spec in rules.declared():
            with self.subTest(code=spec.code):
                self.assertEqual(ParameterValue.objects.filter(
                    parameter__code=spec.code).count(), 1)

    def test_save_unique_answers_a_racing_duplicate_with_the_models_field_error(
            self) -> None:
        from fangkong.core.models import Organisation

        def save() -> Organisation:
            return save_unique(Organisation(org_unit=self.city, name="市审计局",
                                            code="sjj", kind="department"))

        results, errors = run_together(save, THREADS)
        self.assertEqual(len(results), 1)
        self.assertEqual(len(errors), THREADS - 1)
        for exc in errors:
            self.assertIsInstance(exc, ValidationError)


class RaceDatabaseTests(TransactionTestCase):
    def test_it_races_on_a_sqlite_file_in_wal_mode_with_immediate_transactions(self) -> None:
        """The race tests mean something on SQLite only on a file with the production
        options (settings: WAL, IMMEDIATE, busy timeout, also for DATABASE_URL=sqlite://):
        a thread's connection is opened from them, as a worker's is."""
        from django.db import connection

        if connection.vendor != "sqlite":
            self.skipTest("SQLite's options")
        seen: dict[str, object] = {}

        def inspect() -> None:
            with connection.cursor() as cursor:
                seen["journal"] = cursor.execute("PRAGMA journal_mode").fetchone()[0]
                seen["timeout"] = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
            seen["mode"] = connection.transaction_mode
            seen["memory"] = connection.is_in_memory_db()

        _results, errors = run_together(inspect, 1)
        self.assertEqual(errors, [])
        self.assertEqual(seen, {"journal": "wal", "timeout": 20000, "mode": "IMMEDIATE",
                                "memory": False})
