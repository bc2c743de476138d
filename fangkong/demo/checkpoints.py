"""Demo step: 文昌社区's 24 checkpoints and its registers, 临江社区's checkpoints.

The page's figures come out of records the platform counts like any others: 10,295
household members of whom 6,339 permanent residents (door-to-door screening), 31
gatherings dispersed by 2020-03-02 (patrol logs), 24 checkpoints. Bulk rows are written
with ``ctx.bulk`` for speed (``bulk_create`` with their audit entries) and their daily
counters; the passages that raise alerts (fevers, watched plates) go
through ``register_passage`` itself, as do their alerts' closing.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.checkpoints import services
from fangkong.checkpoints.alerts import FEVER, PLATE
from fangkong.checkpoints.models import (
    Checkpoint,
    CheckpointKind,
    DutyRoster,
    Household,
    HouseholdMember,
    Inspection,
    Outsider,
    Passage,
    PatrolLog,
    ScreeningVisit,
    Slot,
    TemperatureCheck,
    Tip,
)
from fangkong.checkpoints.schedules import open_missed_check_alerts
from fangkong.checkpoints.validation import PassageInput
from fangkong.core.models import Alert, OrgUnit, ParameterValue, Person
from fangkong.core.services.alerts import close_alert
from fangkong.core.services.people import clean_person_data, link_person
from fangkong.core.services.rules import add_value
from fangkong.demo.context import DemoContext
from fangkong.lib.identity import make_id_number, parse_plate

WENCHANG = "610902002002"
LINJIANG = "610902003001"
FIRST_DAY, LAST_DAY = date(2020, 2, 10), date(2020, 3, 2)
#: The checkpoints were set up in the last days of January 2020.
OPENED_ON = date(2020, 1, 28)
POPULATION, PERMANENT = 10_295, 6_339
GATHERINGS = 31
DUTY_USER = "gate01"

_ESTATES = ("文昌花园", "兴安小区", "金州苑", "香溪苑", "汉江明珠", "育才小区", "文昌新村",
            "安运小区", "巴山东路家属院", "电力小区")
WENCHANG_CHECKPOINTS = (
    [f"{e}{g}" for e in _ESTATES[:7] for g in ("东门", "西门")]
    + [f"{e}大门" for e in _ESTATES[7:]]
    + ["文昌路口", "巴山东路口", "育才路口", "新城菜市场", "金州路口", "汉江大道口", "香溪路口"]
)
LINJIANG_CHECKPOINTS = ("江堤路口", "临江小区东门", "临江小区西门", "滨江花园大门", "渡口路口",
                        "江北菜市场", "临江新村大门", "水利局家属院")
PASSAGES_PER_DAY = {WENCHANG: 30, LINJIANG: 25}
# (division code, place) in Hubei that people registered at the gates came back from.
HUBEI = (("420102", "湖北武汉"), ("420106", "湖北武汉"), ("420902", "湖北孝感"),
         ("421002", "湖北荆州"), ("420302", "湖北十堰"))
KINDS = (FEVER.code, PLATE.code)
SHAANXI_ORIGINS = ("安康市汉滨区", "西安市", "安康市旬阳县", "安康市紫阳县", "汉中市", "商洛市")


#: The (illustrative) city document the demo's screening rule cites, from the day the
#: checkpoints opened: 37.3 °C and plates of 鄂.
RULE_DOCUMENT = ("安政办发〔2020〕5号",
                 "安康市人民政府办公室关于加强新冠肺炎疫情防控卡口检测工作的通知")


def load(ctx: DemoContext) -> str:
    wenchang, linjiang = ctx.unit(WENCHANG), ctx.unit(LINJIANG)
    _screening_rule(ctx)
    duty = ctx.user(DUTY_USER)
    cps = {WENCHANG: _checkpoints(ctx, wenchang, WENCHANG_CHECKPOINTS),
           LINJIANG: _checkpoints(ctx, linjiang, LINJIANG_CHECKPOINTS)}
    rostered = _roster(ctx, cps[WENCHANG][0], duty)
    households, members = _households(ctx, wenchang)
    passages = 0
    for code, unit in ((WENCHANG, wenchang), (LINJIANG, linjiang)):
        passages += _passages(ctx, unit, cps[code], PASSAGES_PER_DAY[code])
    alerts = _alerts(ctx, cps[WENCHANG], duty, wenchang)
    outsiders = _outsiders(ctx, wenchang)
    patrols = _patrols(ctx, wenchang, GATHERINGS) + _patrols(ctx, linjiang, 12)
    inspections = _inspections(ctx, wenchang) + _inspections(ctx, linjiang)
    tips = _tips(ctx, wenchang) + _tips(ctx, linjiang)
    return _(
        "%(wenchang)d + %(linjiang)d checkpoints, %(rostered)d roster days, %(households)d "
        "households (%(members)d members), %(passages)d passages, %(alerts)d alerts, "
        "%(outsiders)d outsiders, %(patrols)d patrol logs, %(inspections)d inspections, "
        "%(tips)d tips (new rows)"
    ) % {
        "wenchang": len(cps[WENCHANG]), "linjiang": len(cps[LINJIANG]), "rostered": rostered,
        "households": households, "members": members, "passages": passages, "alerts": alerts,
        "outsiders": outsiders, "patrols": patrols, "inspections": inspections, "tips": tips,
    }


def _screening_rule(ctx: DemoContext) -> None:
    """The rule as the city set it (entered by HQ), replacing the shipped default from
    the day the checkpoints opened; the passages below are judged by it."""
    for code, value in ((services.screening.FEVER_CODE, Decimal("37.3")),
                        (services.screening.PROVINCES_CODE, ("鄂",))):
        if ParameterValue.objects.filter(parameter__code=code,
                                         document_number=RULE_DOCUMENT[0]).exists():
            continue
        add_value(ctx.user("hq"), code, value=value, valid_from=OPENED_ON,
                  document_number=RULE_DOCUMENT[0], document_title=RULE_DOCUMENT[1],
                  reason="全市卡口统一执行")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour % 24, minute)))


def _days() -> list[date]:
    return [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]


def _key(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _checkpoints(ctx: DemoContext, unit: OrgUnit, names: Any) -> list[Checkpoint]:
    rng = random.Random(f"{ctx.seed}:checkpoints:{unit.code}")
    existing = {c.name: c for c in Checkpoint.objects.filter(org_unit=unit)}
    fresh = []
    for name in names:
        key = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789")
                      for _ in range(16))
        if name not in existing:
            fresh.append(Checkpoint(
                org_unit=unit, unit_path=unit.path, name=name, public_key=key,
                kind=CheckpointKind.ROAD if "路口" in name else CheckpointKind.GATE,
                location=f"{unit.name}{name}", opened_on=OPENED_ON,
            ))
    ctx.bulk(Checkpoint, fresh, key=("org_unit_id", "name"))
    # Demo data loaded before checkpoints had an opening day took the migration's day.
    Checkpoint.objects.filter(org_unit=unit, name__in=names, opened_on__gt=OPENED_ON).update(
        opened_on=OPENED_ON)
    by_name = {c.name: c for c in Checkpoint.objects.filter(org_unit=unit)}
    return [by_name[n] for n in names]


def _roster(ctx: DemoContext, checkpoint: Checkpoint, user: Any) -> int:
    """``gate01`` on duty at the first checkpoint on every demo day, and today, so that
    the demo's duty screen works for whoever logs in now."""
    made = 0
    for day in [*_days(), timezone.localdate()]:
        _entry, created = DutyRoster.objects.get_or_create(
            checkpoint=checkpoint, user=user, day=day,
            defaults={"org_unit_id": checkpoint.org_unit_id, "unit_path": checkpoint.unit_path,
                      "created_by": ctx.actor},
        )
        made += created
    return made


