import uuid
from datetime import timedelta

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from fangkong.checkpoints.models import DutyRoster, Passage, PassageDaily, Tip
from fangkong.checkpoints.tests.base import ID_A, CheckpointTestCase
from fangkong.core.models import Alert


def form_data(**overrides):
    data = {
        "client_id": str(uuid.uuid4()), "direction": "in", "name": "张伟", "id_number": ID_A,
        "phone": "13800001111", "temperature": "36.6", "plate": "", "mask": "on",
        "resident": "on", "origin": "",
    }
    data.update(overrides)
    return data


class DutyScreenTestCase(CheckpointTestCase):
    def test_it_shows_a_duty_user_only_todays_rostered_checkpoint(self) -> None:
        self.login(self.gate)
        r = self.client.get(reverse("checkpoints:duty"))
        self.assertRedirects(r, reverse("checkpoints:duty_screen", args=[self.gate_a.pk]))
        r = self.client.get(reverse("checkpoints:duty_screen", args=[self.gate_a.pk]))
        self.assertContains(r, "东门")
        for other in (self.gate_a2, self.gate_b, self.gate_linjiang):
            r = self.client.get(reverse("checkpoints:duty_screen", args=[other.pk]))
            self.assertEqual(r.status_code, 404)
            r = self.client.post(reverse("checkpoints:duty_register", args=[other.pk]),
                                 form_data())
            self.assertEqual(r.status_code, 404)
        self.assertEqual(Passage.objects.count(), 0)

    def test_it_forgets_yesterdays_roster(self) -> None:
        DutyRoster.objects.filter(pk=self.roster.pk).update(
            day=timezone.localdate() - timedelta(days=1))
        self.login(self.gate)
        r = self.client.get(reverse("checkpoints:duty_screen", args=[self.gate_a.pk]))
        self.assertEqual(r.status_code, 404)
        r = self.client.get(reverse("checkpoints:duty"))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.context["checkpoints"], [])

    def test_it_registers_from_the_duty_screen_once_per_key(self) -> None:
        self.login(self.gate)
        data = form_data()
        url = reverse("checkpoints:duty_register", args=[self.gate_a.pk])
        r = self.client.post(url, data, HTTP_HX_REQUEST="true")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "张*")
        self.assertNotContains(r, ID_A)
        self.client.post(url, data, HTTP_HX_REQUEST="true")
        self.assertEqual(Passage.objects.count(), 1)
        self.assertEqual(PassageDaily.objects.get().passages_in, 1)

    def test_it_shows_field_errors_and_saves_nothing(self) -> None:
        self.login(self.gate)
        r = self.client.post(reverse("checkpoints:duty_register", args=[self.gate_a.pk]),
                             form_data(temperature="45", id_number="123", plate="X1"),
                             HTTP_HX_REQUEST="true")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "field-error", count=3)
        self.assertEqual(Passage.objects.count(), 0)

    def test_it_registers_a_recent_person_out_with_one_tap(self) -> None:
        self.login(self.gate)
        self.client.post(reverse("checkpoints:duty_register", args=[self.gate_a.pk]),
                         form_data())
        first = Passage.objects.get()
        url = reverse("checkpoints:duty_quick", args=[self.gate_a.pk, first.pk, "out"])
        key = str(uuid.uuid4())
        self.client.post(url, {"client_id": key}, HTTP_HX_REQUEST="true")
        self.client.post(url, {"client_id": key}, HTTP_HX_REQUEST="true")
        self.assertEqual(Passage.objects.filter(direction="out").count(), 1)
        self.assertEqual(Passage.objects.get(direction="out").person, first.person)
        url = reverse("checkpoints:duty_quick", args=[self.gate_a.pk, first.pk, "in"])
        r = self.client.post(url, {"client_id": str(uuid.uuid4())}, HTTP_HX_REQUEST="true")
        self.assertEqual(r.status_code, 200)
        # "enter the body temperature", in the person's row (issue #11, item 1)
        self.assertEqual(r.context["row_error"]["person"], first.person_id)
        self.assertContains(r, 'aria-invalid="true"')
        self.assertEqual(Passage.objects.filter(direction="in").count(), 1)

    def test_quick_in_and_out_reach_only_todays_register(self) -> None:
        self.login(self.gate)
        self.client.post(reverse("checkpoints:duty_register", args=[self.gate_a.pk]),
                         form_data(mask=""))
        first = Passage.objects.get()
        self.assertFalse(first.mask)
        Passage.objects.filter(pk=first.pk).update(day=timezone.localdate() - timedelta(days=1))
        url = reverse("checkpoints:duty_quick", args=[self.gate_a.pk, first.pk, "out"])
        r = self.client.post(url, {"client_id": str(uuid.uuid4())}, HTTP_HX_REQUEST="true")
        self.assertEqual(r.status_code, 404)
        Passage.objects.filter(pk=first.pk).update(day=timezone.localdate())
        self.client.post(url, {"client_id": str(uuid.uuid4())}, HTTP_HX_REQUEST="true")
        self.assertFalse(Passage.objects.get(direction="out").mask)  # as recorded, not True

    def test_an_expired_session_reloads_the_duty_page_at_the_login_form(self) -> None:
        """An HTMX call once got the login page swapped into the panel, and after the
        login came back to a POST-only address."""
        screen = reverse("checkpoints:duty_screen", args=[self.gate_a.pk])
        r = self.client.post(reverse("checkpoints:duty_register", args=[self.gate_a.pk]),
                             form_data(), HTTP_HX_REQUEST="true",
                             HTTP_HX_CURRENT_URL=f"http://testserver{screen}")
        self.assertEqual(r.status_code, 204)
        self.assertEqual(r["HX-Redirect"], f"{reverse('login')}?next={screen}")
        self.assertFalse(Passage.objects.exists())

    def test_it_opens_a_fever_alert_from_the_duty_screen(self) -> None:
        self.login(self.gate)
        r = self.client.post(reverse("checkpoints:duty_register", args=[self.gate_a.pk]),
                             form_data(temperature="38.2"), HTTP_HX_REQUEST="true")
        self.assertContains(r, "38.2")
        self.assertEqual(Alert.objects.filter(kind="fever", status="open").count(), 1)


