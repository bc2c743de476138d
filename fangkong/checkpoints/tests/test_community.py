import io
import uuid
from datetime import date, datetime, timedelta

import openpyxl
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fangkong.checkpoints import indicators, services
from fangkong.checkpoints.importers import HouseholdImporter
from fangkong.checkpoints.models import Household, HouseholdMember, PatrolLog, Tip
from fangkong.checkpoints.tests.base import CheckpointTestCase
from fangkong.core.models import Grant, Person, PiiAccess, Role
from fangkong.core.services.people import clean_person_data
from fangkong.lib.identity import make_id_number

DAY = date(2020, 2, 20)


def ids(n: int, division: str = "610902") -> list[str]:
    return [make_id_number(division, date(1970, 1, 1) + timedelta(days=i * 97), i)
            for i in range(n)]


def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["户号", "住址", "姓名", "身份证号", "手机号", "与户主关系", "是否常住"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class ScreeningTestCase(CheckpointTestCase):
    def _household(self, unit, number: str, people: list[tuple[str, bool]], since=DAY):
        household, _ = services.save_household(self.hq, unit, number=number,
                                               address=f"{unit.name}{number}")
        for id_number, permanent in people:
            member, _ = services.add_member(self.hq, household, clean_person_data(
                id_number=id_number, name="张三"), relation="other", permanent=permanent)
            HouseholdMember.objects.filter(pk=member.pk).update(since=since)
        return household

    def test_it_counts_population_and_permanent_residents_per_community(self) -> None:
        a = ids(7)
        self._household(self.community_a_unit, "1-1-101", [(a[0], True), (a[1], True),
                                                            (a[2], False)])
        self._household(self.community_a_unit, "1-1-102", [(a[3], True), (a[4], False)])
        self._household(self.community_a2_unit, "9-1-101", [(a[5], True)])
        self._household(self.community_a_unit, "1-1-103", [(a[6], True)],
                        since=DAY + timedelta(days=1))
        unit = self.community_a_unit
        self.assertEqual(indicators.population(unit, DAY), 5)
        self.assertEqual(indicators.permanent_residents(unit, DAY), 3)
        self.assertEqual(indicators.population(unit, DAY + timedelta(days=1)), 6)
        self.assertEqual(indicators.population(self.county_a_unit, DAY), 6)
        self.assertEqual(indicators.permanent_residents(self.county_a_unit, DAY), 4)

    def test_it_counts_a_person_once_per_community(self) -> None:
        a = ids(1)
        self._household(self.community_a_unit, "1-1-101", [(a[0], True)])
        other, _ = services.save_household(self.hq, self.community_a_unit, number="1-1-102",
                                           address="x")
        with self.assertRaises(ValidationError):
            services.add_member(self.hq, other, clean_person_data(id_number=a[0], name="张三"),
                                relation="other", permanent=True)

    def test_it_counts_screened_and_flagged_households(self) -> None:
        a = ids(2)
        h1 = self._household(self.community_a_unit, "1-1-101", [(a[0], True)])
        h2 = self._household(self.community_a_unit, "1-1-102", [(a[1], True)])
        services.record_visit(self.hq, h1, visited_on=DAY, people_present=1)
        services.record_visit(self.hq, h1, visited_on=DAY, people_present=2, from_hubei=True)
        services.record_visit(self.hq, h2, visited_on=DAY + timedelta(1), hubei_vehicle=True)
        services.record_visit(self.hq, h1, visited_on=DAY + timedelta(2))
        unit = self.community_a_unit
        self.assertEqual(indicators.households_screened(unit, DAY), 1)
        self.assertEqual(indicators.households_flagged(unit, DAY), 1)
        self.assertEqual(indicators.households_screened_total(unit, DAY + timedelta(2)), 2)
        with self.assertRaises(ValidationError):
            services.record_visit(self.hq, h1, visited_on=timezone.localdate() + timedelta(1))

    def test_it_sums_gatherings_dispersed_up_to_a_date(self) -> None:
        key = uuid.uuid4()
        for n, (day, gatherings) in enumerate(((DAY, 2), (DAY + timedelta(1), 3))):
            services.record_patrol(self.hq, self.community_a_unit,
                                   client_id=key if n == 0 else uuid.uuid4(), day=day,
                                   area="广场", gatherings_dispersed=gatherings,
                                   people_persuaded=gatherings * 4)
        services.record_patrol(self.hq, self.community_a_unit, client_id=key, day=DAY,
                               area="广场", gatherings_dispersed=2,
                               people_persuaded=8)  # a retried form
        self.assertEqual(PatrolLog.objects.count(), 2)
        self.assertEqual(indicators.gatherings_dispersed(self.community_a_unit, DAY), 2)
        self.assertEqual(indicators.gatherings_dispersed(self.county_a_unit,
                                                         DAY + timedelta(5)), 5)
        self.assertEqual(indicators.people_persuaded(self.community_a_unit, DAY), 8)

    def test_it_measures_tip_response_and_resolution_times(self) -> None:
        received = timezone.make_aware(datetime(2020, 2, 20, 22, 10))
        tip, _ = services.record_tip(self.community_a, self.community_a_unit,
                                     client_id=uuid.uuid4(), channel="phone",
                                     category="gathering", content="打麻将",
                                     caller_phone="13900001111", received_at=received)
        tip = services.dispatch_tip(self.hq, tip, dispatched_to="网格员",
                                    at=received + timedelta(minutes=12))
        with self.assertRaises(ValidationError):
            services.dispatch_tip(self.hq, tip, dispatched_to="网格员")
        with self.assertRaises(ValidationError):
            services.resolve_tip(self.hq, tip, outcome=" ")
        tip = services.resolve_tip(self.hq, tip, outcome="已劝散",
                                   at=received + timedelta(minutes=50))
        self.assertEqual(tip.response_time, timedelta(minutes=12))
        self.assertEqual(tip.resolution_time, timedelta(minutes=50))
        tip2, _ = services.record_tip(self.hq, self.community_a_unit, client_id=uuid.uuid4(),
                                      channel="phone", category="other", content="x",
                                      received_at=received + timedelta(minutes=30))
        services.dispatch_tip(self.hq, tip2, dispatched_to="民警",
                              at=received + timedelta(minutes=60))
        self.assertEqual(indicators.tip_response_minutes(self.community_a_unit, DAY), 21)
        self.assertEqual(indicators.tips_received(self.community_a_unit, DAY), 2)
        self.assertEqual(indicators.tips_resolved(self.community_a_unit, DAY), 1)
        self.assertEqual(Tip.objects.get(pk=tip.pk).status, "resolved")
        with self.assertRaises(ValidationError):
            services.record_tip(self.hq, self.community_a_unit, client_id=uuid.uuid4(),
                                channel="phone", category="other", content="x",
                                caller_phone="12345")


class HouseholdImportTestCase(CheckpointTestCase):
    def test_it_checks_a_file_without_saving_and_reports_row_errors(self) -> None:
        a = ids(3)
        bad = workbook([
            ["1-1-101", "文昌路1号", "张三", a[0], "13800001111", "户主", "是"],
            ["1-1-101", "文昌路1号", "李四", "610902198001011234", "", "配偶", "是"],
            ["1-1-102", "文昌路1号", "", a[1], "", "子女", "也许"],
            ["1-1-102", "文昌路1号", "赵六", a[2], "123", "", ""],
            ["1-1-103", "文昌路1号", "王五", a[0], "", "", ""],
        ])
        result = HouseholdImporter(self.community_a_unit).run(bad, self.community_a,
                                                              dry_run=True)
        self.assertFalse(result.ok)
        by_row = {(e.row, e.column) for e in result.errors}
        self.assertIn((3, "身份证号"), by_row)
        self.assertIn((4, "姓名"), by_row)
        self.assertIn((4, "是否常住"), by_row)
        self.assertIn((5, "手机号"), by_row)
        self.assertIn((6, "身份证号"), by_row)  # the same person twice in the file
        self.assertFalse(Household.objects.exists())
        self.assertFalse(Person.objects.exists())

    def test_it_imports_households_with_a_dry_run_first(self) -> None:
        a = ids(3)
        good = workbook([
            ["1-1-101", "文昌路1号", "张三", a[0], "13800001111", "户主", "是"],
            ["1-1-101", "文昌路1号", "李四", a[1], "", "配偶", "否"],
            ["1-1-102", "文昌路1号", "王五", a[2].lower(), "", "", ""],
        ])
        dry = HouseholdImporter(self.community_a_unit).run(good, self.community_a, dry_run=True)
        self.assertTrue(dry.ok)
        self.assertEqual(dry.created, 3)
        self.assertFalse(HouseholdMember.objects.exists())
        self.login(self.community_a)
        from django.core.files.uploadedfile import SimpleUploadedFile

        url = reverse("checkpoints:household_import")
        r = self.client.post(url, {"community": "610902002002", "action": "check",
                                   "file": SimpleUploadedFile("h.xlsx", good)})
        self.assertFalse(r.context["result"].committed)  # the check saves nothing
        self.assertEqual(r.context["result"].created, 3)
        self.assertFalse(Household.objects.exists())
        r = self.client.post(url, {"community": "610902002002", "action": "commit",
                                   "checked": r.context["digest"],
                                   "file": SimpleUploadedFile("h.xlsx", good)})
        self.assertTrue(r.context["result"].committed)
        self.assertEqual(Household.objects.count(), 2)
        self.assertEqual(indicators.population(self.community_a_unit, timezone.localdate()), 3)
        self.assertEqual(
            indicators.permanent_residents(self.community_a_unit, timezone.localdate()), 2)
        again = HouseholdImporter(self.community_a_unit).run(good, self.community_a,
                                                             dry_run=False)
        self.assertEqual((again.created, again.updated), (0, 3))
        self.assertEqual(HouseholdMember.objects.count(), 3)

    def test_it_imports_only_the_file_and_community_that_were_checked(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        a = ids(2)
        checked = workbook([["1-1-101", "文昌路1号", "张三", a[0], "", "户主", "是"]])
        other = workbook([["1-1-102", "文昌路1号", "李四", a[1], "", "户主", "是"]])
        url = reverse("checkpoints:household_import")
        self.login(self.county_a)
        r = self.client.post(url, {"community": "610902002002", "action": "check",
                                   "file": SimpleUploadedFile("h.xlsx", checked)})
        digest = r.context["digest"]
        for community, data in (("610902002002", other), ("610902003001", checked)):
            r = self.client.post(url, {"community": community, "action": "commit",
                                       "checked": digest,
                                       "file": SimpleUploadedFile("h.xlsx", data)})
            self.assertTrue(r.context["changed_since_check"])
            self.assertFalse(r.context["result"].committed)
            self.assertFalse(Household.objects.exists())
        r = self.client.post(url, {"community": "610902002002", "action": "commit",
                                   "checked": digest,
                                   "file": SimpleUploadedFile("h.xlsx", checked)})
        self.assertTrue(r.context["result"].committed)
        self.assertEqual(list(Household.objects.values_list("number", "org_unit__code")),
                         [("1-1-101", "610902002002")])

    def test_it_answers_the_error_report_as_xlsx_and_htmx_with_the_result(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        bad = workbook([["1-1-101", "文昌路1号", "张三", "123", "", "户主", "是"]])
        url = reverse("checkpoints:household_import")
        self.login(self.community_a)
        r = self.client.post(url, {"community": "610902002002", "action": "check",
                                   "file": SimpleUploadedFile("h.xlsx", bad)},
                             HTTP_HX_REQUEST="true")
        self.assertTemplateUsed(r, "core/_import_result.html")
        self.assertTemplateNotUsed(r, "checkpoints/household_import.html")
        self.assertEqual(len(r.context["result"].errors), 1)
        r = self.client.post(url, {"community": "610902002002", "action": "errors",
                                   "file": SimpleUploadedFile("h.xlsx", bad)})
        self.assertIn("spreadsheetml", r["Content-Type"])
        book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
        rows = list(book.active.iter_rows(values_only=True))
        self.assertEqual((rows[1][0], rows[1][1]), (2, "身份证号"))

    def test_it_reports_bad_household_values_in_their_own_columns(self) -> None:
        """Over-long numbers and addresses were stored; a bad contact phone was blamed on
        the member's mobile column; one number with two addresses: the last one won."""
        a = ids(4)
        book = openpyxl.load_workbook(io.BytesIO(workbook([])))
        sheet = book.active
        sheet.cell(1, 8, "联系电话")
        for row in (["9" * 60, "文昌路1号", "张三", a[0], "", "户主", "是", ""],
                    ["2-1-101", "文" * 300, "李四", a[1], "", "户主", "是", ""],
                    ["2-1-102", "文昌路2号", "王五", a[2], "", "户主", "是", "12345"],
                    ["2-1-103", "文昌路3号", "赵六", a[3], "", "户主", "是", ""]):
            sheet.append(row)
        sheet.append(["2-1-103", "文昌路4号", "钱七", ids(5)[4], "", "配偶", "是", ""])
        out = io.BytesIO()
        book.save(out)
        result = HouseholdImporter(self.community_a_unit).run(out.getvalue(), self.community_a,
                                                              dry_run=False)
        where = {(e.row, e.column) for e in result.errors}
        self.assertEqual(where, {(2, "户号"), (3, "住址"), (4, "联系电话"), (6, "住址")})
        self.assertFalse(result.committed)
        self.assertFalse(Household.objects.exists())

    def test_the_new_household_page_does_not_overwrite_a_household(self) -> None:
        services.save_household(self.hq, self.community_a_unit, number="1-1-101",
                                address="文昌路1号3栋501")
        self.login(self.community_a)
        r = self.client.post(reverse("checkpoints:household_new"), {
            "community": "610902002002", "number": "1-1-101", "address": "别的地址1号",
            "phone": "", "client_id": str(uuid.uuid4())})
        self.assertEqual(r.status_code, 200)
        self.assertIn("number", r.context["form"].errors)
        self.assertEqual(Household.objects.get().address, "文昌路1号3栋501")

    def test_it_refuses_the_import_to_a_duty_user_and_outside_the_area(self) -> None:
        self.login(self.gate)
        self.assertEqual(self.client.get(reverse("checkpoints:household_import")).status_code,
                         403)
        self.login(self.community_a)
        from django.core.files.uploadedfile import SimpleUploadedFile

        r = self.client.post(reverse("checkpoints:household_import"), {
            "community": "610924100001", "file": SimpleUploadedFile("h.xlsx", workbook([])),
        })
        self.assertEqual(r.status_code, 200)
        self.assertIn("community", r.context["form"].errors)


class ExportTestCase(CheckpointTestCase):
    def setUp(self) -> None:
        a = ids(1)[0]
        self.id_number = a
        household, _ = services.save_household(self.hq, self.community_a_unit,
                                               number="1-1-101", address="文昌路1号3栋501")
        services.add_member(self.hq, household, clean_person_data(
            id_number=a, name="张三", phone="13812345678"), relation="head", permanent=True)

    def _sheet(self, response) -> list[list]:
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        return [list(r) for r in book.active.iter_rows(values_only=True)]

    def test_it_exports_masked_by_default(self) -> None:
        self.login(self.community_a)
        rows = self._sheet(self.client.get(reverse("checkpoints:households_export")))
        flat = " ".join(str(c) for row in rows for c in row)
        self.assertIn("张三", flat)
        self.assertNotIn(self.id_number, flat)
        self.assertIn("6109**********", flat)
        self.assertIn("138****5678", flat)
        self.assertNotIn("13812345678", flat)
        self.assertFalse(PiiAccess.objects.exists())

    def test_it_exports_unmasked_only_with_permission_and_a_reason(self) -> None:
        url = reverse("checkpoints:households_export")
        self.login(self.community_a)  # community workers may reveal but not export
        r = self.client.post(url, {"unmasked": "on", "reason": "核查"})
        self.assertEqual(r.status_code, 403)
        self.login(self.county_a)
        r = self.client.post(url, {"unmasked": "on"})
        self.assertEqual(r.status_code, 200)  # no reason given: the form says so
        self.assertTemplateUsed(r, "core/export_unmasked.html")
        self.assertIn("reason", r.context["form"].errors)
        # Both refusals are logged, and nothing was exported.
        self.assertEqual(list(PiiAccess.objects.order_by("pk").values_list("actor", "refused")),
                         [(self.community_a.pk, "permission"), (self.county_a.pk, "reason")])
        # The reason never travels in a URL: a GET exports masked, whatever it asks.
        r = self.client.get(url, {"unmasked": "on", "reason": "上报区疫情防控办核查"})
        self.assertNotIn(self.id_number, " ".join(str(c) for row in self._sheet(r) for c in row))
        self.assertEqual(PiiAccess.objects.count(), 2)
        r = self.client.post(url, {"unmasked": "on", "reason": "上报区疫情防控办核查"})
        flat = " ".join(str(c) for row in self._sheet(r) for c in row)
        self.assertIn(self.id_number, flat)
        log = PiiAccess.objects.get(refused="")
        self.assertEqual((log.actor, log.action, log.row_count), (self.county_a, "export", 1))

    def test_it_exports_unmasked_only_where_the_export_grant_reaches(self) -> None:
        """Viewing the city and exporting one county do not add up to exporting the city;
        the log counts the file's rows (members), not households."""
        a = ids(3)[1:]
        household = Household.objects.get(number="1-1-101")
        services.add_member(self.hq, household, clean_person_data(
            id_number=a[0], name="张四"), relation="spouse", permanent=True)
        other, _ = services.save_household(self.hq, self.community_b_unit, number="9-9-901",
                                           address="临江路9号")
        services.add_member(self.hq, other, clean_person_data(id_number=a[1], name="王五"),
                            relation="head", permanent=True)
        Grant.objects.create(user=self.county_a, role=Role.PROVINCE_VIEWER, org_unit=self.city)
        self.login(self.county_a)
        masked = self._sheet(self.client.get(reverse("checkpoints:households_export")))
        self.assertEqual(len(masked), 4)  # header + 3 members: viewing reaches county B
        r = self.client.post(reverse("checkpoints:households_export"),
                             {"unmasked": "on", "reason": "核查"})
        rows = self._sheet(r)
        flat = " ".join(str(c) for row in rows for c in row)
        self.assertEqual(len(rows), 3)  # header + county A's two members
        self.assertNotIn(a[1], flat)
        self.assertNotIn("王五", flat)
        self.assertEqual(PiiAccess.objects.get().row_count, 2)

    def test_it_exports_only_the_callers_area(self) -> None:
        self.login(self.county_b)
        rows = self._sheet(self.client.get(reverse("checkpoints:households_export")))
        self.assertEqual(len(rows), 1)  # the header row only
