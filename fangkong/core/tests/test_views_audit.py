"""The audit pages: change history and personal-data access log, for HQ only."""

from __future__ import annotations

from datetime import timedelta

from auditlog.models import LogEntry
from django.utils import timezone

from fangkong.core import audit
from fangkong.core.audit import acting_as
from fangkong.core.models import Grant, PiiAccess, Role
from fangkong.core.testing import FangkongTestCase, make_person

AUDIT_URL = "/core/audit/"
PII_URL = "/core/audit/pii/"


class AuditAccessTests(FangkongTestCase):
    def test_it_lets_hq_browse_both_logs(self) -> None:
        self.login(self.hq)
        for url in (AUDIT_URL, PII_URL):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "审计日志")
                self.assertContains(response, "个人信息访问记录")

    def test_it_refuses_both_logs_to_everyone_else(self) -> None:
        for user in (self.province, self.county_a, self.community_a, self.gate, self.helper,
                     self.nobody):
            self.login(user)
            for url in (AUDIT_URL, PII_URL):
                with self.subTest(user=user.username, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 403)
                    self.assertContains(response, "无权访问", status_code=403)

    def test_it_sends_anonymous_users_to_the_login_page(self) -> None:
        response = self.client.get(AUDIT_URL)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/accounts/login/"))


class ChangeHistoryTests(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.person = make_person(cls.community_a_unit, name="王芳", phone="13912345678",
                                 address="文昌路18号")
        with acting_as(cls.county_a):
            cls.person.notes = "已电话回访"
            cls.person.phone = "13787654321"
            cls.person.address = "兴安路66号"
            cls.person.save()
        with acting_as(cls.hq):
            Grant.objects.create(user=cls.nobody, role=Role.HELPER, org_unit=cls.town_a)

    def test_it_records_a_change_with_before_and_after_that_hq_sees(self) -> None:
        entry = LogEntry.objects.get_for_object(self.person).get(action=LogEntry.Action.UPDATE)
        self.assertEqual(entry.actor, self.county_a)
        self.assertEqual(entry.changes_dict["notes"], ["", "已电话回访"])
        self.login(self.hq)
        response = self.client.get(AUDIT_URL)
        self.assertContains(response, "hanbin")
        self.assertContains(response, "修改")
        self.assertContains(response, "人员")
        self.assertContains(response, "备注")
        self.assertContains(response, "<ins>已电话回访</ins>", html=False)

    def test_it_never_shows_masked_personal_data(self) -> None:
        self.login(self.hq)
        response = self.client.get(AUDIT_URL)
        self.assertContains(response, "（个人信息，不予显示）")
        for secret in ("13912345678", "345678", "13787654321", "654321", "文昌路18号",
                       "兴安路66号", self.person.id_number, self.person.id_number[9:]):
            self.assertNotContains(response, secret)

    def test_it_shows_choices_and_related_records_by_name(self) -> None:
        self.login(self.hq)
        response = self.client.get(AUDIT_URL, {"model": "core.grant"})
        self.assertContains(response, "帮扶责任人")
        self.assertContains(response, "新城街道")
        self.assertNotContains(response, "已电话回访")

    def test_it_filters_by_user(self) -> None:
        self.login(self.hq)
        shown = self.client.get(AUDIT_URL, {"actor": "hanbin"}).context["page"].object_list
        self.assertEqual({e.actor for e in shown}, {self.county_a})
        self.assertEqual(
            list(self.client.get(AUDIT_URL, {"actor": "ziyang"}).context["page"]), []
        )

    def test_it_filters_by_record_type(self) -> None:
        self.login(self.hq)
        shown = self.client.get(AUDIT_URL, {"model": "core.person"}).context["page"].object_list
        self.assertTrue(shown)
        self.assertEqual({e.content_type.model for e in shown}, {"person"})

    def test_it_filters_by_date_range(self) -> None:
        self.login(self.hq)
        today = timezone.localdate()
        page = self.client.get(AUDIT_URL, {"date_from": today, "date_to": today}).context["page"]
        self.assertTrue(page.object_list)
        tomorrow = today + timedelta(days=1)
        page = self.client.get(AUDIT_URL, {"date_from": tomorrow}).context["page"]
        self.assertEqual(list(page.object_list), [])

    def test_it_answers_bad_filters_with_field_errors(self) -> None:
        self.login(self.hq)
        for params in ({"date_from": "2020-02-30"}, {"model": "core.nothing"},
                       {"date_from": "2020-03-02", "date_to": "2020-02-10"}):
            with self.subTest(params=params):
                response = self.client.get(AUDIT_URL, params)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'class="field-error"')
                self.assertEqual(list(response.context["page"].object_list), [])
        response = self.client.get(AUDIT_URL, {"date_from": "2020-03-02", "date_to": "2020-02-10"})
        self.assertContains(response, "结束日期早于开始日期。")


