"""Daily reporting benchmark: completeness and the city-wide aggregate for one day.

One form (10 number indicators) reported by 2,000 communities (10 counties × 20 towns ×
10 communities) every day for 60 days: 120,000 reports, 1.2 M values. For one day and
the whole city it times

- ``completeness``: what ``GET /api/v1/reports/<form>/completeness`` computes
  (``reports.completeness``: the expected reporters LEFT JOINed with the day's reports);
- ``aggregate``: what ``GET /api/v1/reports/<form>/aggregate`` computes
  (``reports.figures``: one roll-up row);

each against the same answer computed by one hand-written SQL query over the raw tables
(checked equal in the same run), plus some context: the same aggregate from JSON
documents (the storage we did not choose), a county, the 30-day trend, and the cost of
one submission (the roll-up rows are written in the same transaction).

    python bench/reports_bench.py                      # SQLite and PostgreSQL
    python bench/reports_bench.py --db sqlite --race   # also race 8 threads on one report

SQLite: a file under var/bench/. PostgreSQL: database ``fangkong_bench`` on
127.0.0.1:5432 as user ``postgres`` (``--pg-url`` to change), created if missing. The
data are generated once and reused (``--rebuild`` to regenerate). Results in
docs/performance.md, section "Daily reporting".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/fangkong_bench"
FORM_CODE = "bench_daily"
COUNTIES, TOWNS, COMMUNITIES = 10, 20, 10
INDICATORS = [  # code, type, aggregation
    ("people_screened", "integer", "sum"), ("fever_found", "integer", "sum"),
    ("gatherings", "integer", "sum"), ("checkpoints", "integer", "sum"),
    ("volunteers", "integer", "sum"), ("supplies", "integer", "sum"),
    ("enterprises", "integer", "sum"), ("projects", "integer", "sum"),
    ("funds", "decimal", "sum"), ("coverage", "decimal", "average"),
]


# --- Orchestration -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data")
    parser.add_argument("--race", action="store_true",
                        help="also send one report from 8 threads at once")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args)))
        return
    results = []
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        cmd = [sys.executable, __file__, "--child", "--db", db, "--pg-url", args.pg_url,
               "--days", str(args.days), "--repeat", str(args.repeat)]
        cmd += ["--rebuild"] if args.rebuild else []
        cmd += ["--race"] if args.race else []
        env = dict(os.environ)
        if db == "sqlite":
            env.pop("DATABASE_URL", None)
            (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
            env["SQLITE_PATH"] = str(ROOT / "var" / "bench" / "reports.sqlite3")
        else:
            ensure_pg_database(args.pg_url)
            env["DATABASE_URL"] = args.pg_url
        print(f"[{db}] running …", file=sys.stderr, flush=True)
        out = subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True,
                             text=True)
        sys.stderr.write(out.stderr)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(report(results))


def ensure_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def report(results: list[dict[str, Any]]) -> str:
    lines = ["", "| database | what | fangkong (median / p95 ms) | hand-written SQL (median ms) "
             "| ratio | target |", "|---|---|---|---|---|---|"]
    for r in results:
        for key, label, target in (
            ("completeness", "completeness, city, one day", True),
            ("aggregate", "aggregate, city, one day", True),
            ("both", "completeness + aggregate", True),
            ("county_completeness", "completeness, one county", False),
            ("trend30", "30-day trend (values + completeness)", False),
        ):
            m = r["timings"][key]
            hand = r["timings"].get(f"{key}_sql")
            ratio = f"{m['median'] / hand['median']:.2f}×" if hand else "—"
            ok = ""
            if target:
                good = m["median"] < 200 and (hand is None or m["median"] <= 2 * hand["median"])
                ok = "met" if good else "MISSED"
            lines.append(f"| {r['vendor']} | {label} | {m['median']:.2f} / {m['p95']:.2f} | "
                         f"{hand['median']:.2f} | {ratio} | {ok} |" if hand else
                         f"| {r['vendor']} | {label} | {m['median']:.2f} / {m['p95']:.2f} | — | — "
                         f"| {ok} |")
        j = r["timings"]["aggregate_json_sql"]
        lines.append(f"| {r['vendor']} | aggregate from JSON documents (not chosen) | — | "
                     f"{j['median']:.2f} | — | |")
        w = r["timings"]["submit"]
        lines.append(f"| {r['vendor']} | one submission (incl. 5 roll-up rows) | "
                     f"{w['median']:.2f} / {w['p95']:.2f} | — | — | |")
    lines.append("")
    for r in results:
        lines.append(f"- {r['vendor']}: {r['reports']:,} reports, {r['values']:,} values, "
                     f"{r['rollups']:,} roll-up rows; generated in {r['generate_s']:.0f} s, "
                     f"roll-up rebuilt in {r['rebuild_s']:.1f} s; {r['repeat']} runs per "
                     f"figure; answers equal: {r['equal']}"
                     + (f"; race: {r['race']}" if r.get("race") else ""))
    return "\n".join(lines)


# --- The measuring process ----------------------------------------------------------------


def run_child(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from fangkong.reports.models import ReportForm, Submission

    form = ReportForm.objects.filter(code=FORM_CODE).first()
    expected = COUNTIES * TOWNS * COMMUNITIES * args.days
    generate_s = rebuild_s = 0.0
    if args.rebuild or form is None or Submission.objects.filter(form=form).count() < (
            expected * 0.9):
        generate_s, rebuild_s = generate(args.days)
        form = ReportForm.objects.get(code=FORM_CODE)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    out = measure(form, args)
    out.update(generate_s=generate_s, rebuild_s=rebuild_s, vendor=connection.vendor,
               repeat=args.repeat)
    if args.race:
        out["race"] = race(form)
    return out


def wipe() -> None:
    from django.db import connection

    tables = ["reports_rollup", "reports_submissionversion", "reports_submissionvalue",
              "reports_submission", "reports_reporter", "reports_rule", "reports_indicator",
              "reports_reportform"]
    with connection.cursor() as cur:
        for t in tables:
            cur.execute(f"DELETE FROM {t}")  # noqa: S608 - fixed table names
        cur.execute("DELETE FROM core_grant WHERE org_unit_id IN "
                    "(SELECT id FROM core_orgunit WHERE code LIKE '99%%')")
        cur.execute("DELETE FROM core_orgunit WHERE code LIKE '99%%'")


def generate(days: int) -> tuple[float, float]:
    """The tree 990000 → 990100 → 10 counties → 200 towns → 2,000 communities, the form,
    and 60 days of reports (5 % missing, 3 % drafts, 12 % late)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from fangkong.core.models import OrgUnit
    from fangkong.reports import rollups
    from fangkong.reports.models import Indicator, Reporter, ReportForm, Submission

    started = time.monotonic()
    wipe()
    rng = random.Random(20200228)
    with transaction.atomic():
        province = OrgUnit.objects.add_root(instance=OrgUnit(
            code="990000", name="基准省", level="province"))
        city = OrgUnit.objects.add_child(OrgUnit.objects.get(pk=province.pk), instance=OrgUnit(
            code="990100", name="基准市", level="city"))
        city = OrgUnit.objects.get(pk=city.pk)
        nodes, communities = [], []
        for c in range(1, COUNTIES + 1):
            cpath = OrgUnit._get_path(city.path, 3, c)
            nodes.append(OrgUnit(code=f"9901{c:02d}", name=f"第{c}县", level="county",
                                 path=cpath, depth=3, numchild=TOWNS))
            for t in range(1, TOWNS + 1):
                tpath = OrgUnit._get_path(cpath, 4, t)
                tcode = f"9901{c:02d}{t:03d}"
                nodes.append(OrgUnit(code=tcode, name=f"第{c}县{t}镇", level="town",
                                     path=tpath, depth=4, numchild=COMMUNITIES))
                for m in range(1, COMMUNITIES + 1):
                    unit = OrgUnit(code=f"{tcode}{m:03d}", name=f"第{c}县{t}镇{m}社区",
                                   level="community", path=OrgUnit._get_path(tpath, 5, m),
                                   depth=5, numchild=0)
                    nodes.append(unit)
                    communities.append(unit)
        OrgUnit.objects.bulk_create(nodes, batch_size=2000)
        OrgUnit.objects.filter(pk=city.pk).update(numchild=COUNTIES)
        form = ReportForm.objects.create(code=FORM_CODE, name="基准日报", deadline_days=0)
        indicators = [
            Indicator.objects.create(form=form, code=code, name=code, type=typ,
                                     aggregation=agg, position=n, decimal_places=2)
            for n, (code, typ, agg) in enumerate(INDICATORS, 1)
        ]
        units = {u.code: u for u in OrgUnit.objects.filter(level="community",
                                                             code__startswith="99")}
        reporters = Reporter.objects.bulk_create([
            Reporter(form=form, unit=units[u.code], code=u.code, name=u.name,
                     unit_path=u.path) for u in communities], batch_size=2000)
        if reporters[0].pk is None:
            reporters = list(Reporter.objects.filter(form=form))
        today = timezone.localdate()
        first = today - dt.timedelta(days=days)
        tz = timezone.get_default_timezone()
        subs: list[Submission] = []
        for n in range(days):
            day = first + dt.timedelta(days=n)
            deadline = timezone.make_aware(dt.datetime.combine(day, dt.time(17)), tz)
            for r in reporters:
                x = rng.random()
                if x < 0.05:
                    continue
                late = rng.random() < 0.12
                at = deadline + dt.timedelta(minutes=rng.randint(1, 240) if late
                                             else -rng.randint(1, 480))
                subs.append(Submission(
                    form=form, reporter=r, date=day, org_unit_id=r.unit_id,
                    unit_path=r.unit_path, status="draft" if x < 0.08 else (
                        "approved" if x < 0.8 else "submitted"),
                    version=1, first_submitted_at=None if x < 0.08 else at,
                    submitted_at=None if x < 0.08 else at,
                    on_time=None if x < 0.08 else not late))
        Submission.objects.bulk_create(subs, batch_size=5000)
        if subs[0].pk is None:
            ids = {(s.reporter_id, s.date): s.pk for s in Submission.objects.filter(form=form)}
            for s in subs:
                s.pk = ids[(s.reporter_id, s.date)]
        rows = []
        for s in subs:
            for ind in indicators:
                if ind.code == "coverage":
                    value = Decimal(rng.randint(900, 1000)) / 10
                elif ind.code == "funds":
                    value = Decimal(rng.randint(0, 50000)) / 100
                else:
                    value = Decimal(rng.randint(0, 500))
                rows.append((s.pk, ind.pk, value, "", None, False))
        with connection.cursor() as cur:
            sql = ("INSERT INTO reports_submissionvalue (submission_id, indicator_id, number, "
                   "text, computed, overridden) VALUES (%s, %s, %s, %s, %s, %s)")
            for i in range(0, len(rows), 20000):
                cur.executemany(sql, rows[i:i + 20000])
    generated = time.monotonic() - started
    started = time.monotonic()
    rollups.rebuild(form)
    return generated, time.monotonic() - started


