"""Demo step "reports": the daily reports of Ankang's counties and the HQ's member units.

Form ``county_daily`` (县区及成员单位工作日报), reported by the ten counties/districts and the
member units from 2020-02-10 to 2020-03-02, deadline 17:00 the same day: most reports
on time and approved, some late, a few missing, one returned on the last day. 紫阳县's
resumed projects reach 119 on 2020-03-02 (SCENARIO.md). Form ``enterprise_daily``
(企业疫情日报) is reported by the enterprises and the water group from 2020-02-17. Form
``care_daily`` (一对一保障工作日报) is reported by 市人社局, the lead of the one-to-one
support task force, from the first day of its records, its figures the task force's own
(care's organisation figures); 2020-03-02's is left for ``renshe01`` to fill. This step
runs after volunteers and care (``ReportsConfig.demo_after``): it reads their records.

Bulk inserts, then the roll-up rows are rebuilt once: about half a second. Idempotent:
a form that already has reports is left alone. Deterministic: one ``random.Random`` per
(form, reporter), seeded from the demo seed, so the numbers never depend on what ran first.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import registries
from fangkong.core.models import Organisation, OrgUnit
from fangkong.core.models.territory import Level, OrgKind
from fangkong.demo.context import DemoContext
from fangkong.reports import rollups
from fangkong.reports.models import (
    Aggregation,
    Indicator,
    IndicatorType,
    Measure,
    Reporter,
    ReportForm,
    Rule,
    Status,
    Submission,
    SubmissionValue,
    SubmissionVersion,
    VersionAction,
)

FIRST_DAY = dt.date(2020, 2, 10)
LAST_DAY = dt.date(2020, 3, 2)
ENTERPRISE_FIRST_DAY = dt.date(2020, 2, 17)
ZIYANG = "610924"
ZIYANG_PROJECTS_RESUMED = 119
ZIYANG_PROJECTS_TOTAL = 136
MISSING_RATE = 0.05
# 汉滨区 and 紫阳县 are the demo logins' counties: they always report. On the last day one
# member unit is missing, one county late and one county's report returned.
ALWAYS_REPORT = ("610902", ZIYANG)
MISSING_ON_LAST_DAY = "zgh"
LATE_ON_LAST_DAY = "610929"
LATE_RATE = 0.10

INT, DEC, TXT = IndicatorType.INTEGER, IndicatorType.DECIMAL, IndicatorType.TEXT
SUM, AVG, NONE = Aggregation.SUM, Aggregation.AVERAGE, Aggregation.NONE
FLOW, STOCK = Measure.FLOW, Measure.STOCK

# code, 中文, English, unit, type, aggregation, measure, required, in briefing, places
COUNTY_INDICATORS = (
    ("people_screened", "排查人员", "People screened", "人次", INT, SUM, FLOW, True, True, 0),
    ("fever_found", "发现发热病人", "Fever cases found", "人", INT, SUM, FLOW, True, True, 0),
    ("gatherings_dispersed", "劝散聚集", "Gatherings dispersed", "起", INT, SUM, FLOW, False,
     True, 0),
    ("supplies_issued", "发放防疫物资", "Supplies issued", "件", INT, SUM, FLOW, False, True, 0),
    ("funds_invested", "投入防控资金", "Funds invested", "万元", DEC, SUM, FLOW, False, True, 2),
    ("checkpoints_on_duty", "在岗卡点", "Checkpoints on duty", "个", INT, SUM, STOCK, True,
     True, 0),
    ("volunteers_on_duty", "在岗志愿者", "Volunteers on duty", "人", INT, SUM, STOCK, False,
     True, 0),
    ("enterprises_resumed", "已复工企业", "Enterprises resumed", "家", INT, SUM, STOCK, False,
     True, 0),
    ("projects_total", "重点项目", "Key projects", "个", INT, SUM, STOCK, False, False, 0),
    ("projects_resumed", "已复工项目", "Projects resumed", "个", INT, SUM, STOCK, False, True, 0),
    ("passages_registered", "卡点登记通行", "Passages registered at checkpoints", "人次", INT,
     SUM, FLOW, False, False, 0),
    ("screening_coverage", "入户排查覆盖率", "Door-to-door coverage", "%", DEC, AVG, STOCK,
     False, False, 1),
    ("notes", "工作动态", "Notes", "", TXT, NONE, FLOW, False, False, 0),
)
COUNTY_RULES = (
    ("projects_resumed <= projects_total", "已复工项目数不能超过重点项目总数。",
     "Projects resumed cannot exceed the number of key projects."),
    ("fever_found <= people_screened", "发现发热病人数不能超过排查人数。",
     "Fever cases found cannot exceed the people screened."),
    ("screening_coverage <= 100", "覆盖率不能超过100%。", "Coverage cannot exceed 100%."),
)
ENTERPRISE_INDICATORS = (
    ("staff_on_site", "在岗职工", "Staff on site", "人", INT, SUM, STOCK, True, True, 0),
    ("temperature_checks", "体温检测", "Temperature checks", "人次", INT, SUM, FLOW, True,
     True, 0),
    ("fever_found", "发现发热人员", "Fever cases found", "人", INT, SUM, FLOW, True, True, 0),
    ("staff_returned", "返岗职工", "Staff returned", "人", INT, SUM, FLOW, False, True, 0),
    ("masks_in_stock", "口罩库存", "Masks in stock", "只", INT, SUM, STOCK, False, False, 0),
)
ENTERPRISE_RULES = (
    ("fever_found <= temperature_checks", "发热人员数不能超过体温检测人次。",
     "Fever cases cannot exceed the temperature checks."),
)

# Relative size of each county (people screened, volunteers, enterprises …).
COUNTY_SCALE = {
    "610902": 3.0, "610921": 1.2, "610922": 0.9, "610923": 0.5, "610924": 1.1,
    "610925": 0.9, "610926": 1.0, "610927": 0.4, "610928": 1.6, "610981": 1.6, "610929": 0.8,
}
NOTES = (
    "按要求完成卡点值守和入户排查,未发现异常。", "组织志愿者协助社区开展排查。",
    "督导检查重点企业复工防疫措施落实情况。", "做好返岗人员健康监测和登记。",
    "加强农贸市场和超市人员聚集管控。", "",
)
RETURN_REASON = "发热病人数与卡点登记不一致,请核实后重报。"
# One figure, one source: where a module holds the records (checkpoints, passages,
# households visited …), the report's indicator is pre-filled from them when that module
# is installed, and the demo's reports carry exactly that value, so the briefing's
# "在岗卡点" from the reports and the checkpoint register say the same.
LIVE_SOURCES = {
    "passages_registered": "checkpoints.passages",
    "checkpoints_on_duty": "checkpoints.checkpoints",
    "households_screened": "checkpoints.households_screened",
    "outsiders_observing": "checkpoints.outsiders_observing",
    # The key projects and those resumed: the resumption module's registry and status
    # history (issue #15), no longer generated here.
    "projects_total": "resumption.projects_total",
    "projects_resumed": "resumption.projects_resumed",
    # An enterprise's own daily report: its returned staff, from its employee records.
    "staff_returned": "resumption.staff_returned_today",
    # The volunteers who checked in to a shift in the county that day, where the county
    # keeps volunteer records (汉滨区); elsewhere the indicator gives no figure and the
    # county reports its own count (docs/decisions/reports-module-prefill.md).
    "volunteers_on_duty": "volunteers.on_duty",
    # The one-to-one support task force's own daily report (``care_daily``): the records
    # of the task force its reporter leads (care's organisation figures).
    "workers_supported": "care.workers",
    "helpers_paired": "care.helpers",
    "sent_to_hubei": "care.sent_to_hubei",
    "necessities_sets": "care.necessities_sets",
    "goods_kg": "care.goods_kg",
    "counselling_sessions": "care.counselling_sessions",
    "condolence_yuan": "care.condolence_yuan",
    "subsidy_yuan": "care.subsidy_yuan",
}

# The one-to-one support task force (市人社局 leads) reports to the HQ every day from the
# first day its records start, on totals that are all levels on the day: the pairs in
# place, and everything delivered or paid so far. Out of the briefing: care writes its
# own sentences from the same records (care.indicators). Reported up to the day before
# the last, approved; on the last day the form waits for ``renshe01``.
CARE_FORM = "care_daily"
CARE_INDICATORS = (
    ("workers_supported", "保障一线医务人员及家属", "Frontline medical workers under support",
     "人", INT, SUM, STOCK, True, False, 0),
    ("helpers_paired", "结对帮扶责任人", "Helpers paired", "人", INT, SUM, STOCK, True, False,
     0),
    ("sent_to_hubei", "援鄂医务人员(明确联系人)", "Workers sent to Hubei with a contact", "人",
     INT, SUM, STOCK, False, False, 0),
    ("necessities_sets", "累计提供生活必需品", "Sets of necessities delivered, cumulative",
     "套", INT, SUM, STOCK, False, False, 0),
    ("goods_kg", "累计提供生活物资", "Food and daily goods delivered, cumulative", "公斤", DEC,
     SUM, STOCK, False, False, 2),
    ("counselling_sessions", "累计开展心理咨询", "Counselling sessions, cumulative", "人次",
     INT, SUM, STOCK, False, False, 0),
    ("condolence_yuan", "累计发放慰问金", "Condolence money paid, cumulative", "元", DEC, SUM,
     STOCK, False, False, 2),
    ("subsidy_yuan", "累计发放临时性工作补助", "Temporary work subsidies paid, cumulative", "元",
     DEC, SUM, STOCK, False, False, 2),
    ("notes", "工作动态", "Notes", "", TXT, NONE, FLOW, False, False, 0),
)
CARE_RULES = (
    ("sent_to_hubei <= workers_supported", "援鄂医务人员数不能超过保障的医务人员总数。",
     "Workers sent to Hubei cannot exceed the workers under support."),
    ("helpers_paired <= workers_supported", "结对帮扶责任人数不能超过保障的医务人员总数。",
     "Helpers paired cannot exceed the workers under support."),
)
CARE_NOTES = (
    "走访慰问一线医务人员家属,协调解决生活困难。", "为援鄂医务人员家属配送米面油和蛋奶果蔬。",
    "组织心理咨询师电话回访医务人员家属。", "核对临时性工作补助发放名单。",
)

# Below the county: the towns (镇/街道) of 汉滨区 report to the district, and the
# communities (村/社区) of two of its streets to their street (汉滨区 reviews both, as
# there is no town login). On the last day 汉滨区 has reports to review, late and missing
# reporters to remind; 文昌社区 (`wenchang`) has not filled the day's report yet and
# 临江社区's (`linjiang`) was returned.
HANBIN = "610902"
GRASSROOTS_FIRST_DAY = dt.date(2020, 2, 24)
COMMUNITY_TOWNS = ("610902002", "610902003")
WENCHANG = "610902002002"
LINJIANG = "610902003001"
GRASSROOTS_INDICATORS = (
    ("people_screened", "排查人员", "People screened", "人次", INT, SUM, FLOW, True, False, 0),
    ("fever_found", "发现发热人员", "Fever cases found", "人", INT, SUM, FLOW, True, False, 0),
    ("households_screened", "入户排查户数", "Households screened", "户", INT, SUM, FLOW,
     False, False, 0),
    ("outsiders_observing", "居家观察外来人员", "Outsiders under observation", "人", INT,
     SUM, STOCK, False, False, 0),
    ("gatherings_dispersed", "劝散聚集", "Gatherings dispersed", "起", INT, SUM, FLOW, False,
     False, 0),
    ("checkpoints_on_duty", "在岗卡点", "Checkpoints on duty", "个", INT, SUM, STOCK, False,
     False, 0),
    ("notes", "工作动态", "Notes", "", TXT, NONE, FLOW, False, False, 0),
)
GRASSROOTS_RULES = (
    ("fever_found <= people_screened", "发现发热人员数不能超过排查人数。",
     "Fever cases found cannot exceed the people screened."),
)
GRASSROOTS_RETURN_REASON = "排查人数与入户登记不符,请核实后重报。"


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)),
                               timezone.get_default_timezone())


def _form(ctx: DemoContext, code: str, name: str, name_en: str, indicators: tuple,
          rules: tuple, *, in_briefing: bool = True) -> ReportForm:
    form, _created = ReportForm.objects.get_or_create(code=code, defaults={
        "name": name, "name_en": name_en, "deadline_time": dt.time(17, 0),
        "deadline_days": 0, "in_briefing": in_briefing,
        "description": "每日17时前报送当日工作情况。",
    })
    for pos, (icode, zh, en, unit, typ, agg, measure, req, brief, places) in enumerate(
            indicators, 1):
        Indicator.objects.get_or_create(form=form, code=icode, defaults={
            "name": zh, "name_en": en, "unit": unit, "type": typ, "aggregation": agg,
            "measure": measure, "required": req, "in_briefing": brief, "position": pos,
            "decimal_places": places or 2,
            "source": LIVE_SOURCES.get(icode, "") if registries.get_indicator(
                LIVE_SOURCES.get(icode, "")) else "",
        })
    for pos, (expr, zh, en) in enumerate(rules, 1):
        Rule.objects.get_or_create(form=form, expression=expr, defaults={
            "message": zh, "message_en": en, "position": pos})
    return form


def _reporters(form: ReportForm, units: list[OrgUnit], orgs: list[Organisation],
               first: dt.date) -> list[Reporter]:
    out = []
    for kind, items in (("unit", units), ("organisation", orgs)):
        for item in items:
            reporter = Reporter.objects.filter(form=form, **{kind: item}).first()
            if reporter is None:
                reporter = Reporter(form=form, active_from=first, **{kind: item})
                reporter.save()
            out.append(reporter)
    return out


class _Writer:
    """Collects reports, values and versions, then inserts them in bulk."""

    def __init__(self, ctx: DemoContext, form: ReportForm, reviewer: str = "hq") -> None:
        self.ctx, self.form = ctx, form
        self.indicators = {i.code: i for i in form.indicators.all()}
        self.subs: list[tuple[Submission, dict[str, Any], list[dict[str, Any]]]] = []
        self.reviewer = _user(ctx, reviewer)

    def add(self, reporter: Reporter, day: dt.date, values: dict[str, Any], *,
            submitted_at: dt.datetime, status: str, submitter: Any,
            reason: str = "", computed: dict[str, int] | None = None) -> None:
        computed = computed or {}
        on_time = submitted_at <= self.form.deadline_for(day)
        unit = reporter.unit if reporter.unit_id else reporter.organisation.org_unit
        sub = Submission(
            form=self.form, reporter=reporter, date=day, status=status, org_unit=unit,
            unit_path=reporter.unit_path, first_submitted_at=submitted_at,
            submitted_at=submitted_at, submitted_by=submitter, on_time=on_time,
            updated_by=submitter,
        )
        snapshot = {
            code: {"value": (str(v) if isinstance(v, Decimal) else v),
                   "computed": (str(computed[code]) if isinstance(computed.get(code), Decimal)
                                else computed.get(code)),
                   "overridden": code in computed and computed[code] != v}
            for code, v in values.items() if code in self.indicators
        }
        versions = [{"action": VersionAction.SUBMITTED, "status": Status.SUBMITTED,
                     "actor": submitter, "at": submitted_at, "reason": ""}]
        reviewed = _at(day + dt.timedelta(days=1), 9, 5 + len(self.subs) % 50)
        if status == Status.APPROVED:
            versions.append({"action": VersionAction.APPROVED, "status": Status.APPROVED,
                             "actor": self.reviewer, "at": reviewed, "reason": ""})
            sub.reviewed_at, sub.reviewed_by = reviewed, self.reviewer
        elif status == Status.RETURNED:
            at = submitted_at + dt.timedelta(hours=1)
            versions.append({"action": VersionAction.RETURNED, "status": Status.RETURNED,
                             "actor": self.reviewer, "at": at, "reason": reason})
            sub.reviewed_at, sub.reviewed_by, sub.review_reason = at, self.reviewer, reason
        sub.version = len(versions)
        self.subs.append((sub, values, [dict(v, snapshot=snapshot) for v in versions],
                          computed))

    def save(self) -> int:
        self.ctx.bulk(Submission, [entry[0] for entry in self.subs],
                      key=("form_id", "reporter_id", "date"), batch_size=500)
        values, versions = [], []
        for sub, vals, vers, computed in self.subs:
            for code, value in vals.items():
                ind = self.indicators[code]
                if ind.type == IndicatorType.TEXT:
                    if value:
                        values.append(SubmissionValue(submission=sub, indicator=ind,
                                                      text=value))
                elif value is not None:
                    live = computed.get(code)
                    values.append(SubmissionValue(
                        submission=sub, indicator=ind, number=Decimal(value),
                        computed=None if live is None else Decimal(live),
                        overridden=live is not None and live != value))
            for n, v in enumerate(vers, 1):
                versions.append(SubmissionVersion(
                    submission=sub, number=n, action=v["action"], status=v["status"],
                    values=v["snapshot"], actor=v["actor"], at=v["at"], reason=v["reason"]))
        SubmissionValue.objects.bulk_create(values, batch_size=1000)
        SubmissionVersion.objects.bulk_create(versions, batch_size=1000)
        rollups.rebuild(self.form)
        return len(self.subs)


def _user(ctx: DemoContext, username: str) -> Any:
    try:
        return ctx.user(username)
    except Exception:  # noqa: BLE001 - a login the core step did not create: the loader
        return ctx.actor


def _submitted_at(rng: random.Random, day: dt.date) -> dt.datetime:
    if rng.random() < LATE_RATE:
        return _at(day, rng.randint(17, 21), rng.randint(1, 59))
    return _at(day, rng.randint(9, 16), rng.randint(0, 59))


def _county_values(rng: random.Random, code: str, n: int, total_days: int,
                   state: dict[str, Any], is_org: bool) -> dict[str, Any]:
    """Plausible figures for day ``n`` (0-based): screening high early and falling,
    resumption rising."""
    scale = 0.08 if is_org else COUNTY_SCALE.get(code, 1.0)
    progress = n / max(total_days - 1, 1)
    screened = int(rng.gauss(4200 - 1800 * progress, 400) * scale)
    if "projects_total" not in state:
        state["projects_total"] = 0 if is_org else (
            ZIYANG_PROJECTS_TOTAL if code == ZIYANG else int(rng.randint(50, 110) * scale))
        state["enterprises"] = 0 if is_org else int(rng.randint(180, 260) * scale)
        state["checkpoints"] = rng.randint(0, 2) if is_org else int(rng.randint(24, 40) * scale)
    total = state["projects_total"]
    if code == ZIYANG:
        resumed = round(12 + (ZIYANG_PROJECTS_RESUMED - 12) * progress ** 1.3)
    else:
        resumed = min(total, round(total * (0.1 + 0.75 * progress) + rng.randint(-2, 2)))
    resumed = max(resumed, state.get("projects_resumed", 0))
    state["projects_resumed"] = resumed
    enterprises = max(state.get("enterprises_resumed", 0),
                      round(state["enterprises"] * (0.15 + 0.7 * progress)))
    state["enterprises_resumed"] = enterprises
    return {
        "people_screened": max(screened, 0),
        "fever_found": 0 if is_org else max(0, int(rng.gauss(1.2 - progress, 1.0))),
        "gatherings_dispersed": 0 if is_org else max(0, int(rng.gauss(3 - 2 * progress, 1.5))),
        "supplies_issued": int(rng.randint(600, 2400) * scale),
        "funds_invested": Decimal(rng.randint(300, 2500) * scale).quantize(Decimal(1))
        / 100,
        # Member units run no checkpoints of their own (the counties' reports count them).
        "checkpoints_on_duty": 0 if is_org else max(
            0, state["checkpoints"] - int(progress * 6 * scale)),
        "volunteers_on_duty": int(rng.randint(260, 420) * scale),
        "enterprises_resumed": enterprises,
        "projects_total": total,
        "projects_resumed": resumed,
        "screening_coverage": None if is_org else Decimal(rng.randint(930, 1000)) / 10,
        "notes": rng.choice(NOTES),
    }


def _live_values(sources: dict[str, Any], reporter: Reporter, day: dt.date
                 ) -> dict[str, int | Decimal]:
    """What the modules' live indicators say for this reporter and day (the pre-fill):
    an organisation's own figures where a module computes them; None (no figure: a
    county that keeps no volunteer records) leaves the generated value."""
    out: dict[str, int | Decimal] = {}
    for code, source in sources.items():
        value = (registries.organisation_value(source.code, reporter.organisation, day)
                 if reporter.is_organisation else source.compute(reporter.unit, day))
        if value is not None:
            number = Decimal(str(value))
            out[code] = int(number) if number == number.to_integral_value() else number
    return out


def _load_county_daily(ctx: DemoContext) -> tuple[ReportForm, int]:
    form = _form(ctx, "county_daily", "县区及成员单位工作日报",
                 "Daily report of counties and member units", COUNTY_INDICATORS, COUNTY_RULES)
    counties = list(ctx.city.subtree().filter(level=Level.COUNTY).order_by("code"))
    members = list(Organisation.objects.filter(is_member_unit=True, is_active=True)
                   .select_related("org_unit").order_by("code"))
    reporters = _reporters(form, counties, members, FIRST_DAY)
    if Submission.objects.filter(form=form).exists():
        return form, 0
    writer = _Writer(ctx, form)
    days = _days(FIRST_DAY, LAST_DAY)
    sources = {i.code: registries.get_indicator(i.source) for i in form.indicators.all()
               if i.source and registries.get_indicator(i.source)}
    county_users = {"610902": _user(ctx, "hanbin"), ZIYANG: _user(ctx, "ziyang")}
    returned_done = False
    for reporter in reporters:
        rng = random.Random(f"{ctx.seed}:reports:county_daily:{reporter.code}")
        state: dict[str, Any] = {}
        for n, day in enumerate(days):
            values = _county_values(rng, reporter.code, n, len(days), state,
                                    reporter.is_organisation)
            missing = rng.random() < MISSING_RATE
            if (missing and reporter.code not in ALWAYS_REPORT) or (
                    day == LAST_DAY and reporter.code == MISSING_ON_LAST_DAY):
                continue  # no report that day
            computed = _live_values(sources, reporter, day)
            values.update(computed)
            submitted_at = _submitted_at(rng, day)
            if day == LAST_DAY and reporter.code == LATE_ON_LAST_DAY:
                submitted_at = _at(day, 18, 42)
            status = Status.APPROVED if day < LAST_DAY - dt.timedelta(days=1) else (
                Status.APPROVED if rng.random() < 0.5 else Status.SUBMITTED)
            reason = ""
            if (day == LAST_DAY and not returned_done and not reporter.is_organisation
                    and reporter.code not in (ZIYANG, "610902")):
                status, reason, returned_done = Status.RETURNED, RETURN_REASON, True
            writer.add(reporter, day, values, submitted_at=submitted_at, status=status,
                       submitter=county_users.get(reporter.code, ctx.actor), reason=reason,
                       computed=computed)
    return form, writer.save()


def _load_enterprise_daily(ctx: DemoContext) -> tuple[ReportForm, int]:
    form = _form(ctx, "enterprise_daily", "企业疫情日报", "Enterprise daily epidemic report",
                 ENTERPRISE_INDICATORS, ENTERPRISE_RULES)
    orgs = list(Organisation.objects.filter(
        kind__in=[OrgKind.ENTERPRISE, OrgKind.UTILITY], is_active=True).order_by("code"))
    reporters = _reporters(form, [], orgs, ENTERPRISE_FIRST_DAY)
    if Submission.objects.filter(form=form).exists():
        return form, 0
    writer = _Writer(ctx, form)
    days = _days(ENTERPRISE_FIRST_DAY, LAST_DAY)
    sources = {i.code: registries.get_indicator(i.source) for i in form.indicators.all()
               if i.source and registries.get_indicator(i.source)}
    for reporter in reporters:
        rng = random.Random(f"{ctx.seed}:reports:enterprise_daily:{reporter.code}")
        staff = rng.randint(40, 260)
        on_site = staff // 5
        for n, day in enumerate(days):
            returned = min(staff - on_site, rng.randint(2, max(3, staff // 10)))
            on_site += returned
            checks = on_site * 2
            values = {"staff_on_site": on_site, "temperature_checks": checks,
                      "fever_found": 1 if rng.random() < 0.04 else 0,
                      "staff_returned": returned,
                      "masks_in_stock": max(0, 3000 - 90 * n + rng.randint(-50, 50))}
            if rng.random() < MISSING_RATE:
                continue
            computed = _live_values(sources, reporter, day)
            values.update(computed)
            writer.add(reporter, day, values, submitted_at=_submitted_at(rng, day),
                       status=Status.APPROVED, submitter=ctx.actor, computed=computed)
    return form, writer.save()


def _load_care_daily(ctx: DemoContext) -> tuple[ReportForm, int] | None:
    """The task force's daily report, from the first day of its records: every figure is
    the live one (the pre-fill), so the report and care's own pages agree."""
    from django.apps import apps
    from django.db.models import Min

    if not apps.is_installed("fangkong.care"):
        return None
    task_forces = apps.get_model("care", "TaskForce").objects
    first = (apps.get_model("care", "MedicalWorker").objects
             .aggregate(d=Min("registered_on"))["d"])
    if first is None:
        return None
    form = _form(ctx, CARE_FORM, "一对一保障工作日报",
                 "Daily report of the one-to-one support task force", CARE_INDICATORS,
                 CARE_RULES, in_briefing=False)
    leads = list(Organisation.objects.filter(
        pk__in=task_forces.values("organisation_id")).order_by("code"))
    reporters = _reporters(form, [], leads, first)
    if Submission.objects.filter(form=form).exists():
        return form, 0
    writer = _Writer(ctx, form)
    sources = {i.code: registries.get_indicator(i.source) for i in form.indicators.all()
               if i.source and registries.get_indicator(i.source)}
    coordinator = _user(ctx, "renshe01")
    for reporter in reporters:
        rng = random.Random(f"{ctx.seed}:reports:{CARE_FORM}:{reporter.code}")
        for day in _days(first, LAST_DAY - dt.timedelta(days=1)):
            computed = _live_values(sources, reporter, day)
            values = {**computed, "notes": rng.choice(CARE_NOTES)}
            writer.add(reporter, day, values, submitted_at=_submitted_at(rng, day),
                       status=Status.APPROVED, submitter=coordinator, computed=computed)
    return form, writer.save()