class PiiLogTests(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.person = make_person(cls.community_a_unit, name="王芳", phone="13912345678")

    def test_it_shows_a_reveal_made_on_the_person_page(self) -> None:
        self.login(self.county_a)
        self.client.post(f"/core/people/{self.person.pk}/reveal", {"reason": "发热预警电话回访"})
        self.login(self.hq)
        response = self.client.get(PII_URL)
        self.assertContains(response, "hanbin")
        self.assertContains(response, "发热预警电话回访")
        self.assertContains(response, "查看完整信息")
        self.assertContains(response, "身份证号码、手机号码、地址")
        self.assertNotContains(response, "13912345678")
        self.assertNotContains(response, self.person.id_number)

    def test_it_shows_exports_with_their_row_count(self) -> None:
        from fangkong.core.models import Person

        audit.log_export(self.county_a, Person, ["id_number", "phone"], 37, "县流调组名单",
                         label="汉滨区人员")
        self.login(self.hq)
        response = self.client.get(PII_URL, {"action": "export"})
        self.assertContains(response, "导出")
        self.assertContains(response, "县流调组名单")
        self.assertContains(response, '<td data-label="行数" class="num">37</td>', html=True)

    def test_it_filters_by_user_action_and_date(self) -> None:
        audit.reveal(self.county_a, self.person, ["phone"], "回访")
        audit.reveal(self.community_a, self.person, ["phone"], "核实")
        self.login(self.hq)
        page = self.client.get(PII_URL, {"actor": "wenchang"}).context["page"]
        self.assertEqual([a.reason for a in page.object_list], ["核实"])
        page = self.client.get(PII_URL, {"action": "export"}).context["page"]
        self.assertEqual(list(page.object_list), [])
        yesterday = timezone.localdate() - timedelta(days=1)
        page = self.client.get(PII_URL, {"date_to": yesterday}).context["page"]
        self.assertEqual(list(page.object_list), [])
        self.assertEqual(PiiAccess.objects.count(), 2)

    def test_it_shows_refused_attempts_and_filters_them(self) -> None:
        self.login(self.province)  # may see, may not reveal
        self.client.post(f"/core/people/{self.person.pk}/reveal", {"reason": "省专班核查"})
        self.login(self.county_b)  # the person is outside 紫阳县
        self.client.post(f"/core/people/{self.person.pk}/reveal", {"reason": "打听"})
        self.login(self.community_a)
        self.client.post("/core/people/export/", {"reason": "交接", "format": "xlsx"})
        self.client.post(f"/core/people/{self.person.pk}/reveal", {"reason": ""})
        self.client.post(f"/core/people/{self.person.pk}/reveal", {"reason": "入户核实"})
        self.login(self.hq)
        response = self.client.get(PII_URL)
        self.assertContains(response, "已拒绝：无权限", count=2)
        self.assertContains(response, "已拒绝：超出管辖范围", count=1)
        self.assertContains(response, "已拒绝：未填写事由", count=1)
        self.assertContains(response, "打听")
        self.assertNotContains(response, self.person.id_number)
        page = self.client.get(PII_URL, {"action": "refused"}).context["page"]
        self.assertEqual(sorted(a.refused for a in page.object_list),
                         ["permission", "permission", "reason", "scope"])
        page = self.client.get(PII_URL, {"action": "reveal"}).context["page"]
        self.assertEqual(len(page.object_list), 4)  # three refused, one shown
        self.assertContains(self.client.get(PII_URL),
                            '<option value="refused">被拒绝的尝试</option>', html=True)
        # A refused export carried nobody's data: its people cell says so, not "0".
        export = self.client.get(PII_URL, {"action": "export"}).content.decode()
        self.assertNotIn('data-label="人员" class="num">0</td>', export)
        self.assertIn('data-label="人员" class="num">—</td>', export)

    def test_it_answers_a_bad_date_with_a_field_error(self) -> None:
        self.login(self.hq)
        response = self.client.get(PII_URL, {"date_from": "yesterday"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="field-error"')
