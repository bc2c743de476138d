"""The hot path's lean SQL answers exactly what the ORM rules answer."""

import uuid
from datetime import timedelta

from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.utils import timezone

from fangkong.checkpoints import fastsql, services
from fangkong.checkpoints.models import Checkpoint, DutyRoster, Passage
from fangkong.checkpoints.tests.base import ID_A, CheckpointTestCase
from fangkong.checkpoints.validation import clean_passage
from fangkong.core.audit import create_diff
from fangkong.core.models import ApiToken, Person
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import scope_for
from fangkong.core.testing import make_user


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
        for field in ("client_id", "temperature", "plate", "mask", "resident", "origin",
                      "fever", "plate_flagged", "day", "occurred_at", "unit_path",
                      "checkpoint_id", "person_id", "recorded_by_id", "status", "channel"):
            self.assertEqual(getattr(stored, field), getattr(passage, field), field)
