"""SQLite's write lock is waited for in short slices (``core.sqlite_lock``)."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from django.db import connection, transaction

from fangkong.core.sqlite_lock import SLICE_MS, fair_begin


def _pair(tmp_path):
    path = str(tmp_path / "lock.sqlite3")
    a = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=20)
    b = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=20)
    a.execute("PRAGMA journal_mode=WAL")
    a.execute("CREATE TABLE t (n INTEGER)")
    return a, b


def test_it_waits_in_slices_until_the_holder_commits(tmp_path) -> None:
    holder, waiter = _pair(tmp_path)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.4, lambda: holder.execute("COMMIT"))
    release.start()
    began = time.monotonic()
    slices = fair_begin(waiter, "BEGIN IMMEDIATE", timeout=5)
    waited = time.monotonic() - began
    release.join()
    assert waiter.in_transaction
    waiter.execute("INSERT INTO t VALUES (1)")
    waiter.execute("COMMIT")
    assert 0.3 < waited < 2
    assert slices >= 0.3 * 1000 / SLICE_MS / 2  # asked again, slice after slice
    # The connection's own busy timeout is back for statements outside transactions.
    assert waiter.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_it_gives_up_after_the_timeout_with_sqlites_error(tmp_path) -> None:
    holder, waiter = _pair(tmp_path)
    holder.execute("BEGIN IMMEDIATE")
    began = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        fair_begin(waiter, "BEGIN IMMEDIATE", timeout=0.5)
    assert 0.45 < time.monotonic() - began < 2
    assert not waiter.in_transaction
    holder.execute("ROLLBACK")


@pytest.mark.django_db
def test_django_sqlite_connections_begin_with_it() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    connection.ensure_connection()
    assert connection._start_transaction_under_autocommit.__func__.__module__ == (
        "fangkong.core.sqlite_lock")
    with transaction.atomic():
        assert connection.in_atomic_block
