"""Import jobs: a large checked file is imported by a job, all or nothing, once."""

from __future__ import annotations

import os
from typing import Any
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from fangkong.core.jobs import services
from fangkong.core.models import Job, JobState, Person
from fangkong.core.testing import FangkongTestCase
from fangkong.core.tests.jobs_helpers import JobsDirMixin
from fangkong.core.tests.test_people_io import HEADERS, IMPORT_URL, good_rows, xlsx


class ImportJobTests(JobsDirMixin, FangkongTestCase):
    def setUp(self) -> None:
        super().setUp()
        overrides = self.settings(FANGKONG_IMPORT_DIRECT_BYTES=1)
        overrides.enable()
        self.addCleanup(overrides.disable)
        self.login(self.community_a)

    def upload(self, data: bytes, action: str = "check", checked: str = "",
               name: str = "people.xlsx") -> Any:
        file = SimpleUploadedFile(name, data)
        return self.client.post(IMPORT_URL, {"file": file, "action": action,
                                             "checked": checked}, HTTP_ACCEPT_LANGUAGE="en")

    def queue(self, data: bytes) -> Job:
        checked = self.upload(data)
        self.assertFalse(Job.objects.exists())  # the check answers in the request
        response = self.upload(data, "commit", checked.context["digest"])
        job = Job.objects.get()
        self.assertRedirects(response, f"/core/jobs/{job.pk}/", fetch_redirect_response=False)
        return job

    def test_it_imports_a_large_checked_file_in_a_job(self) -> None:
        job = self.queue(xlsx([HEADERS, *good_rows(4)]))
        self.assertEqual((job.action, job.kind, job.state), ("import", "people", "queued"))
        self.assertEqual(os.listdir(self.jobs_dir), [f"{job.pk}.upload"])
        self.assertFalse(Person.objects.exists())
        self.assertEqual(services.run(job.pk, 1), "done")
        job.refresh_from_db()
        self.assertEqual((job.state, job.done, job.result["created"]), (JobState.DONE, 4, 4))
        self.assertEqual(Person.objects.count(), 4)
        self.assertEqual(os.listdir(self.jobs_dir), [])  # the upload is gone
        page = self.client.get(f"/core/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(page, "4 rows: 4 created, 0 updated.")

    def test_it_sends_an_htmx_page_to_the_jobs_page(self) -> None:
        data = xlsx([HEADERS, *good_rows(2)])
        checked = self.upload(data)
        response = self.client.post(
            IMPORT_URL, {"file": SimpleUploadedFile("people.xlsx", data), "action": "commit",
                         "checked": checked.context["digest"]}, HTTP_HX_REQUEST="true")
        job = Job.objects.get()
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["HX-Redirect"], f"/core/jobs/{job.pk}/")

    def test_it_imports_once_however_often_the_task_comes(self) -> None:
        job = self.queue(xlsx([HEADERS, *good_rows(3)]))
        services.run(job.pk, 1)
        self.assertEqual(services.run(job.pk, 1), "skipped")
        self.assertEqual(Person.objects.count(), 3)

    def test_it_imports_nothing_when_a_row_fails_at_import_time(self) -> None:
        from django.core.exceptions import ValidationError

        from fangkong.core.people_io import PeopleImporter

        rows = good_rows(3)
        job = self.queue(xlsx([HEADERS, *rows]))
        save_row = PeopleImporter.save_row

        def third_fails(importer, cleaned, actor):
            if cleaned["id_number"] == rows[2][1]:
                raise ValidationError({"phone": "changed since the check"})
            return save_row(importer, cleaned, actor)

        with mock.patch.object(PeopleImporter, "save_row", third_fails):
            services.run(job.pk, 1)
        job.refresh_from_db()
        self.assertEqual(job.state, JobState.FAILED)
        self.assertFalse(Person.objects.exists())  # all or nothing
        self.assertEqual(job.result["error_count"], 1)
        with translation.override("en"):
            self.assertIn("nothing was imported", services.error_text(job))

    def test_it_imports_nothing_when_cancelled_before_the_commit(self) -> None:
        job = self.queue(xlsx([HEADERS, *good_rows(3)]))
        finish = services.Progress.finish

        def cancel_first(progress, **fields):
            Job.objects.filter(pk=job.pk).update(state=JobState.CANCELLED)
            finish(progress, **fields)

        with mock.patch.object(services.Progress, "finish", cancel_first):
            self.assertEqual(services.run(job.pk, 1), "lost")
        self.assertFalse(Person.objects.exists())

    def test_it_refuses_a_file_that_is_not_a_spreadsheet_before_queueing(self) -> None:
        data = b"name,id\n" * 10
        checked = self.upload(data, name="people.txt")
        self.upload(data, "commit", checked.context.get("digest", ""), name="people.txt")
        self.assertFalse(Job.objects.exists())

    def test_it_refuses_a_file_over_the_size_limit_before_queueing(self) -> None:
        from fangkong.core.people_io import PeopleImporter

        data = xlsx([HEADERS, *good_rows(3)])
        with mock.patch.object(PeopleImporter, "max_bytes", len(data) - 1):
            checked = self.upload(data)
            self.upload(data, "commit", checked.context.get("digest", ""))
        self.assertFalse(Job.objects.exists())
        self.assertFalse(Person.objects.exists())
