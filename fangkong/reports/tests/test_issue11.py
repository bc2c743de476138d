"""Issue #11, daily reporting: the API reads a report back and documents its errors (11),
returned reports and reminders reach people as notices (9), the fill-in and review pages
show yesterday's value and the total so far (10), the briefing .docx is an official
document (13)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from django.test import override_settings
from django.urls import reverse

from fangkong.core.models import ApiToken, Notice
from fangkong.reports import services
from fangkong.reports.models import Submission
from fangkong.reports.tests.base import ReportsTestCase

SENT: list = []


def fake_sms(notice):
    SENT.append((notice.user.username, notice.title))
    return "sent"


class ReadBackApiTestCase(ReportsTestCase):
    def auth(self, user) -> dict[str, str]:
        _row, raw = ApiToken.issue(user)
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def test_a_client_reads_its_report_back_with_the_reason_and_versions(self) -> None:
        sub = self.submit(self.r_comm_a, user=self.community_a)
        services.return_report(self.county_a, sub, "数字有误，请核实")
        r = self.client.get(reverse("api-reports-submissions", args=["daily"])
                            + f"?unit=610902002002&date={self.today.isoformat()}",
                            **self.auth(self.community_a))
        self.assertEqual(r.status_code, 200, r.content)
        page = r.json()
        self.assertEqual(page["count"], 1)
        row = page["results"][0]
        self.assertEqual((row["id"], row["status"], row["reason"]),
                         (sub.pk, "returned", "数字有误，请核实"))
        self.assertEqual(row["values"]["people_screened"], 100)
        r = self.client.get(reverse("api-reports-submission", args=["daily", sub.pk]),
                            **self.auth(self.community_a))
        self.assertEqual(r.status_code, 200)
        detail = r.json()
        self.assertEqual([(v["number"], v["action"]) for v in detail["versions"]],
                         [(1, "submitted"), (2, "returned")])
        self.assertEqual(detail["versions"][1]["reason"], "数字有误，请核实")
        self.assertEqual(detail["versions"][0]["values"]["people_screened"], 100)
        # Another area's report does not exist for the caller.
        r = self.client.get(reverse("api-reports-submission", args=["daily", sub.pk]),
                            **self.auth(self.community_b))
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r["Content-Type"], "application/json")

    def test_a_wrong_unit_code_is_a_json_field_error(self) -> None:
        for code in ("610999999", "610924100001"):  # unknown; not the caller's
            r = self.client.get(reverse("api-reports-submissions", args=["daily"])
                                + f"?unit={code}", **self.auth(self.community_a))
            self.assertEqual(r.status_code, 400)
            self.assertEqual(r["Content-Type"], "application/json")
            self.assertEqual(list(r.json()["fields"]), ["unit"])
            r = self.client.get(reverse("api-reports-completeness", args=["daily"])
                                + f"?unit={code}", **self.auth(self.community_a))
            self.assertEqual((r.status_code, list(r.json()["fields"])), (400, ["unit"]))

    def test_the_openapi_document_lists_every_error_response(self) -> None:
        """Every status the endpoints answer here is documented for that operation."""
        self.submit(self.r_comm_a, user=self.community_a)
        token = self.auth(self.community_a)
        forms = reverse("api-reports-forms")
        subs = reverse("api-reports-submissions", args=["daily"])
        one = reverse("api-reports-submission", args=["daily", 1])
        seen: dict[tuple[str, str], set[int]] = {}

        def hit(method: str, template: str, url: str, **kw) -> None:
            r = getattr(self.client, method)(url, **kw)
            seen.setdefault((template, method), set()).add(r.status_code)

        body = {"unit": "610902002002", "date": self.today.isoformat(),
                "values": self.values(people_screened=5), "submit": True}
        for template, url in (("/forms", forms),
                              ("/{form}/completeness", reverse(
                                  "api-reports-completeness", args=["daily"])),
                              ("/{form}/aggregate", reverse(
                                  "api-reports-aggregate", args=["daily"])),
                              ("/{form}/submissions", subs),
                              ("/{form}/submissions/{id}", one)):
            hit("get", template, url)  # 401
            hit("get", template, url.replace("daily", "nope"), **token)  # 404
            hit("get", template, url + "?date=2020-13-01&unit=x", **token)  # 400
        hit("post", "/{form}/submissions", subs, data=body, content_type="application/json")
        hit("post", "/{form}/submissions", subs, data={"unit": 1},
            content_type="application/json", **token)
        hit("post", "/{form}/submissions", subs, data=body, content_type="application/json",
            **token)  # 409: locked
        hit("post", "/{form}/submissions", subs, data="unit=x", content_type="text/plain",
            **token)  # 415
        self.client.force_login(self.community_a)  # session without the CSRF token: 403
        self.client.handler.enforce_csrf_checks = True
        hit("post", "/{form}/submissions", subs, data=body, content_type="application/json")
        self.client.logout()

        document = self.client.get("/api/v1/schema?format=json", **token).json()
        for (template, method), statuses in seen.items():
            path = next(p for p in document["paths"]
                        if p.startswith("/api/v1/reports") and p.endswith(template))
            documented = {int(s) for s in document["paths"][path][method]["responses"]}
            errors = {s for s in statuses if s >= 400}
            self.assertLessEqual(errors, documented, f"{method} {path}")


class NoticesTestCase(ReportsTestCase):
    def setUp(self) -> None:
        super().setUp()
        SENT.clear()

    def test_a_returned_report_reaches_its_reporter(self) -> None:
        sub = self.submit(self.r_comm_a, user=self.community_a)
        with self.assertLogs("fangkong.notices", "INFO") as logs, \
                self.captureOnCommitCallbacks(execute=True):
            services.return_report(self.county_a, sub, "排查人数有误")
        notice = Notice.objects.get(user=self.community_a)
        self.assertIn("退回", notice.title)
        self.assertIn("排查人数有误", notice.body)
        self.assertIn("/reports/daily/fill/?unit=610902002002", notice.url)
        self.assertEqual(notice.delivery, "logged")  # no sender configured: logged
        self.assertIn("no sender configured", logs.output[0])
        self.assertFalse(Notice.objects.filter(user=self.community_b).exists())
        self.login(self.community_a)
        home = self.client.get("/").content.decode()
        self.assertIn('id="home-notices"', home)
        self.assertIn("排查人数有误", home)
        self.assertIn('data-unread="1"', home)
        r = self.client.get(reverse("core:notice", args=[notice.pk]))
        self.assertRedirects(r, notice.url, fetch_redirect_response=False)
        notice.refresh_from_db()
        self.assertIsNotNone(notice.read_at)
        self.login(self.community_b)  # another's notice: 404
        self.assertEqual(self.client.get(reverse("core:notice", args=[notice.pk])
                                         ).status_code, 404)

    @override_settings(FANGKONG_NOTICE_SENDER="fangkong.reports.tests.test_issue11.fake_sms")
    def test_one_click_reminder_notifies_the_missing_once_through_the_sender(self) -> None:
        self.submit(self.r_comm_a2)
        self.login(self.county_a)
        url = reverse("reports:remind", args=["daily"])
        data = {"date": self.today.isoformat(), "unit": "610902"}
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(url, data, follow=True)
        self.assertContains(r, "已向2个单位（2人）发送催报")
        # The missing community and the district's own report; not 临江社区 (reported).
        self.assertEqual(sorted(u for u, _t in SENT), ["hanbin", "wenchang"])
        self.assertIn("催报", SENT[0][1])
        self.assertEqual(Notice.objects.get(user=self.community_a).delivery, "sent")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url, data)
        self.assertEqual(len(SENT), 2)  # a second click reminds nobody twice
        # Out of the area: 404, nobody notified.
        self.login(self.county_b)
        self.assertEqual(self.client.post(url, data).status_code, 404)

    def test_the_completeness_page_offers_sending_not_copying(self) -> None:
        self.login(self.county_a)
        r = self.client.get(reverse("reports:completeness", args=["daily"])
                            + f"?date={self.today.isoformat()}&unit=610902")
        text = r.content.decode()
        self.assertIn('id="remind-form"', text)
        self.assertNotIn("data-copy", text)

    def test_a_report_due_soon_is_announced_once(self) -> None:
        deadline = self.form.deadline_for(self.today - dt.timedelta(days=1))
        now = deadline - dt.timedelta(minutes=30)
        self.submit(self.r_comm_a2, day=self.today - dt.timedelta(days=1))
        services.notify_due_soon(now)
        services.notify_due_soon(now)
        self.assertEqual(Notice.objects.filter(user=self.community_a,
                                               kind="reports.due").count(), 1)
        self.assertFalse(Notice.objects.filter(kind="reports.due").exclude(
            user__in=[self.community_a, self.county_a, self.county_b, self.community_b,
                      self.member_liaison]).exists())


class PreviousValuesTestCase(ReportsTestCase):
    def test_fill_and_review_show_yesterday_and_the_total(self) -> None:
        for back, n in ((3, 50), (2, 70), (1, 90)):
            self.submit(self.r_comm_a, day=self.today - dt.timedelta(days=back),
                        people_screened=n, projects_total=10 + back)
        self.login(self.community_a)
        r = self.client.get(reverse("reports:fill", args=["daily"])
                            + f"?unit=610902002002&date={self.today.isoformat()}")
        text = r.content.decode()
        block = text[text.index('data-indicator="people_screened"'):]
        block = block[:block.index("entry-field", 10)]
        self.assertIn('data-yesterday>90<', block)
        self.assertIn('data-cumulative>210<', block)
        stock = text[text.index('data-indicator="projects_total"'):]
        stock = stock[:stock.index("entry-field", 10)]
        self.assertIn('data-yesterday>11<', stock)
        self.assertNotIn("data-cumulative", stock)  # a level has no total
        sub = self.submit(self.r_comm_a, people_screened=20)
        self.login(self.county_a)
        text = self.client.get(reverse("reports:submission", args=["daily", sub.pk])
                               ).content.decode()
        row = text[text.index('<tr data-indicator="people_screened"'):]
        row = row[:row.index("</tr>")]
        self.assertIn("data-yesterday>90<", row)
        self.assertIn("data-cumulative>210<", row)

    def test_errors_are_summarised_at_the_top_linked_to_their_fields(self) -> None:
        self.login(self.community_a)
        r = self.client.post(reverse("reports:fill", args=["daily"]), {
            "unit": "610902002002", "date": self.today.isoformat(), "submit": "1",
            "v_people_screened": "abc", "v_projects_total": "1", "v_projects_resumed": "5"})
        self.assertEqual(r.status_code, 400)
        text = r.content.decode()
        summary = text[text.index("data-error-summary"):]
        summary = summary[:summary.index("</div>")]
        self.assertLess(text.index("data-error-summary"), text.index('id="entry-form"'))
        self.assertIn("有 3 处需要修改", summary)
        self.assertIn("排查人员：", summary)
        for field in ("id_v_people_screened", "id_v_fever_found", "id_v_projects_resumed"):
            self.assertIn(f'href="#{field}"', summary)
        self.assertFalse(Submission.objects.exists())


class BriefingDocxTestCase(ReportsTestCase):
    def test_the_docx_is_an_a4_official_document_with_properties(self) -> None:
        from docx import Document

        self.submit(self.r_county_a)
        self.login(self.hq)
        r = self.client.get(reverse("reports:briefing_docx")
                            + f"?date={self.today.isoformat()}&unit=610900")
        self.assertEqual(r.status_code, 200)
        doc = Document(io.BytesIO(r.content))
        section = doc.sections[0]
        self.assertEqual((round(section.page_width.mm), round(section.page_height.mm)),
                         (210, 297))
        self.assertEqual([round(m.mm) for m in (section.top_margin, section.bottom_margin,
                                                 section.left_margin, section.right_margin)],
                         [37, 35, 28, 26])
        texts = [p.text for p in doc.paragraphs if p.text]
        self.assertEqual(texts[0], "安康市疫情防控指挥部")  # the issuing unit, first
        self.assertEqual(texts[1], "安康市疫情防控工作动态")
        self.assertEqual(texts[-1], f"{self.today.year}年{self.today.month}月{self.today.day}日")
        xml = zipfile.ZipFile(io.BytesIO(r.content)).read("word/footer1.xml").decode()
        self.assertIn("PAGE", xml)  # page numbers
        props = doc.core_properties
        self.assertEqual(props.title, "安康市疫情防控工作动态")
        self.assertEqual(props.author, "安康市疫情防控指挥部")
        self.assertGreater(props.created.year, 2020)
        self.assertNotEqual(props.author, "python-docx")

    def test_the_page_no_longer_ends_with_a_command_line(self) -> None:
        self.login(self.hq)
        text = self.client.get(reverse("reports:briefing")).content.decode()
        self.assertNotIn("fangkong briefing", text)
        self.assertNotIn("<code>", text)


class NoInternalCodesTestCase(ReportsTestCase):
    """Issue #11 item 14: form, indicator and live-source codes stay out of the pages;
    units are picked from a list of names."""

    def test_the_pages_name_things_and_offer_units_as_a_list(self) -> None:
        self.submit(self.r_comm_a)
        self.login(self.hq)
        index = self.client.get(reverse("reports:index")).content.decode()
        self.assertNotIn(">daily<", index)
        completeness = self.client.get(reverse("reports:completeness", args=["daily"])
                                       ).content.decode()
        self.assertIn('<select name="unit" id="id_unit">', completeness)
        self.assertIn('<option value="610902">　汉滨区</option>', completeness)
        self.assertNotIn('type="text" name="unit"', completeness)
        detail = self.client.get(reverse("reports:form_detail", args=["daily"])
                                 ).content.decode()
        self.assertNotIn(">people_screened<", detail)
        self.assertNotIn("reports_test.screened", detail)  # the live source, by name
        self.assertIn("test screened", detail)
        self.assertIn("已复工项目 ≤ 重点项目", detail)  # the rule, in words
        self.assertNotIn("projects_resumed &lt;= projects_total", detail)
        self.assertIn('name="rep-under"', detail)
        self.assertNotIn('name="rep-codes"', detail)

    def test_reporters_are_added_from_the_lists(self) -> None:
        self.login(self.hq)
        r = self.client.post(reverse("reports:reporters_add", args=["daily"]), {
            "rep-under": "610902002", "rep-organisations": ["hq"]})
        self.assertEqual(r.status_code, 302)
        self.assertTrue(self.form.reporters.filter(code="610902002").exists())
        self.assertTrue(self.form.reporters.filter(code="hq").exists())
