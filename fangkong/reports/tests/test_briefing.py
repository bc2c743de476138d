"""The daily briefing: registered sentences in order, the same text on the page, in the
.docx and from ``fangkong briefing``."""

from __future__ import annotations

import datetime as dt
import io
from io import StringIO

import docx
from django.core.management import call_command
from django.urls import reverse

from fangkong.core import registries
from fangkong.reports import briefing
from fangkong.reports.tests.base import ReportsTestCase

DAY = dt.date(2020, 2, 28)


class BriefingTestCase(ReportsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form.deadline_days = 0
        self.form.save()
        self.submit(self.r_comm_a, DAY - dt.timedelta(days=1), people_screened=400,
                    fever_found=2)
        self.submit(self.r_comm_a, DAY, people_screened=1200, fever_found=1)
        self.submit(self.r_county_b, DAY, people_screened=800, fever_found=0,
                    projects_total=150, projects_resumed=119)
        self.submit(self.r_sjj, DAY, people_screened=13, fever_found=0)

    def test_it_writes_completeness_and_cumulative_sentences(self) -> None:
        text = briefing.build(self.city, DAY).text()
        self.assertTrue(text.startswith("安康市疫情防控工作动态\n2020年2月28日\n"))
        self.assertIn("2月28日，“县区日报”应报6个单位，已报3个（其中迟报3个），"
                      "未报3个：汉滨区、临江社区、北城社区。", text)
        self.assertIn("截至2月28日，全市累计排查人员2413人次、发现发热病人3人。", text)
        self.assertIn("当日全市重点项目170个、已复工项目127个、平均体温36.5℃。", text)

    def test_it_writes_for_a_county(self) -> None:
        text = briefing.build(self.county_b_unit, DAY).text()
        self.assertIn("截至2月28日，全县累计排查人员800人次", text)
        self.assertIn("已复工项目119个", text)

    def test_it_concatenates_other_modules_sentences_in_order(self) -> None:
        with registries.override(sentences=[
            registries.Sentence(15, "tests.care", lambda unit, day: (
                f"截至{day.month}月{day.day}日，累计发放慰问金25.39万元。")),
            registries.Sentence(16, "tests.silent", lambda unit, day: None),
        ]):
            sentences = briefing.build(self.city, DAY).sentences
        self.assertEqual(len(sentences), 3)
        self.assertTrue(sentences[0].startswith("2月28日，“县区日报”"))
        self.assertEqual(sentences[1], "截至2月28日，累计发放慰问金25.39万元。")
        # The reports' figures name their source (issue #11 item 12).
        self.assertTrue(sentences[2].startswith("据“县区日报”汇总，截至2月28日，全市累计"))

    def test_it_renders_the_same_text_on_the_page_in_docx_and_cli(self) -> None:
        doc = briefing.build(self.city, DAY)
        self.login(self.hq)
        r = self.client.get(reverse("reports:briefing") + "?date=2020-02-28&unit=610900")
        for sentence in doc.sentences:
            self.assertContains(r, sentence)
        r = self.client.get(reverse("reports:briefing_docx") + "?date=2020-02-28")
        self.assertEqual(r.status_code, 200)
        paragraphs = [p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs]
        # The official layout (issue #11 item 13): issuing unit, title, body, then the
        # issuing unit and the date at the foot.
        self.assertEqual([p for p in paragraphs if p],
                         [doc.issuer, doc.title, *doc.sentences, doc.issuer, doc.dateline])
        out = StringIO()
        call_command("briefing", "--date", "2020-02-28", stdout=out)
        self.assertEqual(out.getvalue(), doc.text())

    def test_it_writes_the_same_in_english_interface(self) -> None:
        self.login(self.hq)
        self.client.cookies.load({"django_language": "en"})
        r = self.client.get(reverse("reports:briefing") + "?date=2020-02-28",
                            HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, "截至2月28日，全市累计")

    def test_the_command_refuses_a_bad_date(self) -> None:
        from django.core.management.base import CommandError

        with self.assertRaises(CommandError):
            call_command("briefing", "--date", "28/02/2020", stdout=StringIO())
