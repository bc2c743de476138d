"""The bank file of a payment batch made by a real worker process (``fangkong worker
--batch``): the export is queued as a job (as the page does for any file above the
direct-export threshold), the worker writes the .xlsx, and its rows and total row
reconcile with the batch."""

from __future__ import annotations

import io
import subprocess
import uuid
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum
from django.test import TransactionTestCase

from fangkong.core.jobs import services as jobs
from fangkong.core.models import Job, JobState, Role
from fangkong.core.testing import make_user, make_wenchang_chain
from fangkong.core.tests.jobs_helpers import JobsDirMixin, worker, worker_env
from fangkong.relief import services
from fangkong.relief.models import Payment
from fangkong.relief.tests.base import person

ACCOUNTS = ("6230520100000000011", "6230520100000000022", "6230520100000000033")


@pytest.mark.race
class BankFileJobTests(JobsDirMixin, TransactionTestCase):
    def setUp(self) -> None:
        super().setUp()
        _root, _city, self.county, _town, community = make_wenchang_chain()
        self.staff = make_user("baihe", Role.TERRITORY_STAFF, self.county)
        applications = []
        for i, account in enumerate(ACCOUNTS):
            household, _ = services.register_household(
                self.staff, community, client_id=uuid.uuid4(), number=f"B{i}",
                head=person(600 + 10 * i), account_number=account, account_bank="农信社")
            for k in range(i + 1):  # 1, 2 and 3 members away: 500, 1000 and the 1000 cap
                services.add_member(self.staff, household, person(601 + 10 * i + k),
                                    away_from=date(2020, 1, 5), away_to=date(2020, 7, 20))
            application, _ = services.apply(self.staff, "employment", household=household,
                                            client_id=uuid.uuid4(),
                                            submitted_on=date(2020, 2, 20))
            applications.append(application)
        services.accept(self.staff, self.county, applications, accepted_on=date(2020, 2, 27),
                        client_id=uuid.uuid4())
        self.batch, _refused = services.build_payment_batch(
            self.staff, self.county, prepared_on=date(2020, 2, 28), client_id=uuid.uuid4())

    def test_the_worker_writes_a_bank_file_that_reconciles_with_the_batch(self) -> None:
        self.client.force_login(self.staff)
        # The page's export link: above the direct threshold the file is a job.
        r = self.client.get(f"/relief/batches/payment/{self.batch.pk}/bank-file/?format=xlsx")
        self.assertEqual(r.status_code, 302)
        queued = Job.objects.get()
        self.assertIn(f"/core/jobs/{queued.pk}", r["Location"])
        # The file the bank needs: unmasked, with a reason (EXPORT_PII, logged).
        job = jobs.start_export(self.staff, "relief_bank_file", {"batch": str(self.batch.pk)},
                                fmt="xlsx", masked=False, reason="报送农信社代发")
        done = subprocess.run(worker("--batch", "--no-scheduler"),
                              env=worker_env(FANGKONG_JOBS_DIR=self.jobs_dir),
                              capture_output=True, timeout=180)
        self.assertEqual(done.returncode, 0, done.stderr.decode()[-2000:])
        for j in (queued, job):
            j.refresh_from_db()
            self.assertEqual(j.state, JobState.DONE, j.error if hasattr(j, "error") else "")
        path = jobs.file_path(job)
        sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes()),
                                       read_only=True).worksheets[0]
        rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
        header, *body, total = rows
        payments = Payment.objects.filter(batch=self.batch)
        expected_sum = payments.aggregate(s=Sum("amount"))["s"]
        self.assertEqual(expected_sum, Decimal("2500.00"))  # 500 + 1000 + 1000 (the cap)
        self.assertEqual(len(body), payments.count())
        self.assertEqual(sorted(str(r[2]) for r in body), sorted(ACCOUNTS))  # unmasked
        self.assertEqual(sum(Decimal(str(r[4])) for r in body), expected_sum)
        self.assertEqual(Decimal(str(total[4])), expected_sum)
        self.assertIn("3", str(total[1]))
        self.assertEqual({r[7] for r in body}, {self.batch.number})
        masked_path = jobs.file_path(queued)
        masked = openpyxl.load_workbook(io.BytesIO(masked_path.read_bytes()),
                                        read_only=True).worksheets[0]
        masked_accounts = [row[2] for row in masked.iter_rows(min_row=2, values_only=True)][:-1]
        self.assertTrue(masked_accounts and not set(masked_accounts) & set(ACCOUNTS))
