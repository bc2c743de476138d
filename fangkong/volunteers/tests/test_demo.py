"""The demo step's records and the figures read back from them (SCENARIO.md, issue #13
item 14). Reads the session's demo city (conftest.py)."""

from datetime import date

import pytest
from django.test import TestCase

from fangkong.core.models import Notice, OrgUnit
from fangkong.supplies.models import Kind, Movement
from fangkong.volunteers import api, indicators
from fangkong.volunteers.models import Assignment, Drive, DutyLog, Status, Volunteer


@pytest.mark.demo
class DemoVolunteers(TestCase):
    def test_the_audit_bureaus_drive_had_21_signups_within_about_an_hour(self) -> None:
        drive = Drive.objects.get(organisation__code="sjj", opened_at__date=date(2020, 2, 14))
        payload = api.drive_payload(drive)
        self.assertEqual((payload["signups"], payload["target"]), (21, 20))
        self.assertLessEqual(payload["minutes_to_fill"], 60)
        last = drive.signups.order_by("-submitted_at").first().submitted_at
        self.assertLessEqual((last - drive.opened_at).total_seconds(), 3600)

    def test_five_staff_from_02_11_then_20_plus_volunteers_at_linjiangs_checkpoints(self) -> None:
        first = Assignment.objects.filter(shift__org_unit__code="610902003001",
                                          shift__starts_at__date=date(2020, 2, 11))
        self.assertEqual(first.count(), 5)
        gates = Assignment.objects.filter(shift__site__checkpoint__isnull=False,
                                          shift__org_unit__code="610902003001",
                                          check_in_at__isnull=False)
        self.assertGreaterEqual(gates.values("volunteer").distinct().count(), 20)

    def test_wenchangs_seven_party_member_volunteers(self) -> None:
        party = Volunteer.objects.filter(org_unit__code="610902002002", political="party")
        self.assertEqual(party.count(), 7)
        self.assertTrue(Assignment.objects.filter(volunteer__in=party,
                                                  shift__party_members_only=True).exists())

    def test_volunteer01_has_shifts_and_a_place_to_confirm(self) -> None:
        mine = Assignment.objects.filter(volunteer__user__username="volunteer01")
        self.assertGreater(mine.filter(status=Status.CONFIRMED).count(), 5)
        self.assertTrue(mine.filter(status=Status.OFFERED).exists())
        self.assertTrue(Notice.objects.filter(user__username="volunteer01",
                                              kind="volunteers.offer").exists())

    def test_the_0221_delivery_is_one_issue_made_by_the_duty_log(self) -> None:
        log = DutyLog.objects.get(movement__isnull=False)
        issue = Movement.objects.get(kind=Kind.ISSUE, day=date(2020, 2, 21),
                                     warehouse__name="市审计局物资柜")
        self.assertEqual(log.movement_id, issue.pk)
        self.assertEqual(issue.recipient_id, log.pk)

    def test_indicators_read_the_records(self) -> None:
        city = OrgUnit.objects.get(code="610900")
        self.assertGreater(indicators.on_duty(city, date(2020, 3, 2)), 0)
        self.assertGreater(indicators.hours(city, date(2020, 3, 2)),
                           indicators.hours(city, date(2020, 2, 20)))
        self.assertEqual(indicators.signups(city, date(2020, 2, 14)), 21)
