"""Demo step "resumption": enterprises and key projects, their filings and status
history, employees, migrant workers, point-to-point batches and passes.

紫阳县 has 136 key projects; they resume "as each is ready" from 2020-02-10 on, 119 by
2020-03-02 (SCENARIO.md), the rest filed, returned or not started. Every figure is read
from the status history (``resumption.indicators``), which the reports step then uses to
pre-fill the daily report's "已复工项目" (this step runs before it). The other counties get
fewer projects and a few enterprises; the demo logins' enterprises: 兴达建筑 resumed,
惠民食品 resumed, and 汉水茶业 (``qiye01``) with a filing half done, to complete.

Bulk inserts (about a second); idempotent: nothing is added once enterprises exist.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_check

from fangkong.core.models import OrgUnit
from fangkong.core.models.territory import Level
from fangkong.demo.context import DemoContext
from fangkong.demo.logins import LIAISON_ENTERPRISE
from fangkong.demo.residents import chinese_name, mobile_number
from fangkong.resumption.models import (
    BatchStatus,
    Direction,
    Employee,
    Enterprise,
    Filing,
    FilingItem,
    HealthStatus,
    Industry,
    ManifestEntry,
    MigrantWorker,
    Status,
    StatusChange,
    TransportBatch,
)
from fangkong.resumption.services import filing as filing_svc
from fangkong.resumption.services import passes as pass_svc

ZIYANG = "610924"
ZIYANG_PROJECTS = 136
ZIYANG_RESUMED = 119
FIRST_DAY = dt.date(2020, 2, 10)
LAST_DAY = dt.date(2020, 3, 2)
REGISTERED = dt.date(2020, 2, 3)
OTHER_PROJECTS = {"610902": 30, "610921": 14, "610922": 11, "610923": 6, "610925": 10,
                  "610926": 12, "610927": 5, "610928": 18, "610981": 18, "610929": 9}
PROJECT_NAMES = ("公路改扩建工程", "安置小区建设项目", "茶叶产业园", "光伏发电项目", "污水处理厂",
                 "富硒食品加工项目", "学校教学楼工程", "农村饮水安全工程", "物流园",
                 "水电站技改工程",
                 "移民搬迁配套工程", "中药材种植基地", "标准化厂房", "桥梁工程", "供水管网改造")
INDUSTRY_OF = {"茶叶产业园": Industry.AGRICULTURE, "中药材种植基地": Industry.AGRICULTURE,
               "富硒食品加工项目": Industry.MANUFACTURING, "标准化厂房": Industry.MANUFACTURING,
               "物流园": Industry.LOGISTICS, "光伏发电项目": Industry.MINING,
               "水电站技改工程": Industry.MINING}
ANSWERS = {
    "plan": "制定复工复产疫情防控实施方案,成立以法人为组长的防控领导小组,责任落实到班组。",
    "masks": "储备一次性医用口罩", "disinfectant": "储备84消毒液和75%酒精",
    "thermometers": "配备红外体温枪", "gate": "门岗设登记点,进出人员测温登记。",
    "screening": "返岗职工逐一排查14天行程,建立健康台账。",
    "isolation": "设置临时隔离观察室1间。", "meals": "食堂分时段分餐,错峰就餐。",
}
RETURN_TEXT = {"masks": "口罩储备不足7天,请补足后重新报备。",
               "isolation": "未说明隔离室位置和面积。"}


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)),
                               timezone.get_default_timezone())


def _uscc(county: str, n: int) -> str:
    base = f"91{county}MA{n:07d}"[:17]
    base = base[:8] + "MA" + f"{n:07d}"
    return base + uscc_check.calc_check_digit(base)


def _resumed_days() -> list[dt.date]:
    """The day each of 紫阳县's 119 projects resumed: a curve from 12 on 02-10 to 119 on
    03-02, as the page tells it ("成熟一个、开工一个")."""
    days = [FIRST_DAY + dt.timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]
    out: list[dt.date] = []
    for n, day in enumerate(days):
        progress = n / (len(days) - 1)
        target = round(12 + (ZIYANG_RESUMED - 12) * progress ** 1.3)
        while len(out) < target:
            out.append(day)
    return out


class _Builder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = random.Random(f"{ctx.seed}:resumption")
        self.enterprises: list[Enterprise] = []
        self.plans: list[tuple[Enterprise, list[tuple[str, dt.datetime, str, str]]]] = []
        self.n = 0
        reviewers = {ZIYANG: "ziyang", "610902": "hanbin"}
        self.reviewer = {c: _user(ctx, u) for c, u in reviewers.items()}

    def towns(self, county: str) -> list[OrgUnit]:
        unit = OrgUnit.objects.filter(code=county).first()
        if unit is None:
            return []
        towns = list(unit.get_children().filter(level=Level.TOWN).order_by("code"))
        return towns or [unit]

    def add(self, unit: OrgUnit, name: str, *, key: bool, org: Any = None,
            industry: str | None = None, headcount: int | None = None) -> Enterprise:
        self.n += 1
        e = Enterprise(
            client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"fangkong-demo:resumption:{self.n}"),
            org_unit=unit, unit_path=unit.path, organisation=org, name=name,
            uscc=_uscc(unit.code[:6], self.n), is_key_project=key,
            industry=industry or (Industry.CONSTRUCTION if key else self.rng.choice(
                [Industry.MANUFACTURING, Industry.SERVICES, Industry.AGRICULTURE])),
            headcount=headcount or self.rng.randint(20, 300),
            liaison_name=chinese_name(self.rng, self.rng.choice("MF")),
            liaison_phone=mobile_number(self.rng),
            registered_on=REGISTERED, status=Status.NOT_STARTED)
        self.enterprises.append(e)
        return e

    def story(self, e: Enterprise, county: str, resumed: dt.date | None, *,
              returned: bool = False, state: str = Status.RESUMED) -> None:
        """The status changes that bring ``e`` to ``state`` (resumed on ``resumed``)."""
        reviewer = self.reviewer.get(county) or self.ctx.actor
        changes = [(Status.NOT_STARTED, _at(REGISTERED, 9), "resumption.registered",
                    "登记入库")]
        if state == Status.NOT_STARTED:
            self.plans.append((e, changes))
            return
        anchor = resumed or (LAST_DAY - dt.timedelta(days=self.rng.randint(0, 3)))
        filed = _at(anchor - dt.timedelta(days=4 if returned else 3), 10,
                    self.rng.randint(0, 59))
        changes.append((Status.FILED, filed, "resumption.filed", "第1次报备"))
        if returned or state == Status.RETURNED:
            back = filed + dt.timedelta(hours=self.rng.randint(5, 30))
            text = "\n".join(f"{i}. {filing_svc.LABELS[c]}：{t}"
                             for i, (c, t) in enumerate(RETURN_TEXT.items(), 1))
            changes.append((Status.RETURNED, back, "resumption.returned", text))
            if state == Status.RETURNED:
                self.plans.append((e, changes))
                return
            changes.append((Status.FILED, back + dt.timedelta(hours=20), "resumption.filed",
                            "第2次报备"))
        if state == Status.FILED:
            self.plans.append((e, changes))
            return
        approved = changes[-1][1] + dt.timedelta(hours=self.rng.randint(6, 40))
        if resumed and approved >= _at(resumed, 8):
            approved = _at(resumed - dt.timedelta(days=1), 16)
        changes.append((Status.APPROVED, approved, "resumption.approved",
                        "防控措施落实到位,同意复工"))
        if state == Status.RESUMED and resumed:
            changes.append((Status.RESUMED, _at(resumed, 8), "resumption.resumed",
                            f"{resumed.isoformat()}复工"))
            e.resumed_on = resumed
        self.plans.append((e, changes))
        e._reviewer = reviewer

    def save(self) -> None:
        for e, changes in self.plans:
            e.status, e.status_changed_at = changes[-1][0], changes[-1][1]
        self.ctx.bulk(Enterprise, self.enterprises, key=("client_id",))
        rows, filings = [], []
        for e, changes in self.plans:
            prev = ""
            for to, at, rule, reason in changes:
                actor = getattr(e, "_reviewer", self.ctx.actor) if rule in (
                    "resumption.returned", "resumption.approved") else self.ctx.actor
                rows.append(StatusChange(enterprise=e, from_status=prev, to_status=to,
                                         rule=rule, actor=actor, reason=reason, at=at,
                                         actor_name=_name(actor)))
                prev = to
            if e.status != Status.NOT_STARTED:
                filed = [at for to, at, *_r in changes if to == Status.FILED]
                decided = [at for to, at, *_r in changes
                           if to in (Status.RETURNED, Status.APPROVED)]
                filings.append(Filing(
                    enterprise=e, org_unit_id=e.org_unit_id, unit_path=e.unit_path,
                    planned_start=(e.resumed_on or LAST_DAY + dt.timedelta(days=3)),
                    filed_at=filed[-1], first_filed_at=filed[0], rounds=len(filed),
                    decided_at=decided[-1] if decided and e.status != Status.FILED else None))
        StatusChange.objects.bulk_create(rows, batch_size=1000)
        counters: dict[str, int] = {}
        for f in filings:
            if f.enterprise.status in (Status.APPROVED, Status.RESUMED):
                county = f.enterprise.unit_path and f.enterprise.org_unit.code[:6]
                counters[county] = counters.get(county, 0) + 1
                f.notice_number = f"{county}-2020-{counters[county]:04d}"
        self.ctx.bulk(Filing, filings, key=("enterprise_id",))
        items = []
        for f in filings:
            returned = f.enterprise.status == Status.RETURNED
            for code in filing_svc.ITEM_CODES:
                items.append(FilingItem(
                    filing=f, code=code, answer=ANSWERS[code],
                    stock_days=(self.rng.randint(10, 30) if code in filing_svc.NEEDS_DAYS
                                else None),
                    missing=returned and code in RETURN_TEXT,
                    comment=RETURN_TEXT.get(code, "") if returned else ""))
        FilingItem.objects.bulk_create(items, batch_size=1000)


def _user(ctx: DemoContext, username: str) -> Any:
    try:
        return ctx.user(username)
    except Exception:  # noqa: BLE001 - a login the core step did not create
        return ctx.actor


def _name(user: Any) -> str:
    return (user.get_full_name() or user.get_username())[:50] if user else ""


def _projects(b: _Builder) -> None:
    towns = b.towns(ZIYANG)
    days = _resumed_days()
    for i in range(ZIYANG_PROJECTS):
        kind = PROJECT_NAMES[i % len(PROJECT_NAMES)]
        town = towns[i % len(towns)]
        e = b.add(town, f"{town.name}{kind}" + (f"({i // len(PROJECT_NAMES) + 1}期)"
                                                if i >= len(PROJECT_NAMES) else ""),
                  key=True, industry=INDUSTRY_OF.get(kind, Industry.CONSTRUCTION))
        if i < ZIYANG_RESUMED:
            b.story(e, ZIYANG, days[i], returned=i % 7 == 3)
        else:
            rest = i - ZIYANG_RESUMED  # 17 preparing
            state = (Status.FILED if rest < 8 else Status.RETURNED if rest < 13
                     else Status.APPROVED if rest < 15 else Status.NOT_STARTED)
            b.story(e, ZIYANG, None, state=state)
    for county, n in OTHER_PROJECTS.items():
        ctowns = b.towns(county)
        if not ctowns:
            continue
        resumed_share = b.rng.uniform(0.6, 0.85)
        for i in range(n):
            town = ctowns[i % len(ctowns)]
            e = b.add(town, f"{town.name}{PROJECT_NAMES[(i * 5 + len(county)) % 15]}"
                      f"({i + 1}号)", key=True)
            if i < round(n * resumed_share):
                day = FIRST_DAY + dt.timedelta(days=round(20 * (i / n) ** 1.2))
                b.story(e, county, day, returned=i % 5 == 2)
            else:
                b.story(e, county, None, state=Status.FILED if i % 2 else Status.NOT_STARTED)
        for i in range(3):  # a few enterprises that are not key projects
            town = ctowns[(i + 1) % len(ctowns)]
            e = b.add(town, f"{town.name}{['农副产品', '建材', '商贸'][i]}有限公司", key=False)
            b.story(e, county, FIRST_DAY + dt.timedelta(days=5 + 4 * i))


def _demo_logins(b: _Builder) -> Enterprise | None:
    ctx = b.ctx
    tea = zy_build = None
    try:
        tea_org, build_org, food_org = (ctx.org(LIAISON_ENTERPRISE), ctx.org("zy-build"),
                                        ctx.org("hb-food"))
    except Exception:  # noqa: BLE001 - the core step made no demo organisations
        return None
    tea = b.add(tea_org.org_unit, tea_org.name, key=False, org=tea_org,
                industry=Industry.AGRICULTURE, headcount=86)
    b.story(tea, ZIYANG, None, state=Status.NOT_STARTED)
    zy_build = b.add(build_org.org_unit, build_org.name, key=False, org=build_org,
                     industry=Industry.CONSTRUCTION, headcount=140)
    b.story(zy_build, ZIYANG, dt.date(2020, 2, 24))
    food = b.add(food_org.org_unit, food_org.name, key=False, org=food_org,
                 industry=Industry.MANUFACTURING, headcount=60)
    b.story(food, "610902", dt.date(2020, 2, 20), returned=True)
    return tea


def _tea_draft(ctx: DemoContext, tea: Enterprise) -> None:
    """qiye01's filing: some items answered, stock days and two items still empty."""
    liaison = _user(ctx, "qiye01")
    answers = {c: (ANSWERS[c], None) for c in ("plan", "masks", "gate", "screening")}
    answers["masks"] = (ANSWERS["masks"], 12)
    filing_svc.save_checklist(liaison if liaison is not ctx.actor else ctx.actor, tea,
                              planned_start=None, answers=answers)