def _households(ctx: DemoContext, unit: OrgUnit) -> tuple[int, int]:
    """10,295 residents in households of one to six, 6,339 of them permanent residents,
    each household visited during the screening (a few with findings)."""
    if Household.objects.filter(org_unit=unit).exists():
        return 0, 0
    rng = random.Random(f"{ctx.seed}:households:{unit.code}")
    keys = random.Random(f"{ctx.seed}:household-keys:{unit.code}")
    worker = ctx.user("wenchang") if unit.code == WENCHANG else None
    people = ctx.people_in(unit, POPULATION)
    permanent = set(rng.sample(range(POPULATION), PERMANENT))
    screening_days = _days()[:16]
    households, plan = [], []
    i, building, n = 0, 1, 0
    while i < POPULATION:
        size = min(rng.choices((1, 2, 3, 4, 5, 6), (8, 22, 30, 24, 12, 4))[0], POPULATION - i)
        n += 1
        building, rest = divmod(n - 1, 48)
        unit_no, flat = divmod(rest, 12)
        number = f"{building + 1}-{unit_no + 1}-{flat // 2 + 1}0{flat % 2 + 1}"
        households.append(Household(
            org_unit=unit, unit_path=unit.path, number=number,
            address=f"汉滨区新城街道文昌社区{building + 1}号楼{unit_no + 1}单元"
                    f"{flat // 2 + 1}0{flat % 2 + 1}室",
            phone=people[i].phone, client_id=_key(keys),
            # The community worker screens the first two buildings herself.
            assigned_to=worker if building < 2 else None,
        ))
        plan.append((i, size, rng.choice(screening_days)))
        i += size
    households = ctx.bulk(Household, households, key=("org_unit_id", "number"))
    relations = ("head", "spouse", "child", "child", "parent", "other")
    members, visits = [], []
    for household, (start, size, since) in zip(households, plan, strict=True):
        for k in range(size):
            members.append(HouseholdMember(
                household=household, org_unit=unit, unit_path=unit.path,
                person=people[start + k], name=people[start + k].name,
                phone=people[start + k].phone, relation=relations[k], since=since,
                permanent=(start + k) in permanent, client_id=_key(keys),
            ))
        visits.append(ScreeningVisit(
            household=household, org_unit=unit, unit_path=unit.path, visited_on=since,
            client_id=_key(keys),
            people_present=sum(1 for k in range(size) if (start + k) in permanent),
            from_hubei=rng.random() < 0.01, hubei_vehicle=rng.random() < 0.005,
            symptoms=rng.random() < 0.002, contact=rng.random() < 0.001,
        ))
    ctx.bulk(HouseholdMember, members, key=("org_unit_id", "person_id"), batch_size=2000)
    ctx.bulk(ScreeningVisit, visits, key=("client_id",), batch_size=2000)
    _follow_ups(ctx, [v for v in visits if v.flagged], worker or ctx.actor)
    return len(households), len(members)


