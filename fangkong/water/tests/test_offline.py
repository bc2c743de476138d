"""The reading form taken offline: the queue's protocol (``core.capture``) and the shell
the service worker keeps (no readings, no names)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from django.utils import timezone

from fangkong.water import services
from fangkong.water.models import Exceedance, Reading
from fangkong.water.tests.base import WaterTestCase


class ReadingQueueTests(WaterTestCase):
    def post(self, **fields):
        taken = timezone.localtime() - timedelta(minutes=20)
        data = {"client_id": str(uuid.uuid4()), "indicator": "free_chlorine",
                "value": "0.1", "taken_at": taken.strftime("%Y-%m-%dT%H:%M"),
                "sampler": "王芳", "instrument": "", "form_version": "2",
                "made_at": (taken + timedelta(minutes=1)).isoformat()}
        data.update(fields)
        return data, self.client.post(f"/water/points/{self.outlet.pk}/", data,
                                      HTTP_FK_QUEUE="1")

    def test_a_queued_reading_is_saved_once_and_judged(self) -> None:
        from fangkong.water.forms import ReadingForm

        self.client.force_login(self.operator)
        data, first = self.post(form_version=ReadingForm.FORM_VERSION)
        self.assertEqual((first.status_code, first["Fk-Outcome"]), (200, "saved"))
        reading = Reading.objects.get()
        self.assertIs(reading.within_limits, False)
        self.assertEqual(reading.made_at, timezone.localtime(
            timezone.datetime.fromisoformat(data["made_at"])))
        self.assertEqual(Exceedance.objects.count(), 1)
        again = self.client.post(f"/water/points/{self.outlet.pk}/", data, HTTP_FK_QUEUE="1")
        self.assertEqual((again.status_code, again["Fk-Outcome"]), (200, "duplicate"))
        # The same key with another value: a conflict, nothing changed.
        clash = self.client.post(f"/water/points/{self.outlet.pk}/", {**data, "value": "0.5"},
                                 HTTP_FK_QUEUE="1")
        self.assertEqual((clash.status_code, clash["Fk-Outcome"]), (409, "conflict"))
        self.assertEqual(Reading.objects.count(), 1)
        self.assertEqual(Exceedance.objects.count(), 1)

    def test_a_queued_reading_with_a_mistake_is_refused_with_the_reason(self) -> None:
        from urllib.parse import unquote

        self.client.force_login(self.operator)
        _data, answer = self.post(indicator="ph", value="15")
        self.assertEqual((answer.status_code, answer["Fk-Outcome"]), (422, "invalid"))
        self.assertIn("0至14", unquote(answer["Fk-Message"]))
        self.assertFalse(Reading.objects.exists())
        # Another utility's operator cannot send into this point.
        self.client.force_login(self.other_operator)
        _data, answer = self.post()
        self.assertEqual(answer.status_code, 404)
        self.assertFalse(Reading.objects.exists())

    def test_the_shell_carries_the_form_but_no_readings_or_names(self) -> None:
        services.record_reading(self.operator, self.outlet, client_id=uuid.uuid4(),
                                indicator="ph", value="7.31",
                                taken_at=timezone.now() - timedelta(hours=1),
                                sampler="王芳")
        self.client.force_login(self.operator)
        page = self.client.get(f"/water/points/{self.outlet.pk}/")
        self.assertContains(page, "7.31")
        self.assertContains(page, "何建平")  # the sampler filled in with the user's name
        shell = self.client.get(f"/water/points/{self.outlet.pk}/", HTTP_FK_SHELL="1")
        self.assertEqual(shell["Fk-Shell"], "1")
        self.assertContains(shell, 'data-offline="water-reading"')
        for private in ("7.31", "王芳"):  # no readings, nobody else's name
            self.assertNotContains(shell, private)
        self.assertNotIn("Fk-Shell", page)

    def test_the_phone_checks_carry_the_servers_messages(self) -> None:
        checks = json.loads(services.phone_checks())
        self.assertEqual((checks["indicators"]["ph"]["low"], checks["indicators"]["ph"]["high"]),
                         ("0", "14"))
        self.assertFalse(checks["indicators"]["ph"]["nd"])
        self.assertTrue(checks["indicators"]["coliforms"]["nd"])
        self.assertIn("%(value)s", checks["indicators"]["ph"]["range"])
        self.assertIn("未检出", checks["nd_words"])
        from django.core.exceptions import ValidationError

        from fangkong.water.quality import SPECS

        try:
            services.parse_value("ph", "15")
        except ValidationError as exc:
            said = exc.message_dict["value"][0]
        self.assertEqual(said, services.out_of_range(SPECS["ph"], "15"))
        self.assertEqual(said, checks["indicators"]["ph"]["range"].replace("%(value)s", "15"))
