"""The same client_id never makes a second passage, also when requests race."""

import uuid

import pytest
from auditlog.models import LogEntry
from django.test import TransactionTestCase

from fangkong.checkpoints import services
from fangkong.checkpoints.models import Checkpoint, Passage, PassageDaily, Tip
from fangkong.checkpoints.tests.base import ID_A
from fangkong.checkpoints.validation import clean_passage
from fangkong.core.models import OrgUnit, Role
from fangkong.core.models.territory import Level
from fangkong.core.services.people import clean_person_data, lookup_or_create_person
from fangkong.core.testing import make_unit, make_user, run_together


@pytest.mark.race
class RaceTestCase(TransactionTestCase):
    def test_it_returns_the_first_record_to_racing_identical_requests(self) -> None:
        self._race(known_person=False)

    def test_it_returns_the_first_record_when_the_one_statement_writes_race(self) -> None:
        """A known person, no alert: no person is created or updated inside the write."""
        self._race(known_person=True)

    def test_it_keeps_one_tip_when_identical_tips_race(self) -> None:
        """The keyed registers (tips, inspections, patrols) read then created: two
        identical submissions at once hit the unique key and answered 500."""
        root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        unit = make_unit(OrgUnit.objects.get(pk=root.pk), "610902002002", "文昌社区",
                         Level.COMMUNITY)
        # The service authorises the tip (EDIT over the community), as for a real caller.
        actor = make_user("racer", Role.COMMUNITY_WORKER, unit)
        key = uuid.uuid4()

        def attempt():
            return services.record_tip(actor, unit, client_id=key, channel="phone",
                                       category="gathering", content="楼下有人打麻将")

        results, errors = run_together(attempt)
        self.assertEqual(errors, [])
        self.assertEqual(Tip.objects.count(), 1)
        self.assertEqual({t.pk for t, _created in results}, {Tip.objects.get().pk})
        self.assertEqual(sum(created for _t, created in results), 1)

    def _race(self, *, known_person: bool) -> None:
        root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        unit = make_unit(OrgUnit.objects.get(pk=root.pk), "610902002002", "文昌社区",
                         Level.COMMUNITY)
        checkpoint = Checkpoint.objects.create(org_unit=unit, name="东门")
        actor = make_user("racer")
        if known_person:
            lookup_or_create_person(actor, clean_person_data(id_number=ID_A, name="张伟"), unit)
        key = str(uuid.uuid4())
        data = clean_passage({"client_id": key, "direction": "in", "name": "张伟",
                              "id_number": ID_A, "temperature": "36.5"})
        results, errors = run_together(
            lambda: services.register_passage(actor, checkpoint, data))
        self.assertEqual(errors, [])
        self.assertEqual(Passage.objects.count(), 1)
        self.assertEqual({p.pk for p, _created in results}, {Passage.objects.get().pk})
        self.assertEqual(sum(created for _p, created in results), 1)
        self.assertEqual(PassageDaily.objects.get().passages_in, 1)
        self.assertEqual(LogEntry.objects.filter(content_type__model="passage").count(), 1)
