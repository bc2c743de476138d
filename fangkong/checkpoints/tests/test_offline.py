"""The server's side of the phone's queue (``core.capture``), for every queued kind:
the same key with the same content → 200 with the first record; the same key with other
content → 409 with a readable message; a retired form version → taken for the grace
period, then refused with a message that says what to do; an unknown version → refused.
Time truth: the phone's made-at time dates the record; a record that arrives after its
day was reported is counted in that day and flagged for the reviewer. Runs on SQLite
and PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import unquote

from django.test import override_settings
from django.utils import timezone

from fangkong.checkpoints.models import (
    Household,
    Inspection,
    Passage,
    PassageDaily,
    PatrolLog,
    ScreeningVisit,
    Tip,
)
from fangkong.checkpoints.tests.base import ID_A, CheckpointTestCase
from fangkong.core import capture
from fangkong.core.forms import KeyedForm
from fangkong.core.models import Alert

QUEUE = {"HTTP_FK_QUEUE": "1"}
HTMX = {"HTTP_FK_QUEUE": "1", "HTTP_HX_REQUEST": "true"}


def message(response) -> str:
    return unquote(response.get("Fk-Message", ""))


class QueueRuleTests(CheckpointTestCase):
    def passage(self, **overrides):
        body = {"client_id": str(uuid.uuid4()), "form_version": KeyedForm.FORM_VERSION,
                "made_at": "", "direction": "in", "name": "张伟", "id_number": ID_A,
                "phone": "13800001111", "temperature": "36.5", "mask": "on",
                "resident": "on"}
        body.update(overrides)
        return body

    def register(self, body, headers=HTMX):
        self.client.force_login(self.gate)
        return self.client.post(f"/checkpoints/duty/{self.gate_a.pk}/register", body,
                                **headers)

    def test_the_same_key_and_content_answers_200_with_the_first_passage(self) -> None:
        body = self.passage()
        first = self.register(body)
        again = self.register(body)
        self.assertEqual((first.status_code, first["Fk-Outcome"]), (200, "saved"))
        self.assertEqual((again.status_code, again["Fk-Outcome"]), (200, "duplicate"))
        self.assertEqual(Passage.objects.count(), 1)
        self.assertEqual(PassageDaily.objects.get().passages_in, 1)
        self.assertContains(again, 'id="duty-panel"')  # the panel, as for htmx

    def test_the_same_key_with_other_content_answers_409_with_a_message(self) -> None:
        body = self.passage()
        self.register(body)
        changed = self.register({**body, "temperature": "37.9"})
        self.assertEqual((changed.status_code, changed["Fk-Outcome"]), (409, "conflict"))
        self.assertIn("已按其他内容保存过", message(changed))
        self.assertEqual(Passage.objects.count(), 1)

    def test_a_bad_record_answers_422_with_the_fields_messages(self) -> None:
        response = self.register(self.passage(temperature="47"))
        self.assertEqual((response.status_code, response["Fk-Outcome"]), (422, "invalid"))
        self.assertIn("34.0 至 43.0", message(response))
        self.assertContains(response, "34.0 至 43.0", status_code=422)  # beside the field
        self.assertFalse(Passage.objects.exists())

    def test_a_page_request_keeps_its_status(self) -> None:
        """The page's own htmx request (no Fk-Queue) gets the panel with 200, as before:
        htmx swaps only 2xx answers."""
        response = self.register(self.passage(temperature="47"),
                                 headers={"HTTP_HX_REQUEST": "true"})
        self.assertEqual((response.status_code, response["Fk-Outcome"]), (200, "invalid"))

    def test_a_retired_version_is_taken_during_the_grace_period_then_refused(self) -> None:
        retired = KeyedForm.RETIRED_VERSIONS["1"]
        body = self.passage(form_version="1")
        with override_settings(FANGKONG_FORM_GRACE_DAYS=(timezone.localdate() - retired).days):
            taken = self.register(body)
        self.assertEqual((taken.status_code, taken["Fk-Outcome"]), (200, "saved"))
        late = self.passage(form_version="1")
        with override_settings(
                FANGKONG_FORM_GRACE_DAYS=(timezone.localdate() - retired).days - 1):
            refused = self.register(late)
        self.assertEqual((refused.status_code, refused["Fk-Outcome"]), (409, "version"))
        self.assertIn("旧版表单", message(refused))
        self.assertIn("修改", message(refused))  # says what to do
        self.assertEqual(Passage.objects.count(), 1)

    def test_a_post_naming_no_version_is_read_as_the_current_one_after_any_grace(self) -> None:
        """Only the phone's queue sends a version; a post without one (a script, a page
        rendered before versions) is not a retired version, whatever the date."""
        body = self.passage()
        body.pop("form_version")
        # As if the grace of version 1 had ended long ago (a year before today).
        gone = (KeyedForm.RETIRED_VERSIONS["1"] - timezone.localdate()).days - 365
        with override_settings(FANGKONG_FORM_GRACE_DAYS=gone):
            self.assertIsNotNone(capture.version_error(KeyedForm, "1"))
            taken = self.register(body)
        self.assertEqual((taken.status_code, taken["Fk-Outcome"]), (200, "saved"))
        self.assertEqual(Passage.objects.count(), 1)

    def test_an_unknown_version_is_refused_with_a_message(self) -> None:
        refused = self.register(self.passage(form_version="99"))
        self.assertEqual((refused.status_code, refused["Fk-Outcome"]), (409, "version"))
        self.assertIn("刷新页面", message(refused))
        self.assertFalse(Passage.objects.exists())

    def test_the_phone_time_dates_the_passage_and_the_arrival_is_kept(self) -> None:
        made = timezone.localtime() - dt.timedelta(hours=30)
        self.register(self.passage(made_at=made.isoformat()))
        passage = Passage.objects.get()
        self.assertEqual(passage.occurred_at, made)
        self.assertEqual(passage.made_at, made)
        self.assertEqual(passage.day, made.date())  # counted on the day it was made
        self.assertEqual(PassageDaily.objects.get().day, made.date())
        self.assertGreater(passage.created_at, made + dt.timedelta(hours=29))  # arrived now

    def test_a_phone_clock_ahead_is_not_believed(self) -> None:
        self.register(self.passage(made_at=(timezone.now() + dt.timedelta(hours=3))
                                   .isoformat()))
        passage = Passage.objects.get()
        self.assertIsNone(passage.made_at)
        self.assertLess(abs((passage.occurred_at - timezone.now()).total_seconds()), 60)

    def test_quick_in_and_confirm_replays_are_not_errors(self) -> None:
        self.register(self.passage())
        earlier = Passage.objects.get()
        self.client.force_login(self.gate)
        url = f"/checkpoints/duty/{self.gate_a.pk}/quick/{earlier.pk}/out"
        body = {"client_id": str(uuid.uuid4()), "form_version": "2", "made_at": ""}
        first = self.client.post(url, body, **HTMX)
        again = self.client.post(url, body, **HTMX)
        self.assertEqual([first["Fk-Outcome"], again["Fk-Outcome"]], ["saved", "duplicate"])
        self.assertEqual(Passage.objects.filter(direction="out").count(), 1)
        old = self.client.post(url, {**body, "client_id": str(uuid.uuid4()),
                                     "form_version": "0"}, **HTMX)
        self.assertEqual((old.status_code, old["Fk-Outcome"]), (409, "version"))

        selfreg = self.client.post(f"/checkpoints/r/{self.gate_a.public_key}/", self.passage(
            name="李娜", phone="13800002222"), **QUEUE)
        self.assertEqual(selfreg["Fk-Outcome"], "saved")
        self.assertIn("/done/", selfreg["Fk-Location"])
        pending = Passage.objects.get(status="pending")
        url = f"/checkpoints/duty/{self.gate_a.pk}/confirm/{pending.pk}"
        first = self.client.post(url, {"action": "confirm", "temperature": "36.6"}, **HTMX)
        again = self.client.post(url, {"action": "confirm", "temperature": "36.6"}, **HTMX)
        self.assertEqual([first["Fk-Outcome"], again["Fk-Outcome"]], ["saved", "duplicate"])
        self.assertEqual(again.status_code, 200)


class QueuedRegisterTests(CheckpointTestCase):
    """Patrols, inspections, tips and door-to-door visits: the same rule."""

    def setUp(self) -> None:
        self.client.force_login(self.community_a)

    def post(self, url, body):
        return self.client.post(url, body, **QUEUE)

    def keyed(self, **fields):
        return {"client_id": str(uuid.uuid4()), "form_version": "2", "made_at": "", **fields}

    def check_rule(self, url, body, model, change):
        first, again = self.post(url, body), self.post(url, body)
        self.assertEqual((first.status_code, first["Fk-Outcome"]), (200, "saved"))
        self.assertEqual((again.status_code, again["Fk-Outcome"]), (200, "duplicate"))
        self.assertEqual(model.objects.count(), 1)
        changed = self.post(url, {**body, **change})
        self.assertEqual((changed.status_code, changed["Fk-Outcome"]), (409, "conflict"))
        self.assertTrue(message(changed))
        self.assertEqual(model.objects.count(), 1)

    def test_patrols(self) -> None:
        today = timezone.localdate().isoformat()
        self.check_rule("/checkpoints/patrols/", self.keyed(
            community=self.community_a_unit.code, day=today, area="江堤",
            gatherings_dispersed="2", people_persuaded="5"), PatrolLog,
            {"people_persuaded": "6"})

    def test_inspections(self) -> None:
        today = timezone.localdate().isoformat()
        self.check_rule("/checkpoints/inspections/", self.keyed(
            community=self.community_a_unit.code, kind="venue", venue_type="other",
            place="超市", day=today), Inspection, {"place": "药店"})

    def test_tips_take_the_phone_time(self) -> None:
        made = timezone.localtime() - dt.timedelta(hours=2)
        body = self.keyed(community=self.community_a_unit.code, channel="phone",
                          category="gathering", content="楼下聚集", made_at=made.isoformat())
        self.check_rule("/checkpoints/tips/", body, Tip, {"content": "别的事"})
        tip = Tip.objects.get()
        self.assertEqual(tip.received_at, made)
        self.assertEqual(tip.made_at, made)

    def test_visits(self) -> None:
        household = Household.objects.create(org_unit=self.community_a_unit, number="3",
                                             address="文昌路3号")
        body = self.keyed(visited_on=timezone.localdate().isoformat(), people_present="2",
                          symptoms="on")
        self.check_rule(f"/checkpoints/households/{household.pk}/visit", body,
                        ScreeningVisit, {"people_present": "3"})
        self.assertTrue(ScreeningVisit.objects.get().symptoms)

    def test_an_invalid_record_is_422_with_the_message(self) -> None:
        response = self.post("/checkpoints/patrols/", self.keyed(
            community=self.community_a_unit.code, day=timezone.localdate().isoformat(),
            area="", gatherings_dispersed="-1"))
        self.assertEqual((response.status_code, response["Fk-Outcome"]), (422, "invalid"))
        self.assertTrue(message(response))
        self.assertFalse(PatrolLog.objects.exists())


class LateArrivalTests(CheckpointTestCase):
    """A record from the queue whose day was already reported: counted in that day,
    flagged, and the reviewer told (an alert on the unit)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        from fangkong.reports import services as report_services
        from fangkong.reports.models import Reporter, Status, Submission
        from fangkong.reports.tests.base import make_form

        form = make_form()
        report_services.add_reporters(cls.hq, form, units=[cls.community_a_unit])
        reporter = Reporter.objects.get(form=form, code=cls.community_a_unit.code)
        cls.reported_day = timezone.localdate() - dt.timedelta(days=1)
        Submission.objects.create(form=form, reporter=reporter, date=cls.reported_day,
                                  status=Status.SUBMITTED, org_unit=cls.community_a_unit,
                                  submitted_at=timezone.now())

    def test_a_passage_made_yesterday_arrives_after_the_report(self) -> None:
        made = timezone.make_aware(dt.datetime.combine(self.reported_day, dt.time(15, 0)))
        self.client.force_login(self.gate)
        self.client.post(f"/checkpoints/duty/{self.gate_a.pk}/register", {
            "client_id": str(uuid.uuid4()), "form_version": "2", "made_at": made.isoformat(),
            "direction": "in", "name": "张伟", "id_number": ID_A, "temperature": "36.5",
            "mask": "on", "resident": "on"}, **HTMX)
        passage = Passage.objects.get()
        self.assertTrue(passage.arrived_late)
        self.assertEqual(passage.day, self.reported_day)
        self.assertEqual(PassageDaily.objects.get(day=self.reported_day).passages_in, 1)
        alert = Alert.objects.get(kind="late_record")
        self.assertEqual(alert.org_unit, self.community_a_unit)
        self.assertIn(str(self.reported_day), alert.title)

    def test_every_visit_is_kept_with_its_made_at_and_a_late_one_is_flagged(self) -> None:
        """Door-to-door visits keep every visit (a second one the same day is a second
        record, a finding opens the household's follow-up) and carry the phone's time:
        one queued yesterday, whose day was reported, is flagged and announced."""
        household = Household.objects.create(org_unit=self.community_a_unit, number="7",
                                             address="文昌路7号")
        self.client.force_login(self.community_a)
        made = timezone.make_aware(dt.datetime.combine(self.reported_day, dt.time(16, 0)))
        url = f"/checkpoints/households/{household.pk}/visit"
        body = {"client_id": str(uuid.uuid4()), "form_version": "2",
                "made_at": made.isoformat(), "visited_on": self.reported_day.isoformat(),
                "people_present": "2", "symptoms": "on"}
        first, again = self.client.post(url, body, **QUEUE), self.client.post(url, body, **QUEUE)
        self.assertEqual([first["Fk-Outcome"], again["Fk-Outcome"]], ["saved", "duplicate"])
        visit = ScreeningVisit.objects.get()
        self.assertEqual((visit.made_at, visit.arrived_late), (made, True))
        self.assertEqual(Alert.objects.filter(kind="late_record").count(), 1)
        self.assertEqual(Alert.objects.filter(kind="visit_finding", status="open").count(), 1)
        self.assertTrue(message(first))  # the follow-up warning goes back to the phone
        changed = self.client.post(url, {**body, "people_present": "3"}, **QUEUE)
        self.assertEqual((changed.status_code, changed["Fk-Outcome"]), (409, "conflict"))
        second = self.client.post(url, {**body, "client_id": str(uuid.uuid4()),
                                        "made_at": "", "people_present": "3"}, **QUEUE)
        self.assertEqual(second["Fk-Outcome"], "saved")
        self.assertEqual(ScreeningVisit.objects.filter(
            household=household, visited_on=self.reported_day).count(), 2)
        self.assertFalse(ScreeningVisit.objects.get(people_present=3).arrived_late)

    def test_a_live_record_and_an_unreported_day_are_not_flagged(self) -> None:
        self.client.force_login(self.community_a)
        today = timezone.localdate()
        made = timezone.localtime() - dt.timedelta(hours=1)
        self.client.post("/checkpoints/patrols/", {
            "client_id": str(uuid.uuid4()), "form_version": "2", "made_at": made.isoformat(),
            "community": self.community_a_unit.code, "day": today.isoformat(), "area": "江堤",
            "gatherings_dispersed": "1", "people_persuaded": "1"}, **QUEUE)
        patrol = PatrolLog.objects.get()
        self.assertFalse(patrol.arrived_late)  # today was not reported
        self.client.post("/checkpoints/patrols/", {
            "client_id": str(uuid.uuid4()), "form_version": "2",
            "made_at": (timezone.localtime() - dt.timedelta(hours=20)).isoformat(),
            "community": self.community_a_unit.code, "day": self.reported_day.isoformat(),
            "area": "河堤", "gatherings_dispersed": "1", "people_persuaded": "1"}, **QUEUE)
        self.assertTrue(PatrolLog.objects.get(area="河堤").arrived_late)
        self.assertTrue(capture.is_late(PatrolLog.objects.get(area="河堤")))
        self.assertEqual(Alert.objects.filter(kind="late_record").count(), 1)


