"""Profile one export job (or the bare writer) of ``bench/jobs_bench.py`` on its seeded
database: where the job's time goes that the bare XlsxWriter's does not.

    python bench/jobs_profile.py --db sqlite --unit 610924           # 100,000 rows
    python bench/jobs_profile.py --db postgres --what bare
    python bench/jobs_profile.py --db sqlite --profiler cprofile     # no pyinstrument

Uses pyinstrument when it is installed (``pip install pyinstrument``; not a dependency of
fangkong), else cProfile. Seed the databases first with ``bench/jobs_bench.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.jobs_bench import DEFAULT_PG, SMALL, env_for  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--unit", default=SMALL, help="'' for the whole city (1M rows)")
    parser.add_argument("--what", choices=["job", "bare"], default="job")
    parser.add_argument("--profiler", choices=["pyinstrument", "cprofile"],
                        default="pyinstrument")
    parser.add_argument("--html", help="write pyinstrument's HTML page here")
    opts = parser.parse_args()
    os.environ.update(env_for("sqlite" if opts.db == "sqlite" else "postgres", opts.pg_url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    import django

    django.setup()
    from bench import jobs_bench

    run = (lambda: jobs_bench.job(opts.unit)) if opts.what == "job" else (
        lambda: jobs_bench.bare(opts.unit))
    started = time.monotonic()
    if opts.profiler == "pyinstrument":
        try:
            from pyinstrument import Profiler
        except ImportError:
            sys.exit("pyinstrument is not installed: pip install pyinstrument, "
                     "or --profiler cprofile")
        profiler = Profiler(interval=0.001)
        profiler.start()
        result = run()
        profiler.stop()
        if opts.html:
            Path(opts.html).write_text(profiler.output_html())
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    else:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        result = profile.runcall(run)
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
    print(result, f"{time.monotonic() - started:.1f} s with the profiler")


if __name__ == "__main__":
    main()