def _grassroots_values(rng: random.Random, n: int, total_days: int, scale: float,
                       state: dict[str, Any]) -> dict[str, Any]:
    progress = n / max(total_days - 1, 1)
    return {
        "people_screened": max(0, int(rng.gauss(160 - 60 * progress, 20) * scale)),
        "fever_found": 1 if rng.random() < 0.05 else 0,
        "households_screened": max(0, int(rng.gauss(50 - 20 * progress, 8) * scale)),
        "gatherings_dispersed": 1 if rng.random() < 0.15 else 0,
        "notes": rng.choice(NOTES),
    }


def _load_grassroots(ctx: DemoContext, code: str, name: str, name_en: str,
                     units: list[OrgUnit], scale: float, *, skip: tuple[str, ...],
                     returned: str | None, missing_rate: float) -> tuple[ReportForm, int]:
    """A daily form of 汉滨区's towns or communities: approved up to the day before the
    last, and on the last day mostly submitted and waiting for 汉滨区's review, some late,
    some missing (``skip`` always), ``returned`` sent back with a reason."""
    form = _form(ctx, code, name, name_en, GRASSROOTS_INDICATORS, GRASSROOTS_RULES,
                 in_briefing=False)
    reporters = _reporters(form, units, [], GRASSROOTS_FIRST_DAY)
    if Submission.objects.filter(form=form).exists():
        return form, 0
    writer = _Writer(ctx, form, reviewer="hanbin")
    days = _days(GRASSROOTS_FIRST_DAY, LAST_DAY)
    sources = {i.code: registries.get_indicator(i.source) for i in form.indicators.all()
               if i.source and registries.get_indicator(i.source)}
    submitters = {WENCHANG: _user(ctx, "wenchang"), LINJIANG: _user(ctx, "linjiang")}
    for reporter in reporters:
        rng = random.Random(f"{ctx.seed}:reports:{code}:{reporter.code}")
        state: dict[str, Any] = {}
        for n, day in enumerate(days):
            values = _grassroots_values(rng, n, len(days), scale, state)
            last = day == LAST_DAY
            if (last and reporter.code in skip) or rng.random() < missing_rate:
                continue
            computed = _live_values(sources, reporter, day)
            values.update(computed)
            values["fever_found"] = min(values["fever_found"], values["people_screened"])
            submitted_at = _submitted_at(rng, day)
            status, reason = Status.APPROVED, ""
            if last:
                status = Status.SUBMITTED
                if reporter.code == returned:
                    status, reason = Status.RETURNED, GRASSROOTS_RETURN_REASON
            writer.add(reporter, day, values, submitted_at=submitted_at, status=status,
                       submitter=submitters.get(reporter.code, ctx.actor), reason=reason,
                       computed=computed)
    return form, writer.save()


