"""Migration checkpoints 0007: confirmed fevers recorded before passages had an outcome
become "not let through" and leave the day's in/out counts (issue #11, item 2)."""

import uuid

from django.test import TransactionTestCase
from django.utils import timezone

from fangkong.checkpoints.models import Checkpoint, Passage, PassageDaily
from fangkong.checkpoints.tests.test_rule_migration import _latest, _migrate
from fangkong.core.models.territory import Level
from fangkong.core.testing import make_person, make_unit

BEFORE = [("checkpoints", "0006_typed_identity")]


class OutcomeMigrationTestCase(TransactionTestCase):
    def tearDown(self) -> None:
        _migrate(_latest())

    def test_earlier_fevers_are_not_counted_as_let_through(self) -> None:
        city = make_unit(None, "610900", "安康市", Level.CITY)
        gate = Checkpoint.objects.create(org_unit=city, name="东门")
        person = make_person(city)
        day = timezone.localdate()
        rows = [("in", True, "confirmed"), ("in", False, "confirmed"),
                ("out", True, "confirmed"), ("in", True, "pending")]
        for direction, fever, status in rows:
            Passage.objects.create(
                checkpoint=gate, org_unit=city, client_id=uuid.uuid4(), direction=direction,
                occurred_at=timezone.now(), day=day, person=person, fever=fever,
                channel="staff", status=status)
        PassageDaily.objects.create(checkpoint=gate, day=day, unit_path=city.path,
                                    passages_in=2, passages_out=1, fevers=2)
        _migrate(BEFORE)
        _migrate(_latest())
        outcomes = list(Passage.objects.order_by("pk").values_list("outcome", flat=True))
        self.assertEqual(outcomes, ["refused", "admitted", "refused", "admitted"])
        daily = PassageDaily.objects.get()
        self.assertEqual((daily.passages_in, daily.passages_out, daily.fevers), (1, 0, 2))
