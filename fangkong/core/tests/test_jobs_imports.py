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
from fangkong.core.tests.test_people_io import HEADERS, IMPORT_URL, good_rows, read_xlsx, xlsx


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

    def check(self, data: bytes) -> Job:
        """"Check the file": a large file is checked by a job, not in the request."""
        response = self.upload(data)
        job = Job.objects.get()
        self.assertRedirects(response, f"/core/jobs/{job.pk}/", fetch_redirect_response=False)
        self.assertEqual((job.action, job.parameters["check"], job.state),
                         ("import", True, "queued"))
        self.assertEqual(os.listdir(self.jobs_dir), [f"{job.pk}.upload"])
        return job

    def queue(self, data: bytes) -> Job:
        """Checked by a job, then "Import this checked file"."""
        check = self.check(data)
        self.assertEqual(services.run(check.pk, 1), "done")
        response = self.client.post(f"/core/jobs/{check.pk}/import")
        job = Job.objects.exclude(pk=check.pk).get()
        self.assertRedirects(response, f"/core/jobs/{job.pk}/", fetch_redirect_response=False)
        return job

    def test_it_checks_a_large_file_in_a_job_then_imports_that_file(self) -> None:
        check = self.check(xlsx([HEADERS, *good_rows(4)]))
        self.assertEqual(services.run(check.pk, 1), "done")
        check.refresh_from_db()
        self.assertEqual((check.state, check.done, check.total, check.result["error_count"]),
                         (JobState.DONE, 4, 4, 0))
        self.assertFalse(Person.objects.exists())  # a check saves nothing
        page = self.client.get(f"/core/jobs/{check.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(page, "4 rows are ready to import")
        self.assertContains(page, "Import this checked file")
        self.assertContains(page, f'action="/core/jobs/{check.pk}/import"')
        first = self.client.post(f"/core/jobs/{check.pk}/import")
        again = self.client.post(f"/core/jobs/{check.pk}/import")  # a second click
        job = Job.objects.exclude(pk=check.pk).get()  # one import job, not two
        self.assertEqual(first["Location"], f"/core/jobs/{job.pk}/")
        self.assertEqual(again["Location"], f"/core/jobs/{job.pk}/")
        self.assertEqual(job.parameters["checked_job"], check.pk)
        self.assertEqual(os.listdir(self.jobs_dir), [f"{job.pk}.upload"])  # the same file
        self.assertEqual(services.run(job.pk, 1), "done")
        self.assertEqual(Person.objects.count(), 4)
        page = self.client.get(f"/core/jobs/{check.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertNotContains(page, "Import this checked file")
        self.assertContains(page, f'href="/core/jobs/{job.pk}/"')

    def test_it_shows_the_row_errors_and_the_report_of_a_checked_file(self) -> None:
        rows = good_rows(3)
        rows[1][1] = "610902199001019999"  # a wrong check digit
        check = self.check(xlsx([HEADERS, *rows]))
        self.assertEqual(services.run(check.pk, 1), "done")
        check.refresh_from_db()
        self.assertEqual(check.result["error_count"], 1)
        self.assertEqual(os.listdir(self.jobs_dir), [f"{check.pk}.xlsx"])  # upload gone
        page = self.client.get(f"/core/jobs/{check.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(page, "The file has 1 problem. Nothing has been saved")
        self.assertContains(page, "Row 3")
        self.assertContains(page, "Download the error report (.xlsx)")
        self.assertNotContains(page, "Import this checked file")
        report = self.client.get(f"/core/jobs/{check.pk}/file")
        self.assertEqual(report.status_code, 200)
        sheet = read_xlsx(b"".join(report.streaming_content))
        self.assertEqual(sheet[1][0], 3)
        self.assertEqual(self.client.post(f"/core/jobs/{check.pk}/import").status_code, 404)
        self.login(self.county_a)  # nobody else fetches the report
        self.assertEqual(self.client.get(f"/core/jobs/{check.pk}/file").status_code, 404)
        self.assertFalse(Person.objects.exists())

    def test_it_keeps_small_files_checked_in_the_request(self) -> None:
        with self.settings(FANGKONG_IMPORT_DIRECT_BYTES=10 * 1024 * 1024):
            checked = self.upload(xlsx([HEADERS, *good_rows(2)]))
        self.assertContains(checked, "2 rows are ready to import")
        self.assertFalse(Job.objects.exists())

    def test_it_shows_progress_while_the_import_saves(self) -> None:
        from fangkong.core.people_io import PeopleImporter

        job = self.queue(xlsx([HEADERS, *good_rows(4)]))
        save_row = PeopleImporter.save_row
        seen = []

        def spy(importer, cleaned, actor):
            # What the job's page reads meanwhile: the row is not written inside the
            # import's transaction, the progress file is.
            shown = services.live(Job.objects.get(pk=job.pk))
            seen.append((shown.stage, shown.done, shown.total))
            return save_row(importer, cleaned, actor)

        with mock.patch.object(PeopleImporter, "save_row", spy):
            self.assertEqual(services.run(job.pk, 1), "done")
        self.assertEqual(seen, [("save", 0, 4), ("save", 1, 4), ("save", 2, 4),
                                ("save", 3, 4)])
        page_while = services.live(Job.objects.get(pk=job.pk))
        self.assertEqual(page_while.stage, "")  # finished: the row is the truth again
        self.assertEqual(os.listdir(self.jobs_dir), [])  # no progress file left

    def test_it_cancels_an_import_while_it_saves(self) -> None:
        from fangkong.core.people_io import PeopleImporter

        job = self.queue(xlsx([HEADERS, *good_rows(4)]))
        save_row = PeopleImporter.save_row

        def cancel_at_the_second(importer, cleaned, actor):
            if Person.objects.count() == 1:
                services.cancel(self.community_a, Job.objects.get(pk=job.pk))
            return save_row(importer, cleaned, actor)

        with mock.patch.object(PeopleImporter, "save_row", cancel_at_the_second):
            self.assertEqual(services.run(job.pk, 1), "cancelled")
        job.refresh_from_db()
        self.assertEqual(job.state, JobState.CANCELLED)
        self.assertFalse(Person.objects.exists())  # all or nothing
        self.assertEqual(os.listdir(self.jobs_dir), [])

    def test_the_reaper_leaves_an_import_whose_progress_file_moves(self) -> None:
        from datetime import timedelta

        from django.utils import timezone

        job = self.queue(xlsx([HEADERS, *good_rows(2)]))
        old = timezone.now() - timedelta(hours=1)
        Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, heartbeat_at=old)
        services.progress_path(job).write_text("{}")  # written a moment ago
        self.assertEqual(services.reap(), {"requeued": 0, "failed": 0})
        os.utime(services.progress_path(job), (old.timestamp(), old.timestamp()))
        self.assertEqual(services.reap(), {"requeued": 1, "failed": 0})

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
        response = self.client.post(
            IMPORT_URL, {"file": SimpleUploadedFile("people.xlsx", data), "action": "check"},
            HTTP_HX_REQUEST="true")
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

    def test_it_still_imports_a_file_checked_in_the_request_by_a_job(self) -> None:
        data = xlsx([HEADERS, *good_rows(2)])
        with self.settings(FANGKONG_IMPORT_DIRECT_BYTES=10 * 1024 * 1024):
            checked = self.upload(data)  # checked in the request
        self.upload(data, "commit", checked.context["digest"])
        job = Job.objects.get()
        self.assertNotIn("check", job.parameters)
        self.assertEqual(services.run(job.pk, 1), "done")
        self.assertEqual(Person.objects.count(), 2)

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

    def test_it_checks_and_imports_a_modules_register_with_its_choices(self) -> None:
        """The households import (a community chosen on the form) takes the same path."""
        from fangkong.checkpoints.models import HouseholdMember
        from fangkong.checkpoints.tests.test_community import ids, workbook

        a = ids(2)
        data = workbook([["1-1-101", "文昌路1号", "张三", a[0], "", "户主", "是"],
                         ["1-1-101", "文昌路1号", "李四", a[1], "", "配偶", "是"]])
        response = self.client.post("/checkpoints/households/import", {
            "community": "610902002002", "action": "check",
            "file": SimpleUploadedFile("h.xlsx", data)})
        check = Job.objects.get()
        self.assertRedirects(response, f"/core/jobs/{check.pk}/", fetch_redirect_response=False)
        self.assertEqual((check.kind, check.parameters["choices"]["community"]),
                         ("households", self.community_a_unit.pk))
        self.assertEqual(services.run(check.pk, 1), "done")
        self.assertFalse(HouseholdMember.objects.exists())
        self.client.post(f"/core/jobs/{check.pk}/import")
        job = Job.objects.exclude(pk=check.pk).get()
        self.assertEqual(services.run(job.pk, 1), "done")
        self.assertEqual(HouseholdMember.objects.count(), 2)