def _load_town_and_community_daily(ctx: DemoContext) -> list[tuple[ReportForm, int]]:
    hanbin = OrgUnit.objects.filter(code=HANBIN).first()
    if hanbin is None:
        return []
    towns = list(hanbin.subtree().filter(level=Level.TOWN).order_by("code"))
    communities = [c for town in towns if town.code in COMMUNITY_TOWNS
                   for c in town.subtree().filter(level=Level.COMMUNITY).order_by("code")]
    return [
        _load_grassroots(ctx, "town_daily", "镇（街道）防控日报", "Daily report of towns",
                         towns, 4.0, skip=("610902104", "610902121"),
                         returned="610902107", missing_rate=0.03),
        _load_grassroots(ctx, "community_daily", "村（社区）防控日报",
                         "Daily report of villages and communities", communities, 1.0,
                         skip=(WENCHANG,), returned=LINJIANG, missing_rate=0.06),
    ]


def _missing_alerts(ctx: DemoContext, form: ReportForm, day: dt.date) -> int:
    """Open the 'report missing' alerts of the last demo day, as the 17:00 job would."""
    from fangkong.core.services.alerts import open_alert
    from fangkong.reports.completeness import completeness
    from fangkong.reports.services import MISSING_ALERT_KIND, missing_subject

    missing = completeness(form, day, ctx.city).missing
    reporters = Reporter.objects.select_related("unit", "organisation__org_unit").in_bulk(
        [r.reporter_id for r in missing])
    for row in missing:
        reporter = reporters[row.reporter_id]
        open_alert(kind=MISSING_ALERT_KIND, org_unit=reporter.territorial_unit,
                   title=f"{reporter.name}未报“{form.name}”({day.isoformat()})",
                   subject=missing_subject(reporter, day), actor=ctx.actor,
                   opened_at=_at(day, 17, 30))
    return len(missing)


def load(ctx: DemoContext) -> str:
    county_form, county_new = _load_county_daily(ctx)
    enterprise_form, enterprise_new = _load_enterprise_daily(ctx)
    grassroots = _load_town_and_community_daily(ctx)
    care = _load_care_daily(ctx)
    missing = _missing_alerts(ctx, county_form, LAST_DAY)
    below = sum(form.submissions.count() for form, _new in grassroots)
    return _(
        "%(county)s: %(n)d reports (%(new)d new) from %(reporters)d reporting units; "
        "%(enterprise)s: %(e)d reports (%(enew)d new); towns and communities of 汉滨区: "
        "%(below)d reports; the task force: %(care)d reports (%(cnew)d new); "
        "%(missing)d missing on %(day)s"
    ) % {
        "care": care[0].submissions.count() if care else 0, "cnew": care[1] if care else 0,
        "county": county_form.name, "enterprise": enterprise_form.name,
        "n": county_form.submissions.count(), "new": county_new,
        "reporters": county_form.reporters.count(), "e": enterprise_form.submissions.count(),
        "enew": enterprise_new, "below": below, "missing": missing,
        "day": LAST_DAY.isoformat(),
    }
