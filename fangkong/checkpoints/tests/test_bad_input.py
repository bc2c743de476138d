"""Inputs that answered 500 (issue #9, item 5): each surface that takes a temperature or
a time, and a body nested too deeply, now answers a field error and saves nothing."""

from __future__ import annotations

import json

from django.urls import reverse

from fangkong.checkpoints.models import Passage
from fangkong.checkpoints.tests.base import CheckpointTestCase, passage_body
from fangkong.checkpoints.tests.test_views_duty import form_data

DEEP = "[" * 3000 + "]" * 3000


class BadInputTests(CheckpointTestCase):
    def test_it_refuses_a_huge_temperature_everywhere(self) -> None:
        token = self.token_for(self.community_a)
        for value in (1e308, "1e308", "9" * 400):
            with self.subTest(api=value):
                r = self.post_passage(self.gate_a, passage_body(temperature=value), token)
                self.assertEqual(r.status_code, 400, r.content)
                self.assertIn("temperature", r.json()["fields"])
        self.login(self.gate)
        r = self.client.post(reverse("checkpoints:duty_register", args=[self.gate_a.pk]),
                             form_data(temperature="1e308"), HTTP_HX_REQUEST="true")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "field-error")
        self.client.logout()
        r = self.client.post(reverse("checkpoints:selfreg", args=[self.gate_a.public_key]),
                             form_data(temperature="1e308"))
        self.assertIn(r.status_code, (200, 400))
        self.assertEqual(Passage.objects.count(), 0)

    def test_it_refuses_an_impossible_time(self) -> None:
        token = self.token_for(self.community_a)
        for moment in ("2020-02-30T10:00:00+08:00", "2020-13-01T00:00:00+08:00"):
            with self.subTest(moment):
                r = self.post_passage(self.gate_a, passage_body(occurred_at=moment), token)
                self.assertEqual(r.status_code, 400, r.content)
                self.assertIn("occurred_at", r.json()["fields"])
        self.assertEqual(Passage.objects.count(), 0)

    def test_it_refuses_a_body_nested_too_deeply(self) -> None:
        token = self.token_for(self.community_a)
        self.assertEqual(self.post_passage(self.gate_a, DEEP, token).status_code, 400)
        self.login(self.community_a)
        for url in ("/api/v1/people", f"/api/v1/alerts/{2**31}/close"):
            with self.subTest(url):
                r = self.client.post(url, data=DEEP, content_type="application/json")
                self.assertIn(r.status_code, (400, 404), r.content)
                self.assertIn("error", r.json())

    def test_it_refuses_a_name_that_is_not_text(self) -> None:
        """A JSON name such as {"a": 1} was stored as its Python repr."""
        token = self.token_for(self.community_a)
        for name in ({"a": 1}, [1], True, 1e308):
            with self.subTest(name=name):
                r = self.post_passage(self.gate_a, passage_body(name=name), token)
                self.assertEqual(r.status_code, 400, r.content)
                self.assertIn("name", r.json()["fields"])
        self.assertEqual(Passage.objects.count(), 0)

    def test_it_refuses_an_empty_date_instead_of_answering_today(self) -> None:
        self.login(self.community_a)
        r = self.client.get(f"/api/v1/checkpoints/{self.gate_a.pk}/passages?date=")
        self.assertEqual(r.status_code, 400, r.content)
        self.assertIn("date", r.json()["fields"])

    def test_it_reads_temperatures_as_phones_type_them(self) -> None:
        token = self.token_for(self.community_a)
        for value in ("３６．５", "36,5", "36。5"):
            with self.subTest(value):
                r = self.post_passage(self.gate_a, passage_body(temperature=value), token)
                self.assertEqual(r.status_code, 201, r.content)
                self.assertEqual(r.json()["temperature"], "36.5")

    def test_it_refuses_a_body_deeper_than_the_limit_on_every_json_entry(self) -> None:
        deep = {"name": json.loads("[" * 40 + "]" * 40)}
        token = self.token_for(self.community_a)
        r = self.post_passage(self.gate_a, passage_body(**deep), token)
        self.assertEqual(r.status_code, 400, r.content)
        self.login(self.community_a)
        r = self.client.post("/api/v1/people", data=json.dumps(deep),
                             content_type="application/json")
        self.assertEqual(r.status_code, 400, r.content)
        self.assertIn("嵌套", r.json()["error"])
        self.assertEqual(Passage.objects.count(), 0)
