"""Jobs API: exports by kind and filters, 202 then poll then the file, small ones at once,
the owner only, field errors for bad input."""

from __future__ import annotations

from django.test import Client

from fangkong.core.jobs import services
from fangkong.core.models import ApiToken, Job, JobState, PiiAccess
from fangkong.core.testing import FangkongTestCase, make_person
from fangkong.core.tests.jobs_helpers import JobsDirMixin, read_xlsx

URL = "/api/v1/jobs/exports"


class JobsApiTests(JobsDirMixin, FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.people = [make_person(cls.community_a_unit, name=f"居民{i}") for i in range(3)]

    def api(self, user) -> Client:
        _row, raw = ApiToken.issue(user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")

    def test_it_lists_the_kinds_the_caller_may_export(self) -> None:
        kinds = {k["kind"]: k for k in self.api(self.county_a).get(URL).json()}
        self.assertTrue({"people", "households", "passages", "outsiders"} <= set(kinds))
        self.assertTrue(kinds["people"]["unmasked"])
        self.assertFalse(self.api(self.community_a).get(URL).json()[0]["unmasked"])
        self.assertEqual(self.api(self.gate).get(URL).json(), [])

    def test_it_queues_a_large_export_then_answers_its_state_and_file(self) -> None:
        client = self.api(self.county_a)
        response = client.post(URL, {"kind": "people", "filters": {"q": "居民"}},
                               content_type="application/json")
        self.assertEqual(response.status_code, 202)
        body = response.json()
        self.assertEqual((body["state"], body["file"]), ("queued", None))
        self.assertEqual(client.get(f"/api/v1/jobs/{body['id']}/file").status_code, 404)
        services.run(body["id"], 1)
        state = client.get(f"/api/v1/jobs/{body['id']}").json()
        self.assertEqual((state["state"], state["done"], state["total"], state["error"]),
                         ("done", 3, 3, None))
        file = client.get(state["file"])
        self.assertEqual(file.status_code, 200)
        self.assertEqual(len(read_xlsx(b"".join(file.streaming_content))), 4)

    def test_it_answers_a_small_export_done_at_once(self) -> None:
        with self.settings(FANGKONG_EXPORT_DIRECT_ROWS=100):
            response = self.api(self.county_a).post(
                URL, {"kind": "people", "format": "csv"}, content_type="application/json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["state"], "done")
        self.assertTrue(response.json()["file"].endswith("/file"))

    def test_it_answers_404_for_another_users_job(self) -> None:
        body = self.api(self.county_a).post(URL, {"kind": "people"},
                                            content_type="application/json").json()
        services.run(body["id"], 1)
        other = self.api(self.hq)
        for url in (f"/api/v1/jobs/{body['id']}", f"/api/v1/jobs/{body['id']}/file"):
            self.assertEqual(other.get(url).status_code, 404)

    def test_it_refuses_bad_input_with_field_errors(self) -> None:
        client = self.api(self.county_a)
        for payload, field in (
            ({"kind": "nothing"}, "kind"),
            ({"kind": "people", "format": "pdf"}, "format"),
            ({"kind": "people", "unmasked": True}, "reason"),
            ({"kind": "people", "filters": ["q"]}, "filters"),
        ):
            response = client.post(URL, payload, content_type="application/json")
            self.assertEqual(response.status_code, 400, payload)
            self.assertIn(field, response.json()["fields"], payload)
        self.assertFalse(Job.objects.exists())

    def test_it_answers_404_for_a_filter_outside_the_area(self) -> None:
        response = self.api(self.county_a).post(
            URL, {"kind": "people", "filters": {"unit": "610924"}},
            content_type="application/json")
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Job.objects.exists())

    def test_it_refuses_an_unmasked_export_without_the_permission(self) -> None:
        response = self.api(self.community_a).post(
            URL, {"kind": "people", "unmasked": True, "reason": "handover"},
            content_type="application/json")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Job.objects.exists())

    def test_it_exports_unmasked_with_a_reason_logged(self) -> None:
        client = self.api(self.county_a)
        body = client.post(URL, {"kind": "people", "unmasked": True, "reason": "transfer"},
                           content_type="application/json").json()
        services.run(body["id"], 1)
        self.assertEqual(PiiAccess.objects.get().row_count, 3)

    def test_it_cancels_a_job(self) -> None:
        client = self.api(self.county_a)
        body = client.post(URL, {"kind": "people"}, content_type="application/json").json()
        self.assertEqual(client.post(f"/api/v1/jobs/{body['id']}/cancel").json()["state"],
                         JobState.CANCELLED)
        self.assertEqual(services.run(body["id"], 1), "skipped")
