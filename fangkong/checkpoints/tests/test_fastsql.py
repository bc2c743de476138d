"""The hot path's lean SQL answers exactly what the ORM rules answer."""

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.db import connection
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangkong.checkpoints import fastsql, services
from fangkong.checkpoints.models import Checkpoint, DutyRoster, Passage, PassageDaily
from fangkong.checkpoints.tests.base import ID_A, CheckpointTestCase
from fangkong.checkpoints.validation import clean_passage
from fangkong.core.audit import create_diff
from fangkong.core.models import ApiToken, Grant, OrgUnit, Person, Role
from fangkong.core.models.accounts import Cap
from fangkong.core.models.territory import Level
from fangkong.core.scoping import scope_for
from fangkong.core.testing import make_unit, make_user


class FastSqlTestCase(CheckpointTestCase):
    def test_it_finds_the_same_token_users_as_the_orm(self) -> None:
        def user_of(raw):
            return fastsql.token_user(raw)

        row, raw = ApiToken.issue(self.gate)
        self.assertEqual(user_of(raw).pk, self.gate.pk)
        self.assertIsNone(user_of(raw + "x"))
        ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(1))
        self.assertIsNone(user_of(raw))
        self.assertIsNone(ApiToken.lookup(raw))
        row2, raw2 = ApiToken.issue(self.gate)
        ApiToken.objects.filter(pk=row2.pk).update(revoked_at=timezone.now())
        self.assertIsNone(user_of(raw2))
        _row3, raw3 = ApiToken.issue(self.gate)
        self.gate.is_active = False
        self.gate.save()
        self.assertIsNone(user_of(raw3))

    def test_it_marks_a_token_used_at_most_every_five_minutes(self) -> None:
        row, raw = ApiToken.issue(self.gate)
        fastsql.token_user(raw)
        row.refresh_from_db()
        first = row.last_used_at
        self.assertIsNotNone(first)
        fastsql.token_user(raw)
        row.refresh_from_db()
        self.assertEqual(row.last_used_at, first)
        later = timezone.now() + timedelta(seconds=301)
        with mock.patch("django.utils.timezone.now", return_value=later):
            fastsql.token_user(raw)
        row.refresh_from_db()
        self.assertEqual(row.last_used_at, later)

    def test_it_scopes_checkpoints_like_visible_to(self) -> None:
        superuser = make_user("root", is_superuser=True)
        DutyRoster.objects.create(checkpoint=self.gate_b, user=self.gate,
                                  day=timezone.localdate(), org_unit=self.community_b_unit)
        DutyRoster.objects.create(checkpoint=self.gate_a2, user=self.gate,
                                  day=timezone.localdate() - timedelta(days=1),
                                  org_unit=self.community_a_unit)
        people = [self.hq, self.province, self.county_a, self.county_b, self.community_a,
                  self.community_b, self.gate, self.helper, self.nobody, superuser]
        for user in people:
            orm = set(Checkpoint.objects.visible_to(user, Cap.REGISTER_PASSAGE)
                      .values_list("pk", flat=True))
            fast = {cp.pk for cp in Checkpoint.objects.all()
                    if fastsql.checkpoint_for_passage(user, cp.pk) is not None}
            self.assertEqual(fast, orm, user.username)
            _row, raw = ApiToken.issue(user)
            token_user = fastsql.token_user(raw)
            self.assertEqual(token_user.pk, user.pk)
            self.assertEqual(token_user._fangkong_scope.paths("view"),
                             scope_for(user).paths("view"), user.username)
            via_token = {cp.pk for cp in Checkpoint.objects.all()
                         if fastsql.checkpoint_for_passage(token_user, cp.pk) is not None}
            self.assertEqual(via_token, orm, user.username)
        # A duty user rostered on another county's checkpoint still needs a grant there.
        self.assertIsNone(fastsql.checkpoint_for_passage(self.gate, self.gate_b.pk))
        self.assertEqual(fastsql.checkpoint_for_passage(self.gate, self.gate_a.pk).unit_path,
                         self.gate_a.unit_path)

    def test_it_reads_token_and_context_together_as_apart(self) -> None:
        superuser = make_user("root", is_superuser=True)
        key = uuid.uuid4()
        people = [self.hq, self.county_a, self.community_b, self.gate, self.nobody, superuser]
        for user in people:
            _row, raw = ApiToken.issue(user)
            for cp in Checkpoint.objects.all():
                together_user, together = fastsql.token_passage_context(raw, cp.pk, key, ID_A)
                alone = fastsql.passage_context(fastsql.token_user(raw), cp.pk, key, ID_A)
                self.assertEqual(together_user.pk, user.pk)
                self.assertEqual(getattr(together.checkpoint, "pk", None),
                                 getattr(alone.checkpoint, "pk", None), (user, cp))
                self.assertEqual((together.existing_id, together.person),
                                 (alone.existing_id, alone.person))
        self.assertEqual(fastsql.token_passage_context("fk_nope", self.gate_a.pk, key, ID_A),
                         (None, None))

    def test_it_finds_the_retry_and_the_person_in_one_read(self) -> None:
        data = clean_passage({"client_id": str(uuid.uuid4()), "direction": "in",
                              "name": "张伟", "id_number": ID_A, "temperature": "36.5",
                              "phone": "13800001111"})
        before = fastsql.passage_context(self.gate, self.gate_a.pk, data.client_id, ID_A)
        self.assertEqual((before.existing_id, before.person), (None, None))
        passage, _ = services.register_passage(self.gate, self.gate_a, data)
        after = fastsql.passage_context(self.gate, self.gate_a.pk, data.client_id, ID_A)
        self.assertEqual(after.existing_id, passage.pk)
        person = Person.objects.get(id_number=ID_A)
        self.assertEqual(after.person, (person.pk, person.name, person.phone, person.address,
                                        person.unit_path))
        self.assertIsNone(fastsql.passage_context(self.gate, 999999, data.client_id, ID_A)
                          .checkpoint)

    def test_it_writes_the_audit_entry_auditlog_would(self) -> None:
        data = clean_passage({"client_id": str(uuid.uuid4()), "direction": "in",
                              "name": "张伟", "id_number": ID_A, "temperature": "36.5"})
        passage, _ = services.register_passage(self.gate, self.gate_a, data)
        entry = LogEntry.objects.get_for_object(Passage.objects.get(pk=passage.pk)).get()
        self.assertEqual((entry.action, entry.actor), (LogEntry.Action.CREATE, self.gate))
        stored = Passage.objects.get(pk=passage.pk)
        expected = {k: list(v) for k, v in model_instance_diff(None, stored).items()}
        self.assertEqual(entry.changes, expected)
        person = Person.objects.get(id_number=ID_A)
        self.assertEqual(create_diff(person), model_instance_diff(None, person))
        self.assertTrue(LogEntry.objects.get_for_object(person).exists())

    def test_it_stores_what_the_orm_stores(self) -> None:
        data = clean_passage({"client_id": str(uuid.uuid4()), "direction": "in",
                              "name": "张伟", "id_number": ID_A, "temperature": 37.9,
                              "plate": "鄂A12345", "mask": False, "resident": False,
                              "origin": "武汉"})
        passage, _ = services.register_passage(self.gate, self.gate_a, data)
        stored = Passage.objects.get(client_id=data.client_id)
        # The same row written by the ORM reads back identically (types, time zones).
        orm = Passage.objects.create(**{
            f.attname: getattr(passage, f.attname) for f in Passage._meta.concrete_fields
            if not f.primary_key and f.attname not in ("client_id", "created_at", "updated_at")
        }, client_id=uuid.uuid4())
        orm.refresh_from_db()
        for field in Passage._meta.concrete_fields:
            if field.attname not in ("id", "client_id", "created_at", "updated_at"):
                self.assertEqual(getattr(orm, field.attname), getattr(stored, field.attname),
                                 field.attname)
        for field in ("client_id", "temperature", "plate", "mask", "resident", "origin",
                      "fever", "plate_flagged", "day", "occurred_at", "unit_path",
                      "checkpoint_id", "person_id", "recorded_by_id", "status", "channel"):
            self.assertEqual(getattr(stored, field), getattr(passage, field), field)