def _follow_ups(ctx: DemoContext, flagged: list[ScreeningVisit], worker: Any) -> None:
    """Each visit's finding opens its household's follow-up, as ``record_visit`` does;
    the worker has followed up all but those of the last screening days."""
    recent = _days()[:16][-2:]
    for visit in sorted(flagged, key=lambda v: (v.visited_on, v.pk)):
        alert = services.open_follow_up(worker, visit.household, visit,
                                        at=_at(visit.visited_on, 17, 30))
        if visit.visited_on not in recent:
            services.follow_up_household(
                worker, visit.household, alert,
                outcome="已电话回访并上门复核，体温正常，纳入居家观察名单"
                if visit.symptoms or visit.contact else "已登记返乡信息，落实14天居家观察")


def _passages(ctx: DemoContext, unit: OrgUnit, checkpoints: list[Checkpoint],
              per_day: int) -> int:
    """The ordinary traffic: residents in and out, some visitors from the neighbouring
    community; plates of Shaanxi. Counted into the daily roll-up by the service's own
    ``count_confirmed``."""
    if Passage.objects.filter(checkpoint__in=checkpoints, day__lte=LAST_DAY).exists():
        return 0
    rng = random.Random(f"{ctx.seed}:passages:{unit.code}")
    residents = ctx.people_in(unit, 1500)
    other = ctx.unit(LINJIANG if unit.code == WENCHANG else WENCHANG)
    visitors = ctx.people_in(other, 100)
    rows, rules = [], {}
    for day in _days():
        for cp in checkpoints:
            for _n in range(rng.randint(per_day * 2 // 3, per_day * 4 // 3)):
                outsider = rng.random() < 0.08
                person = rng.choice(visitors if outsider else residents)
                direction = "in" if rng.random() < 0.5 else "out"
                at = _at(day, rng.randint(6, 21), rng.randint(0, 59))
                plate = ""
                if rng.random() < 0.12:
                    plate = f"陕G{rng.randint(10000, 99999)}"
                rows.append(Passage(
                    checkpoint=cp, org_unit=unit, unit_path=unit.path, client_id=_key(rng),
                    direction=direction, occurred_at=at, day=day, person=person,
                    name=person.name, phone=person.phone,
                    resident=not outsider, origin=rng.choice(SHAANXI_ORIGINS) if outsider else "",
                    temperature=Decimal(f"{rng.uniform(36.0, 37.1):.1f}")
                    if direction == "in" else None,
                    mask=rng.random() > 0.02, plate=plate, channel="self"
                    if rng.random() < 0.3 else "staff",
                    status="confirmed", confirmed_at=at,
                ))
                rules.setdefault(day, services.screening_rule(day)).stamp(rows[-1])
    rows = ctx.bulk(Passage, rows, key=("client_id",), batch_size=2000)
    services.count_confirmed(rows)
    return len(rows)


def _returnee(ctx: DemoContext, rng: random.Random, unit: OrgUnit, n: int) -> Person:
    """Someone back from Hubei, registered in the person registry at the gate. Like most
    of those who came back to Ankang in 2020, a local who had worked there: the ID card
    is 汉滨区's (the registry files a person under the county of the card)."""
    division = unit.code[:6]
    birth = date(1960, 1, 1) + timedelta(days=rng.randrange(40 * 365))
    seq = rng.randrange(1000)
    data = clean_person_data(
        id_number=make_id_number(division, birth, seq),
        name=rng.choice("王李张刘陈杨黄周吴胡") + rng.choice("建国志强丽华海燕秀英明军"),
        phone="1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9)),
    )
    return link_person(ctx.actor, data, unit)


def _alerts(ctx: DemoContext, checkpoints: list[Checkpoint], duty: Any, unit: OrgUnit) -> int:
    """Fevers and Hubei plates at 文昌社区's gates, through ``register_passage`` (which
    opens the alerts); all but the last two were closed with an outcome."""
    if Alert.objects.filter(kind__in=KINDS, org_unit=unit).exists():
        return 0
    rng = random.Random(f"{ctx.seed}:alerts:{unit.code}")
    residents = ctx.people_in(unit, 1500)
    opened = []
    cases = [(FEVER.code, d) for d in (date(2020, 2, 12), date(2020, 2, 17), date(2020, 2, 23),
                                    date(2020, 2, 29), date(2020, 3, 2))]
    cases += [(PLATE.code, d) for d in (date(2020, 2, 10), date(2020, 2, 11), date(2020, 2, 14),
                                     date(2020, 2, 19), date(2020, 2, 26), date(2020, 3, 1))]
    for n, (kind, day) in enumerate(sorted(cases, key=lambda c: c[1])):
        checkpoint = rng.choice(checkpoints)
        if kind == FEVER.code:
            person = rng.choice(residents)
            data = clean_person_data(id_number=person.id_number, name=person.name,
                                     phone=person.phone)
            temperature, plate, origin, resident = (
                Decimal(f"{rng.uniform(37.3, 38.6):.1f}"), None, "", True)
        else:
            data_person = _returnee(ctx, rng, unit, n)
            data = clean_person_data(id_number=data_person.id_number, name=data_person.name,
                                     phone=data_person.phone)
            temperature = Decimal(f"{rng.uniform(36.2, 36.9):.1f}")
            plate = parse_plate(f"鄂{rng.choice('ABFHK')}{rng.randint(10000, 99999)}")
            origin, resident = HUBEI[n % len(HUBEI)][1], False
        passage, _created = services.register_passage(duty, checkpoint, PassageInput(
            client_id=uuid.uuid4(), direction="in", person=data, resident=resident,
            origin=origin, temperature=temperature, mask=True, plate=plate,
            occurred_at=_at(day, rng.randint(7, 20), rng.randint(0, 59)),
        ))
        opened.append(passage)
    outcomes = {
        FEVER.code: ("复测体温正常，已解除", "已由社区医生陪同前往发热门诊，排除新冠",
                  "居家隔离观察，每日两次测温"),
        PLATE.code: ("已入户排查，车主14天隔离期满", "已登记并纳入外来人员观察", "车辆已劝返"),
    }
    alerts = list(Alert.objects.filter(org_unit=unit, kind__in=KINDS)
                  .order_by("opened_at"))
    for alert in alerts[:-2]:
        close_alert(alert, actor=ctx.user("wenchang"), outcome=rng.choice(outcomes[alert.kind]))
    return len(alerts)


def _outsiders(ctx: DemoContext, unit: OrgUnit) -> int:
    """Arrivals in February, two checks a day for 14 days (a few missed), then released;
    three who arrived in the last days are under observation on the demo's day (LAST_DAY,
    not the machine's today). The missed checks of those still observed raise their
    alerts at the end of that day, as the worker's schedule would have."""
    if Outsider.objects.filter(org_unit=unit).exists():
        return 0
    rng = random.Random(f"{ctx.seed}:outsiders:{unit.code}")
    worker = ctx.user("wenchang")
    today = LAST_DAY
    arrivals = [FIRST_DAY + timedelta(days=rng.randrange(19)) for _ in range(25)]
    arrivals += [today - timedelta(days=d) for d in (1, 3, 6)]
    made = 0
    for n, arrived in enumerate(sorted(arrivals)):
        person = _returnee(ctx, rng, unit, n + 100)
        watched = n % 3 == 0
        outsider, created = services.register_outsider(
            worker, unit, clean_person_data(id_number=person.id_number, name=person.name,
                                            phone=person.phone),
            arrived_on=arrived, origin=HUBEI[n % len(HUBEI)][1] if watched
            else rng.choice(SHAANXI_ORIGINS),
            host_address=f"文昌社区{rng.randint(1, 20)}号楼{rng.randint(1, 4)}单元",
            from_watched_area=watched, reason=rng.choice(("返乡", "探亲", "务工", "投亲")),
        )
        made += created
        checks = []
        last = min(outsider.last_observation_day, today)  # the demo day is over
        day = arrived
        while day <= last:
            fever_rule = services.screening_rule(day).fever
            for slot in (Slot.MORNING, Slot.EVENING):
                if rng.random() < 0.03:
                    continue  # a missed check, listed on the register
                checks.append(TemperatureCheck(
                    outsider=outsider, day=day, slot=slot, checked_by=worker,
                    fever_rule=fever_rule,
                    temperature=Decimal(f"{rng.uniform(36.0, 37.0):.1f}"),
                ))
            day += timedelta(days=1)
        ctx.bulk(TemperatureCheck, checks, key=("outsider_id", "day", "slot"))
        if outsider.release_from <= today and arrived < LAST_DAY:
            services.release_outsider(worker, outsider, note="14天观察期满，体温正常",
                                      today=outsider.release_from)
    end_of_day = timezone.make_aware(datetime.combine(LAST_DAY, time(22, 30)))
    open_missed_check_alerts(Outsider.objects.filter(org_unit=unit), end_of_day)
    return made


def _patrols(ctx: DemoContext, unit: OrgUnit, gatherings: int) -> int:
    """Daily patrols; ``gatherings`` dispersed in all by 2020-03-02."""
    if PatrolLog.objects.filter(org_unit=unit, day__lte=LAST_DAY).exists():
        return 0
    rng = random.Random(f"{ctx.seed}:patrols:{unit.code}")
    days = _days()
    per_day = [0] * len(days)
    for _n in range(gatherings):
        per_day[rng.randrange(len(days))] += 1
    areas = ("社区广场", "文昌路沿街商铺", "小区花园", "菜市场周边", "巴山东路", "江堤步道")
    logs = [
        PatrolLog(org_unit=unit, unit_path=unit.path, client_id=_key(rng), day=day,
                  area=rng.choice(areas), gatherings_dispersed=g,
                  people_persuaded=sum(rng.randint(3, 6) for _ in range(g)) + rng.randint(0, 4),
                  notes="劝返聚集打牌、闲聊人员" if g else "巡查未见聚集",
                  recorded_by=ctx.user("wenchang") if unit.code == WENCHANG else None)
        for day, g in zip(days, per_day, strict=True)
    ]
    ctx.bulk(PatrolLog, logs, key=("client_id",))
    return len(logs)


def _inspections(ctx: DemoContext, unit: OrgUnit) -> int:
    if Inspection.objects.filter(org_unit=unit, day__lte=LAST_DAY).exists():
        return 0
    rng = random.Random(f"{ctx.seed}:inspections:{unit.code}")
    venues = (("mahjong", "老王麻将馆"), ("mahjong", "兴安棋牌室"), ("restaurant", "巴山小吃"),
              ("restaurant", "文昌面馆"), ("internet_cafe", "网鱼网咖"))
    rows = []
    for day in _days():
        for venue_type, place in rng.sample(venues, 2):
            found_open = rng.random() < 0.05
            rows.append(Inspection(
                org_unit=unit, unit_path=unit.path, client_id=_key(rng), kind="venue",
                venue_type=venue_type, place=place, day=day, found_open=found_open,
                action="责令立即关停并登记" if found_open else "",
            ))
        rows.append(Inspection(
            org_unit=unit, unit_path=unit.path, client_id=_key(rng), kind="disinfection",
            venue_type="estate", place=rng.choice(_ESTATES), day=day,
            action="楼道、电梯、垃圾站消杀",
        ))
    ctx.bulk(Inspection, rows, key=("client_id",))
    return len(rows)


def _tips(ctx: DemoContext, unit: OrgUnit) -> int:
    """Residents' calls, many at night, dispatched within minutes and followed up."""
    if Tip.objects.filter(org_unit=unit, received_at__lt=_at(LAST_DAY + timedelta(days=1), 0))\
            .exists():
        return 0
    rng = random.Random(f"{ctx.seed}:tips:{unit.code}")
    # Tips are taken by the community's worker (services check the actor's area).
    worker = ctx.user({WENCHANG: "wenchang", LINJIANG: "linjiang"}.get(unit.code, "hq"))
    texts = (("gathering", "楼下有人聚集打麻将"), ("outsider", "隔壁来了外地亲戚没有登记"),
             ("venue_open", "小区门口的小餐馆偷偷营业"), ("symptoms", "邻居咳嗽发烧"),
             ("other", "单元门禁坏了，外人随意进出"))
    made = 0
    for day in _days()[::2]:
        category, content = rng.choice(texts)
        received = _at(day, rng.choice((20, 21, 22, 23, 7, 9)), rng.randint(0, 59))
        tip, created = services.record_tip(
            worker, unit, client_id=_key(rng), channel=rng.choice(("phone", "phone", "online")),
            category=category, content=content, caller_name=rng.choice("王李张刘陈") + "先生",
            caller_phone="1" + rng.choice("3589") + "".join(
                rng.choice("0123456789") for _ in range(9)),
            received_at=received,
        )
        made += created
        dispatched = received + timedelta(minutes=rng.randint(4, 35))
        services.dispatch_tip(worker, tip, dispatched_to=rng.choice(("网格员", "社区民警",
                                                                     "值班干部")),
                              at=dispatched)
        services.resolve_tip(worker, tip, outcome="已到场处置并劝导",
                             at=dispatched + timedelta(minutes=rng.randint(15, 90)))
    return made
