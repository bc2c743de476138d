"""Fair waiting for SQLite's one write lock.

Every write transaction on SQLite starts with ``BEGIN IMMEDIATE`` (settings.py), which
takes the database's single write lock up front or waits for it in SQLite's busy
handler. That handler is not a queue: a waiter sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25,
50, 50 ms and then 100 ms between tries, so a writer that has waited a while tries ten
times less often than one that has just arrived. When many clients write the same rows
back to back (32 clients issuing from one item: bench/supplies_bench.py), the newcomers
keep winning and the oldest waiters starve until the 20 s timeout ends them with
"database is locked" (issue #16; docs/performance.md, "Supplies").

``fair_begin`` waits in short slices instead: it asks SQLite for the lock with a busy
timeout of ``SLICE_MS`` and, when that slice runs out, asks again, so every waiter keeps
polling at the busy handler's fastest rates and the lock goes to a waiter at random
rather than to the newest. Only ``BEGIN`` is retried: a failed ``BEGIN IMMEDIATE`` has
done nothing, so retrying it is always safe, and nothing of the transaction's work is
ever repeated. The whole wait stays bounded by the connection's ``timeout`` option (20 s):
after it the caller gets the usual ``OperationalError`` as before. Statements outside a
transaction keep SQLite's own busy timeout.

Installed on every SQLite connection by ``CoreConfig.ready`` (``connection_created``),
so that the configured ENGINE (which backups name) stays Django's own.
"""

from __future__ import annotations

import sqlite3
import time
import types
from typing import Any

#: One slice of waiting inside SQLite's busy handler (its sleeps 1 … 25 ms), in ms.
SLICE_MS = 60
SQLITE_BUSY = 5


def _busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == SQLITE_BUSY
    return "database is locked" in str(exc)


def fair_begin(raw: sqlite3.Connection, sql: str, timeout: float) -> int:
    """Run ``sql`` (a ``BEGIN IMMEDIATE``/``EXCLUSIVE``) on ``raw``, retrying it in
    ``SLICE_MS`` slices while the database is locked, for at most ``timeout`` seconds.
    Returns how many slices ran out before the lock was had (for tests)."""
    deadline = time.monotonic() + timeout
    slices = 0
    raw.execute(f"PRAGMA busy_timeout = {SLICE_MS}")
    try:
        while True:
            try:
                raw.execute(sql)
                return slices
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or time.monotonic() >= deadline:
                    raise
                slices += 1
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")


def _start_transaction_under_autocommit(self: Any) -> None:
    """Django's sqlite3 ``DatabaseWrapper`` method, with the lock taken fairly."""
    mode = self.transaction_mode
    if mode not in ("IMMEDIATE", "EXCLUSIVE"):
        self.cursor().execute(f"BEGIN {mode}" if mode else "BEGIN")
        return
    timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
    with self.wrap_database_errors:
        fair_begin(self.connection, f"BEGIN {mode}", timeout)


def install(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: SQLite connections begin their write
    transactions with ``fair_begin``."""
    if connection.vendor == "sqlite":
        connection._start_transaction_under_autocommit = types.MethodType(
            _start_transaction_under_autocommit, connection)
