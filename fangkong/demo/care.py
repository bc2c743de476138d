"""Demo step: the HR bureau's one-to-one support task force, 2020-01-28 to 2020-02-28.

- The task force (市人社局 leads; 市委组织部, 市委统战部, 市总工会, 市审计局 are members), its
  coordinator ``renshe01`` and 577 helpers of the member units (``helper01`` is one).
- 910 frontline medical workers of the city's hospitals under support, each family paired
  with one primary helper (333 helpers look after two families); 10 were sent to Hubei,
  each with a named contact in the member unit. One family was reassigned (history kept).
- Services: the necessities (932 sets) and food (4,868 kg) are logged by the task force
  through ``care.services.log_service`` with the task force's store, so each one is a
  supplies issue to a care service (the figures are read back from the service log and
  from the ledger); counselling (593 人次) and the other kinds are written with
  ``ctx.bulk`` (hundreds of rows; the same model and aggregation read them).
- Payments: 25.39 万元 of condolence money and 34.02 万元 of temporary work subsidies;
  policy benefits and leaders' visits for the workers sent to Hubei.
- Retired cadres and elderly residents with help requests (groceries, masks, medicine),
  most fulfilled, one left open past its time: an overdue alert on 2020-03-02.
- ``helper01`` looks after two families and a retired cadre and logs services itself.

Keys are derived from labels (uuid5) and the bulk parts run once, so a second run adds
nothing.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.care import services
from fangkong.care.models import (
    Category,
    Deployment,
    Helper,
    MedicalWorker,
    Pairing,
    Payment,
    PaymentKind,
    ServiceLog,
    TaskForce,
    Unit,
)
from fangkong.core.services.people import PersonData
from fangkong.demo.context import DemoContext
from fangkong.supplies import services as supplies
from fangkong.supplies.models import Item, Warehouse
from fangkong.supplies.services import Line

NAMESPACE = uuid.UUID("0d5f6a3e-7c1b-4f0e-9b8e-2a4c6e8f1a35")
WORKERS, HELPERS, HUBEI = 910, 577, 10
NECESSITY_SETS, FOOD_KG, COUNSELLING = 932, 4_868, 593
CONDOLENCE, SUBSIDY = Decimal("253900"), Decimal("340200")
#: The counselling session helper01 logs itself (``_helper01``).
HELPER01_SESSIONS = 1
FIRST, LAST = date(2020, 2, 3), date(2020, 2, 28)
MEMBERS = ("rsj", "zzb", "tzb", "zgh", "sjj")
HOSPITALS = ("安康市中心医院", "安康市中医医院", "安康市人民医院", "汉滨区第一医院",
             "紫阳县人民医院", "石泉县医院", "旬阳市医院", "安康市疾控中心")
DEPARTMENTS = ("呼吸科", "感染科", "急诊科", "重症医学科", "发热门诊", "检验科", "护理部")
HOMES = (("610902", 560), ("610924", 90), ("610922", 70), ("610981", 90), ("610921", 100))
STORE = "医护家属保障物资库"
FOOD = ("rice", "flour", "oil", "milk", "eggs-produce")


def _key(label: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"care:{label}")


def _split(rng: random.Random, total: int, parts: int, low: int, high: int) -> list[int]:
    """``parts`` sizes between ``low`` and ``high`` whose sum is ``total``."""
    sizes = [rng.randint(low, high) for _ in range(parts)]
    while sum(sizes) != total:
        i = rng.randrange(parts)
        step = 1 if sum(sizes) < total else -1
        if low <= sizes[i] + step <= high:
            sizes[i] += step
    return sizes


def _day(n: int, count: int) -> date:
    """The n-th of ``count`` records spread over FIRST..LAST."""
    return FIRST + timedelta(days=n * ((LAST - FIRST).days + 1) // count)


def load(ctx: DemoContext) -> str:
    rng = random.Random(f"{ctx.seed}:care")
    coordinator = ctx.user("renshe01")
    task_force, _c = services.save_task_force(
        ctx.user("hq"), ctx.city, name="一线医务人员及家属一对一保障专班",
        organisation=ctx.org("rsj"), leader="市人社局局长", contact_name="专班联络员",
        contact_phone="13909150001",
        members=[{"organisation": ctx.org(code), "leader": f"{ctx.org(code)}分管领导",
                  "contact_name": f"{ctx.org(code)}联络员"} for code in MEMBERS])
    helpers = _helpers(ctx, task_force, rng)
    workers = _workers(ctx, task_force, rng)
    _pairings(ctx, task_force, helpers, workers)
    _reassign(coordinator, helpers, workers)
    _deliveries(ctx, coordinator, workers, rng)
    _other_services(ctx, task_force, workers, rng)
    _payments(ctx, workers, rng)
    _hubei(coordinator, workers)
    _families(ctx, coordinator, workers)
    _helper01(ctx, workers)
    _elderly(ctx, task_force, coordinator, helpers)
    t = services.totals(None, LAST)
    return _("%(workers)d workers, %(helpers)d helpers, %(sets)d sets, %(kg)s kg, "
             "%(sessions)d counselling sessions") % {
        "workers": t.workers, "helpers": t.helpers, "sets": t.necessities_sets,
        "kg": f"{t.goods_kg:.0f}", "sessions": t.counselling_sessions}


def _helpers(ctx: DemoContext, task_force: TaskForce, rng: random.Random) -> list[Helper]:
    existing = list(Helper.objects.filter(task_force=task_force).order_by("code"))
    if existing:
        return existing
    people = ctx.people_in(ctx.unit("610902"), HELPERS + 40)[40:]
    rows = []
    for n, person in enumerate(people):
        org = ctx.org(MEMBERS[0] if n < 200 else MEMBERS[n % len(MEMBERS)])
        name = ctx.user("helper01").first_name if n == 0 else person.name
        rows.append(Helper(task_force=task_force, organisation=org, name=name,
                           phone=person.phone, code=f"BF{n + 1:04d}",
                           user=ctx.user("helper01") if n == 0 else None,
                           org_unit=ctx.city, unit_path=ctx.city.path))
    return ctx.bulk(Helper, rows, key=("code",))


def _workers(ctx: DemoContext, task_force: TaskForce, rng: random.Random
             ) -> list[MedicalWorker]:
    existing = list(MedicalWorker.objects.filter(task_force=task_force).order_by("number"))
    if existing:
        return existing
    rows: list[MedicalWorker] = []
    for code, count in HOMES:
        unit = ctx.unit(code)
        for person in ctx.people_in(unit, count + 60)[60:]:
            n = len(rows)
            hubei = n < HUBEI
            member = ctx.org(MEMBERS[n % len(MEMBERS)])
            rows.append(MedicalWorker(
                task_force=task_force, member_unit=member, person=person, name=person.name,
                phone=person.phone, number=f"YH{n + 1:04d}",
                hospital=HOSPITALS[n % len(HOSPITALS)],
                department=DEPARTMENTS[rng.randrange(len(DEPARTMENTS))],
                deployment=Deployment.HUBEI if hubei else Deployment.LOCAL,
                deployed_from=date(2020, 2, 9) if hubei else None,
                unit_contact=f"{member.short_name}联络人{n + 1}" if hubei else "",
                unit_contact_phone=f"139091{n + 1:05d}" if hubei else "",
                registered_on=date(2020, 1, 28) + timedelta(days=n * 20 // WORKERS),
                org_unit=unit, unit_path=unit.path))
    return ctx.bulk(MedicalWorker, rows, key=("number",))


def _pairings(ctx: DemoContext, task_force: TaskForce, helpers: list[Helper],
              workers: list[MedicalWorker]) -> None:
    if Pairing.objects.filter(task_force=task_force).exists():
        return
    rows = []
    for n, worker in enumerate(workers):
        # Helpers 0..332 look after two families, the others one.
        h = n // 2 if n < 2 * (WORKERS - HELPERS) else n - (WORKERS - HELPERS)
        helper = helpers[h]
        rows.append(Pairing(task_force=task_force, member_unit_id=helper.organisation_id,
                            helper=helper, worker=worker, started_on=worker.registered_on,
                            org_unit_id=worker.org_unit_id, unit_path=worker.unit_path))
    ctx.bulk(Pairing, rows, key=("worker_id",))


def _reassign(coordinator: Any, helpers: list[Helper], workers: list[MedicalWorker]) -> None:
    """A family whose first helper (who looks after two) fell ill: another helper of the
    task force took over; the first keeps their other family."""
    worker = workers[601]
    first = Pairing.objects.filter(worker=worker).order_by("pk").first()
    if first.ended_on is None and first.helper_id == helpers[300].pk:
        services.pair(coordinator, helpers[500], worker=worker,
                      started_on=date(2020, 2, 17), reassign=True,
                      reason="原帮扶责任人身体不适，改由同单位同事接替")


def _deliveries(ctx: DemoContext, coordinator: Any, workers: list[MedicalWorker],
                rng: random.Random) -> None:
    """Four families a day get necessities and food from the task force's store: each a
    service log that issues from stock."""
    store = Warehouse.objects.get(name=STORE, organisation=ctx.org("rsj"))
    items = {i.code: i for i in Item.objects.filter(code__in=(*FOOD, "necessities-set"))}
    days = (LAST - FIRST).days + 1
    deliveries = 4 * days
    sets = _split(rng, NECESSITY_SETS, deliveries, 4, 14)
    kgs = _split(rng, FOOD_KG, deliveries, 20, 80)
    left = {code: store.balances.get(item=items[code]).quantity for code in FOOD}
    done = set(ServiceLog.objects.filter(client_id__in=[
        _key(f"{kind}-{n}") for kind in ("sets", "food") for n in range(deliveries)])
        .values_list("client_id", flat=True))
    for n in range(deliveries):
        day = FIRST + timedelta(days=n // 4)
        if n == 4 * (date(2020, 2, 15) - FIRST).days:
            _second_batch(ctx, store, items, day, left)
        worker = workers[HUBEI + n % 60]
        food = max(FOOD, key=lambda code: left[code])  # the best-stocked food that day
        for label, qty, unit, item in ((f"sets-{n}", sets[n], Unit.SET, "necessities-set"),
                                       (f"food-{n}", kgs[n], Unit.KG, food)):
            key = _key(label)
            if key in done:
                continue
            services.log_service(
                coordinator, worker, client_id=key, day=day, category=Category.LIFE,
                quantity=qty, unit=unit, warehouse=store, item=items[item],
                note="生活必需品送到家" if unit == Unit.SET else f"送{items[item].name}到家")
            if unit == Unit.KG:
                left[food] -= qty


def _second_batch(ctx: DemoContext, store: Warehouse, items: dict[str, Item], day: date,
                  left: dict[str, Decimal]) -> None:
    lines = {"necessities-set": 400, "rice": 700, "oil": 300, "milk": 400, "eggs-produce": 900}
    movement, created = supplies.receive(
        ctx.user("hq"), store, client_id=_key("taskforce-0215"), day=day,
        lines=[Line(items[code], q) for code, q in lines.items()], source="purchase",
        reason="第二批采购")
    if created:
        for code, q in lines.items():
            if code in left:
                left[code] += q


def _bulk_logs(ctx: DemoContext, workers: list[MedicalWorker], label: str, category: str,
               unit: str, sizes: list[int], notes: tuple[str, ...], recorder: Any) -> None:
    if ServiceLog.objects.filter(client_id=_key(f"{label}-0")).exists():
        return
    pairs = dict(Pairing.objects.filter(ended_on__isnull=True, worker__in=workers)
                 .values_list("worker_id", "helper_id"))
    rows = []
    for n, size in enumerate(sizes):
        worker = workers[(n * 7 + 3) % len(workers)]
        rows.append(ServiceLog(
            client_id=_key(f"{label}-{n}"), worker=worker, helper_id=pairs.get(worker.pk),
            day=_day(n, len(sizes)), category=category, quantity=Decimal(size), unit=unit,
            note=notes[n % len(notes)], recorded_by=recorder, org_unit_id=worker.org_unit_id,
            unit_path=worker.unit_path))
    ctx.bulk(ServiceLog, rows, key=("client_id",))


def _other_services(ctx: DemoContext, task_force: TaskForce, workers: list[MedicalWorker],
                    rng: random.Random) -> None:
    recorder = ctx.user("renshe01")
    _bulk_logs(ctx, workers, "counselling", Category.MIND, Unit.SESSION,
               _split(rng, COUNSELLING - HELPER01_SESSIONS, 300, 1, 3),
               ("电话心理疏导", "心理咨询师上门谈心", "视频心理辅导"), recorder)
    _bulk_logs(ctx, workers, "care", Category.CARE, Unit.SESSION, [1] * 240,
               ("子女课业辅导", "生日送蛋糕", "上门慰问老人"), recorder)
    _bulk_logs(ctx, workers, "safety", Category.SAFETY, Unit.SESSION, [1] * 120,
               ("家中水电气安全检查", "小区出入协调"), recorder)
    _bulk_logs(ctx, workers, "other", Category.OTHER, Unit.SESSION, [1] * 60,
               ("协调子女入托", "代办社保业务"), recorder)


def _payments(ctx: DemoContext, workers: list[MedicalWorker], rng: random.Random) -> None:
    if Payment.objects.filter(client_id=_key("condolence-0")).exists():
        return
    recorder = ctx.user("renshe01")
    rows = []
    for label, kind, total, count in (("condolence", PaymentKind.CONDOLENCE, CONDOLENCE, 400),
                                      ("subsidy", PaymentKind.SUBSIDY, SUBSIDY, 600)):
        hundreds = _split(rng, int(total / 100), count, 3, 9)
        for n, h in enumerate(hundreds):
            worker = workers[(n * 3 + (0 if kind == PaymentKind.CONDOLENCE else 1))
                             % len(workers)]
            rows.append(Payment(
                client_id=_key(f"{label}-{n}"), worker=worker, day=_day(n, count), kind=kind,
                amount=Decimal(h * 100), recorded_by=recorder, org_unit_id=worker.org_unit_id,
                unit_path=worker.unit_path))
    ctx.bulk(Payment, rows, key=("client_id",))


def _hubei(coordinator: Any, workers: list[MedicalWorker]) -> None:
    """The workers sent to Hubei: their families visited, the policies applied."""
    for n, worker in enumerate(workers[:HUBEI]):
        services.record_visit(coordinator, worker, client_id=_key(f"visit-{n}"),
                              day=date(2020, 2, 12), mode="in_person", leader="市人社局局长",
                              note="上门看望援鄂医务人员家属")
        services.record_visit(coordinator, worker, client_id=_key(f"video-{n}"),
                              day=date(2020, 2, 20), mode="video", leader="市委组织部副部长",
                              note="与援鄂医务人员视频连线")
        services.grant_benefit(coordinator, worker, client_id=_key(f"title-{n}"),
                               day=date(2020, 2, 25),
                               kind="title" if n % 2 else "grade",
                               note="援鄂期间职称评审优先")
        services.grant_benefit(coordinator, worker, client_id=_key(f"commend-{n}"),
                               day=date(2020, 2, 27), kind="commendation",
                               note="抗疫一线先进个人")


RELATIONS = (("配偶", "照顾老人和孩子"), ("父亲", "慢性病需按时取药"),
             ("母亲", "行动不便，需送菜上门"), ("子女", "网课需要学习用品"))


def _families(ctx: DemoContext, coordinator: Any, workers: list[MedicalWorker]) -> None:
    """The families of the workers sent to Hubei: who is at home and what they need."""
    for n, worker in enumerate(workers[:HUBEI]):
        # Residents 0-39 of the county are nobody else's in this step.
        for k, person in enumerate(ctx.people_in(worker.org_unit, 3 * HUBEI)[3 * n:3 * n + 2]):
            relation, needs = RELATIONS[(n + k) % len(RELATIONS)]
            services.add_family_member(
                coordinator, worker, relationship=relation, needs=needs,
                person=PersonData(id_number=person.id_number, name=person.name,
                                  sex=person.sex, birth_date=person.birth_date,
                                  phone=person.phone, address=person.address))


def _helper01(ctx: DemoContext, workers: list[MedicalWorker]) -> None:
    """helper01 looks after the first two families (both sent to Hubei) and logs for one."""
    helper = ctx.user("helper01")
    worker = workers[0]
    for n, (day, category, qty, unit, note) in enumerate((
            (date(2020, 2, 10), Category.MIND, 1, Unit.SESSION, "电话问候，老人情绪稳定"),
            (date(2020, 2, 14), Category.CARE, 1, Unit.SESSION, "给孩子送学习资料"),
            (date(2020, 2, 21), Category.SAFETY, 1, Unit.SESSION, "检查燃气和电器"),
            (date(2020, 2, 26), Category.OTHER, 1, Unit.SESSION, "代缴水电费"))):
        services.log_service(helper, worker, client_id=_key(f"helper01-{n}"), day=day,
                             category=category, quantity=qty, unit=unit, note=note)


def _elderly(ctx: DemoContext, task_force: TaskForce, coordinator: Any,
             helpers: list[Helper]) -> None:
    hq = ctx.user("hq")
    linjiang = ctx.unit("610902003001")
    people = ctx.people_in(linjiang, 200)
    elders = [p for p in people if p.birth_date and p.birth_date.year <= 1955][:6]
    for n, person in enumerate(elders):
        data = PersonData(id_number=person.id_number, name=person.name, phone=person.phone,
                          address=person.address, sex=person.sex,
                          birth_date=person.birth_date)
        elderly, _c = services.register_elderly(
            hq, task_force, linjiang, person=data, member_unit=ctx.org(MEMBERS[n % 2]),
            kind="retired_cadre" if n % 2 == 0 else "elderly", address=person.address,
            needs="独居，行动不便" if n % 2 else "子女在外地", registered_on=date(2020, 2, 5))
        services.pair(coordinator, helpers[0 if n == 0 else 400 + n], elderly=elderly,
                      started_on=date(2020, 2, 5))
        for k, (kind, day, hours) in enumerate(((
                "groceries", date(2020, 2, 8), 5), ("masks", date(2020, 2, 12), 20),
                ("medicine", date(2020, 2, 20), 30))):
            at = timezone.make_aware(datetime.combine(day, time(9 + n, 0)))
            request, _new = services.request_help(
                coordinator, elderly, client_id=_key(f"request-{n}-{k}"), kind=kind,
                detail="", requested_at=at)
            if request.status == "open":
                services.fulfil_request(coordinator, request, at=at + timedelta(hours=hours))
        if n == 1:  # medicine asked for on 2020-03-01, not yet delivered on 2020-03-02
            at = timezone.make_aware(datetime.combine(date(2020, 3, 1), time(8, 30)))
            services.request_help(coordinator, elderly, client_id=_key("request-open"),
                                  kind="medicine", detail="降压药", requested_at=at)
    services.open_overdue_alerts(timezone.make_aware(datetime(2020, 3, 2, 18, 0)))
