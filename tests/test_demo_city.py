"""The session's demo city (conftest.py): loaded once, handed to every class marked
``demo``, and rolled back before the tests that expect an empty database.

The unmarked class comes first in this file on purpose: collection moves the demo tests
ahead of it, so running this module alone checks the order, the single load and the
rollback.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase

from conftest import _demo_key
from fangkong.core.models import OrgUnit

WENCHANG = "610902002002"


class AfterTheDemoCityTest(TestCase):
    def test_it_starts_on_a_database_without_the_demo_city(self) -> None:
        self.assertFalse(OrgUnit.objects.filter(code=WENCHANG).exists())
        self.assertFalse(get_user_model().objects.filter(username="demo-loader").exists())


def test_the_demo_tests_ran_first_on_one_load_then_rolled_back(
    request: pytest.FixtureRequest, db: None
) -> None:
    city = request.config.stash.get(_demo_key, None)

    assert city is not None, "no demo test ran before this one"
    assert (city.loads, city.loaded) == (1, False)
    assert not OrgUnit.objects.filter(code=WENCHANG).exists()


@pytest.mark.demo
class DemoCityTest(TestCase):
    def test_it_reads_the_loaded_city(self) -> None:
        self.assertTrue(OrgUnit.objects.filter(code=WENCHANG).exists())
        self.assertEqual(self.demo_city.loads, 1)
        self.assertIn("core: ", self.demo_city.output)

    def test_it_rolls_back_what_a_test_changes(self) -> None:
        """Renames 文昌社区; the next test (unittest runs them by name) finds it unchanged."""
        self.assertTrue(OrgUnit.objects.filter(code=WENCHANG).exists())
        OrgUnit.objects.filter(code=WENCHANG).update(name="改名")

    def test_the_rename_above_is_gone(self) -> None:
        self.assertEqual(OrgUnit.objects.get(code=WENCHANG).name, "文昌社区")
