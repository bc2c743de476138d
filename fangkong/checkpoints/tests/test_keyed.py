"""Keyed creates (``core.models.KeyedModel.create_keyed``) on checkpoints' registers:
the first time creates, a retry finds the same record, the same key with other content
is refused; the API answers 201/200/409 and the pages turn the refusal into a form error.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory, force_authenticate

from fangkong.checkpoints import services
from fangkong.checkpoints.models import Inspection, PatrolLog, Tip
from fangkong.checkpoints.tests.base import CheckpointTestCase
from fangkong.core.api.responses import created_response
from fangkong.core.models import KeyConflict


def tip(actor, unit, key, **overrides):
    values = {"channel": "phone", "category": "gathering", "content": "楼下有人打麻将",
              **overrides}
    return services.record_tip(actor, unit, client_id=key, **values)


class CreateKeyedTests(CheckpointTestCase):
    def test_it_creates_once_and_finds_the_same_record_on_a_retry(self) -> None:
        key = uuid.uuid4()
        first, created = tip(self.community_a, self.community_a_unit, key)
        again, created_again = tip(self.community_a, self.community_a_unit, key)
        self.assertEqual((created, created_again), (True, False))
        self.assertEqual(again.pk, first.pk)
        self.assertEqual(Tip.objects.count(), 1)

    def test_it_refuses_the_same_key_with_other_content(self) -> None:
        key = uuid.uuid4()
        tip(self.community_a, self.community_a_unit, key)
        for changed in ({"content": "另一件事"}, {"category": "symptoms"},
                        {"caller_phone": "13900001111"}):
            with self.assertRaises(KeyConflict) as caught:
                tip(self.community_a, self.community_a_unit, key, **changed)
            self.assertEqual(list(caught.exception.message_dict), ["client_id"])
        with self.assertRaises(KeyConflict):  # a related record counts by its key
            tip(self.county_a, self.community_a2_unit, key)
        self.assertEqual(Tip.objects.get().content, "楼下有人打麻将")

    def test_it_lets_a_retry_differ_in_what_is_not_content(self) -> None:
        """Who sends the retry, and the time of a tip received "now", are not content; a
        time given with the tip is."""
        key = uuid.uuid4()
        first, _created = tip(self.community_a, self.community_a_unit, key)
        again, created = tip(self.hq, self.community_a_unit, key)
        self.assertEqual((again.pk, created, again.recorded_by), (first.pk, False,
                                                                  self.community_a))
        called = timezone.now() - timedelta(hours=2)
        timed = uuid.uuid4()
        tip(self.community_a, self.community_a_unit, timed, received_at=called)
        tip(self.community_a, self.community_a_unit, timed, received_at=called)
        with self.assertRaises(KeyConflict):
            tip(self.community_a, self.community_a_unit, timed,
                received_at=called - timedelta(hours=1))

    def test_every_keyed_register_uses_it(self) -> None:
        day = timezone.localdate()
        key = uuid.uuid4()
        services.record_patrol(self.hq, self.community_a_unit, client_id=key, day=day,
                               area="广场", gatherings_dispersed=2)
        with self.assertRaises(KeyConflict):
            services.record_patrol(self.hq, self.community_a_unit, client_id=key, day=day,
                                   area="广场", gatherings_dispersed=3)
        key = uuid.uuid4()
        services.record_inspection(self.hq, self.community_a_unit, client_id=key,
                                   kind="venue", place="麻将馆", day=day)
        with self.assertRaises(KeyConflict):
            services.record_inspection(self.hq, self.community_a_unit, client_id=key,
                                       kind="venue", place="网吧", day=day)
        self.assertEqual((PatrolLog.objects.count(), Inspection.objects.count()), (1, 1))


@api_view(["POST"])
def tips_endpoint(request: Request):
    """A keyed create endpoint as a module writes one on the kit."""
    record, created = tip(request.user, request.user.grants.get().org_unit,
                          request.data["client_id"], content=request.data["content"])
    return created_response({"id": record.pk, "content": record.content}, created)


class KeyedEndpointTests(CheckpointTestCase):
    def post(self, body: dict, language: str = "en"):
        request = APIRequestFactory().post("/api/v1/tips", body, format="json",
                                           HTTP_ACCEPT_LANGUAGE=language)
        force_authenticate(request, user=self.community_a)
        with translation.override(language):
            return tips_endpoint(request)

    def test_it_answers_201_then_200_with_the_same_record_then_409(self) -> None:
        body = {"client_id": str(uuid.uuid4()), "content": "楼下有人打麻将"}
        first = self.post(body)
        self.assertEqual(first.status_code, 201)
        again = self.post(body)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(again.content, first.content)
        other = self.post({**body, "content": "另一件事"})
        self.assertEqual(other.status_code, 409)
        self.assertEqual(list(other.data["fields"]), ["client_id"])
        self.assertIn("other content", other.data["fields"]["client_id"][0])
        chinese = self.post({**body, "content": "另一件事"}, language="zh-hans")
        self.assertEqual(chinese.status_code, 409)
        self.assertNotIn("other content", chinese.data["fields"]["client_id"][0])
        self.assertEqual(Tip.objects.count(), 1)


class KeyedFormTests(CheckpointTestCase):
    def test_a_resent_form_saves_once_and_changed_content_gets_a_new_key(self) -> None:
        self.login(self.community_a)
        key = str(uuid.uuid4())
        data = {"client_id": key, "community": "610902002002", "channel": "phone",
                "category": "gathering", "content": "夜里有人聚集打牌"}
        for _attempt in range(2):  # a double tap, or back and send again
            self.assertEqual(self.client.post(reverse("checkpoints:tips"), data).status_code,
                             302)
        self.assertEqual(Tip.objects.count(), 1)
        r = self.client.post(reverse("checkpoints:tips"), {**data, "content": "改过的内容"},
                             HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(r.status_code, 200)
        form = r.context["form"]
        self.assertIn("already saved with other content", " ".join(form.non_field_errors()))
        self.assertIn("already saved with other content", r.content.decode())
        renewed = form["client_id"].value()
        self.assertNotEqual(renewed, key)
        self.assertIn(renewed, r.content.decode())
        self.assertEqual(Tip.objects.count(), 1)
        sent = self.client.post(reverse("checkpoints:tips"),
                                {**data, "content": "改过的内容", "client_id": renewed})
        self.assertEqual(sent.status_code, 302)
        self.assertEqual(Tip.objects.count(), 2)

    def test_a_tampered_key_is_a_form_error_not_a_hidden_one(self) -> None:
        self.login(self.community_a)
        r = self.client.post(reverse("checkpoints:tips"), {
            "client_id": "not-a-key", "community": "610902002002", "channel": "phone",
            "category": "gathering", "content": "x"}, HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(r.status_code, 200)
        self.assertIn("expired", " ".join(r.context["form"].non_field_errors()))
        uuid.UUID(r.context["form"]["client_id"].value())
        self.assertFalse(Tip.objects.exists())