class SessionAndWorkerTests(CheckpointTestCase):
    def test_the_session_answer_gives_a_token_and_says_who(self) -> None:
        anonymous = self.client.get("/core/offline/session").json()
        self.assertIsNone(anonymous["user"])
        self.assertTrue(anonymous["csrf"])
        self.client.force_login(self.gate)
        self.assertEqual(self.client.get("/core/offline/session").json()["user"], self.gate.pk)

    def test_the_worker_is_served_at_the_root_with_a_version(self) -> None:
        response = self.client.get("/sw.js")
        self.assertEqual(response["Service-Worker-Allowed"], "/")
        self.assertNotIn(b"__VERSION__", response.content)
        self.assertIn(response["Fk-Shell-Version"].encode(), response.content)
        self.assertIn("worker-src 'self'", response["Content-Security-Policy"])

    def test_the_shell_carries_no_personal_data(self) -> None:
        self.client.force_login(self.gate)
        self.client.post(f"/checkpoints/duty/{self.gate_a.pk}/register", {
            "client_id": str(uuid.uuid4()), "form_version": "2", "direction": "in",
            "name": "张伟", "id_number": ID_A, "temperature": "36.5", "mask": "on",
            "resident": "on"})
        page = self.client.get(f"/checkpoints/duty/{self.gate_a.pk}/")
        self.assertContains(page, "张*")
        shell = self.client.get(f"/checkpoints/duty/{self.gate_a.pk}/", HTTP_FK_SHELL="1")
        self.assertEqual(shell["Fk-Shell"], "1")
        self.assertNotContains(shell, "张*")
        self.assertNotContains(shell, ID_A[-4:])
        self.assertContains(shell, "离线：今日人员和数字在网络恢复后显示")  # not "nobody today"
        self.assertNotIn("Fk-Shell", page)  # the worker caches only the shell

    def test_logging_out_clears_the_sites_storage(self) -> None:
        self.client.force_login(self.gate)
        response = self.client.post("/accounts/logout/")
        self.assertIn('"storage"', response["Clear-Site-Data"])