class SelfRegistrationTestCase(CheckpointTestCase):
    @override_settings(FANGKONG_RATE_LIMITS={"selfreg_address": (2, 600)})
    def test_it_slows_down_a_flood_from_one_address(self) -> None:
        url = reverse("checkpoints:selfreg", args=[self.gate_a.public_key])
        for _ in range(2):
            self.assertEqual(self.client.post(url, form_data(client_id=str(uuid.uuid4())))
                             .status_code, 302)
        r = self.client.post(url, form_data(client_id=str(uuid.uuid4()), name="李四"))
        self.assertEqual(r.status_code, 429)
        self.assertEqual(r["Retry-After"], "300")
        self.assertContains(r, "提交过于频繁", status_code=429)
        self.assertContains(r, "李四", status_code=429)  # what was typed is kept
        self.assertEqual(Passage.objects.count(), 2)
        # Another phone at the same gate is not held up; nor is this one at another gate.
        other = self.client.post(url, form_data(client_id=str(uuid.uuid4())),
                                 REMOTE_ADDR="10.0.0.9")
        self.assertEqual(other.status_code, 302)
        gate_a2 = reverse("checkpoints:selfreg", args=[self.gate_a2.public_key])
        self.assertEqual(self.client.post(gate_a2, form_data(client_id=str(uuid.uuid4())))
                         .status_code, 302)

    @override_settings(FANGKONG_RATE_LIMITS={"tip_unit": (1, 3600)})
    def test_it_limits_tips_per_community(self) -> None:
        url = reverse("checkpoints:public_tip", args=[self.gate_a.public_key])
        data = {"category": "venue_open", "content": "小区门口麻将馆开门了"}
        r = self.client.post(url, {**data, "client_id": str(uuid.uuid4())})
        self.assertEqual(r.status_code, 200)
        r = self.client.post(url, {**data, "client_id": str(uuid.uuid4())},
                             REMOTE_ADDR="10.0.0.9")
        self.assertEqual(r.status_code, 429)
        self.assertEqual(Tip.objects.count(), 1)

    def test_it_registers_anonymously_as_pending_until_staff_confirm(self) -> None:
        url = reverse("checkpoints:selfreg", args=[self.gate_a.public_key])
        r = self.client.get(url)
        self.assertContains(r, "东门")
        data = form_data(temperature="37.5")
        r = self.client.post(url, data)
        passage = Passage.objects.get()
        self.assertRedirects(r, reverse("checkpoints:selfreg_done",
                                        args=[self.gate_a.public_key, passage.client_id]))
        self.assertEqual((passage.status, passage.channel), ("pending", "self"))
        self.assertIsNone(passage.recorded_by)
        self.assertFalse(Alert.objects.exists())  # alerts wait for the staff
        self.assertFalse(PassageDaily.objects.exists())
        again = self.client.post(url, data)  # a retry after a timeout
        self.assertEqual(again.status_code, 302)
        self.assertEqual(Passage.objects.count(), 1)
        done = self.client.get(r.url)
        self.assertContains(done, "张*")
        self.assertNotContains(done, ID_A)

        self.login(self.gate)
        screen = self.client.get(reverse("checkpoints:duty_screen", args=[self.gate_a.pk]))
        self.assertContains(screen, "pending-row")
        # A tap on "confirm" with no measured reading confirms nothing (item 5): the
        # resident's own reading is used only when the staff say so.
        r = self.client.post(reverse("checkpoints:duty_confirm",
                                     args=[self.gate_a.pk, passage.pk]),
                             {"action": "confirm"}, HTTP_HX_REQUEST="true")
        self.assertContains(r, "或按居民自报的体温确认")
        passage.refresh_from_db()
        self.assertEqual(passage.status, "pending")
        r = self.client.post(reverse("checkpoints:duty_confirm",
                                     args=[self.gate_a.pk, passage.pk]),
                             {"action": "confirm_self"}, HTTP_HX_REQUEST="true")
        self.assertEqual(r.status_code, 200)
        passage.refresh_from_db()
        self.assertEqual(passage.status, "confirmed")
        self.assertEqual(passage.recorded_by, self.gate)
        self.assertTrue(passage.fever)
        self.assertTrue(Alert.objects.filter(kind="fever", status="open").exists())
        daily = PassageDaily.objects.get()
        # A fever is registered, not let in (item 2).
        self.assertEqual((daily.passages_in, daily.self_registered, daily.fevers), (0, 1, 1))
        self.assertEqual(passage.outcome, "refused")
        r = self.client.post(reverse("checkpoints:duty_confirm",
                                     args=[self.gate_a.pk, passage.pk]),
                             {"action": "confirm_self"})
        self.assertEqual(PassageDaily.objects.get().fevers, 1)  # not counted twice

    def test_it_lets_staff_correct_the_temperature_when_confirming(self) -> None:
        self.client.post(reverse("checkpoints:selfreg", args=[self.gate_a.public_key]),
                         form_data(temperature="36.2"))
        passage = Passage.objects.get()
        self.login(self.gate)
        self.client.post(reverse("checkpoints:duty_confirm", args=[self.gate_a.pk, passage.pk]),
                         {"action": "confirm", "temperature": "37.4"})
        passage.refresh_from_db()
        self.assertEqual(str(passage.temperature), "37.4")
        self.assertTrue(passage.fever)

    def test_it_needs_a_phone_and_shows_errors(self) -> None:
        r = self.client.post(reverse("checkpoints:selfreg", args=[self.gate_a.public_key]),
                             form_data(phone="", temperature="34"))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "field-error")
        self.assertEqual(Passage.objects.count(), 0)

    def test_it_hides_closed_and_unknown_checkpoints(self) -> None:
        self.gate_a2.is_active = False
        self.gate_a2.save()
        for key in (self.gate_a2.public_key, "nope"):
            r = self.client.get(reverse("checkpoints:selfreg", args=[key]))
            self.assertEqual(r.status_code, 404)

    def test_it_lets_staff_discard_a_registration(self) -> None:
        self.client.post(reverse("checkpoints:selfreg", args=[self.gate_a.public_key]),
                         form_data())
        passage = Passage.objects.get()
        self.login(self.gate)
        self.client.post(reverse("checkpoints:duty_confirm", args=[self.gate_a.pk, passage.pk]),
                         {"action": "reject"})
        passage.refresh_from_db()
        self.assertEqual(passage.status, "rejected")
        self.assertFalse(PassageDaily.objects.exists())


