"""Pages: the public sign-up (no account, rate-limited), scoping (404), the QR scan,
the certificate PDF and its verify page, the iCal feed, the drives API."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.test import override_settings

from fangkong.core.testing import ScopeContractMixin
from fangkong.volunteers import services
from fangkong.volunteers.models import Assignment, Certificate, Signup
from fangkong.volunteers.tests.base import VolunteersTestCase, id_number


class Public(VolunteersTestCase):
    def test_a_resident_signs_up_without_an_account(self) -> None:
        url = f"/volunteers/v/{self.drive.public_key}/"
        self.assertEqual(self.client.get(url).status_code, 200)
        data = {"client_id": str(uuid.uuid4()), "name": "李娜", "id_number": id_number(200),
                "phone": "13912345678", "political": "league"}
        r = self.client.post(url, data)
        self.assertEqual(r.status_code, 302)
        again = self.client.post(url, {**data, "client_id": str(uuid.uuid4())})
        self.assertContains(again, "无需重复报名", status_code=422)
        self.assertEqual(Signup.objects.count(), 1)

    @override_settings(FANGKONG_RATE_LIMITS={"signup_address": (1, 600)})
    def test_it_is_rate_limited(self) -> None:
        url = f"/volunteers/v/{self.drive.public_key}/"
        for n in range(2):
            r = self.client.post(url, {"client_id": str(uuid.uuid4()), "name": "李娜",
                                       "id_number": id_number(300 + n), "phone": "13912345678",
                                       "political": "none"})
        self.assertEqual(r.status_code, 429)
        self.assertEqual(Signup.objects.count(), 1)

    def test_the_drives_api(self) -> None:
        self.login(self.hq)
        r = self.client.get("/api/v1/volunteers/drives?unit=610902003001")
        self.assertEqual(r.json()[0]["signups"], 0)
        self.assertIsNone(r.json()[0]["filled_at"])
        self.assertEqual(self.client.get("/api/v1/volunteers/drives?unit=610924").json(), [])
        self.login(self.county_b)
        self.assertEqual(self.client.get("/api/v1/volunteers/drives?unit=610902").status_code, 404)


class Scoped(ScopeContractMixin, VolunteersTestCase):
    def test_scope(self) -> None:
        a, _c = services.join(self.volunteer, self.shift, self.me)
        self.assert_scoped("/volunteers/shifts/{pk}/", user=self.county_a,
                           visible=[self.shift.pk])
        self.assert_scoped("/volunteers/shifts/{pk}/", user=self.county_b,
                           hidden=[self.shift.pk])
        self.assert_scoped("/volunteers/people/{pk}/", user=self.member_liaison,
                           visible=[self.me.pk])
        self.assert_scoped("/volunteers/drives/{pk}/", user=self.community_b,
                           hidden=[self.drive.pk])
        self.login(self.volunteer)
        self.assertEqual(self.client.get("/volunteers/mine/").status_code, 200)
        self.assertEqual(self.client.get("/volunteers/people/").status_code, 403)
        self.assertEqual(self.client.post(f"/volunteers/assignments/{a.pk}/approve/")
                         .status_code, 403)
        a.refresh_from_db()
        self.assertIsNone(a.approved_at)


class ScanAndCertificate(VolunteersTestCase):
    def test_scanning_the_right_code_checks_in_and_a_wrong_one_says_why(self) -> None:
        a, _c = services.join(self.volunteer, self.shift, self.me)
        self.login(self.volunteer)
        wrong = services.scan_url(self.site_b)
        r = self.client.post(wrong, {"assignment": a.pk, "action": "checkin"})
        self.assertContains(r, "江堤路口", status_code=400)
        r = self.client.post(wrong.replace("/scan/", "/scan/x"), {"assignment": a.pk})
        self.assertEqual(r.status_code, 400)
        a.refresh_from_db()
        self.assertIsNone(a.check_in_at)
        right = services.scan_url(self.site_a)
        self.assertContains(self.client.get(right), "签到")
        self.assertEqual(self.client.post(right, {"assignment": a.pk, "action": "checkin"})
                         .status_code, 302)
        a.refresh_from_db()
        self.assertEqual(a.check_in_method, "qr")

    def test_certificate_pdf_verifies_and_feed_lists_own_shifts(self) -> None:
        a, _c = services.join(self.volunteer, self.shift, self.me)
        services.check_in(self.community_a2, a, at=self.shift.starts_at)
        services.check_out(self.community_a2, a, at=self.shift.starts_at + timedelta(hours=2))
        services.approve(self.community_a2, Assignment.objects.get(pk=a.pk))
        today = self.shift.starts_at.date()
        cert, _c = services.issue_certificate(self.member_liaison, self.me,
                                              period_from=today - timedelta(days=1),
                                              period_until=today + timedelta(days=1))
        self.assertEqual(cert.minutes, 120)
        self.login(self.volunteer)
        pdf = self.client.get(f"/volunteers/certificates/{cert.pk}/pdf/")
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        self.client.logout()
        self.assertContains(self.client.get(f"/volunteers/verify/{cert.code}/"), "2.0")
        self.assertEqual(self.client.get("/volunteers/verify/nope/").status_code, 404)
        feed = self.client.get(f"/volunteers/ical/{self.me.feed_key}.ics")
        self.assertIn(b"BEGIN:VEVENT", feed.content)
        self.assertEqual(self.client.get("/volunteers/ical/guess.ics").status_code, 404)
        self.assertEqual(Certificate.objects.count(), 1)
