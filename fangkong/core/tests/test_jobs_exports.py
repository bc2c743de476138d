"""Export jobs: the export flow queues a large file, a worker makes it with its progress,
only the owner downloads it, unmasked files are logged, cancel and expiry answer 404."""

from __future__ import annotations

import os
from datetime import timedelta
from unittest import mock

from django.utils import timezone, translation

from fangkong.core import exports
from fangkong.core.jobs import services
from fangkong.core.models import Grant, Job, JobState, PiiAccess, PiiAccessPerson
from fangkong.core.testing import FangkongTestCase, make_person
from fangkong.core.tests.jobs_helpers import JobsDirMixin, read_xlsx


class ExportJobTests(JobsDirMixin, FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.people = [make_person(cls.community_a_unit, name=f"居民{i}",
                                  phone=f"1391234{i:04d}") for i in range(5)]
        cls.far = make_person(cls.community_b_unit, name="紫阳人")

    def queue(self, user, url: str = "/core/people/export.xlsx", **data) -> Job:
        self.login(user)
        response = self.client.get(url, data)
        job = Job.objects.get()
        self.assertRedirects(response, f"/core/jobs/{job.pk}/", fetch_redirect_response=False)
        return job

    def run_job(self, job: Job) -> Job:
        services.run(job.pk, job.attempt)
        job.refresh_from_db()
        return job

    def test_it_queues_a_large_export_instead_of_answering_it(self) -> None:
        job = self.queue(self.county_a, q="居民")
        self.assertEqual((job.owner, job.action, job.kind, job.state, job.masked),
                         (self.county_a, "export", "people", JobState.QUEUED, True))
        self.assertEqual(job.parameters["filters"], {"q": "居民"})
        self.assertEqual(os.listdir(self.jobs_dir), [])

    def test_it_answers_a_small_export_at_once(self) -> None:
        self.login(self.county_a)
        with self.settings(FANGKONG_EXPORT_DIRECT_ROWS=100):
            response = self.client.get("/core/people/export.xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Job.objects.exists())

    def test_it_makes_the_file_with_its_progress_and_the_owner_downloads_it(self) -> None:
        job = self.run_job(self.queue(self.county_a))
        self.assertEqual((job.state, job.done, job.total, job.percent),
                         (JobState.DONE, 5, 5, 100))
        self.assertEqual(os.listdir(self.jobs_dir), [f"{job.pk}.xlsx"])
        page = self.client.get(f"/core/jobs/{job.pk}/")
        self.assertContains(page, f"/core/jobs/{job.pk}/file")
        response = self.client.get(f"/core/jobs/{job.pk}/file")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "private, no-store")
        rows = read_xlsx(b"".join(response.streaming_content))
        self.assertEqual({r[0] for r in rows[1:]}, {p.name for p in self.people})
        self.assertNotIn(self.people[0].id_number, repr(rows))  # masked
        self.assertFalse(PiiAccess.objects.exists())

    def test_it_writes_progress_while_the_rows_go_out(self) -> None:
        job = self.queue(self.county_a)
        seen = []
        save = services.Progress.save

        def spy(progress, **fields):
            save(progress, **fields)
            seen.append(Job.objects.get(pk=job.pk).done)

        with mock.patch.object(services.Progress, "save", spy), \
                mock.patch.object(exports, "CHUNK", 2):  # counted a chunk at a time
            self.run_job(job)
        self.assertEqual(seen[0], 0)
        self.assertEqual(seen[1:], [2, 4, 5])

    def test_it_answers_404_to_anyone_but_the_owner(self) -> None:
        job = self.run_job(self.queue(self.county_a))
        self.login(self.hq)  # sees more than the owner, still not their file
        for url in (f"/core/jobs/{job.pk}/", f"/core/jobs/{job.pk}/file"):
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(f"/core/jobs/{job.pk}/cancel").status_code, 404)

    def test_it_lists_the_users_own_jobs_under_my_exports(self) -> None:
        mine = self.run_job(self.queue(self.county_a))
        Job.objects.create(owner=self.hq, action="export", kind="people")
        page = self.client.get("/core/jobs/")
        self.assertContains(page, f"/core/jobs/{mine.pk}/file")
        self.assertEqual(list(page.context["page"]), [mine])

    def test_it_builds_the_rows_again_as_the_user_sees_them_when_it_runs(self) -> None:
        job = self.queue(self.county_a, unit="610902")
        Grant.objects.filter(user=self.county_a).delete()
        job = self.run_job(job)
        self.assertEqual(job.state, JobState.FAILED)
        self.assertEqual(os.listdir(self.jobs_dir), [])
        with translation.override("zh-hans"):
            zh = services.error_text(job)
        with translation.override("en"):
            en = services.error_text(job)
        self.assertIn("You can no longer see this register", en)
        self.assertNotEqual(zh, en)
        self.assertEqual(self.client.get(f"/core/jobs/{job.pk}/file").status_code, 404)
        page = self.client.get(f"/core/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(page, "You can no longer see this register")

    def test_it_runs_a_job_once_however_often_its_task_comes(self) -> None:
        job = self.queue(self.county_a)
        self.assertEqual(services.run(job.pk, 1), "done")
        self.assertEqual(services.run(job.pk, 1), "skipped")
        self.assertEqual(os.listdir(self.jobs_dir), [f"{job.pk}.xlsx"])

    def test_it_cancels_a_queued_job_and_the_worker_skips_it(self) -> None:
        job = self.queue(self.county_a)
        self.client.post(f"/core/jobs/{job.pk}/cancel")
        self.assertEqual(self.run_job(job).state, JobState.CANCELLED)
        self.assertEqual(self.client.get(f"/core/jobs/{job.pk}/file").status_code, 404)

    def test_it_stops_a_running_export_at_its_next_progress_write(self) -> None:
        job = self.queue(self.county_a)
        step = services.Progress.step

        def cancel_midway(progress, rows=1):
            if progress.done == 2:
                services.cancel(self.county_a, job)
            step(progress, rows)

        # Progress is counted a chunk at a time: chunks of 2 rows, cancelled after the first.
        with mock.patch.object(services.Progress, "step", cancel_midway), \
                mock.patch.object(exports, "CHUNK", 2):
            self.assertEqual(services.run(job.pk, 1), "lost")
        job.refresh_from_db()
        self.assertEqual((job.state, job.file_name), (JobState.CANCELLED, ""))
        self.assertEqual(os.listdir(self.jobs_dir), [])  # no partial file left

    def test_it_logs_an_unmasked_job_with_whose_data_it_carried(self) -> None:
        self.login(self.county_a)
        response = self.client.post("/core/people/export/", {
            "reason": "county epidemiology team", "format": "csv"})
        job = Job.objects.get()
        self.assertRedirects(response, f"/core/jobs/{job.pk}/", fetch_redirect_response=False)
        self.assertEqual((job.masked, job.reason), (False, "county epidemiology team"))
        self.assertFalse(PiiAccess.objects.exists())  # logged when the file is made
        self.run_job(job)
        log = PiiAccess.objects.get()
        self.assertEqual((log.actor, log.row_count, log.reason, log.remote_addr),
                         (self.county_a, 5, "county epidemiology team", "127.0.0.1"))
        self.assertEqual(set(PiiAccessPerson.objects.values_list("person_id", flat=True)),
                         {p.pk for p in self.people})
        text = b"".join(self.client.get(f"/core/jobs/{job.pk}/file").streaming_content)
        self.assertIn(self.people[0].id_number, text.decode("utf-8-sig"))
        self.assertEqual(PiiAccess.objects.count(), 2)  # and each download

    def test_it_refuses_an_unmasked_job_once_the_permission_is_gone(self) -> None:
        self.login(self.county_a)
        self.client.post("/core/people/export/", {"reason": "handover", "format": "xlsx"})
        Grant.objects.filter(user=self.county_a).update(role="community_worker")
        job = self.run_job(Job.objects.get())
        self.assertEqual(job.state, JobState.FAILED)
        self.assertFalse(PiiAccess.objects.exists())

    def test_it_deletes_expired_files_and_answers_404_for_them(self) -> None:
        job = self.run_job(self.queue(self.county_a))
        Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        self.assertEqual(self.client.get(f"/core/jobs/{job.pk}/file").status_code, 404)
        self.assertEqual(services.expire_files(), 1)
        self.assertEqual(services.expire_files(), 0)
        self.assertEqual(os.listdir(self.jobs_dir), [])

    def test_it_exports_passages_of_a_checkpoint_day_as_a_job(self) -> None:
        from fangkong.checkpoints.models import Checkpoint

        checkpoint = Checkpoint.objects.create(org_unit=self.community_a_unit, name="东门")
        self.login(self.county_a)
        response = self.client.get(f"/checkpoints/{checkpoint.pk}/export",
                                   {"date": "2020-02-10"})
        self.assertEqual(response.status_code, 200)  # no rows: answered at once
        self.assertFalse(Job.objects.exists())
