"""The passage hot path (``POST /api/v1/checkpoints/<id>/passages``) by what it does:
who may register where, the token's rules, what it stores and audits, how many queries
it costs; and, on PostgreSQL, that those queries are prepared by settings."""

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangkong.checkpoints import services
from fangkong.checkpoints.models import Checkpoint, DutyRoster, Passage, PassageDaily
from fangkong.checkpoints.tests.base import ID_A, CheckpointTestCase, passage_body
from fangkong.checkpoints.validation import clean_passage
from fangkong.core.models import ApiToken, Grant, OrgUnit, Person, Role
from fangkong.core.models.accounts import Cap
from fangkong.core.models.scoped import ScopedModel
from fangkong.core.models.territory import Level
from fangkong.core.scoping import scope_for
from fangkong.core.testing import make_unit, make_user


class HotPathTestCase(CheckpointTestCase):
    def test_it_lets_register_exactly_where_visible_to_says(self) -> None:
        """For every persona and checkpoint: 201 where ``visible_to(register_passage)``
        has the checkpoint, 404 elsewhere; a duty user only where rostered today and
        inside the grant's unit. ``Checkpoint.may_register`` (the checkpoint page's
        link) agrees."""
        superuser = make_user("root", is_superuser=True)
        DutyRoster.objects.create(checkpoint=self.gate_b, user=self.gate,
                                  day=timezone.localdate(), org_unit=self.community_b_unit)
        DutyRoster.objects.create(checkpoint=self.gate_a2, user=self.gate,
                                  day=timezone.localdate() - timedelta(days=1),
                                  org_unit=self.community_a_unit)
        people = [self.hq, self.province, self.county_a, self.county_b, self.community_a,
                  self.community_b, self.gate, self.helper, self.nobody, superuser]
        today = timezone.localdate()
        for user in people:
            allowed = set(Checkpoint.objects.visible_to(user, Cap.REGISTER_PASSAGE)
                          .values_list("pk", flat=True))
            token = self.token_for(user)
            for cp in Checkpoint.objects.all():
                r = self.post_passage(cp, passage_body(), token)
                self.assertEqual(r.status_code, 201 if cp.pk in allowed else 404,
                                 (user.username, cp.name, r.content))
                rostered = DutyRoster.objects.filter(checkpoint=cp, user=user,
                                                     day=today).exists()
                self.assertEqual(Checkpoint.may_register(scope_for(user), cp.unit_path,
                                                         rostered), cp.pk in allowed,
                                 (user.username, cp.name))
        self.assertEqual(set(Passage.objects.filter(recorded_by=self.gate)
                             .values_list("checkpoint", flat=True)), {self.gate_a.pk})

    def test_the_one_read_loads_what_the_orm_loads(self) -> None:
        """``passage_context`` builds its instances from a cursor row with the fields'
        own converters: every value equals, with its type, what the ORM loads; the
        person's other fields are deferred; the key and roster flag are read too."""
        self.gate_a.closed_on = timezone.localdate()
        self.gate_a.save()
        data = clean_passage({"client_id": str(uuid.uuid4()), "direction": "in",
                              "name": "张伟", "id_number": ID_A, "temperature": "36.5",
                              "phone": "13800138000"})
        passage, _created = services.register_passage(self.community_a, self.gate_a, data)
        context = services.passage_context(self.community_a, self.gate_a.pk,
                                           data.client_id, ID_A)
        loaded = Checkpoint.objects.get(pk=self.gate_a.pk)
        for field in Checkpoint._meta.concrete_fields:
            mine, orm = (getattr(o, field.attname) for o in (context.checkpoint, loaded))
            self.assertEqual((mine, type(mine)), (orm, type(orm)), field.attname)
        self.assertFalse(context.checkpoint._state.adding)
        person = Person.objects.get(pk=passage.person_id)
        self.assertEqual(context.existing_id, passage.pk)
        self.assertEqual(context.person.get_deferred_fields(), {
            f.attname for f in Person._meta.concrete_fields} - {
            "id", "id_number", "name", "phone", "address", "org_unit_id", "unit_path"})
        for name in ("id", "id_number", "name", "phone", "address", "org_unit_id",
                     "unit_path"):
            self.assertEqual(getattr(context.person, name), getattr(person, name), name)
        self.assertIsNone(services.passage_context(self.community_a, self.gate_a.pk,
                                                   uuid.uuid4(), "nobody").person)
        self.assertIsNone(services.passage_context(self.community_b, self.gate_a.pk,
                                                   data.client_id, ID_A).checkpoint)

    def test_the_one_read_builds_the_scope_scope_for_builds(self) -> None:
        """The grants read with the checkpoint give every persona the scope that
        ``scope_for`` reads itself (also a user with several grants, and none)."""
        Grant.objects.create(user=self.community_a, role=Role.COMMUNITY_WORKER,
                             org_unit=self.community_b_unit)
        for name in self.PERSONAS:
            persona = getattr(self, name)
            with self.subTest(persona=name):
                fresh = type(persona).objects.get(pk=persona.pk)
                services.passage_context(fresh, self.gate_a.pk)
                mine = fresh._fangkong_scope
                theirs = scope_for(type(persona).objects.get(pk=persona.pk))
                self.assertEqual(mine.superuser, theirs.superuser)
                self.assertCountEqual(mine.grants, theirs.grants)

    def test_it_answers_404_for_a_checkpoint_id_beyond_any_key(self) -> None:
        token = self.token_for(self.hq)
        r = self.client.post("/api/v1/checkpoints/99999999999999999999/passages",
                             data=passage_body(), content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(Passage.objects.count(), 0)

    def test_it_refuses_expired_revoked_and_disabled_users_tokens(self) -> None:
        row, raw = ApiToken.issue(self.gate)
        self.assertEqual(self.post_passage(self.gate_a, passage_body(), raw).status_code, 201)
        ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(1))
        self.assertEqual(self.post_passage(self.gate_a, passage_body(), raw).status_code, 401)
        row2, raw2 = ApiToken.issue(self.gate)
        ApiToken.objects.filter(pk=row2.pk).update(revoked_at=timezone.now())
        self.assertEqual(self.post_passage(self.gate_a, passage_body(), raw2).status_code, 401)
        _row3, raw3 = ApiToken.issue(self.gate)
        self.gate.is_active = False
        self.gate.save()
        r = self.post_passage(self.gate_a, passage_body(), raw3)
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r["WWW-Authenticate"], "Bearer")
        self.assertEqual(Passage.objects.count(), 1)

    def test_it_refuses_an_idle_token_without_an_extra_query(self) -> None:
        row, raw = ApiToken.issue(self.gate)
        self.post_passage(self.gate_a, passage_body(), raw)  # last_used_at is now set
        with self.settings(API_TOKEN_IDLE_DAYS=0), CaptureQueriesContext(connection) as off:
            self.assertEqual(self.post_passage(self.gate_a, passage_body(), raw).status_code,
                             201)
        with CaptureQueriesContext(connection) as on:
            self.assertEqual(self.post_passage(self.gate_a, passage_body(), raw).status_code,
                             201)
        self.assertEqual(len(on), len(off))
        ApiToken.objects.filter(pk=row.pk).update(
            last_used_at=timezone.now() - timedelta(days=8))
        self.assertEqual(self.post_passage(self.gate_a, passage_body(), raw).status_code, 401)
        self.assertEqual(Passage.objects.count(), 3)

    def test_it_marks_a_token_used_at_most_every_five_minutes(self) -> None:
        row, raw = ApiToken.issue(self.gate)
        self.post_passage(self.gate_a, passage_body(), raw)
        row.refresh_from_db()
        first = row.last_used_at
        self.assertIsNotNone(first)
        self.post_passage(self.gate_a, passage_body(), raw)
        row.refresh_from_db()
        self.assertEqual(row.last_used_at, first)
        later = timezone.now() + timedelta(seconds=301)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.post_passage(self.gate_a, passage_body(), raw)
        row.refresh_from_db()
        self.assertEqual(row.last_used_at, later)

    def test_it_writes_the_audit_entry_auditlog_would(self) -> None:
        r = self.post_passage(self.gate_a, passage_body(), self.token_for(self.gate),
                              REMOTE_ADDR="10.2.3.4")
        stored = Passage.objects.get(pk=r.json()["id"])
        entry = LogEntry.objects.get_for_object(stored).get()
        self.assertEqual((entry.action, entry.actor, entry.actor_email, entry.remote_addr),
                         (LogEntry.Action.CREATE, self.gate, self.gate.email or None,
                          "10.2.3.4"))
        self.assertEqual(entry.changes,
                         {k: list(v) for k, v in model_instance_diff(None, stored).items()})

    def test_it_stores_what_a_saved_model_stores(self) -> None:
        """``bulk_create`` skips ``save()``: the row must still equal one written by
        ``Model.save`` (``ScopedModel.save`` fills ``unit_path``; timestamps, types and
        time zones as the ORM converts them)."""
        data = clean_passage({"client_id": str(uuid.uuid4()), "direction": "in",
                              "name": "张伟", "id_number": ID_A, "temperature": 37.9,
                              "plate": "鄂A12345", "mask": False, "resident": False,
                              "origin": "武汉"})
        passage, _ = services.register_passage(self.gate, self.gate_a, data)
        stored = Passage.objects.get(client_id=data.client_id)
        saved = Passage(**{
            f.attname: getattr(passage, f.attname) for f in Passage._meta.concrete_fields
            if f.attname not in ("id", "client_id", "unit_path", "created_at", "updated_at")
        }, client_id=uuid.uuid4())
        saved.save()
        saved.refresh_from_db()
        for field in Passage._meta.concrete_fields:
            if field.attname not in ("id", "client_id", "created_at", "updated_at"):
                self.assertEqual(getattr(saved, field.attname), getattr(stored, field.attname),
                                 field.attname)
        self.assertIsNotNone(stored.created_at)
        self.assertIsNotNone(stored.updated_at)

    def test_nothing_on_passage_saves_that_bulk_create_would_skip(self) -> None:
        """The hot path inserts with ``bulk_create``, which calls no ``save()`` and sends
        no signals. A custom ``save`` or a receiver added to ``Passage`` would silently
        not run for API passages: move it into the service, then adjust this test."""
        self.assertIs(Passage.save, ScopedModel.save)
        for signal in (pre_save, post_save):
            receivers = [r for r in signal._live_receivers(Passage)[0]
                         if not getattr(r, "__module__", "").startswith("auditlog")]
            self.assertEqual(receivers, [], signal)

    def test_it_reads_and_writes_a_known_persons_passage_in_few_queries(self) -> None:
        """The cost of the common case (a known person, no alert), counted by Django's
        query log, which sees every statement (no private cursors)."""
        token = self.token_for(self.community_a)
        self.post_passage(self.gate_a, passage_body(), token)  # creates the person
        with CaptureQueriesContext(connection) as queries:
            r = self.post_passage(self.gate_a, passage_body(), token)
        self.assertEqual(r.status_code, 201)
        # Token and user; the checkpoint, roster, key, person and the user's grants (the
        # one hand-written read); the passage, its audit entry and the counter between a
        # savepoint's two lines (in production BEGIN and COMMIT, not in the query log).
        # The rule was read by the first passage and is cached (core.rules.values_on).
        self.assertEqual(len(queries), 7, "\n".join(q["sql"] for q in queries))
        self.assertEqual(PassageDaily.total(self.community_a_unit, timezone.localdate(),
                                            "passages_in"), 2)


