from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fangkong.checkpoints import indicators, services
from fangkong.checkpoints.models import Outsider, TemperatureCheck
from fangkong.checkpoints.tests.base import ID_B, CheckpointTestCase
from fangkong.core import pii
from fangkong.core.models import Alert
from fangkong.core.services.people import clean_person_data

ARRIVED = date(2020, 2, 10)


def local(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


class OutsiderTestCase(CheckpointTestCase):
    def setUp(self) -> None:
        self.outsider, created = services.register_outsider(
            self.community_a, self.community_a_unit,
            clean_person_data(id_number=ID_B, name="李娜", phone="13900002222"),
            arrived_on=ARRIVED, origin="湖北武汉", host_address="文昌路2号",
            from_watched_area=True,
        )
        self.assertTrue(created)
        Outsider.objects.filter(pk=self.outsider.pk).update(created_at=local(ARRIVED, 9))
        self.outsider.refresh_from_db()

    def test_it_observes_for_14_days_counting_the_day_of_arrival(self) -> None:
        self.assertEqual(self.outsider.last_observation_day, date(2020, 2, 23))
        self.assertEqual(self.outsider.release_from, date(2020, 2, 24))
        with self.assertRaises(ValidationError):
            services.release_outsider(self.community_a, self.outsider, today=date(2020, 2, 23))
        services.release_outsider(self.community_a, self.outsider, today=date(2020, 2, 24))
        self.outsider.refresh_from_db()
        self.assertEqual((self.outsider.status, self.outsider.released_on),
                         ("released", date(2020, 2, 24)))
        unit = self.community_a_unit
        self.assertEqual(indicators.outsiders_observing(unit, date(2020, 2, 23)), 1)
        self.assertEqual(indicators.outsiders_observing(unit, date(2020, 2, 24)), 0)
        self.assertEqual(indicators.outsiders_observing(unit, date(2020, 2, 9)), 0)

    def test_it_registers_the_same_person_once_while_observed(self) -> None:
        again, created = services.register_outsider(
            self.community_a, self.community_a_unit,
            clean_person_data(id_number=ID_B, name="李娜"), arrived_on=ARRIVED,
            origin="湖北武汉", host_address="文昌路2号")
        self.assertFalse(created)
        self.assertEqual(again.pk, self.outsider.pk)

    def test_it_lists_missed_checks(self) -> None:
        for day, slot in ((ARRIVED, "am"), (ARRIVED, "pm"), (ARRIVED + timedelta(1), "pm")):
            services.record_temperature(self.community_a, self.outsider, day=day, slot=slot,
                                        temperature=Decimal("36.5"))
        missed = services.missed_checks(self.outsider, now=local(ARRIVED + timedelta(2), 13))
        self.assertEqual(missed, [(ARRIVED + timedelta(1), "am"), (ARRIVED + timedelta(2), "am")])
        late = services.missed_checks(self.outsider, now=local(date(2020, 3, 1), 8))
        self.assertEqual(len(late), 28 - 3)  # 14 days × 2, three recorded, none after day 14

    def test_it_does_not_count_slots_before_registration_on_the_day_of_arrival(self) -> None:
        Outsider.objects.filter(pk=self.outsider.pk).update(created_at=local(ARRIVED, 15))
        self.outsider.refresh_from_db()
        missed = services.missed_checks(self.outsider, now=local(ARRIVED, 23))
        self.assertEqual(missed, [(ARRIVED, "pm")])

    def test_it_raises_a_fever_alert_and_holds_the_release(self) -> None:
        check, _ = services.record_temperature(self.community_a, self.outsider, day=ARRIVED,
                                               slot="pm", temperature=Decimal("37.8"))
        self.assertTrue(check.fever)
        alert = Alert.objects.get(kind="fever")
        with self.assertRaises(ValidationError):
            services.release_outsider(self.community_a, self.outsider, today=date(2020, 3, 1))
        self.assertEqual(indicators.fevers(self.community_a_unit, ARRIVED), 1)
        # Held past day 14 by the open alert, the person's checks go on.
        late = ARRIVED + timedelta(days=16)
        with mock.patch("django.utils.timezone.localdate", return_value=late):
            _check, created = services.record_temperature(
                self.community_a, self.outsider, day=late, slot="am",
                temperature=Decimal("36.6"))
        self.assertTrue(created)
        alert.status = "closed"
        alert.save()
        services.release_outsider(self.community_a, self.outsider, today=date(2020, 3, 1))

    def test_it_refuses_a_second_different_value_for_one_slot(self) -> None:
        services.record_temperature(self.community_a, self.outsider, day=ARRIVED, slot="am",
                                    temperature=Decimal("36.5"))
        _check, created = services.record_temperature(
            self.community_a, self.outsider, day=ARRIVED, slot="am",
            temperature=Decimal("36.5"))
        self.assertFalse(created)
        with self.assertRaises(ValidationError):
            services.record_temperature(self.community_a, self.outsider, day=ARRIVED, slot="am",
                                        temperature=Decimal("36.9"))
        with self.assertRaises(ValidationError):
            services.record_temperature(self.community_a, self.outsider,
                                        day=ARRIVED + timedelta(days=14), slot="am",
                                        temperature=Decimal("36.5"))
        self.assertEqual(TemperatureCheck.objects.count(), 1)

    def test_it_records_checks_from_the_page_with_field_errors(self) -> None:
        self.login(self.community_a)
        url = reverse("checkpoints:outsider_check", args=[self.outsider.pk])
        r = self.client.post(url, {"day": "2020-02-11", "slot": "am", "temperature": "36.55"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "field-error")
        r = self.client.post(url, {"day": "2020-02-11", "slot": "am", "temperature": "36.5"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(TemperatureCheck.objects.count(), 1)
        self.login(self.community_b)
        self.assertEqual(self.client.post(url, {"day": "2020-02-11", "slot": "pm",
                                                "temperature": "36.5"}).status_code, 404)

    def test_it_shows_missed_checks_on_the_register(self) -> None:
        self.login(self.community_a)
        with mock.patch("django.utils.timezone.now", return_value=local(date(2020, 2, 12), 13)):
            r = self.client.get(reverse("checkpoints:outsiders"))
        self.assertEqual(len(r.context["page"][0].missed), 5)

    def test_it_keeps_the_host_address_masked_on_the_page_and_in_the_history(self) -> None:
        self.login(self.community_a)
        r = self.client.get(reverse("checkpoints:outsider", args=[self.outsider.pk]))
        self.assertNotContains(r, "文昌路2号")
        self.assertContains(r, pii.value(self.outsider, "host_address"))
        entry = LogEntry.objects.get_for_object(self.outsider).get()
        self.assertNotIn("文昌路2号", str(entry.changes))
        self.assertIn("host_address", entry.changes)

    def test_it_refuses_an_arrival_before_the_epidemic(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            services.register_outsider(
                self.community_a, self.community_a_unit,
                clean_person_data(id_number=ID_B, name="李娜"), arrived_on=date(1900, 1, 1),
                origin="湖北武汉", host_address="文昌路2号")
        self.assertIn("arrived_on", ctx.exception.message_dict)
