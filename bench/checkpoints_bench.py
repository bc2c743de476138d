"""Passage registration over HTTP: the real endpoint against a minimal insert view.

For SQLite (a fresh file) and PostgreSQL (database ``fangkong_bench_cp`` on
127.0.0.1:5432, created and dropped here) this

1. migrates and seeds a fresh database (``bench.checkpoints_seed``);
2. starts ``fangkong serve --port <free port> --workers 2`` with the bench settings
   (``bench.checkpoints_settings``: the project plus the minimal view of
   ``bench.checkpoints_minimal``, which production never loads);
3. loads both endpoints in the same run, alternately, with 4 and 32 concurrent clients:
   Python processes whose threads send requests with ``http.client`` (loopback only,
   bounded by time and by count);
4. prints requests/s, p50/p99 latency, errors and duplicates for each, and the ratio.

Duplicates are checked in the database afterwards: rows against distinct client_ids,
and rows against the keys the server acknowledged with 201. Of the real endpoint's
requests, ``--retry-share`` re-send an earlier body (same client_id), as a phone does
after a timeout; those must answer 200 with the first record's id.

Run: ``.venv/bin/python bench/checkpoints_bench.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_URL = "postgres://postgres@127.0.0.1:5432/fangkong_bench_cp"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
MAX_REQUESTS_PER_RUN = 200_000
PEOPLE = 3000  # registered residents passing the gates
POOL_SEED = 20200302
NEW_SHARE = 0.05  # requests by someone not yet in the person registry


# --- request bodies --------------------------------------------------------------------


def _id_number(rng: random.Random) -> str:
    sys.path.insert(0, str(ROOT))
    from fangkong.lib.identity import make_id_number

    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(60 * 365))
    return make_id_number(rng.choice(["610902", "610924", "420102"]), birth,
                          rng.randrange(1000))


def make_pool(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """(ID number, name, phone) of ``n`` generated people."""
    return [(_id_number(rng), rng.choice("王李张刘陈杨赵黄周吴") + rng.choice("伟芳娜敏静丽强磊"),
             "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9)))
            for _ in range(n)]


def resident_pool() -> list[tuple[str, str, str]]:
    """The people the seed registers: residents whose records exist, as after the
    door-to-door screening. The bench's requests are mostly theirs."""
    return make_pool(random.Random(POOL_SEED), PEOPLE)


