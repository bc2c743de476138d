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
