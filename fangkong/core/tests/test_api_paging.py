"""The one API pager (``core.api.paging``): envelope, limits, and 400 for bad pages.

Checkpoints' day register uses the same pager; its cases are in
``checkpoints/tests/test_api_passages.py``.
"""

from __future__ import annotations

from datetime import date

from django.test import override_settings

from fangkong.core.models import Alert
from fangkong.core.services.alerts import open_alert
from fangkong.core.testing import FangkongTestCase, make_person

ENVELOPE = {"count", "page", "page_size", "results"}


class PagerCases:
    """The same cases for every list endpoint; ``url`` and ``make(n)`` per endpoint."""

    url = ""

    def make(self, n: int) -> None:
        raise NotImplementedError

    def get(self, query: str = ""):
        return self.client.get(f"{self.url}?{query}", HTTP_ACCEPT_LANGUAGE="en")

    def test_it_answers_the_envelope_with_the_default_page(self) -> None:
        self.make(3)
        r = self.get()
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(set(r.json()), ENVELOPE)
        self.assertEqual((r.json()["count"], r.json()["page"], r.json()["page_size"]),
                         (3, 1, 50))
        self.assertEqual(len(r.json()["results"]), 3)

    def test_it_slices_pages_and_answers_an_empty_page_past_the_end(self) -> None:
        self.make(3)
        ids = [row["id"] for row in self.get("page_size=3").json()["results"]]
        second = self.get("page=2&page_size=2").json()
        self.assertEqual([row["id"] for row in second["results"]], ids[2:])
        self.assertEqual((second["count"], second["page"], second["page_size"]), (3, 2, 2))
        beyond = self.get("page=9&page_size=2")
        self.assertEqual(beyond.status_code, 200)
        self.assertEqual((beyond.json()["count"], beyond.json()["results"]), (3, []))

    def test_it_refuses_a_page_size_over_the_one_maximum_with_400(self) -> None:
        self.assertEqual(self.get("page_size=500").status_code, 200)
        r = self.get("page_size=501")
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["fields"], {"page_size": ["Give a whole number from 1 to 500."]})
        with override_settings(API_MAX_PAGE_SIZE=2):
            self.assertEqual(self.get("page_size=2").status_code, 200)
            self.assertEqual(set(self.get("page_size=3").json()["fields"]), {"page_size"})

    def test_it_refuses_bad_page_parameters_naming_each(self) -> None:
        for query, fields in (("page=0", {"page"}), ("page=-1", {"page"}),
                              ("page=abc", {"page"}), ("page=99999999999", {"page"}),
                              ("page_size=0", {"page_size"}), ("page_size=x", {"page_size"}),
                              ("page=0&page_size=0", {"page", "page_size"})):
            r = self.get(query)
            self.assertEqual(r.status_code, 400, query)
            self.assertEqual(set(r.json()["fields"]), fields, query)
            self.assertEqual(set(r.json()), {"error", "fields"})


class PeoplePagerTests(PagerCases, FangkongTestCase):
    url = "/api/v1/people"

    def setUp(self) -> None:
        self.login(self.county_a)

    def make(self, n: int) -> None:
        for seq in range(n):
            make_person(self.community_a_unit, name=f"张{seq}", birth=date(1980, 1, 1 + seq))

    def test_it_names_a_bad_page_with_the_lists_other_bad_parameters(self) -> None:
        r = self.get("page=0&unit=" + "9" * 13)
        self.assertEqual(set(r.json()["fields"]), {"page", "unit"})


class AlertPagerTests(PagerCases, FangkongTestCase):
    url = "/api/v1/alerts"

    def setUp(self) -> None:
        self.login(self.county_a)

    def make(self, n: int) -> None:
        for seq in range(n):
            open_alert(kind="fever", org_unit=self.community_a_unit, title=f"发热 {seq}",
                       subject=f"test:{seq}")
        self.assertEqual(Alert.objects.count(), n)

    def test_it_names_a_bad_page_with_the_lists_other_bad_parameters(self) -> None:
        r = self.get("page_size=501&status=bogus")
        self.assertEqual(set(r.json()["fields"]), {"page_size", "status"})
