"""Export jobs benchmark: the people register exported by the job (``core.jobs``) against
bare XlsxWriter ``constant_memory`` writing the same rows from the same query, 100,000 and
1,000,000 rows, on SQLite and PostgreSQL, in the same run; and passage registration p99
idle and while a 1,000,000-row export runs at the worker's lower CPU priority.

Each measurement runs in a fresh process, so its peak RSS (``ru_maxrss``) is its own:

- ``job``: ``services.start_export`` + ``services.run`` for the HQ user, masked .xlsx, the
  whole flow a worker runs (scope, ``prepare``, masks, progress writes once a second, the
  file renamed into the job directory);
- ``bare``: the same queryset (``people_for_export``), ``iterator(chunk_size=2000)``,
  the same 7 columns of raw values into ``xlsxwriter.Workbook(constant_memory=True)``
  (until 2026-12-06 04:25 UTC it wrote 8, the birth date too, which the masked file
  has not);
- ``passages``: 400 passage registrations through the API (``POST
  /api/v1/checkpoints/<id>/passages`` with a bearer token, Django's test client in one
  process), once idle and once while a worker process (``nice 10``, as ``fangkong
  worker``) runs the 1M export.

    python bench/jobs_bench.py                 # SQLite and PostgreSQL
    python bench/jobs_bench.py --db sqlite --sizes 100000

SQLite: var/bench/jobs.sqlite3. PostgreSQL: ``fangkong_bench_jobs`` on 127.0.0.1:5432 as
``postgres`` (``--pg-url``), created if missing. Seeded once (``--rebuild`` to redo).
Results: docs/performance.md, section "Export jobs".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = os.environ.get(
    "BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/fangkong_bench_jobs")
BIG, SMALL = "610902", "610924"  # the 1M rows are the city; 100k of them in SMALL
PASSAGES = 400


def env_for(db: str, pg_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env["FANGKONG_VAR_DIR"] = str(ROOT / "var" / "bench")
    env["FANGKONG_JOBS_DIR"] = str(ROOT / "var" / "bench" / f"jobs-{db}")
    if db == "sqlite":
        env["SQLITE_PATH"] = str(ROOT / "var" / "bench" / "jobs.sqlite3")
    else:
        env["DATABASE_URL"] = pg_url
    return env


def child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", *args], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"child {args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--no-passages", action="store_true")
    parser.add_argument("--pairs", type=int, default=3,
                        help="interleaved job/bare pairs per size (the median ratio counts)")
    parser.add_argument("--child", nargs=argparse.REMAINDER)
    opts = parser.parse_args()
    if opts.child is not None:
        return run_child(opts.child)
    sizes = [int(s) for s in opts.sizes.split(",")]
    dbs = ["sqlite", "postgres"] if opts.db == "both" else [opts.db]
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {}
    for db in dbs:
        env = env_for(db, opts.pg_url)
        if db == "postgres":
            ensure_pg(opts.pg_url)
        print(f"[{db}] seeding (if needed) …", flush=True)
        seeded = child(["seed", str(max(sizes)), "1" if opts.rebuild else "0"], env)
        print(f"[{db}] {seeded}", flush=True)
        rows: dict[str, Any] = {}
        for size in sizes:
            unit = SMALL if size < max(sizes) else ""
            pairs = []
            for i in range(opts.pairs):
                # Interleaved, the order alternating, so a change of the machine's load
                # falls on both sides.
                if i % 2:
                    bare = child(["bare", unit], env)
                    job = child(["job", unit], env)
                else:
                    job = child(["job", unit], env)
                    bare = child(["bare", unit], env)
                ratio = job["seconds"] / bare["seconds"]
                cpu = job["cpu_seconds"] / bare["cpu_seconds"]
                pairs.append({"job": job, "bare": bare, "ratio": round(ratio, 3),
                              "cpu_ratio": round(cpu, 3)})
                print(f"[{db}] {job['rows']:>9,} rows  job {job['seconds']:7.1f} s "
                      f"(cpu {job['cpu_seconds']:6.1f}) {job['peak_mib']:5.0f} MiB | bare "
                      f"{bare['seconds']:7.1f} s (cpu {bare['cpu_seconds']:6.1f}) "
                      f"{bare['peak_mib']:5.0f} MiB | job/bare {ratio:.2f} (cpu {cpu:.2f})",
                      flush=True)
            median = statistics.median(p["ratio"] for p in pairs)
            cpu_median = statistics.median(p["cpu_ratio"] for p in pairs)
            rows[str(size)] = {"pairs": pairs, "median_ratio": round(median, 3),
                               "median_cpu_ratio": round(cpu_median, 3)}
            print(f"[{db}] {size:>9,} rows: median job/bare {median:.2f} over {len(pairs)} "
                  f"pairs (cpu {cpu_median:.2f})", flush=True)
        if not opts.no_passages:
            idle = child(["passages"], env)
            busy = passages_during_export(env)
            rows["passages"] = {"idle": idle, "during_export": busy}
            print(f"[{db}] passage p50/p99 idle {idle['p50_ms']:.1f}/{idle['p99_ms']:.1f} ms,"
                  f" during the 1M export {busy['p50_ms']:.1f}/{busy['p99_ms']:.1f} ms "
                  f"(p99 ×{busy['p99_ms'] / idle['p99_ms']:.2f})", flush=True)
        report[db] = rows
    print(json.dumps(report))


def passages_during_export(env: dict[str, str]) -> dict[str, Any]:
    worker = subprocess.Popen([sys.executable, __file__, "--child", "job", "", "nice"],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    time.sleep(3)  # the export is writing rows
    result = child(["passages"], env)
    result["export_still_running"] = worker.poll() is None
    worker.communicate()
    return result


def ensure_pg(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


# --- Children ---------------------------------------------------------------------------

def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(args: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    what = args[0]
    result = {"seed": seed, "job": job, "bare": bare, "passages": passages}[what](*args[1:])
    print(json.dumps(result))


def seed(total: str, rebuild: str) -> dict[str, Any]:
    from datetime import date, timedelta

    from django.core.management import call_command
    from django.db import connection

    from fangkong.core.models import Grant, Level, OrgUnit, Person, Role
    from fangkong.lib.identity import make_id_number

    call_command("migrate", verbosity=0)
    total_rows = int(total)
    if Person.objects.count() >= total_rows and rebuild != "1":  # the passage runs add some
        return {"people": total_rows, "seeded": False}
    Person.objects.all().delete()
    OrgUnit.objects.all().delete()
    province = OrgUnit.add_root(code="610000", name="陕西省", level=Level.PROVINCE)
    city = province.add_child(code="610900", name="安康市", level=Level.CITY)
    big = city.add_child(code=BIG, name="汉滨区", level=Level.COUNTY)
    small = city.add_child(code=SMALL, name="紫阳县", level=Level.COUNTY)
    community = small.add_child(code=SMALL + "100001", name="北城社区", level=Level.COMMUNITY)
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    hq = users.filter(username="bench-hq").first() or users.create_user("bench-hq")
    Grant.objects.get_or_create(user=hq, role=Role.HQ_STAFF, org_unit=city)
    gate = users.filter(username="bench-gate").first() or users.create_user("bench-gate")
    Grant.objects.get_or_create(user=gate, role=Role.HQ_STAFF, org_unit=city)
    small_rows = total_rows // 10
    started = time.monotonic()
    batch: list[Person] = []
    for i in range(total_rows):
        unit = small if i < small_rows else big
        birth = date(1940, 1, 1) + timedelta(days=i // 900)
        batch.append(Person(
            id_number=make_id_number(unit.code, birth, 1 + i % 900), name=f"居民{i}",
            sex="M" if i % 2 else "F", birth_date=birth, phone=f"139{i:08d}",
            address=f"{unit.name}幸福路{i % 500}号", org_unit=unit, unit_path=unit.path))
        if len(batch) == 5000:
            Person.objects.bulk_create(batch)
            batch = []
    Person.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE core_person")
    from fangkong.checkpoints.models import Checkpoint

    Checkpoint.objects.get_or_create(org_unit=community, name="基准卡点")
    return {"people": total_rows, "seeded": True,
            "seconds": round(time.monotonic() - started, 1)}


def job(unit: str = "", nice: str = "") -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from fangkong.core.jobs import services
    from fangkong.core.models import Job

    if nice:
        os.nice(10)
    user = get_user_model().objects.get(username="bench-hq")
    before = peak_mib()
    started, cpu = time.monotonic(), time.process_time()
    created = services.start_export(user, "people", {"unit": unit} if unit else {},
                                    fmt="xlsx", queue=False)
    outcome = services.run(created.pk, created.attempt)
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    done = Job.objects.get(pk=created.pk)
    size = services.file_path(done).stat().st_size if done.file_name else 0
    if done.file_name:
        services.file_path(done).unlink()
    return {"outcome": outcome, "rows": done.done, "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "peak_mib": round(peak_mib(), 1), "startup_mib": round(before, 1),
            "file_mib": round(size / 2**20, 1)}


def bare(unit: str = "") -> dict[str, Any]:
    import tempfile

    import xlsxwriter
    from django.contrib.auth import get_user_model

    from fangkong.core.models.accounts import Cap
    from fangkong.core.people_io import people_for_export

    user = get_user_model().objects.get(username="bench-hq")
    before = peak_mib()
    started, cpu = time.monotonic(), time.process_time()
    qs = people_for_export(user, Cap.VIEW, "", unit)
    rows = 0
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as out:
        with xlsxwriter.Workbook(out.name, {"constant_memory": True}) as book:
            sheet = book.add_worksheet()
            # The 7 columns of the job's (masked) file, raw values: the birth date is only
            # in the unmasked file.
            sheet.write_row(0, 0, ["姓名", "性别", "身份证号", "手机", "住址", "所属单位",
                                   "单位代码"])
            for person in qs.iterator(chunk_size=2000):
                rows += 1
                sheet.write_row(rows, 0, [
                    person.name, person.sex, person.id_number, person.phone,
                    person.address, person.org_unit.name, person.org_unit.code])
    return {"rows": rows, "seconds": round(time.monotonic() - started, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),
            "peak_mib": round(peak_mib(), 1), "startup_mib": round(before, 1)}


def passages() -> dict[str, Any]:
    import random
    import uuid

    from django.contrib.auth import get_user_model
    from django.test import Client

    from fangkong.checkpoints.models import Checkpoint
    from fangkong.core.models import ApiToken

    user = get_user_model().objects.get(username="bench-gate")
    _row, raw = ApiToken.issue(user)
    checkpoint = Checkpoint.objects.get(name="基准卡点")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/v1/checkpoints/{checkpoint.pk}/passages"
    rng = random.Random(7)
    times = []
    from datetime import date

    from fangkong.lib.identity import make_id_number
    for i in range(PASSAGES):
        body = {"client_id": str(uuid.uuid4()), "direction": rng.choice(["in", "out"]),
                "name": f"过客{i}", "id_number": make_id_number(
                    "610924", date(1990, 1, 1 + i % 28), 1 + (i * 7) % 900),
                "phone": "13800000000", "temperature": 36.5}
        started = time.perf_counter()
        response = client.post(url, body, content_type="application/json")
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code not in (200, 201):
            raise SystemExit(f"{response.status_code} {response.content[:300]!r}")
    times.sort()
    return {"n": len(times), "p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(times[int(len(times) * 0.99) - 1], 2)}


if __name__ == "__main__":
    main()
