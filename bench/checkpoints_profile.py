"""Where a passage request's time goes, in-process: the real endpoint and the minimal
view called through the WSGI handler (the whole middleware stack, no socket), timed and
profiled with cProfile on a fresh database seeded like the bench's.

Run: ``.venv/bin/python bench/checkpoints_profile.py [--backend sqlite|postgresql]
[--requests 400] [--top 30]``. It prints ms per request for both endpoints and the
functions with the most cumulative time for the real endpoint (``BENCH_PROFILE_SORT=tottime``
to sort by own time; ``BENCH_PROFILE_CALLEES=<regex>``: what those functions call).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def inner(requests: int, top: int) -> None:
    """Runs inside the prepared environment (``--inner``)."""
    import cProfile
    import io
    import json
    import pstats
    import random
    import time

    import django

    django.setup()
    from django.test import Client

    from bench.checkpoints_bench import make_bodies

    facts = json.loads(os.environ["BENCH_FACTS"])
    client = Client(raise_request_exception=True)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {facts['token']}"}
    bodies = make_bodies(4 * requests + 200, seed=7)
    rng = random.Random(7)
    full = [f"/api/v1/checkpoints/{pk}/passages" for pk in facts["checkpoints"]]
    minimal = f"/bench/minimal-passage/{facts['baseline_checkpoint']}"

    def post(path: str, body: bytes) -> None:
        r = client.post(path, data=body, content_type="application/json", **headers)
        assert r.status_code in (200, 201), r.content

    it = iter(bodies)
    for _n in range(50):  # warm up: connections, caches, prepared statements
        post(rng.choice(full), next(it))
        post(minimal, next(it))
    timings = {}
    for name in ("minimal", "full", "minimal", "full"):
        start = time.perf_counter()
        for _n in range(requests // 2):
            post(rng.choice(full) if name == "full" else minimal, next(it))
        timings.setdefault(name, []).append((time.perf_counter() - start) / (requests // 2))
    for name, values in timings.items():
        print(f"{name:8} {' / '.join(f'{v * 1000:.2f}' for v in values)} ms per request")
    profile = cProfile.Profile()
    profile.enable()
    for _n in range(requests // 2):
        post(rng.choice(full), next(it))
    profile.disable()
    out = io.StringIO()
    order = os.environ.get("BENCH_PROFILE_SORT", "cumulative")  # e.g. tottime
    stats = pstats.Stats(profile, stream=out).sort_stats(order)
    stats.print_stats(top)
    if os.environ.get("BENCH_PROFILE_CALLEES"):
        stats.print_callees(os.environ["BENCH_PROFILE_CALLEES"])
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.requests, args.top)
        return
    sys.path.insert(0, str(ROOT))
    from bench.checkpoints_bench import pg_admin, prepare

    with tempfile.TemporaryDirectory(prefix="fk-profile-") as tmp:
        env = prepare(args.backend, Path(tmp))
        try:
            subprocess.run([sys.executable, "-m", "bench.checkpoints_profile", "--inner",
                            "--requests", str(args.requests), "--top", str(args.top)],
                           env=env, cwd=ROOT, check=True)
        finally:
            if args.backend == "postgresql":
                pg_admin("DROP DATABASE IF EXISTS fangkong_bench_cp")


if __name__ == "__main__":
    main()
