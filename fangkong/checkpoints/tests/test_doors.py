"""Door-to-door screening and tips as the community worker meets them (issue #11 items
6, 7 and 17): visits keep their findings and open a follow-up; a caller's landline is
a callback number; the assigned worker sees the address; households sort naturally;
checkpoints are searched and edited; households edited; members removed."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fangkong.checkpoints import alerts, services
from fangkong.checkpoints.models import Household, HouseholdMember, ScreeningVisit, Tip
from fangkong.checkpoints.tests.base import CheckpointTestCase
from fangkong.core.models import Alert
from fangkong.core.services.people import clean_person_data
from fangkong.lib.identity import IdentityError, make_id_number, validate_contact_phone
from fangkong.lib.masking import mask_phone
from fangkong.lib.numbers import natural_sort_key

DAY = date(2020, 2, 20)


class VisitsKeepTheirFindingsTests(CheckpointTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.household = Household.objects.create(org_unit=cls.community_a_unit,
                                                 number="3-2-501", address="文昌路3号2单元501")

    def visit(self, **values):
        self.login(self.community_a)
        data = {"client_id": str(uuid.uuid4()), "visited_on": DAY.isoformat(),
                "people_present": "2", **values}
        return self.client.post(reverse("checkpoints:visit_add", args=[self.household.pk]),
                                data)

    def test_a_second_visit_the_same_day_keeps_what_the_first_found(self) -> None:
        self.assertEqual(self.visit(symptoms="on", from_hubei="on").status_code, 302)
        self.assertEqual(self.visit(people_present="3").status_code, 302)
        visits = ScreeningVisit.objects.filter(household=self.household)
        self.assertEqual(visits.count(), 2)
        self.assertEqual(visits.filter(symptoms=True, from_hubei=True).count(), 1)
        page = self.client.get(reverse("checkpoints:household", args=[self.household.pk]))
        self.assertContains(page, "有发热或咳嗽")  # zh: "fever or cough"
        self.assertContains(page, "有人来自湖北")

    def test_a_finding_opens_one_follow_up_per_household_until_followed_up(self) -> None:
        self.visit(symptoms="on")
        self.visit(from_hubei="on")
        alert = Alert.objects.get(kind=alerts.VISIT_FINDING.code)
        self.assertEqual((alert.status, alert.severity, alert.org_unit),
                         ("open", "critical", self.community_a_unit))
        self.assertIn("3-2-501", alert.title)
        # The worker sees it on the household page and on the community's page.
        page = self.client.get(reverse("checkpoints:household", args=[self.household.pk]))
        self.assertContains(page, "待跟进")
        self.assertContains(self.client.get(reverse("checkpoints:community")), alert.title)
        url = reverse("checkpoints:follow_up", args=[self.household.pk, alert.pk])
        r = self.client.post(url, {"outcome": ""})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "field-error")
        r = self.client.post(url, {"outcome": "已电话回访，体温37.9°C，已送发热门诊"})
        self.assertEqual(r.status_code, 302)
        alert.refresh_from_db()
        self.assertEqual((alert.status, alert.closed_by), ("closed", self.community_a))
        self.assertNotContains(self.client.get(reverse("checkpoints:community")), alert.title)
        # A later finding opens a new follow-up.
        self.visit(contact="on")
        self.assertEqual(Alert.objects.filter(kind="visit_finding", status="open").count(), 1)

    def test_a_visit_without_findings_opens_nothing(self) -> None:
        self.visit()
        self.assertFalse(Alert.objects.filter(kind=alerts.VISIT_FINDING.code).exists())

    def test_another_community_cannot_follow_up(self) -> None:
        self.visit(symptoms="on")
        alert = Alert.objects.get(kind=alerts.VISIT_FINDING.code)
        self.login(self.community_b)
        r = self.client.post(reverse("checkpoints:follow_up",
                                     args=[self.household.pk, alert.pk]), {"outcome": "x"})
        self.assertEqual(r.status_code, 404)

    def test_the_same_visit_form_sent_twice_is_one_visit(self) -> None:
        key = uuid.uuid4()
        for _ in range(2):
            services.record_visit(self.community_a, self.household, client_id=key,
                                  visited_on=DAY, symptoms=True)
        self.assertEqual(ScreeningVisit.objects.count(), 1)


class CallbackNumberTests(CheckpointTestCase):
    def test_the_shared_validator_takes_mobiles_and_landlines(self) -> None:
        for typed, stored in (("0915-3212345", "0915-3212345"), ("09153212345", "0915-3212345"),
                              ("(0915)3212345", "0915-3212345"), ("0915 321 2345", "0915-3212345"),
                              ("029-88661234", "029-88661234"), ("139 1234 5678", "13912345678")):
            self.assertEqual(validate_contact_phone(typed), stored, typed)
        self.assertEqual(mask_phone("0915-3212345"), "0915-*****45")
        self.assertEqual(mask_phone("13912345678"), "139****5678")
        for bad in ("0915-123", "12345", "3212345"):
            with self.assertRaises(IdentityError):
                validate_contact_phone(bad)

    def test_the_staff_tip_form_accepts_a_landline(self) -> None:
        self.login(self.community_a)
        for n, typed in enumerate(("0915-3212345", "09153212345")):
            r = self.client.post(reverse("checkpoints:tips"), {
                "client_id": str(uuid.uuid4()), "community": "610902002002",
                "channel": "phone", "category": "gathering", "content": f"广场聚集{n}",
                "caller_phone": typed})
            self.assertEqual(r.status_code, 302, typed)
        self.assertEqual(set(Tip.objects.values_list("caller_phone", flat=True)),
                         {"0915-3212345"})

    def test_the_public_tip_form_accepts_a_landline(self) -> None:
        r = self.client.post(reverse("checkpoints:public_tip", args=[self.gate_a.public_key]), {
            "client_id": str(uuid.uuid4()), "category": "gathering", "content": "广场有人聚集",
            "caller_phone": "0915-3212345"})
        self.assertIn(r.status_code, (200, 302))
        self.assertEqual(Tip.objects.get().caller_phone, "0915-3212345")

    def test_a_bad_number_is_shown_with_the_tip_form_open(self) -> None:
        self.login(self.community_a)
        r = self.client.post(reverse("checkpoints:tips"), {
            "client_id": str(uuid.uuid4()), "community": "610902002002", "channel": "phone",
            "category": "gathering", "content": "广场聚集", "caller_phone": "0915-12"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, '<details class="card" open>')
        self.assertContains(r, "区号")  # the landline message, in Chinese
        self.assertFalse(Tip.objects.exists())

    def test_a_household_contact_number_may_be_a_landline(self) -> None:
        household, _ = services.save_household(self.community_a, self.community_a_unit,
                                               number="1", address="文昌路1号",
                                               phone="0915-3212345")
        self.assertEqual(household.phone, "0915-3212345")


class HouseholdsTests(CheckpointTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.mine = Household.objects.create(org_unit=cls.community_a_unit, number="2",
                                            address="文昌路3号2单元501室",
                                            assigned_to=cls.community_a)
        cls.other = Household.objects.create(org_unit=cls.community_a_unit, number="10",
                                             address="文昌路9号1单元101室")
        Household.objects.create(org_unit=cls.community_a_unit, number="1",
                                 address="文昌路1号")

    def test_the_assigned_worker_sees_the_address_others_masked(self) -> None:
        self.login(self.community_a)
        page = self.client.get(reverse("checkpoints:household", args=[self.mine.pk]))
        self.assertContains(page, "文昌路3号2单元501室")
        page = self.client.get(reverse("checkpoints:household", args=[self.other.pk]))
        self.assertNotContains(page, "文昌路9号1单元101室")
        listing = self.client.get(reverse("checkpoints:households"))
        self.assertContains(listing, "文昌路3号2单元501室")
        self.assertNotContains(listing, "文昌路9号1单元101室")
        self.login(self.county_a)
        page = self.client.get(reverse("checkpoints:household", args=[self.mine.pk]))
        self.assertNotContains(page, "文昌路3号2单元501室")

    def test_households_sort_naturally(self) -> None:
        self.login(self.community_a)
        page = self.client.get(reverse("checkpoints:households"))
        self.assertEqual([h.number for h in page.context["page"]], ["1", "2", "10"])
        keys = sorted(["3-10-101", "3-2-501", "3-2-1001", "10-1-101", "2-1-101"],
                      key=natural_sort_key)
        self.assertEqual(keys, ["2-1-101", "3-2-501", "3-2-1001", "3-10-101", "10-1-101"])

    def test_my_households(self) -> None:
        self.login(self.community_a)
        page = self.client.get(reverse("checkpoints:households") + "?mine=1")
        self.assertEqual([h.number for h in page.context["page"]], ["2"])

    def test_editing_a_household_assigns_it_and_is_audited(self) -> None:
        self.login(self.community_a)
        url = reverse("checkpoints:household_edit", args=[self.other.pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        r = self.client.post(url, {"number": "1", "address": "x", "phone": ""})
        self.assertEqual(r.status_code, 200)
        self.assertIn("number", r.context["form"].errors)  # number 1 is taken
        r = self.client.post(url, {"number": "10", "address": "文昌路9号1单元102室",
                                   "phone": "0915-3212345", "notes": "独居老人",
                                   "assigned_to": self.community_a.pk})
        self.assertEqual(r.status_code, 302)
        self.other.refresh_from_db()
        self.assertEqual((self.other.address, self.other.phone, self.other.assigned_to),
                         ("文昌路9号1单元102室", "0915-3212345", self.community_a))
        entry = LogEntry.objects.get_for_object(self.other).latest("timestamp")
        self.assertEqual((entry.action, entry.actor), (LogEntry.Action.UPDATE, self.community_a))
        # Another community's worker cannot be assigned, nor edit it.
        with self.assertRaises(ValidationError):
            services.edit_household(self.community_a, self.other, number="10", address="x",
                                    assigned_to=self.community_b)
        self.login(self.community_b)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_another_editor_edits_without_seeing_the_address(self) -> None:
        self.login(self.county_a)
        url = reverse("checkpoints:household_edit", args=[self.mine.pk])
        page = self.client.get(url)
        self.assertNotContains(page, "文昌路3号2单元501室")
        r = self.client.post(url, {"number": "2", "address": "", "phone": "",
                                   "notes": "独居", "assigned_to": self.community_a.pk})
        self.assertEqual(r.status_code, 302)
        self.mine.refresh_from_db()
        self.assertEqual((self.mine.address, self.mine.notes), ("文昌路3号2单元501室", "独居"))

    def test_removing_a_member(self) -> None:
        person = clean_person_data(id_number=make_id_number("610902", date(1980, 1, 1), 7),
                                   name="王芳")
        member, _ = services.add_member(self.community_a, self.mine, person, relation="head",
                                        permanent=True)
        url = reverse("checkpoints:member_remove", args=[self.mine.pk, member.pk])
        self.login(self.community_b)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.login(self.county_a)  # county staff may edit the households of its area
        wrong = reverse("checkpoints:member_remove", args=[self.other.pk, member.pk])
        self.assertEqual(self.client.post(wrong).status_code, 404)  # not that household's
        self.login(self.community_a)
        self.assertEqual(self.client.post(url).status_code, 302)
        self.assertFalse(HouseholdMember.objects.exists())
        self.assertEqual(self.client.post(url).status_code, 302)  # tapped twice: no error
        entry = LogEntry.objects.get_for_object(member).latest("timestamp")
        self.assertEqual((entry.action, entry.actor), (LogEntry.Action.DELETE, self.community_a))


class CheckpointListTests(CheckpointTestCase):
    def test_the_checkpoint_list_searches(self) -> None:
        self.login(self.county_a)
        page = self.client.get(reverse("checkpoints:index") + "?q=西")
        self.assertEqual([c.name for c in page.context["checkpoints"]], ["西门"])
        page = self.client.get(reverse("checkpoints:index") + "?q=临江")
        self.assertEqual([c.name for c in page.context["checkpoints"]], ["江堤路口"])
        page = self.client.get(reverse("checkpoints:index") + "?q=没有")
        self.assertContains(page, "没有")

    def test_editing_a_checkpoint(self) -> None:
        url = reverse("checkpoints:edit", args=[self.gate_a.pk])
        self.login(self.community_b)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login(self.community_a)
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        r = self.client.post(url, {"name": "西门", "kind": "gate", "location": "",
                                   "opened_on": self.gate_a.opened_on.isoformat()})
        self.assertEqual(r.status_code, 200)
        self.assertIn("name", r.context["form"].errors)
        r = self.client.post(url, {"name": "东门（主）", "kind": "road", "location": "文昌路口",
                                   "opened_on": self.gate_a.opened_on.isoformat()})
        self.assertEqual(r.status_code, 302)
        self.gate_a.refresh_from_db()
        self.assertEqual((self.gate_a.name, self.gate_a.kind, self.gate_a.location),
                         ("东门（主）", "road", "文昌路口"))
        entry = LogEntry.objects.get_for_object(self.gate_a).latest("timestamp")
        self.assertEqual((entry.action, entry.actor), (LogEntry.Action.UPDATE, self.community_a))
        future = timezone.localdate() + timedelta(days=3)
        with self.assertRaises(ValidationError):
            services.edit_checkpoint(self.community_a, self.gate_a, name="东门", kind="gate",
                                     opened_on=future)
