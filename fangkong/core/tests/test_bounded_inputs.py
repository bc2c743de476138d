"""Integers in URLs and query strings are bounded, and the OpenAPI document says so
(issue #9, item 5: bounded integer parameters everywhere)."""

from __future__ import annotations

import json

from django.urls import get_resolver, reverse
from django.urls.resolvers import RoutePattern, URLPattern, URLResolver

from fangkong.core.converters import ID_MAX, IdConverter
from fangkong.core.models import Alert
from fangkong.core.testing import FangkongTestCase, make_person


def _routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern, route)
        elif isinstance(pattern, URLPattern) and isinstance(pattern.pattern, RoutePattern):
            found.append(route)
    return found


class BoundedIdTests(FangkongTestCase):
    def test_it_reads_ids_from_1_to_a_bigint_only(self) -> None:
        converter = IdConverter()
        self.assertEqual(converter.to_python("1"), 1)
        self.assertEqual(converter.to_python(str(ID_MAX)), ID_MAX)
        for value in ("0", str(ID_MAX + 1), "9" * 19):
            with self.subTest(value), self.assertRaises(ValueError):
                converter.to_python(value)

    def test_it_uses_the_bounded_converter_on_every_url_of_the_project(self) -> None:
        unbounded = [r for r in _routes(get_resolver()) if "<int:" in r
                     and not r.startswith("django-admin/")]
        self.assertEqual(unbounded, [])

    def test_it_answers_404_for_an_id_beyond_a_bigint_on_pages_and_the_api(self) -> None:
        person = make_person(self.community_a_unit)
        self.login(self.hq)
        for huge in (2**63, 2**64, 10**40):
            for url in (f"/core/people/{huge}/", f"/core/alerts/{huge}/close",
                        f"/api/v1/people/{huge}", f"/checkpoints/duty/{huge}/",
                        f"/checkpoints/outsiders/{huge}/", f"/api/v1/alerts/{huge}/close"):
                with self.subTest(url):
                    method = self.client.post if url.endswith("close") else self.client.get
                    self.assertEqual(method(url).status_code, 404)
        self.assertEqual(self.client.get(f"/core/people/{person.pk}/").status_code, 200)

    def test_it_publishes_the_bounds_of_ids_and_pages_in_the_api_document(self) -> None:
        doc = json.loads(self.client.get(reverse("api-schema"),
                                         HTTP_ACCEPT="application/json").content)
        ids = [p["schema"] for ops in doc["paths"].values() for op in ops.values()
               for p in op.get("parameters", []) if p["in"] == "path" and p["name"] == "id"]
        self.assertTrue(ids)
        for schema in ids:
            self.assertEqual((schema["minimum"], schema["maximum"]), (1, ID_MAX))
        pages = {p["name"]: p["schema"] for p in doc["paths"]["/api/v1/people"]["get"][
            "parameters"]}
        self.assertEqual((pages["page"]["minimum"], pages["page"]["maximum"]), (1, 1_000_000))
        self.assertEqual(pages["page_size"]["minimum"], 1)


class StrictRequestTests(FangkongTestCase):
    def test_it_refuses_a_number_where_the_api_takes_text(self) -> None:
        alert = Alert.objects.create(kind="fever", title="发热", subject="x:1",
                                     org_unit=self.community_a_unit,
                                     opened_at="2020-02-01T08:00:00+08:00")
        self.login(self.community_a)
        r = self.client.post(f"/api/v1/alerts/{alert.pk}/close", data={"outcome": 0},
                             content_type="application/json")
        self.assertEqual(r.status_code, 400, r.content)
        self.assertIn("outcome", r.json()["fields"])
        alert.refresh_from_db()
        self.assertEqual(alert.status, "open")


class WebPageNumberTests(FangkongTestCase):
    """The issue's ``?page=9223372036854775807`` on people and alerts: every web list
    pages with ``Paginator.get_page`` (last page past the end, first page for text)."""

    def test_it_shows_a_page_for_any_page_number(self) -> None:
        make_person(self.community_a_unit)
        self.login(self.hq)
        for url in ("/core/people/", "/core/alerts/", "/core/audit/", "/core/audit/pii/"):
            for page in (str(2**63 - 1), str(2**64), "-1", "1e308", "NaN", "x\x00"):
                with self.subTest(url=url, page=page):
                    self.assertEqual(self.client.get(url, {"page": page}).status_code, 200)
