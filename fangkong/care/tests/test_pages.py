"""Pages and API: a helper sees only their own families (404 for another's, also through
a record reached from it), the coordinator sees the task force's records and reveals a
phone with the access logged, bad input is refused under its field with nothing saved."""

import uuid

from fangkong.care.models import Payment, ServiceLog
from fangkong.care.tests.base import CareTestCase
from fangkong.core.models import PiiAccess


class HelperPagesTests(CareTestCase):
    def test_a_helper_sees_only_their_families(self) -> None:
        self.login(self.helper)
        self.assertEqual(self.client.get(f"/care/workers/{self.worker_a.pk}/").status_code, 200)
        for url in (f"/care/workers/{self.worker_b.pk}/", f"/care/workers/{self.worker_b.pk}/log/",
                    f"/api/v1/care/workers/{self.worker_b.pk}"):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        page = self.client.get("/care/workers/")
        self.assertContains(page, self.worker_a.number)
        self.assertNotContains(page, self.worker_b.number)

    def test_logging_for_another_family_is_not_found_and_saves_nothing(self) -> None:
        self.login(self.helper)
        for url, body in ((f"/care/workers/{self.worker_b.pk}/log/",
                           {"client_id": str(uuid.uuid4()), "category": "life",
                            "quantity": "1", "unit": "套", "day": "2020-02-20"}),):
            self.assertEqual(self.client.post(url, body).status_code, 404)
        answer = self.client.post(f"/api/v1/care/workers/{self.worker_b.pk}/services",
                                  {"client_id": str(uuid.uuid4()), "category": "life",
                                   "quantity": "1", "unit": "套"},
                                  content_type="application/json")
        self.assertEqual(answer.status_code, 404)
        self.assertFalse(ServiceLog.objects.exists())

    def test_a_negative_quantity_is_an_error_under_the_field(self) -> None:
        self.login(self.helper)
        page = self.client.post(f"/care/workers/{self.worker_a.pk}/log/", {
            "client_id": str(uuid.uuid4()), "category": "mind", "quantity": "-2",
            "unit": "人次", "day": "2020-02-20"})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "field-error")
        self.assertFalse(ServiceLog.objects.exists())

    def test_the_api_logs_a_service_once_per_key(self) -> None:
        self.login(self.helper)
        body = {"client_id": str(uuid.uuid4()), "category": "mind", "quantity": "2",
                "unit": "人次", "day": "2020-02-20"}
        url = f"/api/v1/care/workers/{self.worker_a.pk}/services"
        self.assertEqual(self.client.post(url, body, content_type="application/json")
                         .status_code, 201)
        self.assertEqual(self.client.post(url, body, content_type="application/json")
                         .status_code, 200)
        bad = self.client.post(url, {**body, "client_id": str(uuid.uuid4()), "quantity": "-1"},
                               content_type="application/json")
        self.assertEqual(bad.status_code, 400)
        self.assertIn("quantity", bad.json()["fields"])
        self.assertEqual(ServiceLog.objects.count(), 1)

    def test_a_helper_may_not_record_payments(self) -> None:
        self.login(self.helper)
        self.client.post(f"/care/workers/{self.worker_a.pk}/pay/", {
            "client_id": str(uuid.uuid4()), "kind": "condolence", "amount": "500",
            "day": "2020-02-20"})
        self.assertFalse(Payment.objects.exists())


class CoordinatorPagesTests(CareTestCase):
    def test_the_coordinator_sees_the_task_force_city_wide_and_reveals_with_a_log(self) -> None:
        self.login(self.task_force)
        for worker in (self.worker_a, self.worker_b):
            page = self.client.get(f"/care/workers/{worker.pk}/")
            self.assertContains(page, "139****5678")
        page = self.client.post(f"/care/workers/{self.worker_a.pk}/reveal/",
                                {"reason": "核实家属联系方式"})
        self.assertContains(page, "13912345678")
        self.assertTrue(PiiAccess.objects.filter(subject_type="care.MedicalWorker",
                                                 actor=self.task_force).exists())

    def test_a_second_active_helper_is_an_error_on_the_page(self) -> None:
        self.login(self.task_force)
        page = self.client.post(f"/care/workers/{self.worker_a.pk}/pair/", {
            "helper": self.helper_b.pk, "started_on": "2020-02-05"})
        self.assertContains(page, "field-error")
        self.assertEqual(self.worker_a.pairings.count(), 1)

    def test_other_member_units_and_outsiders_see_nothing(self) -> None:
        for user in (self.member_liaison, self.community_b, self.volunteer):
            self.login(user)
            self.assertEqual(self.client.get(f"/care/workers/{self.worker_a.pk}/").status_code,
                             404 if user != self.volunteer else 403)

    def test_the_totals_api_refuses_a_bad_date(self) -> None:
        self.login(self.hq)
        answer = self.client.get("/api/v1/care/totals?until=2020-02-31")
        self.assertEqual(answer.status_code, 400)
        self.assertIn("until", answer.json()["fields"])
        ok = self.client.get("/api/v1/care/totals?until=2020-02-28&unit=610900").json()
        self.assertEqual((ok["workers"], ok["helpers"]), (2, 2))
