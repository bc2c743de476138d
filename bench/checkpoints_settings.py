"""Settings for bench/checkpoints_bench.py only: the project's settings plus a URLconf
that adds the minimal insert view the passage endpoint is measured against. Production
never loads this module, so the minimal view is never exposed there."""

from fangkong.settings import *  # noqa: F403

ROOT_URLCONF = "bench.checkpoints_urls"

if os.environ.get("BENCH_SQLITE_CONN_MAX_AGE"):  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ["BENCH_SQLITE_CONN_MAX_AGE"])  # noqa: F405
