"""Marked tests that ``test_db_markers.py`` runs in a child pytest (not collected by the
suite: the name does not match ``test_*.py``). None touches a database."""

import pytest


@pytest.mark.postgres
def test_postgres_only() -> None:
    pass


@pytest.mark.race
def test_a_race() -> None:
    pass


@pytest.mark.race
def test_a_race_that_skips_itself() -> None:
    pytest.skip("FK_SOMETHING is not set")
