"""The care API's lists and help requests (issue #13): workers (phones masked as on the
page) and elderly residents in the caller's scope, paged; a help request through the
page's service, keyed by ``client_id`` (201, then 200; 409 for the key with other
content); out of scope 404; unauthenticated 401."""

from __future__ import annotations

import uuid
from datetime import date

from django.test import Client

from fangkong.care import services
from fangkong.care.models import HelpRequest
from fangkong.care.tests.base import CareTestCase, person

WORKERS = "/api/v1/care/workers"
ELDERLY = "/api/v1/care/elderly"


class Lists(CareTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker_c = cls.make_worker(
            "YH3", cls.community_a_unit, deployment="hubei", deployed_from=date(2020, 2, 1),
            unit_contact="张主任")
        cls.grandma, _c = services.register_elderly(
            cls.hq, cls.tf, cls.community_a_unit, person=person("李奶奶"),
            member_unit=cls.helper_org, address="文昌路18号3单元502室",
            registered_on=date(2020, 2, 1))

    def test_workers_paged_with_masked_phones_and_filters(self) -> None:
        self.login(self.hq)
        r = self.client.get(WORKERS, {"page_size": 2})
        self.assertEqual(r.status_code, 200)
        body = r.json()
        self.assertEqual((body["count"], len(body["results"])), (3, 2))
        self.assertEqual([w["number"] for w in body["results"]], ["YH1", "YH2"])
        self.assertNotIn("13912345678", r.content.decode())
        self.assertEqual(body["results"][0]["phone"][:3], "139")
        r = self.client.get(WORKERS, {"deployment": "hubei", "task_force": self.tf.pk})
        self.assertEqual([w["number"] for w in r.json()["results"]], ["YH3"])
        r = self.client.get(WORKERS, {"deployment": "abroad"})
        self.assertEqual((r.status_code, list(r.json()["fields"])), (400, ["deployment"]))

    def test_the_scope_of_the_pages(self) -> None:
        self.login(self.helper)  # paired with worker A only
        numbers = [w["number"] for w in self.client.get(WORKERS).json()["results"]]
        self.assertEqual(numbers, ["YH1"])
        self.login(self.county_b)
        self.assertEqual(self.client.get(WORKERS, {"task_force": self.tf.pk}).status_code, 404)
        numbers = [w["number"] for w in self.client.get(WORKERS).json()["results"]]
        self.assertEqual(numbers, ["YH2"])
        self.assertEqual(self.client.get(ELDERLY).json()["count"], 0)
        self.login(self.gate)  # no care grant: refused as the pages refuse
        self.assertEqual(self.client.get(WORKERS).status_code, 403)

    def test_elderly_paged_with_masked_addresses(self) -> None:
        self.login(self.hq)
        r = self.client.get(ELDERLY)
        self.assertEqual(r.status_code, 200)
        row = r.json()["results"][0]
        self.assertEqual((row["id"], row["name"], row["kind"]),
                         (self.grandma.pk, "李奶奶", "elderly"))
        self.assertNotIn("502", row["address"])
        self.assertTrue(row["address"])
        self.assertEqual(self.client.get(ELDERLY, {"page": "x"}).status_code, 400)

    def test_unauthenticated_answers_401(self) -> None:
        anonymous = Client()
        for url in (WORKERS, ELDERLY):
            self.assertEqual(anonymous.get(url).status_code, 401, url)
        r = anonymous.post(f"{ELDERLY}/{self.grandma.pk}/requests", {},
                           content_type="application/json")
        self.assertEqual(r.status_code, 401)
        self.assertEqual(set(r.json()), {"error", "fields"})


class HelpRequests(CareTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.grandma, _c = services.register_elderly(
            cls.hq, cls.tf, cls.community_a_unit, person=person("李奶奶"),
            member_unit=cls.helper_org, registered_on=date(2020, 2, 1))

    def post(self, body: dict, pk: int | None = None):
        return self.client.post(f"{ELDERLY}/{pk or self.grandma.pk}/requests", body,
                                content_type="application/json")

    def test_a_request_once_per_key_and_a_reused_key_is_a_conflict(self) -> None:
        self.login(self.task_force)
        body = {"client_id": str(uuid.uuid4()), "kind": "masks", "detail": "N95 两只"}
        first = self.post(body)
        self.assertEqual(first.status_code, 201, first.content)
        again = self.post(body)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(again.json(), first.json())
        conflict = self.post({**body, "kind": "medicine"})
        self.assertEqual(conflict.status_code, 409)
        self.assertEqual(set(conflict.json()), {"error", "fields"})
        self.assertEqual(HelpRequest.objects.count(), 1)
        saved = HelpRequest.objects.get()
        self.assertEqual((saved.kind, saved.elderly_id), ("masks", self.grandma.pk))

    def test_bad_input_names_every_field_and_saves_nothing(self) -> None:
        self.login(self.task_force)
        r = self.post({"client_id": "not-a-key", "kind": "cake"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(set(r.json()["fields"]), {"client_id", "kind"})
        self.assertFalse(HelpRequest.objects.exists())

    def test_out_of_scope_answers_404_and_saves_nothing(self) -> None:
        self.login(self.county_b)
        r = self.post({"client_id": str(uuid.uuid4()), "kind": "masks"})
        self.assertEqual(r.status_code, 404)
        self.login(self.helper)  # not paired with this resident
        self.assertEqual(self.post({"client_id": str(uuid.uuid4()), "kind": "masks"})
                         .status_code, 404)
        self.assertFalse(HelpRequest.objects.exists())
