"""Demo step "water": 安康水务集团's supply assurance, February to 2020-03-02.

- Two water works (马坑水厂, 江北水厂) and two pressure stations, each with its outlet
  sampling point; network-end points at 安康市中心医院, 安康市中医医院 and 汉滨区第一医院,
  two estates and one secondary-supply tank. The works' gates are the checkpoints their
  communities already run on the access roads (no second register of one gate).
- A month of readings entered through ``services.record_reading`` (so each is judged by
  the GB 5749-2022 limit in force and keeps it): daily turbidity, free chlorine and pH at
  the outlets, free chlorine and turbidity at the network points, weekly coliforms,
  E. coli and colony count, pressure at the pressure stations. On 2020-02-18 江北水厂's
  outlet shows 0.18 mg/L free chlorine (limit ≥ 0.3): an alert opens, the re-test two
  hours later reads 0.42, and the operator closes it with a note.
- A 24-hour roster (three shifts) at every station for 2020-02-25 to 2020-03-03, with one
  gap (新城加压站, 2020-03-02 00:00–08:00) alerted; handovers signed by both.
- Network patrols around the hospitals every other day; two faults: a burst main near
  安康市中心医院 (a hospital: first) and a leak in an estate, both repaired.
- The staff health and movements form (供水职工健康与动向日报), reported daily by the utility.

Keys derive from labels (``uuid5``), so a second run adds nothing.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.demo.context import DemoContext
from fangkong.water import services
from fangkong.water.models import Exceedance, Reading, Shift

NAMESPACE = uuid.UUID("0b6f3f52-6c1e-4e0e-9a55-2f7d0c1b7a17")
FIRST, LAST = date(2020, 2, 1), date(2020, 3, 2)
WENCHANG, CHAOYANG, LINJIANG = "610902002002", "610902002004", "610902003001"
XINCHENG, JIANGBEI = "610902002", "610902003"
EXCEEDANCE_DAY = date(2020, 2, 18)
GAP_STATION = "新城加压站"
#: The works' gates: the checkpoint of the works' community on its access road.
WORKS_GATES = {"马坑水厂": "文昌路口", "江北水厂": "江堤路口"}

STATIONS = (
    # name, kind, unit, address, capacity
    ("马坑水厂", "works", WENCHANG, "汉滨区马坑路", 100000),
    ("江北水厂", "works", LINJIANG, "汉滨区江北大道", 60000),
    ("新城加压站", "pressure", CHAOYANG, "汉滨区新城朝阳路", None),
    ("江北加压站", "pressure", JIANGBEI, "汉滨区江北巴山路", None),
)
POINTS = (
    # name, station, type, near kind, near name, unit
    ("马坑水厂出厂水", "马坑水厂", "outlet", "other", "", WENCHANG),
    ("江北水厂出厂水", "江北水厂", "outlet", "other", "", LINJIANG),
    ("新城加压站出水", "新城加压站", "outlet", "other", "", CHAOYANG),
    ("江北加压站出水", "江北加压站", "outlet", "other", "", JIANGBEI),
    ("安康市中心医院末梢水", "江北加压站", "network_end", "hospital", "安康市中心医院", JIANGBEI),
    ("安康市中医医院末梢水", "新城加压站", "network_end", "hospital", "安康市中医医院", XINCHENG),
    ("汉滨区第一医院末梢水", "马坑水厂", "network_end", "hospital", "汉滨区第一医院", WENCHANG),
    ("朝阳小区末梢水", "新城加压站", "network_end", "estate", "朝阳小区", CHAOYANG),
    ("临江花园末梢水", "江北水厂", "network_end", "estate", "临江花园", LINJIANG),
    ("文昌佳苑二次供水", "马坑水厂", "secondary", "estate", "文昌佳苑", WENCHANG),
)
SAMPLERS = ("陈晓梅", "刘建军", "王芳", "赵立新")
STAFF = ("李明", "张伟", "王磊", "刘洋", "陈静", "杨帆", "黄勇", "周敏", "吴涛", "徐丽",
         "孙强", "马超")


def _key(*parts: Any) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def load(ctx: DemoContext) -> str:
    utility = ctx.org("swater")
    operator = ctx.user("shuiwu01")
    reports = _staff_reports(ctx, utility)
    stations = {}
    for name, kind, unit, address, capacity in STATIONS:
        stations[name], _c = services.save_station(
            operator, utility, ctx.unit(unit), name=name, kind=kind, address=address,
            capacity=capacity)
    _gates(stations)
    points = {}
    for name, station, ptype, near_kind, near_name, unit in POINTS:
        points[name], _c = services.save_point(
            operator, stations[station], ctx.unit(unit), name=name, point_type=ptype,
            near_kind=near_kind, near_name=near_name)
    readings = _readings(operator, points)
    _exceedance(operator, points["江北水厂出厂水"])
    shifts = _roster(operator, stations)
    gaps = services.alert_cover_gaps(_at(LAST, 0), _at(LAST + timedelta(days=1), 0))
    patrols, faults = _patrols_and_faults(operator, utility, points)
    return _("%(stations)d stations, %(points)d sampling points, %(readings)d readings, "
             "%(exceedances)d exceedance, %(shifts)d shifts (%(gaps)d gap alerted), "
             "%(patrols)d patrols, %(faults)d faults, %(reports)d staff reports") % {
        "stations": len(stations), "points": len(points), "readings": readings,
        "exceedances": Exceedance.objects.count(), "shifts": shifts, "gaps": gaps,
        "patrols": patrols, "faults": faults, "reports": reports}


def _gates(stations: dict[str, Any]) -> None:
    """Each works' gate is the checkpoint the community already runs on its access road
    (registered by the checkpoints step, ``WORKS_GATES``): a second register of the same
    gate would count it twice (文昌社区 has 24 checkpoints, SCENARIO.md) and would not be
    in the counties' daily reports filled before this step. Without that checkpoint the
    site shows no gate registration."""
    from fangkong.checkpoints.models import Checkpoint

    for name, checkpoint in WORKS_GATES.items():
        st = stations[name]
        if st.gate_id:
            continue
        gate = Checkpoint.objects.filter(org_unit=st.org_unit, name=checkpoint).first()
        if gate is not None:
            st.gate = gate
            st.save(update_fields=["gate", "updated_at"])


def _value(rng: random.Random, low: float, high: float, places: int) -> str:
    return f"{rng.uniform(low, high):.{places}f}"


def _readings(operator: Any, points: dict[str, Any]) -> int:
    if Reading.objects.filter(point__in=points.values()).exists():
        return Reading.objects.filter(point__in=points.values()).count()
    rng = random.Random("water-readings")
    n = 0

    def add(point: Any, indicator: str, value: str, at: datetime, instrument: str) -> None:
        nonlocal n
        services.record_reading(
            operator, point, client_id=_key("reading", point.pk, indicator, at.isoformat()),
            indicator=indicator, value=value, taken_at=at, sampler=rng.choice(SAMPLERS),
            instrument=instrument)
        n += 1

    for day in _days(FIRST, LAST):
        for p in points.values():
            if p.point_type == "outlet" and p.station.kind == "works":
                at = _at(day, 8, 30)
                add(p, "turbidity", _value(rng, 0.12, 0.45, 2), at, "HACH 2100Q 浊度仪")
                if not (p.name == "江北水厂出厂水" and day == EXCEEDANCE_DAY):
                    add(p, "free_chlorine", _value(rng, 0.45, 0.85, 2), at, "HACH DR300 余氯仪")
                add(p, "ph", _value(rng, 7.0, 7.6, 1), at, "梅特勒 FE28 pH计")
                if day.weekday() == 0:
                    for ind in ("coliforms", "e_coli"):
                        add(p, ind, "not_detected", _at(day, 9), "多管发酵法")
                    add(p, "colony_count", str(rng.randint(2, 18)), _at(day, 9), "平皿计数法")
                    add(p, "colour", "not_detected", _at(day, 9), "铂钴比色法")
                    add(p, "ammonia", _value(rng, 0.02, 0.12, 2), _at(day, 9), "纳氏试剂分光光度法")
                    add(p, "permanganate", _value(rng, 0.8, 1.6, 1), _at(day, 9),
                        "酸性高锰酸钾滴定法")
            elif p.point_type == "outlet":
                add(p, "pressure", _value(rng, 0.32, 0.42, 2), _at(day, 9), "压力变送器")
                add(p, "flow", _value(rng, 600, 900, 0), _at(day, 9), "电磁流量计")
            elif day.toordinal() % 2 == 0 or p.near_kind == "hospital":
                at = _at(day, 10, 15)
                add(p, "free_chlorine", _value(rng, 0.12, 0.35, 2), at, "HACH DR300 余氯仪")
                add(p, "turbidity", _value(rng, 0.2, 0.6, 2), at, "HACH 2100Q 浊度仪")
    return n


def _exceedance(operator: Any, outlet: Any) -> None:
    """The one exceedance: low free chlorine at 江北水厂's outlet, re-tested, closed."""
    first, _c = services.record_reading(
        operator, outlet, client_id=_key("exceedance", "first"), indicator="free_chlorine",
        value="0.18", taken_at=_at(EXCEEDANCE_DAY, 8, 30), sampler="刘建军",
        instrument="HACH DR300 余氯仪")
    retest, _c = services.record_reading(
        operator, outlet, client_id=_key("exceedance", "retest"), indicator="free_chlorine",
        value="0.42", taken_at=_at(EXCEEDANCE_DAY, 10, 40), sampler="刘建军",
        instrument="HACH DR300 余氯仪", retest_of=first)
    exc = Exceedance.objects.get(reading=first)
    if exc.is_open:
        services.close_exceedance(
            operator, exc, "加氯间计量泵故障致投加量不足，已更换计量泵并调整投加量，"
                           "10:40复检0.42 mg/L合格。", at=_at(EXCEEDANCE_DAY, 11, 5))


