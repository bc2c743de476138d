"""PostgreSQL-only and race tests (conftest.py): one skip reason per kind, never skipped
where the database can run them (races run on SQLite too: its test database is a file), and
listed by name with their outcome after every run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import (
    POSTGRES_REASON,
    SUMMARY_TITLE,
    Outcome,
    record_outcome,
    summary_lines,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = "tests/marked_samples.py"


def report(when: str, outcome: str, reason: str = "") -> pytest.TestReport:
    longrepr = ("x.py", 1, f"Skipped: {reason}") if outcome == "skipped" else None
    return pytest.TestReport("t", ("x.py", 1, "t"), {}, outcome, longrepr, when)


def test_the_worst_phase_decides_and_a_skip_keeps_its_reason() -> None:
    passed, skipped, broken = Outcome(("race",)), Outcome(("postgres",)), Outcome(("race",))

    for phase in ("setup", "call", "teardown"):
        record_outcome(passed, report(phase, "passed"))
    record_outcome(skipped, report("setup", "skipped", "no PostgreSQL"))
    record_outcome(broken, report("setup", "passed"))
    record_outcome(broken, report("call", "passed"))
    record_outcome(broken, report("teardown", "failed"))

    assert (passed.outcome, skipped.outcome, broken.outcome) == ("passed", "skipped", "error")
    assert skipped.reason == "no PostgreSQL"


def test_the_summary_names_each_test_its_outcome_and_markers() -> None:
    lines = summary_lines({
        "a.py::T::test_one": Outcome(("race",), "passed"),
        "b.py::T::test_two": Outcome(("postgres",), "skipped", "needs PostgreSQL"),
        "b.py::T::test_three": Outcome(("postgres", "race"), "failed"),
    })

    assert lines == [
        "PASSED   a.py::T::test_one [race]",
        "SKIPPED  b.py::T::test_two [postgres] (needs PostgreSQL)",
        "FAILED   b.py::T::test_three [postgres, race]",
        "1 failed, 1 passed, 1 skipped",
    ]


def run_samples(database_url: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", SAMPLES],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    out = run.stdout
    assert SUMMARY_TITLE in out, out + run.stderr
    return out[out.index(SUMMARY_TITLE):].splitlines()


def test_on_sqlite_the_races_run_and_the_postgresql_test_skips_with_its_reason() -> None:
    lines = run_samples(None)

    assert f"{SUMMARY_TITLE} (sqlite)" in lines[0]
    assert lines[1:5] == [
        f"SKIPPED  {SAMPLES}::test_postgres_only [postgres] ({POSTGRES_REASON})",
        f"PASSED   {SAMPLES}::test_a_race [race]",
        f"FAILED   {SAMPLES}::test_a_race_that_skips_itself [race]",
        "1 failed, 1 passed, 1 skipped",
    ]


def test_on_postgresql_both_kinds_run_and_one_that_skips_itself_fails() -> None:
    # Never connected to: none of the samples touches the database.
    lines = run_samples("postgres://nobody@127.0.0.1:1/unused")

    assert f"{SUMMARY_TITLE} (postgresql)" in lines[0]
    assert lines[1:5] == [
        f"PASSED   {SAMPLES}::test_postgres_only [postgres]",
        f"PASSED   {SAMPLES}::test_a_race [race]",
        f"FAILED   {SAMPLES}::test_a_race_that_skips_itself [race]",
        "1 failed, 2 passed",
    ]
