"""The API of issue #16 item 8."""

from __future__ import annotations

import json

from fangkong.supplies.models import Movement
from fangkong.supplies.tests.base import SuppliesCase, key


class Api(SuppliesCase):
    def post(self, **body):
        return self.client.post("/api/v1/supplies/movements", json.dumps(body),
                                content_type="application/json")

    def test_receipt_201_retry_200_overdraw_409(self) -> None:
        self.client.force_login(self.hq)
        k = key()
        body = {"client_id": k, "kind": "receipt", "warehouse": self.city_store.pk,
                "item": "mask-kn95", "quantity": "10", "reason": "市级调拨",
                "day": "2020-02-20"}
        r = self.post(**body)
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["balance"], {"warehouse": self.city_store.pk,
                                               "item": "mask-kn95", "quantity": "10"})
        again = self.post(**body)
        self.assertEqual((again.status_code, again.json()), (200, r.json()))
        changed = self.post(**{**body, "quantity": "11"})
        self.assertEqual(changed.status_code, 409)
        over = self.post(client_id=key(), kind="issue", warehouse=self.city_store.pk,
                         item="mask-kn95", quantity="12", reason="东门卡点", day="2020-02-20")
        self.assertEqual(over.status_code, 409)
        self.assertEqual(over.json()["available"], "10")
        self.assertIn("10", over.json()["fields"]["quantity"][0])
        ok = self.post(client_id=key(), kind="issue", warehouse=self.city_store.pk,
                       item="mask-kn95", quantity="4", reason="东门卡点", day="2020-02-20")
        self.assertEqual((ok.status_code, ok.json()["balance"]["quantity"]), (201, "6"))

    def test_transfer_and_adjustment(self) -> None:
        self.client.force_login(self.hq)
        self.stock(self.city_store, self.mask, 20)
        r = self.post(client_id=key(), kind="transfer", warehouse=self.city_store.pk,
                      to_warehouse=self.wenchang_store.pk, item="mask-kn95", quantity="5",
                      day="2020-02-20")
        self.assertEqual(r.status_code, 201)
        self.assertEqual(r.json()["movement"]["state"], "in_transit")
        same = self.post(client_id=key(), kind="transfer", warehouse=self.city_store.pk,
                         to_warehouse=self.city_store.pk, item="mask-kn95", quantity="5",
                         day="2020-02-20")
        self.assertEqual(same.status_code, 400)
        self.assertIn("to_warehouse", same.json()["fields"])
        adj = self.post(client_id=key(), kind="adjustment", warehouse=self.city_store.pk,
                        item="mask-kn95", quantity="14", reason="盘点", day="2020-02-20")
        self.assertEqual((adj.status_code, adj.json()["balance"]["quantity"]), (201, "14"))

    def test_bad_input_names_every_field_and_saves_nothing(self) -> None:
        self.client.force_login(self.hq)
        r = self.post(client_id="x", kind="gift", warehouse=self.city_store.pk, item="mask-kn95",
                      quantity="1", colour="red")
        self.assertEqual(r.status_code, 400)
        self.assertLessEqual({"client_id", "kind", "colour"}, set(r.json()["fields"]))
        for q in ("0", "-3", "abc"):
            r = self.post(client_id=key(), kind="receipt", warehouse=self.city_store.pk,
                          item="mask-kn95", quantity=q, day="2020-02-20")
            self.assertEqual(r.status_code, 400)
            self.assertIn("quantity", r.json()["fields"])
        r = self.post(client_id=key(), kind="issue", warehouse=self.wenchang_store.pk,
                      item="alcohol-500", quantity="1", reason="x", day="2020-02-20")
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Movement.objects.count(), 0)

    def test_scope(self) -> None:
        self.client.force_login(self.community_a)
        ids = {w["id"] for w in self.client.get("/api/v1/supplies/warehouses").json()}
        self.assertEqual(ids, {self.wenchang_store.pk})
        r = self.post(client_id=key(), kind="receipt", warehouse=self.other_store.pk,
                      item="mask-kn95", quantity="1", day="2020-02-20")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(self.client.get(
            f"/api/v1/supplies/balances?warehouse={self.other_store.pk}").status_code, 404)
        self.assertEqual(self.client.get(
            f"/api/v1/supplies/balances?warehouse={self.wenchang_store.pk}").json(),
            [{"item": "mask-kn95", "quantity": "0"}])
        self.assertEqual(len(self.client.get("/api/v1/supplies/items").json()), 3)
        self.client.force_login(self.province)
        r = self.post(client_id=key(), kind="receipt", warehouse=self.city_store.pk,
                      item="mask-kn95", quantity="1", day="2020-02-20")
        self.assertEqual(r.status_code, 403)