@pytest.mark.postgres  # one-statement writes and prepared statements are PostgreSQL's
class PostgresHotPathTestCase(TransactionTestCase):
    """Outside a transaction (as in production, not in a TestCase), a passage by a known
    person is one statement, prepared on the server, and still writes all three rows."""

    def test_it_writes_passage_audit_and_counters_in_one_prepared_statement(self) -> None:
        root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        unit = make_unit(OrgUnit.objects.get(pk=root.pk), "610902002002", "文昌社区",
                         Level.COMMUNITY)
        checkpoint = Checkpoint.objects.create(org_unit=unit, name="东门")
        actor = make_user("gate")
        Grant.objects.create(user=actor, role=Role.COMMUNITY_WORKER, org_unit=unit)

        def body():
            return clean_passage({"client_id": str(uuid.uuid4()), "direction": "in",
                                  "name": "张伟", "id_number": ID_A, "temperature": "36.5"})

        services.register_passage(actor, checkpoint, body())  # creates the person
        data = body()
        context = fastsql.passage_context(actor, checkpoint.pk, data.client_id, ID_A)
        self.assertIsNotNone(context.next_id)
        self.assertIsNotNone(context.person)
        with CaptureQueriesContext(connection) as queries:
            passage, created = services.register_passage(actor, checkpoint, data,
                                                         context=context)
        self.assertTrue(created)
        self.assertEqual(passage.pk, context.next_id)
        # Prepared statements bypass Django's query log; the one ORM read is the
        # screening rule of the day (core's dated rules, services.screening).
        self.assertEqual(len(queries), 1)
        self.assertIn("core_parametervalue", queries[0]["sql"])
        stored = Passage.objects.get(pk=passage.pk)
        entry = LogEntry.objects.get_for_object(stored).get()
        self.assertEqual(entry.changes,
                         {k: list(v) for k, v in model_instance_diff(None, stored).items()})
        self.assertEqual(PassageDaily.objects.get(checkpoint=checkpoint).passages_in, 2)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            self.assertGreater(cursor.fetchone()[0], 0)
        # The same key again: the first record, nothing more written.
        again, created = services.register_passage(actor, checkpoint, data)
        self.assertEqual((again.pk, created), (passage.pk, False))
        self.assertEqual(Passage.objects.count(), 2)
        self.assertEqual(LogEntry.objects.filter(
            content_type__model="passage").count(), 2)

    def test_it_uses_django_cursors_when_prepared_statements_are_off(self) -> None:
        """PG_PREPARED_STATEMENTS=0 (a pooler in front): the same statements, unprepared,
        through Django's cursors and its query log."""
        connection.ensure_connection()
        threshold = connection.connection.prepare_threshold
        connection.connection.prepare_threshold = None
        try:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(fastsql.execute("SELECT %s + 1", [41]), (42,))
        finally:
            connection.connection.prepare_threshold = threshold
        self.assertEqual(len(queries), 1)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(fastsql.execute("SELECT %s + 1", [1]), (2,))
        self.assertEqual(len(queries), 0)
