import json
import uuid

from auditlog.models import LogEntry
from django.utils import timezone

from fangkong.checkpoints import api, validation
from fangkong.checkpoints.models import Passage, PassageDaily
from fangkong.checkpoints.tests.base import ID_A, ID_B, CheckpointTestCase, passage_body
from fangkong.core.models import Alert, Person


class PassageApiTestCase(CheckpointTestCase):
    def setUp(self) -> None:
        self.token = self.token_for(self.gate)

    def test_it_registers_a_passage_and_counts_it(self) -> None:
        r = self.post_passage(self.gate_a, passage_body(), self.token)
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertFalse(body["fever"])
        self.assertFalse(body["plate_flagged"])
        self.assertEqual(body["temperature"], "36.5")
        self.assertEqual(body["person"]["name"], "张*")
        self.assertNotIn(ID_A, json.dumps(body))
        passage = Passage.objects.get(pk=body["id"])
        self.assertEqual(passage.person.id_number, ID_A)
        self.assertEqual(passage.recorded_by, self.gate)
        self.assertEqual(passage.channel, "staff")
        self.assertEqual(passage.status, "confirmed")
        daily = PassageDaily.objects.get(checkpoint=self.gate_a, day=timezone.localdate())
        self.assertEqual((daily.passages_in, daily.passages_out), (1, 0))

    def test_it_returns_the_first_record_for_a_repeated_client_id(self) -> None:
        body = passage_body()
        first = self.post_passage(self.gate_a, body, self.token)
        again = self.post_passage(self.gate_a, body, self.token)
        self.assertEqual(first.status_code, 201)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(first.json()["id"], again.json()["id"])
        self.assertEqual(Passage.objects.count(), 1)
        daily = PassageDaily.objects.get(checkpoint=self.gate_a)
        self.assertEqual(daily.passages_in, 1)

    def test_it_refuses_a_repeated_client_id_with_other_content_with_409(self) -> None:
        """A retry with another reading once answered 200 with the first record: the
        fever reading sent the second time was dropped without a word."""
        body = passage_body(occurred_at=timezone.now().replace(microsecond=0).isoformat())
        self.assertEqual(self.post_passage(self.gate_a, body, self.token).status_code, 201)
        for changed in ({"temperature": "38.5"}, {"id_number": ID_B}, {"direction": "out"},
                        {"plate": ""}, {"occurred_at": timezone.now().isoformat()}):
            r = self.post_passage(self.gate_a, {**body, **changed}, self.token,
                                  HTTP_ACCEPT_LANGUAGE="en")
            self.assertEqual(r.status_code, 409, changed)
            self.assertEqual(list(r.json()["fields"]), ["client_id"], changed)
            self.assertIn("other content", r.json()["fields"]["client_id"][0])
        r = self.post_passage(self.gate_a, {**body, "temperature": "38.5"}, self.token,
                              HTTP_ACCEPT_LANGUAGE="zh-CN")
        self.assertIn("client_id", r.json()["fields"]["client_id"][0])
        self.assertNotIn("other content", r.json()["fields"]["client_id"][0])
        self.assertEqual(self.post_passage(self.gate_a, body, self.token).status_code, 200)
        self.assertEqual(Passage.objects.count(), 1)
        self.assertFalse(Alert.objects.filter(kind="fever").exists())

    def test_it_opens_a_fever_alert_at_the_threshold(self) -> None:
        r = self.post_passage(self.gate_a, passage_body(temperature="37.3"), self.token)
        self.assertEqual(r.status_code, 201, r.content)
        self.assertTrue(r.json()["fever"])
        alert = Alert.objects.get(kind="fever")
        self.assertEqual(alert.status, "open")
        self.assertEqual(alert.subject, f"checkpoints.passage:{r.json()['id']}")
        self.assertEqual(alert.org_unit, self.community_a_unit)
        r = self.post_passage(self.gate_a, passage_body(temperature=37.2), self.token)
        self.assertFalse(r.json()["fever"])
        self.assertEqual(Alert.objects.filter(kind="fever").count(), 1)

    def test_it_flags_plates_of_a_watched_province(self) -> None:
        r = self.post_passage(self.gate_a, passage_body(plate="鄂a·12345", id_number=ID_B,
                                                        resident=False, origin="武汉"),
                              self.token)
        self.assertEqual(r.status_code, 201, r.content)
        self.assertTrue(r.json()["plate_flagged"])
        self.assertEqual(r.json()["plate"], "鄂A12345")
        self.assertTrue(Alert.objects.filter(kind="plate", status="open").exists())
        self.assertEqual(PassageDaily.objects.get().plates_flagged, 1)
        self.assertEqual(PassageDaily.objects.get().outsiders, 1)

    def test_it_answers_404_for_checkpoints_out_of_scope_or_unknown(self) -> None:
        for checkpoint_id in (self.gate_a2.pk, self.gate_b.pk, 999999):
            r = self.client.post(f"/api/v1/checkpoints/{checkpoint_id}/passages",
                                 data=json.dumps(passage_body()),
                                 content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Bearer {self.token}")
            self.assertEqual(r.status_code, 404, checkpoint_id)
            self.assertEqual(set(r.json()), {"error", "fields"})
        r = self.post_passage(self.gate_a, passage_body(), self.token_for(self.community_b))
        self.assertEqual(r.status_code, 404)
        self.assertEqual(Passage.objects.count(), 0)

    def test_it_needs_a_token(self) -> None:
        r = self.post_passage(self.gate_a, passage_body())
        self.assertEqual(r.status_code, 401)
        r = self.post_passage(self.gate_a, passage_body(), "fk_wrong")
        self.assertEqual(r.status_code, 401)
        self.assertEqual(Passage.objects.count(), 0)

    def test_it_audits_the_real_address_not_a_forged_header(self) -> None:
        """auditlog's middleware believed any X-Forwarded-For; text that is no address
        made PostgreSQL refuse the audit entry (inet column), failing the request."""
        for forged in ("hello", "6.6.6.6"):
            r = self.post_passage(self.gate_a, passage_body(), self.token,
                                  HTTP_X_FORWARDED_FOR=forged, REMOTE_ADDR="10.2.3.4")
            self.assertEqual(r.status_code, 201, r.content)
            entry = LogEntry.objects.get_for_object(Passage.objects.get(pk=r.json()["id"])).get()
            self.assertEqual(entry.remote_addr, "10.2.3.4")
        # The person the first passage registered: written by the ORM, acting as the user.
        person = LogEntry.objects.get_for_object(Person.objects.get(id_number=ID_A)).get()
        self.assertEqual((person.remote_addr, person.actor), ("10.2.3.4", self.gate))

    def test_it_keeps_the_order_of_refusals_for_a_bad_body(self) -> None:
        """401 before 404/409 before 400, also when the body is refused first."""
        bad = passage_body(temperature=50)
        self.assertEqual(self.post_passage(self.gate_a, bad, "fk_wrong").status_code, 401)
        self.assertEqual(self.post_passage(self.gate_a, "{bad", "fk_wrong").status_code, 401)
        self.assertEqual(self.post_passage(self.gate_b, bad, self.token).status_code, 404)
        self.assertEqual(self.post_passage(self.gate_b, "{bad", self.token).status_code, 404)
        self.gate_a.is_active = False
        self.gate_a.save()
        self.assertEqual(self.post_passage(self.gate_a, bad, self.token).status_code, 409)
        self.assertEqual(self.post_passage(self.gate_a, passage_body(), self.token).status_code,
                         409)
        self.gate_a.is_active = True
        self.gate_a.save()
        r = self.post_passage(self.gate_a, bad, self.token)
        self.assertEqual(r.status_code, 400)
        self.assertIn("temperature", r.json()["fields"])
        self.assertEqual(Passage.objects.count(), 0)

    def test_it_refuses_bad_input_with_field_errors(self) -> None:
        cases = {
            "temperature": [33.9, 43.1, "36.55", 36.55, "abc", True, "NaN"],
            "id_number": ["610902198005011234", "61090219800501123", "abc"],
            "phone": ["12345", "23800001111", "+1 202 555 0100"],
            "plate": ["沪12345", "京A1234", "X A12345"],
            "client_id": [None, "not-a-uuid"],
            "direction": [None, "up"],
        }
        for field, values in cases.items():
            for value in values:
                body = passage_body(**{field: value})
                if value is None:
                    body.pop(field, None)
                r = self.post_passage(self.gate_a, body, self.token)
                self.assertEqual(r.status_code, 400, (field, value, r.content))
                self.assertIn(field, r.json()["fields"], (field, value))
                self.assertTrue(r.json()["fields"][field][0])
        for raw in ("{bad json", "[]", "null", '"x"'):
            r = self.post_passage(self.gate_a, raw, self.token)
            self.assertEqual(r.status_code, 400, raw)
            self.assertIn("error", r.json())
        self.assertEqual(Passage.objects.count(), 0)
        self.assertEqual(Person.objects.count(), 0)

    def test_it_refuses_null_characters_that_postgresql_cannot_store(self) -> None:
        for body in (passage_body(name="张\u0000伟"),
                     passage_body(resident=False, origin="武\u0000汉")):
            r = self.post_passage(self.gate_a, body, self.token)
            self.assertEqual(r.status_code, 400, r.content)
            self.assertEqual(len(r.json()["fields"]), 1)
        self.assertEqual((Passage.objects.count(), Person.objects.count()), (0, 0))

    def test_it_accepts_one_decimal_and_integers(self) -> None:
        for value, stored in ((36, "36.0"), ("36.5", "36.5"), (" 37.0 ", "37.0"), (43, "43.0")):
            r = self.post_passage(self.gate_a, passage_body(temperature=value), self.token)
            self.assertEqual(r.status_code, 201, (value, r.content))
            self.assertEqual(r.json()["temperature"], stored)

    def test_it_needs_origin_for_outsiders_and_temperature_for_in(self) -> None:
        r = self.post_passage(self.gate_a, passage_body(resident=False, origin=""), self.token)
        self.assertIn("origin", r.json()["fields"])
        r = self.post_passage(self.gate_a, passage_body(temperature=None), self.token)
        self.assertIn("temperature", r.json()["fields"])
        r = self.post_passage(self.gate_a, passage_body(temperature=None, direction="out"),
                              self.token)
        self.assertEqual(r.status_code, 201)

    def test_it_speaks_the_requests_language(self) -> None:
        r = self.post_passage(self.gate_a, passage_body(temperature=50), self.token,
                              HTTP_ACCEPT_LANGUAGE="en")
        self.assertIn("between 34.0 and 43.0", r.json()["fields"]["temperature"][0])
        r = self.post_passage(self.gate_a, passage_body(temperature=50), self.token,
                              HTTP_ACCEPT_LANGUAGE="zh-CN")
        self.assertIn("34.0", r.json()["fields"]["temperature"][0])
        self.assertNotIn("between", r.json()["fields"]["temperature"][0])

    def test_it_refuses_a_client_id_used_at_another_checkpoint(self) -> None:
        token = self.token_for(self.community_a)
        body = passage_body()
        self.assertEqual(self.post_passage(self.gate_a, body, token).status_code, 201)
        r = self.post_passage(self.gate_a2, body, token)
        self.assertEqual(r.status_code, 400)
        self.assertIn("client_id", r.json()["fields"])

    def test_it_lists_a_days_passages_masked(self) -> None:
        self.post_passage(self.gate_a, passage_body(), self.token)
        r = self.client.get(f"/api/v1/checkpoints/{self.gate_a.pk}/passages",
                            HTTP_AUTHORIZATION=f"Bearer {self.token}")
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["count"], 1)
        self.assertNotIn(ID_A, r.content.decode())
        yesterday = (timezone.localdate() - timezone.timedelta(days=1)).isoformat()
        r = self.client.get(f"/api/v1/checkpoints/{self.gate_a.pk}/passages?date={yesterday}",
                            HTTP_AUTHORIZATION=f"Bearer {self.token}")
        self.assertEqual(r.status_code, 404)  # duty users: today only
        worker = self.token_for(self.community_a)
        r = self.client.get(f"/api/v1/checkpoints/{self.gate_a.pk}/passages?date={yesterday}",
                            HTTP_AUTHORIZATION=f"Bearer {worker}")
        self.assertEqual(r.json()["count"], 0)
        r = self.client.get(f"/api/v1/checkpoints/{self.gate_a.pk}/passages?date=2020-13-01",
                            HTTP_AUTHORIZATION=f"Bearer {worker}")
        self.assertEqual(r.status_code, 400)
        self.assertIn("date", r.json()["fields"])

    def test_it_pages_a_days_register_with_the_one_pager(self) -> None:
        for _n in range(3):
            self.post_passage(self.gate_a, passage_body(), self.token)
        url = f"/api/v1/checkpoints/{self.gate_a.pk}/passages"
        auth = {"HTTP_AUTHORIZATION": f"Bearer {self.token}", "HTTP_ACCEPT_LANGUAGE": "en"}
        r = self.client.get(url, **auth)
        self.assertEqual(list(r.json()), ["date", "count", "page", "page_size", "results"])
        self.assertEqual((r.json()["count"], r.json()["page_size"]), (3, 100))
        r = self.client.get(url, {"page": 2, "page_size": 2}, **auth)
        self.assertEqual((len(r.json()["results"]), r.json()["page"]), (1, 2))
        self.assertEqual(self.client.get(url, {"page_size": 500}, **auth).status_code, 200)
        r = self.client.get(url, {"page_size": 501, "page": 0, "date": "2020-02-30"}, **auth)
        self.assertEqual(r.status_code, 400)
        self.assertEqual(set(r.json()["fields"]), {"page_size", "page", "date"})
        self.assertEqual(r.json()["fields"]["date"], ["Give the date as YYYY-MM-DD."])
        worker = {**auth, "HTTP_AUTHORIZATION": f"Bearer {self.token_for(self.community_a)}"}
        tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
        for raw in (tomorrow, "1900-01-01"):
            r = self.client.get(url, {"date": raw}, **worker)
            self.assertEqual(r.status_code, 400, raw)
            self.assertEqual(list(r.json()["fields"]), ["date"])

    def test_it_lists_the_callers_checkpoints(self) -> None:
        r = self.client.get("/api/v1/checkpoints", HTTP_AUTHORIZATION=f"Bearer {self.token}")
        self.assertEqual([c["id"] for c in r.json()], [self.gate_a.pk])
        self.assertEqual(r.json()[0]["community"], "610902002002")
        r = self.client.get("/api/v1/checkpoints",
                            HTTP_AUTHORIZATION=f"Bearer {self.token_for(self.county_a)}")
        self.assertEqual({c["id"] for c in r.json()},
                         {self.gate_a.pk, self.gate_a2.pk, self.gate_linjiang.pk})

    def test_it_accepts_the_session_with_csrf(self) -> None:
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.community_a)
        r = client.post(f"/api/v1/checkpoints/{self.gate_a.pk}/passages",
                        data=json.dumps(passage_body()), content_type="application/json")
        self.assertEqual(r.status_code, 403)
        client.get("/")  # sets the CSRF cookie
        token = client.cookies["csrftoken"].value
        r = client.post(f"/api/v1/checkpoints/{self.gate_a.pk}/passages",
                        data=json.dumps(passage_body(client_id=str(uuid.uuid4()))),
                        content_type="application/json", HTTP_X_CSRFTOKEN=token)
        self.assertEqual(r.status_code, 201, r.content)


class PassageSchemaTestCase(CheckpointTestCase):
    """The OpenAPI document describes the hot path's hand-written validator and payload
    (``validation.clean_passage``, ``api.passage_payload``); they must not drift apart."""

    def test_the_documented_request_is_what_the_validator_accepts(self) -> None:
        self.assertEqual(set(api.PassageInSerializer().fields), validation.FIELDS)

    def test_the_documented_answer_is_what_the_endpoint_sends(self) -> None:
        r = self.post_passage(self.gate_a, passage_body(), self.token_for(self.gate))
        self.assertEqual(set(api.PassageOutSerializer().fields), set(r.json()))
        person = api.PassageOutSerializer().fields["person"]
        self.assertEqual(set(person.fields), set(r.json()["person"]))