def timed(fn, repeat: int) -> tuple[dict[str, float], Any]:
    for _ in range(2):
        result = fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {"median": statistics.median(samples),
            "p95": samples[min(len(samples) - 1, int(len(samples) * 0.95))]}, result


def measure(form: Any, args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from fangkong.core.models import OrgUnit
    from fangkong.reports import figures
    from fangkong.reports.completeness import completeness, trend
    from fangkong.reports.models import Rollup, Submission, SubmissionValue

    city = OrgUnit.objects.get(code="990100")
    county = OrgUnit.objects.get(code="990105")
    day = timezone.localdate() - dt.timedelta(days=args.days // 2)
    indicators = list(form.indicators.all())
    timings: dict[str, dict[str, float]] = {}

    # Both sides get the form and its indicators already loaded: an API request loads
    # them once, whichever way the figures are then computed.
    loaded = type(form).objects.prefetch_related("indicators").get(pk=form.pk)

    def fresh_form():
        return loaded

    timings["completeness"], comp = timed(
        lambda: completeness(fresh_form(), day, city, codes_only=True).as_api(), args.repeat)
    timings["completeness_sql"], comp_sql = timed(
        lambda: completeness_sql(form.pk, day, city.path), args.repeat)
    timings["aggregate"], agg = timed(
        lambda: {k: figures.api_value(v) for k, v in
                 figures.aggregate(fresh_form(), day, city).items()}, args.repeat)
    timings["aggregate_sql"], agg_sql = timed(
        lambda: aggregate_sql(form.pk, day, city.path, indicators), args.repeat)
    timings["both"], _both = timed(lambda: (
        completeness(fresh_form(), day, city, codes_only=True).as_api(),
        figures.aggregate(fresh_form(), day, city)), args.repeat)
    timings["both_sql"] = {k: timings["completeness_sql"][k] + timings["aggregate_sql"][k]
                           for k in ("median", "p95")}
    timings["county_completeness"], county_comp = timed(
        lambda: completeness(fresh_form(), day, county, codes_only=True).as_api(), args.repeat)
    timings["county_completeness_sql"], county_sql = timed(
        lambda: completeness_sql(form.pk, day, county.path), args.repeat)
    start = day - dt.timedelta(days=29)
    timings["trend30"], _t = timed(lambda: (figures.series(fresh_form(), city, start, day),
                                            trend(fresh_form(), city, start, day)), args.repeat)
    timings["trend30_sql"], _ts = timed(
        lambda: trend_sql(form.pk, start, day, city.path), max(3, args.repeat // 5))
    json_table(form.pk)
    timings["aggregate_json_sql"], agg_json = timed(
        lambda: aggregate_json_sql(form.pk, day, city.path, indicators), args.repeat)
    timings["submit"] = submit_timing(form, max(10, args.repeat))
    equal = comp == comp_sql and agg == agg_sql and county_comp == county_sql and \
        agg_json == agg_sql
    if not equal:
        print("MISMATCH", comp == comp_sql, agg, agg_sql, agg_json, file=sys.stderr)
    return {
        "timings": timings, "equal": equal, "day": day.isoformat(),
        "reports": Submission.objects.filter(form=form).count(),
        "values": SubmissionValue.objects.filter(submission__form=form).count(),
        "rollups": Rollup.objects.filter(form=form).count(),
        "db": connection.settings_dict["NAME"],
    }


def _like(path: str) -> str:
    return path + "%"


def completeness_sql(form_id: int, day: dt.date, path: str) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("""
            SELECT r.code, s.status, s.on_time
            FROM reports_reporter r
            LEFT JOIN reports_submission s
              ON s.form_id = r.form_id AND s.reporter_id = r.id AND s.date = %s
            WHERE r.form_id = %s AND r.unit_path LIKE %s
              AND (r.active_from IS NULL OR r.active_from <= %s)
              AND (r.active_until IS NULL OR r.active_until >= %s)
            ORDER BY r.unit_path, r.code
        """, [day, form_id, _like(path), day, day])
        rows = cur.fetchall()
    late, missing, on_time, submitted = [], [], 0, 0
    for code, status, ok in rows:
        if status in ("submitted", "approved"):
            submitted += 1
            if ok:
                on_time += 1
            else:
                late.append(code)
        else:
            missing.append(code)
    return {"expected": len(rows), "submitted": submitted, "on_time": on_time, "late": late,
            "missing": missing}


def _typed(ind: Any, total: Decimal, n: int) -> Any:
    if ind.aggregation == "average":
        return str((total / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) if n else None
    if ind.type == "integer":
        return int(total)
    return str(total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def aggregate_sql(form_id: int, day: dt.date, path: str, indicators: list) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("""
            SELECT v.indicator_id, SUM(v.number), COUNT(v.number)
            FROM reports_submissionvalue v
            JOIN reports_submission s ON s.id = v.submission_id
            WHERE s.form_id = %s AND s.date = %s AND s.status IN ('submitted', 'approved')
              AND s.unit_path LIKE %s
            GROUP BY v.indicator_id
        """, [form_id, day, _like(path)])
        got = {ind_id: (Decimal(str(total)), n) for ind_id, total, n in cur.fetchall()}
    return {i.code: _typed(i, *got.get(i.pk, (Decimal(0), 0))) for i in indicators}


def json_table(form_id: int) -> None:
    """The storage we did not choose: one JSON document of values per report."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_json")
        agg = ("json_group_object(i.code, v.number)" if connection.vendor == "sqlite"
               else "jsonb_object_agg(i.code, v.number)")
        cur.execute(f"""
            CREATE TABLE bench_json AS
            SELECT s.id, s.form_id, s.date, s.status, s.unit_path, {agg} AS doc
            FROM reports_submission s
            JOIN reports_submissionvalue v ON v.submission_id = s.id
            JOIN reports_indicator i ON i.id = v.indicator_id
            WHERE s.form_id = %s GROUP BY s.id, s.form_id, s.date, s.status, s.unit_path
        """, [form_id])  # noqa: S608 - fixed SQL
        cur.execute("CREATE INDEX bench_json_day ON bench_json (form_id, date, unit_path)")
        cur.execute("ANALYZE bench_json")


def aggregate_json_sql(form_id: int, day: dt.date, path: str, indicators: list
                       ) -> dict[str, Any]:
    from django.db import connection

    if connection.vendor == "sqlite":
        expr = "CAST(json_extract(doc, '$.{c}') AS NUMERIC)"
    else:
        expr = "(doc ->> '{c}')::numeric"
    cols = ", ".join(f"SUM({expr.format(c=i.code)}), COUNT({expr.format(c=i.code)})"
                     for i in indicators)
    from django.db import connection as conn

    with conn.cursor() as cur:
        cur.execute(f"""
            SELECT {cols} FROM bench_json
            WHERE form_id = %s AND date = %s AND status IN ('submitted', 'approved')
              AND unit_path LIKE %s
        """, [form_id, day, _like(path)])  # noqa: S608 - codes are fixed identifiers
        row = cur.fetchone()
    out = {}
    for n, ind in enumerate(indicators):
        total, count = row[2 * n], row[2 * n + 1]
        # SQLite sums JSON numbers as binary floats: round to the places like the others.
        total = Decimal(str(total or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        out[ind.code] = _typed(ind, total, count)
    return out


def trend_sql(form_id: int, start: dt.date, end: dt.date, path: str) -> list:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("""
            SELECT s.date, v.indicator_id, SUM(v.number), COUNT(DISTINCT s.id)
            FROM reports_submissionvalue v
            JOIN reports_submission s ON s.id = v.submission_id
            WHERE s.form_id = %s AND s.date BETWEEN %s AND %s
              AND s.status IN ('submitted', 'approved') AND s.unit_path LIKE %s
            GROUP BY s.date, v.indicator_id
        """, [form_id, start, end, _like(path)])
        return cur.fetchall()


def _delete_day(form_id: int, day: dt.date) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        sub = "SELECT id FROM reports_submission WHERE form_id = %s AND date = %s"
        cur.execute(f"DELETE FROM reports_submissionversion WHERE submission_id IN ({sub})",
                    [form_id, day])
        cur.execute(f"DELETE FROM reports_submissionvalue WHERE submission_id IN ({sub})",
                    [form_id, day])
        cur.execute("DELETE FROM reports_submission WHERE form_id = %s AND date = %s",
                    [form_id, day])
        cur.execute("DELETE FROM reports_rollup WHERE form_id = %s AND date = %s",
                    [form_id, day])


def _bench_user() -> Any:
    from django.contrib.auth import get_user_model

    from fangkong.core.models import Grant, OrgUnit

    user, _ = get_user_model().objects.get_or_create(username="bench-hq")
    city = OrgUnit.objects.get(code="990100")
    Grant.objects.get_or_create(user=user, role="hq_staff", org_unit=city)
    return user


def submit_timing(form: Any, n: int) -> dict[str, float]:
    """Submitting one report today: validation, the report, its values and version, and
    the five ancestor roll-up rows, in one transaction."""
    from django.utils import timezone

    from fangkong.reports import services
    from fangkong.reports.models import Reporter

    user = _bench_user()
    today = timezone.localdate()
    _delete_day(form.pk, today)
    reporters = list(Reporter.objects.filter(form=form).select_related("form", "unit")
                     .order_by("?")[:n])
    samples = []
    for i, reporter in enumerate(reporters):
        values = {code: (i % 50) for code, typ, _agg in INDICATORS if typ == "integer"}
        values.update(funds="12.50", coverage="97.5")
        t0 = time.perf_counter()
        services.save_report(user, reporter, today, values, submit=True)
        samples.append((time.perf_counter() - t0) * 1000)
    _delete_day(form.pk, today)
    samples.sort()
    return {"median": statistics.median(samples),
            "p95": samples[min(len(samples) - 1, int(len(samples) * 0.95))]}


def race(form: Any) -> str:
    """Eight threads submit the same report at once: one row, one version."""
    from django.db import close_old_connections, connection
    from django.utils import timezone

    from fangkong.reports import services
    from fangkong.reports.models import Reporter, Submission, SubmissionVersion

    user = _bench_user()
    today = timezone.localdate()
    _delete_day(form.pk, today)
    reporter = Reporter.objects.filter(form=form).select_related("form", "unit").first()
    values = {code: 7 for code, typ, _agg in INDICATORS if typ == "integer"}
    barrier = threading.Barrier(8)
    results: list[Any] = [None] * 8

    def run(i: int) -> None:
        close_old_connections()
        try:
            barrier.wait(timeout=10)
            results[i] = services.save_report(user, reporter, today, values, submit=True)
        except Exception as exc:  # noqa: BLE001 - reported below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    errors = [repr(r) for r in results if isinstance(r, Exception)]
    rows = Submission.objects.filter(form=form, reporter=reporter, date=today).count()
    versions = SubmissionVersion.objects.filter(submission__form=form,
                                                submission__date=today).count()
    created = sum(1 for r in results if not isinstance(r, Exception) and r.created)
    _delete_day(form.pk, today)
    return (f"8 threads → {rows} report, {versions} version, {created} created, "
            f"{len(errors)} errors" + (f" {errors[:2]}" if errors else ""))


if __name__ == "__main__":
    main()
