"""Draft → submitted → approved; returned with a reason; reopened; locks; versions;
the roll-up follows every step in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fangkong.reports import rollups, services
from fangkong.reports.models import (
    ImmutableError,
    Rollup,
    Status,
    Submission,
    SubmissionVersion,
)
from fangkong.reports.tests.base import ReportsTestCase


class LifecycleTestCase(ReportsTestCase):
    def city_row(self, day: dt.date | None = None) -> Rollup | None:
        return Rollup.objects.filter(form=self.form, date=day or self.today,
                                     unit=self.city).first()

    def test_it_saves_a_draft_then_submits(self) -> None:
        res = services.save_report(self.community_a, self.r_comm_a, self.today,
                                   self.values(), submit=False)
        self.assertTrue(res.created)
        sub = res.submission
        self.assertEqual(sub.status, Status.DRAFT)
        self.assertEqual(sub.org_unit, self.community_a_unit)
        self.assertIsNone(self.city_row())  # a draft does not count
        res = services.save_report(self.community_a, self.r_comm_a, self.today,
                                   self.values(), submit=True)
        self.assertFalse(res.created)
        sub.refresh_from_db()
        self.assertEqual((sub.status, sub.on_time, sub.version), (Status.SUBMITTED, True, 2))
        self.assertEqual(sub.submitted_by, self.community_a)
        self.assertEqual(Submission.objects.count(), 1)
        city = self.city_row()
        self.assertEqual((city.submitted, city.on_time), (1, 1))
        self.assertEqual(city.sums["people_screened"], "100")

    def test_it_writes_no_version_when_nothing_changed(self) -> None:
        services.save_report(self.community_a, self.r_comm_a, self.today, self.values(),
                             submit=False)
        res = services.save_report(self.community_a, self.r_comm_a, self.today,
                                   self.values(), submit=False)
        self.assertFalse(res.changed)
        self.assertEqual(SubmissionVersion.objects.count(), 1)

    def test_it_locks_a_submitted_report(self) -> None:
        self.submit(self.r_comm_a, user=self.community_a)
        with self.assertRaises(services.ReportLocked):
            services.save_report(self.community_a, self.r_comm_a, self.today,
                                 self.values(people_screened=1), submit=True)
        with self.assertRaises(services.ReportLocked):
            services.save_report(self.hq, self.r_comm_a, self.today, self.values(),
                                 submit=False)
        # The very same values again is a retry, not a change.
        res = services.save_report(self.community_a, self.r_comm_a, self.today,
                                   self.values(), submit=True)
        self.assertFalse(res.changed)
        self.assertEqual(self.city_row().sums["people_screened"], "100")

    def test_it_approves_returns_and_reopens_with_the_level_above(self) -> None:
        sub = self.submit(self.r_comm_a, user=self.community_a)
        with self.assertRaises(PermissionDenied):
            services.approve(self.community_a, sub)  # not its own report
        with self.assertRaises(PermissionDenied):
            services.approve(self.county_b, sub)  # not another county's
        sub = services.return_report(self.county_a, sub, "发热人数请核实")
        self.assertEqual(sub.status, Status.RETURNED)
        self.assertEqual(self.city_row().submitted, 0)
        self.assertNotIn("people_screened", self.city_row().sums)
        # Editable again; resubmitted with a correction; timeliness stays as first judged.
        services.save_report(self.community_a, self.r_comm_a, self.today,
                             self.values(fever_found=0), submit=True)
        sub.refresh_from_db()
        self.assertEqual(sub.status, Status.SUBMITTED)
        self.assertTrue(sub.on_time)
        sub = services.approve(self.county_a, sub)
        self.assertEqual(sub.status, Status.APPROVED)
        with self.assertRaises(ValidationError):
            services.reopen(self.county_a, sub, "")  # a reason is required
        sub = services.reopen(self.hq, sub, "数据需更正")
        self.assertEqual(sub.status, Status.RETURNED)
        actions = list(sub.versions.order_by("number").values_list("action", flat=True))
        self.assertEqual(actions, ["submitted", "returned", "submitted", "approved",
                                   "reopened"])
        self.assertEqual(sub.versions.get(number=2).reason, "发热人数请核实")
        self.assertEqual(sub.versions.get(number=1).values["fever_found"]["value"], 1)
        self.assertEqual(sub.versions.get(number=3).values["fever_found"]["value"], 0)

    def test_whoever_keyed_in_a_report_cannot_also_approve_it(self) -> None:
        """County staff may fill in a community's report on its behalf; a colleague or the
        level above then approves it, not the same person."""
        sub = self.submit(self.r_comm_a, user=self.county_a)
        with self.assertRaises(ValidationError) as ctx:
            services.approve(self.county_a, sub)
        self.assertEqual(ctx.exception.code, "own")
        sub.refresh_from_db()
        self.assertEqual(sub.status, Status.SUBMITTED)
        self.client.force_login(self.county_a)
        page = self.client.get(reverse("reports:submission", args=["daily", sub.pk]))
        self.assertNotContains(page, 'value="approve"')
        self.assertEqual(services.approve(self.hq, sub).status, Status.APPROVED)

    def test_it_lets_the_city_review_a_county_but_not_the_county_itself(self) -> None:
        sub = self.submit(self.r_county_a, user=self.county_a)
        with self.assertRaises(PermissionDenied):
            services.approve(self.county_a, sub)
        self.assertEqual(services.approve(self.hq, sub).status, Status.APPROVED)

    def test_it_lets_the_city_review_a_member_unit(self) -> None:
        sub = self.submit(self.r_sjj, user=self.sjj_liaison)
        with self.assertRaises(PermissionDenied):
            services.approve(self.sjj_liaison, sub)
        with self.assertRaises(ValidationError):
            services.approve(self.hq, services.approve(self.hq, sub))  # twice: wrong state

    def test_it_keeps_versions_immutable(self) -> None:
        sub = self.submit(self.r_comm_a)
        version = sub.versions.get()
        version.reason = "tampered"
        with self.assertRaises(ImmutableError):
            version.save()
        with self.assertRaises(ImmutableError):
            version.delete()
        with self.assertRaises(ImmutableError):
            SubmissionVersion.objects.filter(pk=version.pk).update(reason="x")
        with self.assertRaises(ImmutableError):
            SubmissionVersion.objects.all().delete()

    def test_it_judges_lateness_by_the_deadline(self) -> None:
        self.form.deadline_days = 0
        self.form.save()
        sub = self.submit(self.r_comm_a, self.today - dt.timedelta(days=2))
        self.assertFalse(sub.on_time)
        row = self.city_row(sub.date)
        self.assertEqual((row.submitted, row.on_time), (1, 0))

    def test_it_keeps_the_roll_up_equal_to_a_rebuild(self) -> None:
        a = self.submit(self.r_comm_a)
        self.submit(self.r_comm_a2, people_screened=30, avg_temp="37.2")
        b = self.submit(self.r_county_b, people_screened=5)
        self.submit(self.r_sjj, people_screened=9)
        services.return_report(self.hq, b, "重报")
        services.approve(self.county_a, a)
        services.save_report(self.community_b, self.r_comm_b, self.today,
                             self.values(people_screened=70), submit=False)
        self.maxDiff = None
        live = {(r.unit_id, r.date): (r.submitted, r.on_time, r.sums, r.counts)
                for r in Rollup.objects.filter(form=self.form) if r.submitted}
        rollups.rebuild(self.form)
        rebuilt = {(r.unit_id, r.date): (r.submitted, r.on_time, r.sums, r.counts)
                   for r in Rollup.objects.filter(form=self.form)}
        self.assertEqual(live, rebuilt)
        city = rebuilt[(self.city.pk, self.today)]
        self.assertEqual(city[0], 3)
        self.assertEqual(city[2]["people_screened"], "139")

    def test_it_audits_who_changed_the_report(self) -> None:
        from auditlog.models import LogEntry

        sub = self.submit(self.r_comm_a, user=self.community_a)
        entry = LogEntry.objects.get_for_object(sub).order_by("-timestamp").first()
        self.assertEqual(entry.actor, self.community_a)
