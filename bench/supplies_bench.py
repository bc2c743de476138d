"""Supplies benchmark: 32 concurrent clients issuing stock, on SQLite and PostgreSQL, the
guarded ledger (``supplies.services.issue``) against the same issue written as a plain
unguarded read-check-update, in the same run.

Scenarios, each on fresh items (so they never meet):

- ``same``: every client issues from one (item, warehouse) until it runs dry;
- ``random``: every client issues from one of 64 (item, warehouse) pairs at random.

Each client makes ``--ops`` issues of 1 to 5 units; the stock is set so that about a
fifth of the issues would overdraw. The two ways:

- ``guarded``: ``services.issue`` (balance row locked in a fixed order, ``select_for_update``
  on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite; movement, line, ledger entry and balance
  in one transaction; ``Overdraw`` when short);
- ``unguarded``: the naive code: read the balance, check it in Python, write the new
  balance and a ledger entry, each statement in its own autocommit transaction.

Reported per (database, scenario, way): issues per second, p50/p99 latency, refusals,
deadlocks and other errors, the final balances against the sum of the ledger (must be
equal) and whether any balance or ledger sum went below zero.

    python bench/supplies_bench.py                                    # both databases
    python bench/supplies_bench.py --db sqlite --clients 32 --ops 40
    python bench/supplies_bench.py --pg-url postgres://postgres@127.0.0.1:5432/fk_supplies
    python bench/supplies_bench.py --db sqlite,sqlite-plain   # with and without fair_begin

``sqlite-plain``: SQLite with Django's own ``BEGIN IMMEDIATE`` (SQLite's busy handler
alone), i.e. without ``core.sqlite_lock.fair_begin``: the baseline of that fix.

SQLite: var/bench/supplies.sqlite3 (recreated). PostgreSQL: the database of ``--pg-url``
(its ``public`` schema is dropped and recreated: give it a database of its own).
Results: docs/performance.md, section "Supplies".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/fangkong_bench_supplies"
DAY = date(2020, 2, 20)


def env_for(db: str, pg_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env["FANGKONG_VAR_DIR"] = str(ROOT / "var" / "bench")
    env["DJANGO_SETTINGS_MODULE"] = "fangkong.settings"
    env["CONN_MAX_AGE"] = "0"
    if db.startswith("sqlite"):
        env["SQLITE_PATH"] = str(ROOT / "var" / "bench" / "supplies.sqlite3")
    else:
        env["DATABASE_URL"] = pg_url
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="both",
                        help="both, or a comma-separated list of sqlite, sqlite-plain, postgres")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--ops", type=int, default=40, help="issues per client")
    parser.add_argument("--child", action="store_true")
    opts = parser.parse_args()
    if opts.child:
        return run_child(opts)
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    dbs = ["sqlite", "postgres"] if opts.db == "both" else opts.db.split(",")
    for db in dbs:
        if db.startswith("sqlite"):
            for suffix in ("", "-wal", "-shm"):
                Path(str(ROOT / "var" / "bench" / "supplies.sqlite3") + suffix).unlink(
                    missing_ok=True)
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--db", db, "--clients", str(opts.clients),
             "--ops", str(opts.ops), "--pg-url", opts.pg_url],
            env=env_for(db, opts.pg_url), cwd=ROOT, capture_output=True, text=True)
        if out.returncode:
            sys.exit(f"{db} failed:\n{out.stderr[-4000:]}")
        rows = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"\n{db}: {opts.clients} clients x {opts.ops} issues")
        print(f"{'scenario':8} {'way':10} {'issues/s':>9} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'done':>5} {'refused':>7} {'deadlk':>6} {'errors':>6} "
              f"{'balance=ledger':>14} {'min':>6}")
        for r in rows:
            print(f"{r['scenario']:8} {r['way']:10} {r['rate']:9.0f} {r['p50']:7.1f} "
                  f"{r['p99']:7.1f} {r['done']:5d} {r['refused']:7d} {r['deadlocks']:6d} "
                  f"{r['errors']:6d} {str(r['consistent']):>14} {r['minimum']:>6}")
            for sample in r["samples"]:
                print(f"    error: {sample}")


def run_child(opts: Any) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    if opts.db == "sqlite-plain":
        from django.db.backends.signals import connection_created

        connection_created.disconnect(dispatch_uid="fangkong.sqlite_fair_begin")
        connection.close()  # the next connection begins the Django way
    from fangkong.core.models import Role
    from fangkong.core.models.territory import Level
    from fangkong.core.testing import make_unit, make_user

    city = make_unit(make_unit(None, "610000", "陕西省", Level.PROVINCE), "610900", "安康市",
                     Level.CITY)
    hq = make_user("bench-hq", Role.HQ_STAFF, city)
    rows = []
    for scenario in ("same", "random"):
        for way in ("guarded", "unguarded"):
            rows.append(measure(hq, city, scenario, way, opts.clients, opts.ops))
    print(json.dumps(rows))


def measure(hq: Any, city: Any, scenario: str, way: str, clients: int, ops: int
            ) -> dict[str, Any]:
    from django.db import OperationalError, connection
    from django.db.models import Sum

    from fangkong.supplies import services
    from fangkong.supplies.models import Balance, LedgerEntry
    from fangkong.supplies.services import Line

    tag = f"{scenario}-{way}"
    n_items, n_stores = (1, 1) if scenario == "same" else (8, 8)
    items = [services.save_item(hq, code=f"{tag}-{i}", name=f"物资{i}", category="mask",
                                unit="只")[0] for i in range(n_items)]
    stores = [services.create_warehouse(hq, city, name=f"{tag}库{s}")[0]
              for s in range(n_stores)]
    pairs = [(w, it) for w in stores for it in items]
    # About a fifth of the issues would overdraw: 3 units asked on average.
    per_pair = int(clients * ops * 3 * 0.8 / len(pairs))
    for w, it in pairs:
        services.receive(hq, w, client_id=uuid.uuid4(), day=DAY, lines=[Line(it, per_pair)],
                         source="purchase")
    balances = {(w.pk, it.pk): Balance.objects.get(warehouse=w, item=it).pk for w, it in pairs}
    template = LedgerEntry.objects.filter(warehouse=stores[0]).select_related("movement",
                                                                            "line").first()
    latencies: list[float] = []
    counts = {"done": 0, "refused": 0, "deadlocks": 0, "errors": 0}
    lock = threading.Lock()
    samples: set[str] = set()
    barrier = threading.Barrier(clients)

    def unguarded(w: Any, it: Any, q: int) -> bool:
        """The naive issue: read, check in Python, write; no lock, no transaction."""
        b = Balance.objects.get(pk=balances[(w.pk, it.pk)])
        if b.quantity < q:
            return False
        Balance.objects.filter(pk=b.pk).update(quantity=b.quantity - q)
        LedgerEntry.objects.create(movement=template.movement, line=template.line,
                                   warehouse=w, item=it, org_unit_id=w.org_unit_id,
                                   unit_path=w.unit_path, day=DAY, delta=-q,
                                   balance_after=b.quantity - q)
        return True

    def client(seed: int) -> None:
        rng = random.Random(seed)
        barrier.wait()
        try:
            for _ in range(ops):
                w, it = rng.choice(pairs)
                q = rng.randint(1, 5)
                start = time.perf_counter()
                outcome = "done"
                try:
                    if way == "guarded":
                        services.issue(hq, w, client_id=uuid.uuid4(), day=DAY,
                                       lines=[Line(it, q)], recipient_kind="other",
                                       recipient_label="bench")
                    elif not unguarded(w, it, q):
                        outcome = "refused"
                except services.Overdraw:
                    outcome = "refused"
                except OperationalError as exc:
                    outcome = "deadlocks" if "deadlock" in str(exc).lower() else "errors"
                    with lock:
                        samples.add(f"{type(exc).__name__}: {str(exc)[:120]}")
                except Exception as exc:  # noqa: BLE001 - counted, the bench goes on
                    outcome = "errors"
                    with lock:
                        samples.add(f"{type(exc).__name__}: {str(exc)[:120]}")
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    counts[outcome] += 1
                    latencies.append(elapsed)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    consistent, minimum = True, None
    for w, it in pairs:
        b = Balance.objects.get(pk=balances[(w.pk, it.pk)]).quantity
        ledger = (LedgerEntry.objects.filter(warehouse=w, item=it)
                  .aggregate(s=Sum("delta"))["s"] or Decimal(0))
        consistent &= b == ledger
        low = min(b, ledger)
        minimum = low if minimum is None else min(minimum, low)
    latencies.sort()
    return {"scenario": scenario, "way": way, "rate": len(latencies) / wall,
            "p50": statistics.median(latencies),
            "p99": latencies[int(len(latencies) * 0.99) - 1], **counts,
            "consistent": consistent, "minimum": str(minimum), "samples": sorted(samples)[:3]}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