def _employees(ctx: DemoContext, b: _Builder) -> int:
    rows = []
    rng = random.Random(f"{ctx.seed}:resumption:employees")
    resumed = [e for e in b.enterprises if e.resumed_on and not e.is_key_project]
    for e in resumed:
        people = ctx.people_in(e.org_unit, 12)
        for n, person in enumerate(people[:rng.randint(5, 12)]):
            day = e.resumed_on + dt.timedelta(days=rng.randint(-3, 4))
            day = min(day, LAST_DAY)
            rows.append(Employee(
                client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"fangkong-demo:emp:{e.pk}:{n}"),
                org_unit_id=e.org_unit_id, unit_path=e.unit_path, enterprise=e, person=person,
                name=person.name, phone=person.phone,
                came_from=rng.choice(["西安市", "安康市汉滨区", "湖北省十堰市", "重庆市城口县"]),
                whereabouts="春节期间在家,未去往湖北,无接触史。", returned_on=day,
                health=HealthStatus.OBSERVING if n == 0 else HealthStatus.NORMAL,
                observation_until=day + dt.timedelta(days=14) if n == 0 else None))
    ctx.bulk(Employee, rows, key=("client_id",))
    return len(rows)


BATCHES = (
    # direction, organising county, from, to, employer name part, plate, day, hour, n
    (Direction.OUTBOUND, "610902", "安康市汉滨区", "江苏省苏州市", None, "陕G·K2301",
     dt.date(2020, 2, 22), 7, 28),
    (Direction.OUTBOUND, "610924", "紫阳县", "浙江省宁波市", None, "陕G·Z0817",
     dt.date(2020, 2, 25), 6, 24),
    (Direction.INBOUND, "610924", "西安市", "紫阳县", "兴达建筑", "陕G·Z1126",
     dt.date(2020, 2, 23), 8, 18),
    (Direction.INBOUND, "610902", "广东省东莞市", "安康市汉滨区", "惠民食品", "陕G·H3390",
     dt.date(2020, 2, 19), 5, 12),
    (Direction.OUTBOUND, "610928", "旬阳", "广东省深圳市", None, "陕G·X5521",
     dt.date(2020, 3, 1), 6, 20),
)


