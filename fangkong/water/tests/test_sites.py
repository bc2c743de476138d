"""Adding and editing stations and sampling points from the pages."""

from __future__ import annotations

import uuid

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from fangkong.water.models import SamplingPoint, Station
from fangkong.water.tests.base import WaterTestCase


class SitePagesTests(WaterTestCase):
    def point_data(self, **kw: str) -> dict[str, str]:
        data = {"client_id": str(uuid.uuid4()), "name": "朝阳小区二次供水",
                "point_type": "secondary", "station": str(self.works.pk),
                "disinfectant": "chloramine", "near_kind": "estate", "near_name": "朝阳小区",
                "unit": self.community_a2_unit.code, "address": "朝阳路8号"}
        data.update(kw)
        return data

    def test_an_operator_adds_a_station_and_a_point_once(self) -> None:
        self.login(self.operator)
        url = f"/water/stations/new/?utility={self.utility.pk}"
        self.assertEqual(self.client.get(url).status_code, 200)
        data = {"client_id": str(uuid.uuid4()), "name": "新城加压站", "kind": "pressure",
                "unit": self.community_a_unit.code, "capacity": "5000"}
        first = self.client.post(url, data)
        st = Station.objects.get(name="新城加压站")
        self.assertRedirects(first, f"/water/stations/{st.pk}/", fetch_redirect_response=False)
        self.assertEqual((st.kind, st.capacity, st.organisation_id, st.org_unit_id),
                         ("pressure", 5000, self.utility.pk, self.community_a_unit.pk))
        again = self.client.post(url, data)  # back and send again
        self.assertEqual(again["Location"], first["Location"])
        self.assertEqual(Station.objects.filter(name="新城加压站").count(), 1)
        purl = f"/water/points/new/?utility={self.utility.pk}&station={st.pk}"
        page = self.client.get(purl).content.decode()
        self.assertIn(f'value="{st.pk}" selected', page)
        resp = self.client.post(purl, self.point_data(station=str(st.pk)))
        p = SamplingPoint.objects.get(name="朝阳小区二次供水")
        self.assertRedirects(resp, f"/water/points/{p.pk}/", fetch_redirect_response=False)
        self.assertEqual((p.point_type, p.disinfectant, p.near_kind, p.station_id),
                         ("secondary", "chloramine", "estate", st.pk))
        # A new point is judged by its type and disinfectant: total chlorine at the tank.
        self.assertIn(("total_chlorine",), [(c,) for c, _l in
                                            __import__("fangkong.water.services", fromlist=["x"])
                                            .indicator_choices(p)])

    def test_bad_input_is_refused_under_the_field_and_nothing_is_saved(self) -> None:
        self.login(self.operator)
        url = f"/water/points/new/?utility={self.utility.pk}"
        before = SamplingPoint.objects.count()
        cases = {
            "name": self.point_data(name=self.outlet.name),  # in use
            "near_name": self.point_data(near_kind="hospital", near_name=""),
            "unit": self.point_data(unit=self.county_a_unit.code),  # a county: no place
            "station": self.point_data(station=str(self.other_works.pk)),
        }
        for field, data in cases.items():
            with self.subTest(field=field):
                resp = self.client.post(url, data)
                self.assertEqual(resp.status_code, 200)
                self.assertTrue(resp.context["form"].errors.get(field), resp.context[
                    "form"].errors)
                self.assertContains(resp, 'class="field has-error"')
        self.assertEqual(SamplingPoint.objects.count(), before)
        with self.subTest("Chinese"):
            resp = self.client.post(url, self.point_data(name=self.outlet.name),
                                    HTTP_ACCEPT_LANGUAGE="zh-hans")
            self.assertContains(resp, "供水单位已有同名")

    def test_an_edit_is_saved_and_audited(self) -> None:
        self.login(self.operator)
        url = f"/water/points/{self.end.pk}/edit/"
        page = self.client.get(url)
        self.assertContains(page, "安康市中心医院")
        data = self.point_data(name=self.end.name, point_type="network_end",
                               near_kind="hospital", near_name="安康市中心医院（新院区）",
                               disinfectant="chlorine", is_active="on")
        del data["client_id"]
        resp = self.client.post(url, data)
        self.assertRedirects(resp, f"/water/points/{self.end.pk}/",
                             fetch_redirect_response=False)
        self.end.refresh_from_db()
        self.assertEqual(self.end.near_name, "安康市中心医院（新院区）")
        entry = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(SamplingPoint),
            object_pk=str(self.end.pk)).order_by("-timestamp").first()
        self.assertEqual(entry.actor, self.operator)
        self.assertIn("near_name", entry.changes_dict)
        # A station edit, with a name in use: refused, nothing changed.
        other, _ = Station.objects.get_or_create(
            organisation=self.utility, name="江北水厂",
            defaults={"kind": "works", "org_unit": self.community_a_unit})
        resp = self.client.post(f"/water/stations/{self.works.pk}/edit/", {
            "name": "江北水厂", "kind": "works", "unit": self.community_a_unit.code})
        self.assertTrue(resp.context["form"].errors["name"])
        self.works.refresh_from_db()
        self.assertEqual(self.works.name, "马坑水厂")

    def test_out_of_scope_is_404_and_links_only_for_those_allowed(self) -> None:
        self.login(self.other_operator)
        for url in (f"/water/stations/{self.works.pk}/edit/",
                    f"/water/points/{self.outlet.pk}/edit/",
                    f"/water/stations/new/?utility={self.utility.pk}",
                    f"/water/points/new/?utility={self.utility.pk}"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url, {"name": "x"}).status_code, 404)
        # HQ manages every utility; a community worker sees the station but adds nothing.
        self.login(self.hq)
        index = self.client.get(f"/water/?utility={self.utility.pk}").content.decode()
        self.assertIn("/water/stations/new/", index)
        self.assertIn("/water/points/new/", index)
        self.login(self.community_a)
        index = self.client.get("/water/")
        self.assertEqual(index.status_code, 200)
        self.assertNotIn("/water/stations/new/", index.content.decode())
        self.assertEqual(self.client.get(
            f"/water/stations/new/?utility={self.utility.pk}").status_code, 404)
        station = self.client.get(f"/water/stations/{self.works.pk}/").content.decode()
        self.assertNotIn("/water/points/new/", station)
