"""``fangkong retention``: people met only at checkpoints are anonymised once the period
after the emergency is over; everybody else is kept, and a second run does nothing."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.test import TransactionTestCase, override_settings
from django.utils import timezone, translation

from fangkong.checkpoints import services
from fangkong.checkpoints.models import (
    Checkpoint,
    HouseholdMember,
    Outsider,
    Passage,
    PassageStatus,
    Tip,
)
from fangkong.checkpoints.validation import clean_passage
from fangkong.core.audit import reveal
from fangkong.core.models import Alert, OrgUnit, Person, PiiAccess, PiiAccessPerson, Role
from fangkong.core.models.territory import Level
from fangkong.core.retention import declared
from fangkong.core.services import retention
from fangkong.core.services.people import clean_person_data
from fangkong.core.testing import FangkongTestCase, make_person, make_unit, make_user, run_together
from fangkong.lib import masking
from fangkong.lib.identity import make_id_number

ENDED = date(2020, 5, 1)
DURING = date(2020, 2, 10)
AFTER = date(2020, 6, 1)
DUE = override_settings(FANGKONG_EMERGENCY_ENDED=ENDED, FANGKONG_RETENTION_DAYS=30)


def id_number(n: int) -> str:
    return make_id_number("420102", date(1990, 3, 9), n)


def pass_gate(actor: Any, checkpoint: Checkpoint, id_no: str, name: str, *, day: date = DURING,
              channel: str = "staff", **extra: Any) -> Passage:
    data = clean_passage({"client_id": str(uuid.uuid4()), "direction": "in", "name": name,
                          "id_number": id_no, "temperature": "36.6", **extra})
    passage, _created = services.register_passage(
        None if channel == "self" else actor, checkpoint, data, channel=channel)
    moment = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=9))
    Passage.objects.filter(pk=passage.pk).update(day=day, occurred_at=moment)
    return Passage.objects.get(pk=passage.pk)


class RetentionTestCase(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        unit = cls.community_a_unit
        cls.gate_a = Checkpoint.objects.create(org_unit=unit, name="东门")
        worker = cls.community_a
        # Only passages (one with a fever and a watched plate: an alert names them).
        cls.passer = pass_gate(worker, cls.gate_a, id_number(1), "过路人", plate="鄂A12345",
                               temperature="38.2").person
        pass_gate(worker, cls.gate_a, id_number(1), "过路人")
        # The same number typed with another name and a phone: the alert names it so.
        pass_gate(worker, cls.gate_a, id_number(1), "别名王", temperature="38.5",
                  phone="13800001111")
        # Passages and a household: kept.
        cls.resident = pass_gate(worker, cls.gate_a, id_number(2), "住户").person
        household, _ = services.save_household(worker, unit, number="1-1-101", address="文昌路1号")
        services.add_member(worker, household,
                            clean_person_data(id_number=id_number(2), name="住户"),
                            relation="head", permanent=True)
        # An outsider only: anonymised, the host address and reason emptied.
        cls.outsider, _ = services.register_outsider(
            worker, unit, clean_person_data(id_number=id_number(3), name="外来人",
                                            phone="13900000003"),
            arrived_on=timezone.localdate(), origin="武汉", host_address="文昌路9号",
            reason="探亲 看望母亲")
        Outsider.objects.filter(pk=cls.outsider.pk).update(arrived_on=DURING)
        # A passage during and one after the emergency: kept.
        cls.late = pass_gate(worker, cls.gate_a, id_number(4), "后来人").person
        pass_gate(worker, cls.gate_a, id_number(4), "后来人", day=AFTER)
        # A self-registration nobody confirmed: deleted, the person anonymised.
        cls.pending = pass_gate(worker, cls.gate_a, id_number(5), "自助登记",
                                channel="self")
        # In the registry only, met nowhere: not this job's.
        cls.registered = make_person(unit, name="登记人")
        # Tips: the caller's name and phone go, what was reported stays.
        cls.old_tip, _ = services.record_tip(
            worker, unit, client_id=uuid.uuid4(), channel="phone", category="gathering",
            content="楼下有人聚集打麻将", caller_name="李先生", caller_phone="13700000007")
        cls.new_tip, _ = services.record_tip(
            worker, unit, client_id=uuid.uuid4(), channel="phone", category="gathering",
            content="广场有人聚集", caller_name="赵女士", caller_phone="13700000008")
        Tip.objects.filter(pk=cls.old_tip.pk).update(
            received_at=timezone.make_aware(datetime(2020, 2, 12, 10)))
        Tip.objects.filter(pk=cls.new_tip.pk).update(
            received_at=timezone.make_aware(datetime(2020, 6, 12, 10)))
        # Somebody revealed the passer's ID number once, and exported their passage.
        reveal(cls.hq, cls.passer, ["id_number"], "核查发热人员")
        PiiAccessPerson.objects.create(person=cls.passer, access=PiiAccess.objects.create(
            actor=cls.hq, action="export", subject_type="checkpoints.Passage",
            fields="phone", reason="流调"))

    def setUp(self) -> None:
        super().setUp()
        self.enterContext(translation.override("en"))

    def run_it(self, dry_run: bool = False) -> tuple[retention.RetentionResult, str]:
        out = StringIO()
        call_command("retention", dry_run=dry_run, stdout=out)
        return retention.run_retention(dry_run=True), out.getvalue()

    def snapshot(self) -> list[Any]:
        return [list(Person.objects.order_by("pk").values()),
                list(Passage.objects.order_by("pk").values()),
                list(Outsider.objects.order_by("pk").values()),
                list(LogEntry.objects.order_by("pk").values()),
                list(Alert.objects.order_by("pk").values()),
                list(PiiAccess.objects.order_by("pk").values()),
                list(Tip.objects.order_by("pk").values())]

    @DUE
    def test_it_counts_per_model_in_a_dry_run_and_touches_nothing(self) -> None:
        before = self.snapshot()
        out = StringIO()
        call_command("retention", dry_run=True, stdout=out)
        self.assertEqual(self.snapshot(), before)
        plan = retention.run_retention(dry_run=True)
        self.assertEqual(plan.counts[("core.Person", "anonymised")], 3)
        self.assertEqual(plan.counts[("checkpoints.Passage", "anonymised")], 3)
        self.assertEqual(plan.counts[("checkpoints.Passage", "deleted")], 1)
        self.assertEqual(plan.counts[("checkpoints.Outsider", "anonymised")], 1)
        self.assertEqual(plan.counts[("checkpoints.Tip", "anonymised")], 1)
        lines = out.getvalue().strip().splitlines()
        self.assertIn("core.Person: 3", out.getvalue())
        self.assertIn("checkpoints.Passage: 1", out.getvalue())
        self.assertIn("dry run", lines[-1])

    @DUE
    def test_it_does_what_the_dry_run_counted(self) -> None:
        plan = retention.run_retention(dry_run=True)
        done = retention.run_retention(dry_run=False)
        self.assertEqual(done.counts, plan.counts)

    @DUE
    def test_it_reads_long_lists_of_records_in_slices(self) -> None:
        with mock.patch.object(retention, "CHUNK", 1), mock.patch.object(retention, "BATCH", 1):
            plan = retention.run_retention(dry_run=True)
            done = retention.run_retention(dry_run=False)
        self.assertEqual(done.counts, plan.counts)
        self.assertEqual(done.counts[("core.Person", "anonymised")], 3)
        self.assertFalse(Alert.objects.filter(title__contains="鄂A12345").exists())

    @DUE
    def test_it_anonymises_exactly_the_people_met_only_at_checkpoints(self) -> None:
        self.run_it()
        anonymised = set(Person.objects.filter(name=retention.ANONYMISED_NAME)
                         .values_list("pk", flat=True))
        self.assertEqual(anonymised, {self.passer.pk, self.outsider.person_id,
                                      self.pending.person_id})
        for pk in anonymised:
            person = Person.objects.get(pk=pk)
            self.assertRegex(person.id_number, r"^ANON[0-9A-F]{14}$")
            self.assertEqual((person.phone, person.address, person.notes), ("", "", ""))
            self.assertEqual((person.birth_date.month, person.birth_date.day), (1, 1))
        self.assertFalse(Person.objects.filter(id_number__in=[
            id_number(1), id_number(3), id_number(5)]).exists())

    @DUE
    def test_it_keeps_a_person_who_is_also_in_a_household(self) -> None:
        before = Person.objects.filter(pk=self.resident.pk).values().get()
        self.run_it()
        self.assertEqual(Person.objects.filter(pk=self.resident.pk).values().get(), before)
        self.assertTrue(HouseholdMember.objects.filter(person=self.resident).exists())

    @DUE
    def test_it_keeps_a_person_with_a_record_after_the_emergency(self) -> None:
        self.run_it()
        self.assertEqual(Person.objects.get(pk=self.late.pk).id_number, id_number(4))

    @DUE
    def test_it_leaves_people_met_nowhere_to_the_registry(self) -> None:
        self.run_it()
        self.assertEqual(Person.objects.get(pk=self.registered.pk).name, "登记人")

    @DUE
    def test_it_empties_the_personal_fields_of_their_records_and_keeps_the_records(
            self) -> None:
        passages = Passage.objects.filter(person=self.passer).count()
        self.run_it()
        self.assertEqual(Passage.objects.filter(person=self.passer).count(), passages)
        self.assertEqual(set(Passage.objects.filter(person=self.passer)
                             .values_list("plate", flat=True)), {""})
        self.assertEqual(set(Passage.objects.filter(person=self.passer)
                             .values_list("name", "phone")), {(retention.ANONYMISED_NAME, "")})
        outsider = Outsider.objects.get(pk=self.outsider.pk)
        # Required text takes the placeholder, optional text is emptied.
        self.assertEqual((outsider.name, outsider.phone, outsider.host_address, outsider.reason),
                         (retention.ANONYMISED_NAME, "", retention.ANONYMISED_NAME, ""))
        self.assertEqual(outsider.origin, "武汉")
        # The kept person's plate-less passage and the late one are untouched.
        self.assertTrue(Passage.objects.filter(person=self.late, day=AFTER).exists())

    @DUE
    def test_it_empties_the_callers_of_the_emergencys_tips(self) -> None:
        self.run_it()
        old, new = Tip.objects.get(pk=self.old_tip.pk), Tip.objects.get(pk=self.new_tip.pk)
        self.assertEqual((old.caller_name, old.caller_phone, old.content),
                         ("", "", "楼下有人聚集打麻将"))
        self.assertEqual((new.caller_name, new.caller_phone), ("赵女士", "13700000008"))
        self.assertNotIn("李先生", repr(list(LogEntry.objects.values("changes"))))
        self.assertIn("赵女士", repr(list(LogEntry.objects.values("changes"))))

    @DUE
    def test_it_deletes_the_unconfirmed_self_registrations_of_the_emergency(self) -> None:
        self.assertEqual(self.pending.status, PassageStatus.PENDING)
        self.run_it()
        self.assertFalse(Passage.objects.filter(pk=self.pending.pk).exists())

    @DUE
    def test_it_scrubs_the_old_names_from_history_alerts_and_the_access_log(self) -> None:
        old_labels = [str(self.passer), str(self.outsider.person), str(self.pending.person),
                      *(p.who for p in Passage.objects.filter(person=self.passer)),
                      self.outsider.who, str(self.outsider)]
        self.assertTrue(Alert.objects.filter(detail__contains="别*王").exists())
        self.assertTrue(Alert.objects.filter(detail__contains=old_labels[0]).exists())
        self.run_it()
        texts = [repr(list(LogEntry.objects.values("changes", "object_repr",
                                                   "serialized_data"))),
                 repr(list(Alert.objects.values("title", "detail"))),
                 repr(list(PiiAccess.objects.values("subject_label")))]
        for text in texts:
            for name in ("过路人", "别名王", "外来人", "自助登记", "鄂A12345", "文昌路9号", "探亲",
                         "13800001111", "13900000003", "别*王"):
                self.assertNotIn(name, text)
            for label in old_labels:
                self.assertNotIn(label, text)
        # The people kept keep their history.
        self.assertIn("住户", texts[0])

    @DUE
    def test_it_writes_an_audit_entry_per_person_and_for_the_run(self) -> None:
        self.run_it()
        run = LogEntry.objects.get(object_pk="retention")
        self.assertIsNone(run.actor)
        self.assertEqual(run.additional_data["retention"]["emergency_ended"], "2020-05-01")
        self.assertIn("3", run.object_repr)
        entries = LogEntry.objects.filter(cid=run.cid).exclude(pk=run.pk)
        self.assertEqual({int(e.object_pk) for e in entries},
                         {self.passer.pk, self.outsider.person_id, self.pending.person_id})
        self.login(self.hq)
        page = self.client.get("/core/audit/")
        self.assertContains(page, run.object_repr[:20])

    @DUE
    def test_it_does_nothing_the_second_time(self) -> None:
        self.run_it()
        after_first = self.snapshot()
        second = retention.run_retention(dry_run=False)
        self.assertEqual(second.touched, 0)
        self.assertEqual(self.snapshot(), after_first)
        self.assertEqual(LogEntry.objects.filter(object_pk="retention").count(), 1)

    @override_settings(FANGKONG_EMERGENCY_ENDED=date.today() - timedelta(days=5),
                       FANGKONG_RETENTION_DAYS=30)
    def test_it_touches_nothing_before_the_period_is_up(self) -> None:
        Passage.objects.update(day=date.today() - timedelta(days=10))
        before = self.snapshot()
        out = StringIO()
        call_command("retention", stdout=out)
        self.assertEqual(self.snapshot(), before)
        due = (date.today() + timedelta(days=25)).isoformat()
        self.assertIn(due, out.getvalue())
        self.assertEqual(retention.run_retention(dry_run=True).state, "not_due")

    @override_settings(FANGKONG_EMERGENCY_ENDED=None)
    def test_it_touches_nothing_while_the_emergency_lasts(self) -> None:
        before = self.snapshot()
        out = StringIO()
        call_command("retention", stdout=out)
        self.assertEqual(self.snapshot(), before)
        self.assertIn("FANGKONG_EMERGENCY_ENDED", out.getvalue())
        with translation.override("zh-hans"):
            call_command("retention", stdout=out)
        self.assertIn("应急状态尚未结束", out.getvalue())

    @DUE
    def test_it_empties_a_field_added_to_a_records_pii(self) -> None:
        """A typed field declared personal later (``Passage.PII``) is emptied too."""
        Passage.objects.filter(person=self.passer).update(origin="武汉市江汉区")
        with mock.patch.object(Passage, "PII", {"origin": masking.mask_address}, create=True):
            self.run_it()
        self.assertEqual(set(Passage.objects.filter(person=self.passer)
                             .values_list("origin", flat=True)), {""})

    def test_it_can_empty_every_field_a_model_declares(self) -> None:
        """Every declared record names its person and fields the job can empty: a new
        non-text personal field must say how (else this fails, not the job in a year)."""
        self.assertGreaterEqual({m._meta.label for m, _ in declared()},
                                {"checkpoints.Passage", "checkpoints.Outsider"})
        for model, spec in declared():
            if spec.person:
                self.assertIs(model._meta.get_field(spec.person).related_model, Person)
            model._meta.get_field(spec.day.split("__")[0])
            for name in retention._cleared_fields(model, spec):
                retention._blank(model._meta.get_field(name))

    def test_it_keeps_people_through_any_other_relation_to_a_person(self) -> None:
        kept = {(f.model._meta.label, f.name) for f in retention.keeping_relations()}
        self.assertIn(("checkpoints.HouseholdMember", "person"), kept)
        self.assertNotIn(("checkpoints.Passage", "person"), kept)
        self.assertNotIn(("checkpoints.Outsider", "person"), kept)
        self.assertIn(("core.PersonRegistration", "person"), kept)
        # The export log names people it outlives: it keeps nobody.
        self.assertNotIn(("core.PiiAccessPerson", "person"), kept)


@pytest.mark.race
class RetentionRaceTestCase(TransactionTestCase):
    @override_settings(FANGKONG_EMERGENCY_ENDED=ENDED, FANGKONG_RETENTION_DAYS=30)
    def test_it_anonymises_each_person_once_when_two_runs_race(self) -> None:
        root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        unit = make_unit(OrgUnit.objects.get(pk=root.pk), "610902002002", "文昌社区",
                         Level.COMMUNITY)
        worker = make_user("worker", Role.COMMUNITY_WORKER, unit)
        gate = Checkpoint.objects.create(org_unit=unit, name="东门")
        for n in range(12):
            pass_gate(worker, gate, id_number(100 + n), f"路人{n}")
        results, errors = run_together(lambda: retention.run_retention(dry_run=False), n=2)
        self.assertEqual(errors, [])
        self.assertEqual(sum(r.counts[("core.Person", "anonymised")] for r in results), 12)
        self.assertEqual(Person.objects.filter(name=retention.ANONYMISED_NAME).count(), 12)
        self.assertEqual(LogEntry.objects.filter(
            content_type__model="person", additional_data__has_key="retention")
            .exclude(object_pk="retention").count(), 12)