def _workers_and_batches(ctx: DemoContext, b: _Builder) -> tuple[int, int]:
    rng = random.Random(f"{ctx.seed}:resumption:workers")
    by_name = {e.name: e for e in b.enterprises if e.organisation_id}
    workers, batches, entries = [], [], []
    skills = ["瓦工", "钢筋工", "电焊工", "普工", "电工", "缝纫工", "厨师"]
    for n, (direction, county, origin, dest, emp, plate, day, hour, size) in enumerate(BATCHES):
        unit = OrgUnit.objects.filter(code=county).first()
        if unit is None:
            continue
        towns = b.towns(county)
        employer = next((e for name, e in by_name.items() if emp and emp in name), None)
        batch = TransportBatch(
            client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"fangkong-demo:batch:{n}"),
            org_unit=unit, unit_path=unit.path, direction=direction, origin=origin,
            destination=dest, employer=employer, plate=plate, driver=chinese_name(rng, "M"),
            day=day, departure_at=_at(day, hour), arrival_at=_at(day, hour + 9),
            status=BatchStatus.HANDED_OVER if employer else BatchStatus.ARRIVED,
            handed_over_to=employer.liaison_name if employer else "",
            handed_over_at=_at(day, hour + 10) if employer else None)
        batches.append(batch)
        home = towns[n % len(towns)]
        for k, person in enumerate(ctx.people_in(home, size + 5)[5:]):
            w = MigrantWorker(
                client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"fangkong-demo:worker:{n}:{k}"),
                org_unit=home, unit_path=home.path, person=person, name=person.name,
                phone=person.phone, home=home.name, skills=rng.choice(skills),
                employer=employer, destination=dest, registered_on=day - dt.timedelta(days=3))
            workers.append(w)
            temp = Decimal(rng.choice(["36.2", "36.4", "36.5", "36.6", "36.8"]))
            entries.append((batch, w, temp))
    ctx.bulk(MigrantWorker, workers, key=("client_id",))
    ctx.bulk(TransportBatch, batches, key=("client_id",))
    ManifestEntry.objects.bulk_create([
        ManifestEntry(batch=bt, worker=w, day=bt.day, departure_temp=t, departure_ok=True,
                      arrival_temp=t, arrival_ok=True) for bt, w, t in entries])
    return len(workers), len(batches)


