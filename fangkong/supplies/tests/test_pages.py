"""The pages: scope (404 outside), the movement forms with their keys, errors next to
their fields, the stock card and the ledger for a period."""

from __future__ import annotations

import io
import uuid
from datetime import date

from openpyxl import load_workbook

from fangkong.supplies import services
from fangkong.supplies.models import Kind, Movement
from fangkong.supplies.services import Line
from fangkong.supplies.tests.base import DAY, SuppliesCase, key


class Pages(SuppliesCase):
    def test_the_warehouse_list_shows_what_the_user_may_see(self) -> None:
        self.client.force_login(self.community_a)
        page = self.client.get("/supplies/").content.decode()
        self.assertIn("文昌社区物资点", page)
        self.assertNotIn("北城社区物资点", page)
        self.assertNotIn("市物资储备库", page)
        self.assertEqual(self.client.get(f"/supplies/warehouses/{self.other_store.pk}/")
                         .status_code, 404)
        self.assertEqual(self.client.get(
            f"/supplies/warehouses/{self.other_store.pk}/items/mask-kn95/").status_code, 404)

    def test_a_liaison_runs_its_organisations_store_only(self) -> None:
        self.client.force_login(self.member_liaison)
        page = self.client.get("/supplies/").content.decode()
        self.assertIn("审计局物资柜", page)
        self.assertNotIn("市物资储备库", page)
        self.assertEqual(self.client.get(f"/supplies/warehouses/{self.bureau_store.pk}/receive/")
                         .status_code, 200)

    def test_the_alerts_inbox_is_linked_only_for_those_who_may_open_it(self) -> None:
        services.stock_item(self.hq, self.bureau_store, self.mask, reorder_level=10)
        self.client.force_login(self.member_liaison)
        self.assertEqual(self.client.get("/core/alerts/?kind=low_stock").status_code, 403)
        for url in ("/supplies/", "/supplies/needs/", "/supplies/items/",
                    f"/supplies/warehouses/{self.bureau_store.pk}/"):
            with self.subTest(url=url):
                self.assertNotContains(self.client.get(url), "/core/alerts/")
        # The liaison still sees how many of its store's items are below their level.
        page = self.client.get("/supplies/")
        self.assertEqual(page.context["low_items"], 1)
        self.assertContains(page, "低于补货线的物资")
        self.client.force_login(self.hq)
        self.assertContains(self.client.get("/supplies/"), "/core/alerts/?kind=low_stock")
        self.assertEqual(self.client.get("/core/alerts/?kind=low_stock").status_code, 200)

    def test_a_viewer_cannot_open_the_forms(self) -> None:
        self.client.force_login(self.province)
        self.assertEqual(self.client.get(f"/supplies/warehouses/{self.city_store.pk}/")
                         .status_code, 200)
        self.assertEqual(self.client.get(f"/supplies/warehouses/{self.city_store.pk}/issue/")
                         .status_code, 403)

    def test_receive_then_an_overdrawing_issue_is_refused_next_to_the_quantity(self) -> None:
        self.client.force_login(self.hq)
        url = f"/supplies/warehouses/{self.city_store.pk}/"
        k = key()
        data = {"client_id": k, "item": "mask-kn95", "quantity": "30", "source": "donation",
                "donor": "红十字会", "day": "2020-02-20"}
        r = self.client.post(url + "receive/", data)
        self.assertEqual(r.status_code, 302)
        self.client.post(url + "receive/", data)  # sent again: no second receipt
        self.assertEqual(Movement.objects.filter(kind=Kind.RECEIPT).count(), 1)
        r = self.client.post(url + "issue/", {
            "client_id": key(), "item": "mask-kn95", "quantity": "31", "day": "2020-02-20",
            "recipient_kind": "person", "recipient_label": "王芳"})
        self.assertEqual(r.status_code, 200)
        form = r.context["form"]
        self.assertIn("30", form.errors["quantity"][0])
        self.assertEqual(self.balance(self.city_store, self.mask), 30)

    def test_a_transfer_is_received_on_the_destinations_page(self) -> None:
        self.stock(self.city_store, self.mask, 100)
        t, _ = services.send_transfer(self.hq, self.city_store, self.wenchang_store,
                                      client_id=key(), day=DAY, lines=[Line(self.mask, 60)])
        self.client.force_login(self.community_a)
        page = self.client.get(f"/supplies/warehouses/{self.wenchang_store.pk}/")
        self.assertContains(page, f"/transfers/{t.pk}/receive/")
        r = self.client.post(f"/supplies/warehouses/{self.wenchang_store.pk}/transfers/"
                             f"{t.pk}/receive/", {
                                 "client_id": key(), "day": "2020-02-21",
                                 f"received_{self.mask.pk}": "70"})
        self.assertIn("60", r.context["form"].errors[f"received_{self.mask.pk}"][0])
        r = self.client.post(f"/supplies/warehouses/{self.wenchang_store.pk}/transfers/"
                             f"{t.pk}/receive/", {
                                 "client_id": key(), "day": "2020-02-21",
                                 f"received_{self.mask.pk}": "58",
                                 f"damaged_{self.mask.pk}": "2"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(self.balance(self.wenchang_store, self.mask), 58)
        # The source's staff cannot receive it (not their store): 404 through the URL.
        self.client.force_login(self.community_b)
        self.assertEqual(self.client.get(f"/supplies/warehouses/{self.wenchang_store.pk}/"
                                         f"transfers/{t.pk}/receive/").status_code, 404)

    def test_cancel_from_the_movement_page(self) -> None:
        m = self.stock(self.city_store, self.mask, 10)
        self.client.force_login(self.hq)
        url = f"/supplies/warehouses/{self.city_store.pk}/movements/{m.pk}/"
        r = self.client.post(url, {"client_id": key(), "day": "2020-02-21", "reason": ""})
        self.assertIn("reason", r.context["form"].errors)
        r = self.client.post(url, {"client_id": key(), "day": "2020-02-21", "reason": "录错"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(self.balance(self.city_store, self.mask), 0)
        # A movement of another warehouse is not reachable through this one.
        other = self.stock(self.wenchang_store, self.mask, 5)
        self.assertEqual(self.client.get(f"/supplies/warehouses/{self.city_store.pk}/movements/"
                                         f"{other.pk}/").status_code, 404)

    def test_the_ledger_for_a_period_and_its_export(self) -> None:
        self.stock(self.city_store, self.mask, 100, day=date(2020, 2, 1))
        self.stock(self.city_store, self.mask, 50, day=date(2020, 2, 10))
        services.issue(self.hq, self.city_store, client_id=key(), day=date(2020, 2, 12),
                       lines=[Line(self.mask, 30)], recipient_kind="checkpoint",
                       recipient_label="东门")
        self.stock(self.city_store, self.mask, 7, day=date(2020, 3, 1))
        self.client.force_login(self.hq)
        q = "?date_from=2020-02-05&date_to=2020-02-29"
        r = self.client.get(f"/supplies/warehouses/{self.city_store.pk}/ledger/{q}")
        row = next(x for x in r.context["rows"] if x["b"].item_id == self.mask.pk)
        self.assertEqual((row["b"].opening, row["b"].inflow, row["outflow"], row["closing"]),
                         (100, 50, 30, 120))
        r = self.client.get(f"/supplies/warehouses/{self.city_store.pk}/export/{q}")
        sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        mask_row = next(x for x in rows if x[0] == "mask-kn95")
        self.assertEqual([float(v) for v in mask_row[4:8]], [100, 50, 30, 120])
        self.client.force_login(self.community_b)
        self.assertEqual(self.client.get(f"/supplies/warehouses/{self.city_store.pk}/export/{q}")
                         .status_code, 404)

    def test_the_shortage_board_and_stock_card(self) -> None:
        services.post_need(self.community_a, self.wenchang_store, client_id=key(),
                           item=self.mask, quantity=None, needed_by=None, posted_on=DAY)
        services.post_need(self.community_a, self.wenchang_store, client_id=key(),
                           item=self.mask, quantity=200, needed_by=date(2020, 2, 22),
                           posted_on=DAY)
        self.client.force_login(self.county_a)
        r = self.client.get("/supplies/needs/?date=2020-02-25")
        board = r.context["board"]
        self.assertEqual([c.need.quantity for c in board], [200, None])
        self.assertContains(r, "3")
        self.stock(self.wenchang_store, self.mask, 12, actor=self.community_a)
        r = self.client.get(f"/supplies/warehouses/{self.wenchang_store.pk}/items/mask-kn95/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.context["balance"].quantity, 12)

    def test_new_warehouse_and_item(self) -> None:
        self.client.force_login(self.community_a)
        r = self.client.post("/supplies/", {"unit": "610902002002", "name": "二号物资点"})
        self.assertEqual(r.status_code, 302)
        r = self.client.post("/supplies/", {"unit": "610924100001", "name": "越权"})
        self.assertIn("unit", r.context["form"].errors)
        self.assertEqual(self.client.post("/supplies/items/", {}).status_code, 403)
        self.client.force_login(self.hq)
        r = self.client.post("/supplies/items/", {
            "code": "suit", "name": "医用防护服", "category": "protective",
            "standard": "GB 19082-2009", "unit": "套", "pack_size": "1", "whole_units": "on"})
        self.assertEqual(r.status_code, 302)
        self.assertContains(self.client.get("/supplies/items/"), "GB 19082-2009")
        uuid.uuid4()