def make_bodies(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    pool = resident_pool()
    bodies = []
    for _ in range(n):
        id_number, name, phone = (make_pool(rng, 1)[0] if rng.random() < NEW_SHARE
                                  else rng.choice(pool))
        plate = ""
        if rng.random() < 0.2:
            province = "鄂" if rng.random() < 0.05 else "陕"
            plate = f"{province}{rng.choice('ABG')}{rng.randrange(10000, 99999)}"
        temperature = round(rng.uniform(36.0, 37.1), 1) if rng.random() > 0.01 else 37.6
        bodies.append(json.dumps({
            "client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "direction": rng.choice(["in", "out"]), "name": name, "id_number": id_number,
            "phone": phone, "temperature": temperature, "plate": plate,
            "mask": rng.random() > 0.05, "resident": rng.random() > 0.1, "origin": "安康",
        }, ensure_ascii=False).encode())
    return bodies


# --- the load ----------------------------------------------------------------------------


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    created_keys: list[str] = field(default_factory=list)
    retry_mismatch: int = 0
    elapsed: float = 0.0
    samples: list[str] = field(default_factory=list)
    created_count: int | None = None  # wrk: 201s counted, keys not known
    requests: int | None = None


def _worker(port: int, paths: list[str], token: str, bodies: list[bytes], retry_share: float,
            deadline: float, budget: int, seed: int, rate: float = 0.0) -> Result:
    """One client thread: requests back to back until the deadline or the budget, or, with
    ``rate``, one every 1/rate seconds on a fixed schedule (a gate registering people as
    they come); then latency counts from the scheduled time, so a slow answer that
    delays the next request is not hidden."""
    rng = random.Random(seed)
    interval = 1 / rate if rate else 0.0
    scheduled = time.perf_counter() + rng.random() * interval
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    result = Result()
    sent: list[tuple[str, bytes, int]] = []
    i = 0
    while time.monotonic() < deadline and i < budget:
        retry = sent and rng.random() < retry_share
        if retry:
            path, body, first_id = sent[rng.randrange(len(sent))]
        else:
            path, body, first_id = paths[rng.randrange(len(paths))], bodies[i % len(bodies)], None
            i += 1
        start = time.perf_counter()
        if interval:
            if scheduled > start:
                time.sleep(scheduled - start)
            start, scheduled = scheduled, scheduled + interval
        try:
            conn.request("POST", path, body, headers)
            response = conn.getresponse()
            payload = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            result.errors += 1
            continue
        result.latencies.append(time.perf_counter() - start)
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status not in (200, 201):
            result.errors += 1
            if len(result.samples) < 3:
                result.samples.append(f"{status} {payload[:300].decode(errors='replace')}")
            continue
        row_id = json.loads(payload)["id"]
        if retry:
            if status != 200 or row_id != first_id:
                result.retry_mismatch += 1
        elif status == 201:
            sent.append((path, body, row_id))
            result.created_keys.append(json.loads(body)["client_id"])
        if status == 200 and not retry:
            result.retry_mismatch += 1  # a fresh key must never look like a retry
    conn.close()
    return result


def _process(port, paths, token, bodies, retry_share, threads, seconds, budget, seed, rate,
             queue):
    deadline = time.monotonic() + seconds
    results: list[Result] = []
    share = len(bodies) // threads

    def run(k: int) -> None:
        results.append(_worker(port, paths, token, bodies[k * share:(k + 1) * share],
                               retry_share, deadline, budget // threads, seed * 1000 + k,
                               rate))

    pool = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    merged = Result()
    for r in results:
        merged.latencies += r.latencies
        merged.errors += r.errors
        merged.created_keys += r.created_keys
        merged.retry_mismatch += r.retry_mismatch
        merged.samples += r.samples
        for k, v in r.statuses.items():
            merged.statuses[k] = merged.statuses.get(k, 0) + v
    queue.put(merged)


def load(port: int, paths: list[str], token: str, clients: int, seconds: float,
         retry_share: float, seed: int, rate: float = 0.0) -> Result:
    """``clients`` concurrent connections from 2 processes (so the client is not one GIL)."""
    procs = 2 if clients >= 2 else 1
    per_proc = clients // procs
    budget = MAX_REQUESTS_PER_RUN // procs
    bodies = make_bodies(min(MAX_REQUESTS_PER_RUN, int(seconds * 6000)) // procs + clients,
                         seed)
    queue: mp.Queue = mp.Queue()
    workers = [mp.Process(target=_process, args=(
        port, paths, token, bodies[k::procs], retry_share, per_proc, seconds, budget,
        seed * 10 + k, rate, queue)) for k in range(procs)]
    start = time.monotonic()
    for w in workers:
        w.start()
    parts = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    total = Result(elapsed=time.monotonic() - start)
    for r in parts:
        total.latencies += r.latencies
        total.errors += r.errors
        total.created_keys += r.created_keys
        total.retry_mismatch += r.retry_mismatch
        total.samples += r.samples
        for k, v in r.statuses.items():
            total.statuses[k] = total.statuses.get(k, 0) + v
    return total


# --- the load, with wrk ---------------------------------------------------------------------

WRK_SCRIPT = r"""
local SEED, RETRY, TOKEN, NEW = %(seed)d, %(retry)f, "%(token)s", %(new_share)f
local WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local function newcomer()
  local first = string.format("610902%%04d%%02d%%02d%%03d", math.random(1950, 2005),
    math.random(1, 12), math.random(1, 28), math.random(0, 999))
  local sum = 0
  for i = 1, 17 do sum = sum + tonumber(first:sub(i, i)) * WEIGHTS[i] end
  local check = ("10X98765432"):sub(sum %% 11 + 1, sum %% 11 + 1)
  return {first .. check, "新" .. tid, "139" .. string.format("%%08d", math.random(0, 99999999))}
end
local PATHS = {%(paths)s}
local POOL = {%(pool)s}
local threads, next_tid = {}, 1
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(SEED * 7919 + tid)
  counter, created, retried, errors, mismatch, sent, last = 0, 0, 0, 0, 0, {}, nil
end
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. TOKEN}
function request()
  if #sent > 0 and math.random() < RETRY then
    local s = sent[math.random(#sent)]
    last = {path = s.path, body = s.body, retry = true, first = s.id}
  else
    counter = counter + 1
    local p = math.random() < NEW and newcomer() or POOL[math.random(#POOL)]
    local plate = ""
    if math.random() < 0.2 then
      plate = (math.random() < 0.05 and "鄂" or "陕") .. "G" .. math.random(10000, 99999)
    end
    local t = math.random() < 0.01 and "37.6" or string.format("%%.1f", 36.0 + math.random() * 1.1)
    local body = string.format('{"client_id": "%%08x-%%04x-4000-8000-%%012x", "direction": "%%s", '
      .. '"name": "%%s", "id_number": "%%s", "phone": "%%s", "temperature": %%s, "plate": "%%s", '
      .. '"mask": true, "resident": %%s, "origin": "安康"}', SEED, tid, counter,
      math.random() < 0.5 and "in" or "out", p[2], p[1], p[3], t, plate,
      math.random() < 0.9 and "true" or "false")
    last = {path = PATHS[math.random(#PATHS)], body = body, retry = false}
  end
  return wrk.format("POST", last.path, headers, last.body)
end
function response(status, headers, body)
  local id = tonumber(string.match(body, '"id": (%%d+)'))
  if status == 201 and not last.retry then
    created = created + 1
    if #sent < 5000 then table.insert(sent, {path = last.path, body = last.body, id = id}) end
  elseif status == 200 and last.retry then
    retried = retried + 1
    if id ~= last.first then mismatch = mismatch + 1 end
  elseif status == 200 or status == 201 then
    mismatch = mismatch + 1
  else
    errors = errors + 1
  end
end
function done(summary, latency, requests)
  local c, r, e, m = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created"); r = r + t:get("retried")
    e = e + t:get("errors"); m = m + t:get("mismatch")
  end
  io.write(string.format("FKRESULT %%d %%d %%d %%d %%d %%d %%d\n", c, r, e, m,
    summary.requests, summary.duration, summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout + summary.errors.status))
  io.write(string.format("FKLATENCY %%d %%d\n", latency:percentile(50), latency:percentile(99)))
end
"""


def load_wrk(port: int, paths: list[str], token: str, clients: int, seconds: float,
             retry_share: float, seed: int) -> Result:
    """``clients`` connections, one per wrk thread (so a response is known to answer the
    thread's last request: gunicorn's sync workers close the connection after each)."""
    pool = [f'{{"{i}", "{n}", "{p}"}}' for i, n, p in resident_pool()]
    script = WRK_SCRIPT % {
        "seed": seed, "retry": retry_share, "token": token, "new_share": NEW_SHARE,
        "paths": ", ".join(f'"{p}"' for p in paths), "pool": ", ".join(pool),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t", str(clients), "-c", str(clients), "-d", f"{max(1, round(seconds))}s",
             "--timeout", "10s", "-s", f.name, f"http://127.0.0.1:{port}{paths[0]}"],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    fields = next(line for line in out.splitlines() if line.startswith("FKRESULT")).split()
    created, retried, errors, mismatch, requests, duration_us, socket_errors = map(
        int, fields[1:])
    p50_us, p99_us = map(int, next(line for line in out.splitlines()
                                   if line.startswith("FKLATENCY")).split()[1:])
    result = Result(elapsed=duration_us / 1e6, errors=errors + socket_errors,
                    retry_mismatch=mismatch)
    result.statuses = {201: created, 200: retried}
    result.created_count = created
    result.latencies = [p50_us / 1e6, p99_us / 1e6]
    result.requests = requests
    return result


# --- servers and databases ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], env: dict[str, str], capture: bool = False) -> str:
    done = subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True,
                          stdout=subprocess.PIPE if capture else subprocess.DEVNULL)
    return done.stdout or ""


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def prepare(backend: str, workdir: Path) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.checkpoints_settings",
           "PYTHONPATH": str(ROOT), "FANGKONG_VAR_DIR": str(workdir), "LOG_LEVEL": "ERROR",
           "FANGKONG_SECURE_COOKIES": "0"}
    env.pop("DATABASE_URL", None)
    if backend == "postgresql":
        pg_admin("DROP DATABASE IF EXISTS fangkong_bench_cp")
        pg_admin("CREATE DATABASE fangkong_bench_cp")
        env["DATABASE_URL"] = PG_URL
    else:
        env["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    run([str(BIN / "fangkong"), "migrate", "--noinput", "-v", "0"], env)
    facts = json.loads(run([sys.executable, "-m", "bench.checkpoints_seed"], env, capture=True)
                       .strip().splitlines()[-1])
    env["FANGKONG_BENCH_PERSON_ID"] = str(facts["person_id"])
    env["FANGKONG_BENCH_UNIT_ID"] = str(facts["unit_id"])
    env["FANGKONG_BENCH_UNIT_PATH"] = facts["unit_path"]
    env["BENCH_FACTS"] = json.dumps(facts)
    return env


def start_server(env: dict[str, str], port: int, workers: int,
                 threads: int = 1) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(BIN / "fangkong"), "serve", "--port", str(port), "--workers", str(workers),
         "--threads", str(threads)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("the server did not start")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def count_rows(env: dict[str, str], checkpoint_ids: list[int]) -> tuple[int, int]:
    code = (
        "import django,sys,json;django.setup();"
        "from fangkong.checkpoints.models import Passage;"
        "from django.db.models import Count;"
        f"qs=Passage.objects.filter(checkpoint_id__in={checkpoint_ids});"
        "print(json.dumps([qs.count(), qs.values('client_id').distinct().count()]))"
    )
    rows, keys = json.loads(run([sys.executable, "-c", code], env, capture=True).strip())
    return rows, keys


# --- report ----------------------------------------------------------------------------


def summary(r: Result) -> dict[str, float]:
    if r.requests is not None:  # wrk reports its own percentiles
        return {"rps": r.requests / r.elapsed, "p50": r.latencies[0] * 1000,
                "p99": r.latencies[1] * 1000, "requests": r.requests, "errors": r.errors,
                "retry_mismatch": r.retry_mismatch}
    lat = sorted(r.latencies) or [0.0]
    n = len(r.latencies)
    return {
        "rps": n / r.elapsed if r.elapsed else 0.0,
        "p50": statistics.median(lat) * 1000,
        "p99": lat[min(n - 1, int(n * 0.99))] * 1000 if n else 0.0,
        "requests": n, "errors": r.errors, "retry_mismatch": r.retry_mismatch,
    }


def bench_backend(backend: str, args: argparse.Namespace) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="fk-bench-") as tmp:
        env = prepare(backend, Path(tmp))
        if args.sqlite_conn_max_age is not None:
            env["BENCH_SQLITE_CONN_MAX_AGE"] = str(args.sqlite_conn_max_age)
        facts = json.loads(env["BENCH_FACTS"])
        port = free_port()
        server = start_server(env, port, args.workers, args.threads)
        rows = []
        try:
            full_paths = [f"/api/v1/checkpoints/{pk}/passages" for pk in facts["checkpoints"]]
            minimal_paths = [f"/bench/minimal-passage/{facts['baseline_checkpoint']}"]
            token = facts["token"]
            acknowledged = {"full": 0, "minimal": 0}
            loader = load_wrk if args.client == "wrk" else load
            paced = functools.partial(load, rate=args.rate)
            for k, (name, paths) in enumerate((("full", full_paths),
                                                ("minimal", minimal_paths))):  # warm up
                warm = loader(port, paths, token, 4, 2, 0.0, seed=k + 1)
                acknowledged[name] += warm.created_count or len(warm.created_keys)
            for clients in args.clients:
                for rnd in range(args.rounds):
                    for name, paths, retry in (("minimal", minimal_paths, 0.0),
                                               ("full", full_paths, args.retry_share)):
                        seed = zlib.crc32(f"{backend}{clients}{rnd}{name}".encode()) & 0xFFFF
                        result = (paced if args.rate else loader)(
                            port, paths, token, clients, args.seconds, retry, seed)
                        acknowledged[name] += result.created_count or len(result.created_keys)
                        s = summary(result)
                        s.update(backend=backend, endpoint=name, clients=clients, round=rnd)
                        rows.append(s)
                        print(f"  {backend:10} {name:8} c={clients:<3} "
                              f"{s['rps']:8.0f} req/s  p50 {s['p50']:6.1f} ms  "
                              f"p99 {s['p99']:6.1f} ms  errors {s['errors']}  "
                              f"statuses {dict(sorted(result.statuses.items()))}", flush=True)
                        for sample in result.samples[:3]:
                            print(f"      e.g. {sample}", flush=True)
        finally:
            stop_server(server)
        for name, ids in (("full", facts["checkpoints"]),
                          ("minimal", [facts["baseline_checkpoint"]])):
            db_rows, keys = count_rows(env, ids)
            dupes = db_rows - keys
            unacknowledged = db_rows - acknowledged[name]
            for r in rows:
                if r["endpoint"] == name:
                    r.update(db_rows=db_rows, duplicates=dupes, unacknowledged=unacknowledged)
            print(f"  {backend:10} {name:8} rows {db_rows}, distinct client_ids {keys}, "
                  f"duplicates {dupes}, rows without a 201 {unacknowledged}", flush=True)
        if backend == "postgresql":
            pg_admin("DROP DATABASE IF EXISTS fangkong_bench_cp")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--clients", nargs="+", type=int, default=[4, 32])
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=1, help="alternations per setting")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker (more than 1: gunicorn's gthread worker, "
                             "which keeps connections alive)")
    parser.add_argument("--retry-share", type=float, default=0.02)
    parser.add_argument("--client", choices=["wrk", "python"],
                        default="wrk" if shutil.which("wrk") else "python",
                        help="load generator (default: wrk when installed)")
    parser.add_argument("--sqlite-conn-max-age", type=int, default=None,
                        help="override CONN_MAX_AGE for SQLite (the settings' default: 600)")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="requests per second per client on a fixed schedule (Python "
                             "client); default: back to back, as fast as answered")
    args = parser.parse_args()
    pacing = f"{args.rate:g} req/s per client, python" if args.rate else args.client
    print(f"client: {pacing}; {args.seconds:g} s per measurement; "
          f"{args.workers} workers × {args.threads} threads", flush=True)
    all_rows = []
    for backend in args.backends:
        print(f"{backend}:", flush=True)
        all_rows += bench_backend(backend, args)
    print("\n| backend | clients | minimal req/s | full req/s | ratio | full p50 ms | "
          "full p99 ms | minimal p99 ms | errors (full/min) | duplicates |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for backend in args.backends:
        for clients in args.clients:
            pick = [r for r in all_rows if r["backend"] == backend and r["clients"] == clients]
            full = [r for r in pick if r["endpoint"] == "full"]
            minimal = [r for r in pick if r["endpoint"] == "minimal"]
            f_rps = statistics.mean(r["rps"] for r in full)
            m_rps = statistics.mean(r["rps"] for r in minimal)
            print(f"| {backend} | {clients} | {m_rps:.0f} | {f_rps:.0f} | {f_rps / m_rps:.0%} | "
                  f"{max(r['p50'] for r in full):.1f} | {max(r['p99'] for r in full):.1f} | "
                  f"{max(r['p99'] for r in minimal):.1f} | "
                  f"{sum(r['errors'] for r in full)}/{sum(r['errors'] for r in minimal)} | "
                  f"{full[0]['duplicates']} (retries answered wrongly: "
                  f"{sum(r['retry_mismatch'] for r in full)}) |")


if __name__ == "__main__":
    main()