def _passes(ctx: DemoContext) -> int:
    """Passes for the batches and some of their workers, issued when they were planned
    (expired now), one revoked; and one issued at load time, valid for 14 days."""
    issued = 0
    hq = _user(ctx, "hq")
    for batch in TransportBatch.objects.order_by("pk"):
        when = batch.departure_at - dt.timedelta(days=1)
        pass_svc.issue(hq, "batch", batch=batch, days=3, now=when,
                       client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"fangkong-demo:pass:b{batch.pk}"))
        issued += 1
        for w in batch.manifest.select_related("worker__person")[:3]:
            record, _c = pass_svc.issue(
                hq, "worker", worker=w.worker, days=7, now=when,
                client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"fangkong-demo:pass:w{w.pk}"))
            issued += 1
    first = TransportBatch.objects.order_by("pk").first()
    if first is not None:
        entry = first.manifest.select_related("worker__person").last()
        record, _c = pass_svc.issue(
            hq, "worker", worker=entry.worker, days=7,
            client_id=uuid.uuid5(uuid.NAMESPACE_URL, "fangkong-demo:pass:revoked"),
            now=first.departure_at - dt.timedelta(days=1))
        pass_svc.revoke(hq, record, reason="误发:该工人未随本批次出行")
        live = first.manifest.select_related("worker__person")[4]
        pass_svc.issue(hq, "worker", worker=live.worker, days=14,
                       client_id=uuid.uuid5(uuid.NAMESPACE_URL, "fangkong-demo:pass:live"))
        issued += 2
    return issued


def load(ctx: DemoContext) -> str:
    if Enterprise.objects.exists():
        return _("Work resumption: already loaded")
    b = _Builder(ctx)
    _projects(b)
    tea = _demo_logins(b)
    b.save()
    if tea is not None:
        _tea_draft(ctx, tea)
    employees = _employees(ctx, b)
    workers, batches = _workers_and_batches(ctx, b)
    passes = _passes(ctx)
    from fangkong.resumption.indicators import summary
    ziyang = OrgUnit.objects.filter(code=ZIYANG).first()
    s = summary(ziyang, LAST_DAY) if ziyang else {"resumed": 0, "preparing": 0}
    return _("%(e)d enterprises and key projects; 紫阳县 on %(day)s: %(r)d resumed, "
             "%(p)d preparing; %(emp)d employees, %(w)d migrant workers on %(b)d batches, "
             "%(passes)d passes") % {
        "e": len(b.enterprises), "day": LAST_DAY.isoformat(), "r": s["resumed"],
        "p": s["preparing"], "emp": employees, "w": workers, "b": batches,
        "passes": passes}