def _roster(operator: Any, stations: dict[str, Any]) -> int:
    rng = random.Random("water-roster")
    made = 0
    for st in stations.values():
        crew = rng.sample(STAFF, 3)
        for day in _days(date(2020, 2, 25), LAST + timedelta(days=1)):
            for n, (start, hours) in enumerate(((0, 8), (8, 8), (16, 8))):
                if st.name == GAP_STATION and day == LAST and start == 0:
                    continue  # the gap in cover the page lists and the alert names
                begins = _at(day, start)
                _shift, created = services.add_shift(
                    operator, st, person_name=crew[(n + day.toordinal()) % 3],
                    starts_at=begins, ends_at=begins + timedelta(hours=hours))
                made += created
        for day in (LAST - timedelta(days=1), LAST):
            for hour in (8, 16):
                shifts = list(Shift.objects.filter(station=st, ends_at=_at(day, hour)))
                incoming = Shift.objects.filter(station=st, starts_at=_at(day, hour)).first()
                if not shifts or incoming is None:
                    continue
                out = shifts[0].person_name
                services.record_handover(
                    operator, st, client_id=_key("handover", st.pk, day, hour),
                    at=_at(day, hour), outgoing=out, incoming=incoming.person_name,
                    note="设备运行正常，出水压力稳定，余氯在线监测正常；交接钥匙和值班记录。",
                    outgoing_signature=out, incoming_signature=incoming.person_name)
    return Shift.objects.filter(station__in=stations.values()).count() or made