class RetryWithOtherContentTestCase(CheckpointTestCase):
    """The same key with other content is refused on every surface, not only the API: a
    duty worker whose phone timed out and who re-measured a fever must not be told
    "already registered" while the first reading stays."""

    def test_the_duty_screen_refuses_a_changed_retry(self) -> None:
        self.login(self.gate)
        url = reverse("checkpoints:duty_register", args=[self.gate_a.pk])
        data = form_data(temperature="36.5")
        self.client.post(url, data, HTTP_HX_REQUEST="true")
        r = self.client.post(url, {**data, "temperature": "38.6"}, HTTP_HX_REQUEST="true")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(Passage.objects.count(), 1)
        self.assertEqual(str(Passage.objects.get().temperature), "36.5")
        self.assertNotContains(r, "已登记")
        self.assertNotEqual(r.context["form"]["client_id"].value(), data["client_id"])

    def test_the_service_refuses_a_changed_retry(self) -> None:
        from django.core.exceptions import ValidationError

        from fangkong.checkpoints import services
        from fangkong.checkpoints.tests.base import passage_body
        from fangkong.checkpoints.validation import clean_passage

        body = passage_body(temperature=36.5)
        services.register_passage(self.gate, self.gate_a, clean_passage(body))
        for change in ({"temperature": 38.6}, {"direction": "out"}):
            with self.subTest(change), self.assertRaises(ValidationError) as caught:
                services.register_passage(self.gate, self.gate_a,
                                          clean_passage({**body, **change}))
            self.assertIn("client_id", caught.exception.message_dict)
        passage, created = services.register_passage(self.gate, self.gate_a,
                                                     clean_passage(body))
        self.assertFalse(created)
        self.assertEqual(Passage.objects.count(), 1)
