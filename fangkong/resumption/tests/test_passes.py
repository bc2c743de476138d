"""Passes: signature, expiry, revocation, purpose, the public page and API, rotation."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.utils import timezone

from fangkong.resumption import passes as crypto
from fangkong.resumption.models import Pass
from fangkong.resumption.services import passes as pass_svc
from fangkong.resumption.tests.base import USCC_2, ResumptionTestCase


class PassTests(ResumptionTestCase):
    def issue(self, **kw):
        worker = kw.pop("worker", None) or self.worker(employer=self.make_enterprise())
        return pass_svc.issue(self.county_b, "worker", worker=worker, client_id=uuid.uuid4(),
                              **kw)[0]

    def verify(self, token: str, **params):
        return self.client.get("/api/v1/passes/verify", {"token": token, **params}).json()

    def test_a_valid_pass_shows_the_minimum_without_login(self) -> None:
        record = self.issue()
        data = self.verify(record.token)
        self.assertEqual(data["status"], "valid")
        self.assertEqual(data["holder"], record.holder)
        self.assertTrue(data["holder"].endswith("*"))
        self.assertEqual(len(data["id_last4"]), 4)
        for field in ("phone", "id_number", "address", "health"):
            self.assertNotIn(field, data)
        page = self.client.get("/resumption/verify/", {"token": record.token})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, 'data-status="valid"')

    def test_a_forged_signature_is_invalid(self) -> None:
        record = self.issue()
        head, body, sig = record.token.split(".")
        claims = crypto.b64d(body).replace(b'"knd":"worker"', b'"knd":"vehicle"')
        forged = ".".join([head, crypto.b64e(claims), sig])
        self.assertEqual(self.verify(forged)["status"], "invalid_signature")
        self.assertIsNone(self.verify(forged)["holder"])
        flipped = sig[:-2] + ("AA" if sig[-2:] != "AA" else "BB")
        self.assertEqual(self.verify(f"{head}.{body}.{flipped}")["status"],
                         "invalid_signature")
        self.assertEqual(self.verify("garbage")["status"], "invalid_signature")

    def test_an_expired_pass(self) -> None:
        record = self.issue(days=1, now=timezone.now() - dt.timedelta(days=3))
        self.assertEqual(self.verify(record.token)["status"], "expired")

    def test_a_revoked_pass_is_revoked_and_published(self) -> None:
        record = self.issue()
        with self.assertRaises(ValidationError):
            pass_svc.revoke(self.county_b, record, reason="")
        pass_svc.revoke(self.county_b, record, reason="误发")
        self.assertEqual(self.verify(record.token)["status"], "revoked")
        keys = self.client.get("/api/v1/passes/keys").json()
        self.assertIn(str(record.jti), keys["revoked"])
        self.assertEqual(record.events.last().rule, "resumption.pass_revoked")
        self.assertEqual(record.events.last().actor, self.county_b)

    def test_not_for_purpose(self) -> None:
        record = self.issue()
        self.assertEqual(self.verify(record.token, kind="vehicle")["status"],
                         "not_for_purpose")

    def test_rotation_keeps_old_passes_valid_and_signs_new_with_the_new_key(self) -> None:
        old = self.issue()
        new_key = pass_svc.rotate_key(self.hq, reason="定期轮换")
        new = self.issue(worker=old.worker)
        self.assertEqual(new.key, new_key)
        self.assertNotEqual(old.key, new_key)
        self.assertEqual(self.verify(old.token)["status"], "valid")
        self.assertEqual(self.verify(new.token)["status"], "valid")
        keys = {k["kid"] for k in self.client.get("/api/v1/passes/keys").json()["keys"]}
        self.assertEqual(keys, {old.key.kid, new_key.kid})
        path = crypto.key_dir() / f"{new_key.kid}.pem"
        self.assertEqual(path.stat().st_mode & 0o777, 0o600)

    def test_a_liaison_cannot_issue_a_pass_for_another_enterprise(self) -> None:
        other = self.make_enterprise(uscc=USCC_2, org=None)
        worker = self.worker(employer=other)
        with self.assertRaises(ValidationError):
            pass_svc.issue(self.enterprise_liaison, "worker", worker=worker,
                           client_id=uuid.uuid4())
        self.assertFalse(Pass.objects.exists())
