"""Shared set-up of the job tests: a job directory of their own and the export flow
sending every file (threshold 1 row) to a job."""

from __future__ import annotations

import io
import shutil
import tempfile
from typing import Any

import openpyxl
from django.test import override_settings


class JobsDirMixin:
    """Each test gets an empty job directory; every export of a row or more is a job."""

    direct_rows = 1

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        self.jobs_dir = tempfile.mkdtemp(prefix="fangkong-jobs-")
        self.addCleanup(shutil.rmtree, self.jobs_dir, True)  # type: ignore[attr-defined]
        overrides = override_settings(FANGKONG_JOBS_DIR=self.jobs_dir,
                                      FANGKONG_EXPORT_DIRECT_ROWS=self.direct_rows,
                                      FANGKONG_JOB_PROGRESS_SECONDS=0)
        overrides.enable()
        self.addCleanup(overrides.disable)  # type: ignore[attr-defined]


def read_xlsx(content: bytes) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def worker_env(**extra: str) -> dict[str, str]:
    """The environment of a ``fangkong worker`` subprocess on the test database."""
    import os

    from django.db import connection

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = db["NAME"]
    else:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        env["DATABASE_URL"] = (f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:"
                               f"{db['PORT'] or 5432}/{db['NAME']}")
    env.update(extra)
    return env


def worker(*args: str, **env: str) -> list[str]:
    """The argv of a ``fangkong worker`` subprocess."""
    import sys

    return [sys.executable, "-m", "fangkong.cli", "worker", "--nice", "0", *args]


def many_people(unit: Any, n: int) -> None:
    """``n`` people in ``unit``, inserted in bulk."""
    from datetime import date, timedelta

    from fangkong.core.models import Person
    from fangkong.lib.identity import make_id_number

    rows = []
    for i in range(n):
        birth = date(1950, 1, 1) + timedelta(days=i // 900)
        rows.append(Person(id_number=make_id_number("610902", birth, 1 + i % 900),
                           name=f"居民{i}", sex="M", birth_date=birth, phone="13800000000",
                           org_unit=unit, unit_path=unit.path))
    Person.objects.bulk_create(rows, batch_size=2000)
