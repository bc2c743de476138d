"""A small daily form on the shared test tree, and a few helpers for the reports tests.

Form ``daily`` (deadline the next day 17:00, so today's reports are on time): people
screened (sum, flow, pre-filled from a test live indicator), fever found (sum), projects
total and projects resumed (sum, stock; rule resumed <= total), a temperature average
(decimal, average) and a note (text). Reporters: 汉滨区, 紫阳县, 文昌社区, 临江社区, 北城社区
and the member unit 市审计局 (liaison ``sjj_liaison``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fangkong.core import registries
from fangkong.core.testing import FangkongTestCase
from fangkong.reports import services
from fangkong.reports.models import (
    Aggregation,
    Indicator,
    IndicatorType,
    Measure,
    Reporter,
    ReportForm,
    Rule,
)

LIVE_CODE = "reports_test.screened"
LIVE_VALUES: dict[str, int] = {}


def _live_screened(unit: Any, day: dt.date) -> int | None:
    return LIVE_VALUES.get(unit.code)


def make_form(code: str = "daily", **extra: Any) -> ReportForm:
    form = ReportForm.objects.create(
        code=code, name="县区日报", name_en="County daily report",
        deadline_time=dt.time(17, 0), deadline_days=extra.pop("deadline_days", 1), **extra,
    )
    specs = [
        ("people_screened", "排查人员", "人次", IndicatorType.INTEGER, Aggregation.SUM,
         Measure.FLOW, True, LIVE_CODE),
        ("fever_found", "发现发热病人", "人", IndicatorType.INTEGER, Aggregation.SUM,
         Measure.FLOW, True, ""),
        ("projects_total", "重点项目", "个", IndicatorType.INTEGER, Aggregation.SUM,
         Measure.STOCK, False, ""),
        ("projects_resumed", "已复工项目", "个", IndicatorType.INTEGER, Aggregation.SUM,
         Measure.STOCK, False, ""),
        ("avg_temp", "平均体温", "℃", IndicatorType.DECIMAL, Aggregation.AVERAGE,
         Measure.STOCK, False, ""),
        ("note", "工作动态", "", IndicatorType.TEXT, Aggregation.NONE, Measure.FLOW, False, ""),
    ]
    for pos, (icode, name, unit, typ, agg, measure, required, source) in enumerate(specs, 1):
        Indicator.objects.create(
            form=form, code=icode, name=name, name_en=icode.replace("_", " "), unit=unit,
            type=typ, aggregation=agg, measure=measure, required=required, source=source,
            position=pos, in_briefing=typ != IndicatorType.TEXT, decimal_places=1,
        )
    Rule.objects.create(form=form, expression="projects_resumed <= projects_total",
                        message="复工项目数不能超过重点项目总数。",
                        message_en="Projects resumed cannot exceed the total number of projects.")
    return form


class ReportsTestCase(FangkongTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.enterClassContext(registries.override(indicators=[registries.Indicator(
            LIVE_CODE, "test screened", "人", _live_screened, module="reports-tests")]))
        super().setUpClass()

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.form = make_form()
        cls.sjj, cls.sjj_liaison = cls.member_org, cls.member_liaison
        services.add_reporters(
            cls.hq, cls.form,
            units=[cls.county_a_unit, cls.county_b_unit, cls.community_a_unit,
                   cls.community_a2_unit, cls.community_b_unit],
            organisations=[cls.sjj],
        )
        cls.r_county_a = Reporter.objects.get(form=cls.form, code="610902")
        cls.r_county_b = Reporter.objects.get(form=cls.form, code="610924")
        cls.r_comm_a = Reporter.objects.get(form=cls.form, code="610902002002")
        cls.r_comm_a2 = Reporter.objects.get(form=cls.form, code="610902003001")
        cls.r_comm_b = Reporter.objects.get(form=cls.form, code="610924100001")
        cls.r_sjj = Reporter.objects.get(form=cls.form, code="sjj")

    def setUp(self) -> None:
        LIVE_VALUES.clear()

    @property
    def today(self) -> dt.date:
        return timezone.localdate()

    def values(self, **overrides: Any) -> dict[str, Any]:
        base = {"people_screened": 100, "fever_found": 1, "projects_total": 10,
                "projects_resumed": 4, "avg_temp": "36.5", "note": "正常"}
        base.update(overrides)
        return {k: v for k, v in base.items() if v is not None}

    def submit(self, reporter: Reporter, day: dt.date | None = None, user: Any = None,
               **overrides: Any):
        return services.save_report(user or self.hq, reporter, day or self.today,
                                    self.values(**overrides), submit=True).submission

    @staticmethod
    def dec(text: str) -> Decimal:
        return Decimal(text)