@pytest.mark.postgres  # prepared statements are PostgreSQL's
class PreparedStatementsTestCase(TransactionTestCase):
    """The settings bind parameters server-side and let psycopg prepare any statement
    run five times on a connection: the ORM's passage statements are prepared."""

    def test_it_prepares_the_orm_statements_of_the_hot_path(self) -> None:
        root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        unit = make_unit(OrgUnit.objects.get(pk=root.pk), "610902002002", "文昌社区",
                         Level.COMMUNITY)
        checkpoint = Checkpoint.objects.create(org_unit=unit, name="东门")
        actor = make_user("gate")
        Grant.objects.create(user=actor, role=Role.COMMUNITY_WORKER, org_unit=unit)
        connection.ensure_connection()
        self.assertEqual(connection.connection.prepare_threshold, 5)
        self.assertEqual(type(connection.connection.cursor()).__name__, "ServerBindingCursor")
        for _n in range(7):
            services.register_passage(actor, checkpoint, clean_passage({
                "client_id": str(uuid.uuid4()), "direction": "in", "name": "张伟",
                "id_number": ID_A, "temperature": "36.5"}))
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        table = Passage._meta.db_table
        self.assertTrue(any(s.startswith(f'INSERT INTO "{table}"') for s in prepared), prepared)
        self.assertTrue(any(PassageDaily._meta.db_table in s and "ON CONFLICT" in s
                            for s in prepared), prepared)
        self.assertTrue(any(Person._meta.db_table in s for s in prepared), prepared)
        self.assertEqual(PassageDaily.objects.get().passages_in, 7)
