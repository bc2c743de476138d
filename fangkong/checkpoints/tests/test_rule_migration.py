"""Migrations checkpoints 0003-0005: ScreeningRule versions become dated values, and passages
point at the values they were judged by; and back."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase
from django.utils import timezone

from fangkong.checkpoints.models import Checkpoint, Passage
from fangkong.checkpoints.services.screening import FEVER_CODE, PROVINCES_CODE
from fangkong.core.models import ParameterValue
from fangkong.core.models.territory import Level
from fangkong.core.testing import make_person, make_unit
from fangkong.lib.dates import earliest_day

BEFORE = [("checkpoints", "0002_checkpoint_opened_closed")]
AFTER = [("checkpoints", "0005_remove_screeningrule")]


def _latest():
    """Every app's newest migration: the schema the models (and the other tests) expect.
    Going back to an early checkpoints migration also unapplies every app whose
    migrations depend on a later one (volunteers, water, ...), so all of them, not only
    checkpoints, are brought forward again."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor = MigrationExecutor(connection)
    return executor._create_project_state(with_applied_migrations=True).apps


class RuleMigrationTestCase(TransactionTestCase):
    def tearDown(self) -> None:
        _migrate(_latest())  # whatever happened: the schema the other tests expect

    def test_versions_become_periods_and_passages_keep_their_version(self) -> None:
        city = make_unit(None, "610900", "安康市", Level.CITY)
        gate = Checkpoint.objects.create(org_unit=city, name="东门")
        person = make_person(city)
        passages = [Passage.objects.create(
            checkpoint=gate, org_unit=city, client_id=uuid.uuid4(), direction="in",
            occurred_at=timezone.now(), day=timezone.localdate(), person=person,
            channel="staff", status="confirmed") for _ in range(4)]
        old = _migrate(BEFORE)
        # Other modules' rules (supplies.days_of_use, relief's) get their shipped default anyway.
        self.assertFalse(old.get_model("core", "ParameterValue").objects.filter(
            parameter__code__startswith="checkpoints.").exists())
        rule = old.get_model("checkpoints", "ScreeningRule")
        day1, day2 = date(2020, 2, 1), date(2020, 2, 20)

        def at(day, hour):
            return timezone.make_aware(datetime(day.year, day.month, day.day, hour))

        for version, threshold, provinces, made in ((1, "37.5", "鄂", at(day1, 9)),
                                                    (2, "37.2", "鄂", at(day1, 15)),
                                                    (3, "37.2", "鄂豫", at(day2, 10))):
            row = rule.objects.create(version=version, fever_threshold=Decimal(threshold),
                                      watched_provinces=provinces, note=f"v{version}")
            rule.objects.filter(pk=row.pk).update(created_at=made)
        old_passage = old.get_model("checkpoints", "Passage")
        for version, passage in enumerate(passages):
            old_passage.objects.filter(pk=passage.pk).update(rule_version=version)

        _migrate(AFTER)
        fever = list(ParameterValue.objects.filter(parameter__code=FEVER_CODE)
                     .order_by("valid_from"))
        self.assertEqual([(v.valid_from, v.valid_to, v.typed) for v in fever], [
            (earliest_day(), day1 - timedelta(days=1), Decimal("37.3")),
            (day1, None, Decimal("37.2")),  # v1 was replaced by v2 on its own day
        ])
        provinces = list(ParameterValue.objects.filter(parameter__code=PROVINCES_CODE)
                         .order_by("valid_from"))
        self.assertEqual([(v.valid_from, v.valid_to, v.typed) for v in provinces], [
            (earliest_day(), day2 - timedelta(days=1), ("鄂",)),
            (day2, None, ("鄂", "豫")),
        ])
        self.assertEqual((fever[1].reason, fever[1].created_at), ("v2", at(day1, 15)))
        _migrate(_latest())  # the models' schema, for reading passages through them
        judged = [(p.fever_rule, p.plate_rule) for p in Passage.objects.order_by("pk")]
        self.assertEqual(judged, [(fever[0], provinces[0]), (fever[1], provinces[0]),
                                  (fever[1], provinces[0]), (fever[1], provinces[1])])

        old = _migrate(BEFORE)  # and back: one version per day a value changed
        rows = old.get_model("checkpoints", "ScreeningRule").objects.order_by("version")
        self.assertEqual([(r.version, r.fever_threshold, r.watched_provinces) for r in rows],
                         [(1, Decimal("37.2"), "鄂"), (2, Decimal("37.2"), "鄂豫")])
        self.assertEqual(list(old.get_model("checkpoints", "Passage").objects.order_by("pk")
                              .values_list("rule_version", flat=True)), [0, 1, 1, 2])