def _patrols_and_faults(operator: Any, utility: Any, points: dict[str, Any]) -> tuple[int, int]:
    hospitals = [p for p in points.values() if p.near_kind == "hospital"]
    estates = [p for p in points.values() if p.near_kind == "estate"]
    unit = utility.org_unit
    n = 0
    for day in _days(FIRST, LAST)[::2]:
        services.record_patrol(
            operator, utility, unit, client_id=_key("patrol", day), day=day,
            route="江北大道—巴山路—育才路（医院周边管网）", patroller="管网巡检一班",
            points=hospitals + estates[:1],
            findings="阀门井、消火栓完好，未发现漏水。" if day != date(2020, 2, 9)
            else "巴山路安康市中心医院东侧路面渗水，疑似爆管，已报修。")
        n += 1
    burst, _c = services.report_fault(
        operator, utility, points["安康市中心医院末梢水"].org_unit,
        client_id=_key("fault", "burst"), location="巴山路安康市中心医院东侧", kind="burst",
        reported_by="管网巡检一班", reported_at=_at(date(2020, 2, 9), 7, 40),
        point=points["安康市中心医院末梢水"], description="DN300供水管爆裂，路面渗水。")
    services.dispatch_fault(operator, burst, crew="抢修二队", at=_at(date(2020, 2, 9), 7, 50))
    services.repair_fault(operator, burst, at=_at(date(2020, 2, 9), 10, 5),
                          note="更换DN300管段1.5米，恢复供水，医院供水未中断（临时供水车保障）。")
    leak, _c = services.report_fault(
        operator, utility, points["朝阳小区末梢水"].org_unit, client_id=_key("fault", "leak"),
        location="朝阳小区3号楼水表井", kind="leak", reported_by="朝阳社区 张丽",
        reported_at=_at(date(2020, 2, 24), 14, 20), point=points["朝阳小区末梢水"],
        description="水表井内阀门漏水。")
    services.dispatch_fault(operator, leak, crew="抢修一队", at=_at(date(2020, 2, 24), 14, 45))
    services.repair_fault(operator, leak, at=_at(date(2020, 2, 24), 17, 45),
                          note="更换DN100闸阀。")
    return n, 2


STAFF_INDICATORS = (
    # code, zh, en, unit, type, aggregation, measure, required, in briefing, places
    ("staff_total", "职工总数", "Staff", "人", "integer", "sum", "stock", True, False, 0),
    ("staff_on_duty", "在岗职工", "Staff on duty", "人", "integer", "sum", "stock", True,
     True, 0),
    ("staff_fever", "发热职工", "Staff with fever", "人", "integer", "sum", "flow", True,
     True, 0),
    ("staff_left_city", "外出未返职工", "Staff away from the city", "人", "integer", "sum",
     "stock", True, True, 0),
    ("staff_returned", "当日返岗职工", "Staff back today", "人", "integer", "sum", "flow",
     True, False, 0),
    ("staff_isolated", "居家隔离观察职工", "Staff in home observation", "人", "integer", "sum",
     "stock", True, True, 0),
    ("movements", "职工外出动向", "Staff movements", "", "text", "none", "stock", False,
     False, 0),
)
STAFF_RULES = (
    ("staff_on_duty + staff_left_city <= staff_total", "在岗与外出职工之和不能超过职工总数。",
     "Staff on duty and away cannot exceed the staff."),
)


def _staff_reports(ctx: DemoContext, utility: Any) -> int:
    """The utility's staff health and movements, reported daily on its own form."""
    from fangkong.demo import reports as demo_reports
    from fangkong.reports.models import Status, Submission

    form = demo_reports._form(ctx, "water_staff_daily", "供水职工健康与动向日报",
                              "Water utility staff health and movements",
                              STAFF_INDICATORS, STAFF_RULES, in_briefing=False)
    first = date(2020, 2, 10)
    reporter, = demo_reports._reporters(form, [], [utility], first)
    if Submission.objects.filter(form=form).exists():
        return Submission.objects.filter(form=form).count()
    writer = demo_reports._Writer(ctx, form)
    rng = random.Random("water-staff")
    total, away, isolated = 486, 41, 6
    for day in _days(first, LAST):
        back = min(away, rng.randint(1, 4))
        away -= back
        isolated = max(0, isolated + (1 if back and rng.random() < 0.3 else 0)
                       - (1 if rng.random() < 0.25 else 0))
        values = {
            "staff_total": total, "staff_on_duty": total - away - isolated,
            "staff_fever": 0, "staff_left_city": away, "staff_returned": back,
            "staff_isolated": isolated,
            "movements": f"外出未返{away}人均在原籍居家，每日电话联系；返岗{back}人已登记并测温。",
        }
        writer.add(reporter, day, values, submitted_at=_at(day, 16, rng.randint(0, 50)),
                   status=Status.APPROVED, submitter=ctx.user("shuiwu01"))
    return writer.save()

