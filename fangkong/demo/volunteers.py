"""Demo step: the audit bureau's volunteers in 临江社区 and 文昌社区's party members.

- 市审计局 is paired with 临江社区 (包联社区). Five of its staff (among them
  ``volunteer01``) are on duty there from 2020-02-11, one shift a day at the community.
- Its youth league branch calls for volunteers on 2020-02-14 at 09:00 (20 wanted): 21
  people sign up through the public page's service within about an hour; the drive is
  full at the 20th. All are taken on, and from 2020-02-15 to 2020-03-02 the 26
  volunteers take shifts at three of 临江社区's checkpoints, checked in and out by the
  community's coordinator, their hours approved.
- On 2020-02-21 the audit bureau's volunteers deliver 75% alcohol and milk to 临江社区's
  elderly and families in difficulty: their duty log draws the stock from the bureau's
  cabinet (an issue through the supplies services; the supplies step bought it that day).
- 文昌社区's seven party-member volunteers take party-members-only shifts at two of its
  checkpoints from 2020-02-20.
- ``volunteer01`` has a shift on 2020-03-02 (checked in and out, awaiting approval) and
  a place offered from the waiting list on 2020-03-03, with the notice asking her to
  confirm; a certificate of her hours in February.

Every write goes through ``fangkong.volunteers.services`` with keys derived from labels,
so a second run adds nothing.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.checkpoints.models import Checkpoint
from fangkong.demo.context import DemoContext
from fangkong.lib.identity import make_id_number
from fangkong.supplies.models import Item, Warehouse
from fangkong.supplies.services import Line
from fangkong.volunteers import services
from fangkong.volunteers.models import (
    Assignment,
    Drive,
    DutyLog,
    Political,
    Shift,
    Signup,
    SignupStatus,
    SiteKind,
    Status,
    Task,
    Volunteer,
)

LINJIANG = "610902003001"
WENCHANG = "610902002002"
NAMESPACE = uuid.UUID("0b7f5c52-8f0e-4f57-9c1a-6a3e2f1d4b77")
DRIVE_OPENS = (date(2020, 2, 14), time(9, 0))
#: Minutes after 09:00 at which the 21 sign-ups came in (the 20th at 09:52).
SIGNUP_MINUTES = (2, 3, 5, 6, 8, 11, 13, 14, 17, 20, 22, 25, 27, 31, 34, 38, 41, 45, 48,
                  52, 58)
STAFF = ("吴佳怡", "陈志远", "刘思雨", "张博文", "李晓彤")  # the first is volunteer01
WENCHANG_PARTY = ("王建国", "赵秀梅", "孙立新", "周红英", "钱志明", "郑桂兰", "冯德胜")
LAST_DAY = date(2020, 3, 2)


def _key(label: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"volunteers:{label}")


def _at(day: date, hh: int, mm: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _phone(n: int) -> str:
    return f"1391592{n:04d}"


def load(ctx: DemoContext) -> str:
    hq, linjiang_worker = ctx.user("hq"), ctx.user("linjiang")
    liaison, wenchang_worker = ctx.user("shenji01"), ctx.user("wenchang")
    sjj, linjiang, wenchang = ctx.org("sjj"), ctx.unit(LINJIANG), ctx.unit(WENCHANG)
    services.pair(hq, sjj, linjiang, since=date(2020, 2, 1))
    league, _c = services.save_team(liaison, linjiang, name="市审计局青年志愿服务队",
                                    organisation=sjj)
    party_team, _c = services.save_team(wenchang_worker, wenchang, name="文昌社区党员志愿服务队")

    staff = _staff(ctx, liaison, linjiang, sjj, league)
    drive = _drive(ctx, liaison, linjiang, sjj, league)
    recruits = [services.take_on(liaison, s) if s.status == SignupStatus.NEW else s.volunteer
                for s in drive.signups.select_related("person", "drive").order_by("pk")]
    for v in recruits:
        if not v.health_ok:
            services.save_profile(liaison, v, health_ok=True,
                                  health_declared_on=date(2020, 2, 14))

    community = services.save_site(linjiang_worker, linjiang, name="临江社区（社区整体）",
                                   kind=SiteKind.COMMUNITY)[0]
    gates = [services.save_site(linjiang_worker, linjiang, name=cp.name,
                                kind=SiteKind.CHECKPOINT, checkpoint=cp)[0]
             for cp in Checkpoint.objects.filter(org_unit=linjiang).order_by("pk")[:3]]
    # 2020-02-11 to 02-13: the five staff, one shift a day in the community.
    for day in _days(date(2020, 2, 11), date(2020, 2, 13)):
        shift = _shift(linjiang_worker, community, day, 8, 30, 17, 30, 5,
                       "入户排查、检查监测点和登记台账", f"staff-{day}")
        for n, v in enumerate(staff):
            _serve(linjiang_worker, shift, v, minutes_late=n * 3, leave_early=0)
    # 2020-02-15 to 03-02: staff and recruits at three checkpoints, three each.
    people = staff + recruits
    turn = 0
    for day in _days(date(2020, 2, 15), LAST_DAY):
        for site in gates:
            shift = _shift(linjiang_worker, site, day, 8, 0, 14, 0, 3,
                           "卡点值守：测温、登记、劝返", f"gate-{site.pk}-{day}")
            for _n in range(3):
                v = people[turn % len(people)]
                turn += 1
                if v == staff[0] and day >= LAST_DAY:
                    continue  # volunteer01's last days are set below
                _serve(linjiang_worker, shift, v, minutes_late=turn % 7,
                       leave_early=(turn % 5) * 4)
    _delivery(ctx, liaison, staff, community)
    _volunteer01(ctx, linjiang_worker, liaison, staff, recruits, gates, community)
    _wenchang(ctx, wenchang_worker, wenchang, party_team)
    return _("%(drives)d drive (%(signups)d sign-ups), %(volunteers)d volunteers, "
             "%(shifts)d shifts, %(assignments)d assignments, %(logs)d duty log entries") % {
        "drives": Drive.objects.count(), "signups": Signup.objects.count(),
        "volunteers": Volunteer.objects.count(), "shifts": Shift.objects.count(),
        "assignments": Assignment.objects.count(), "logs": DutyLog.objects.count()}


def _staff(ctx: DemoContext, liaison: Any, unit: Any, org: Any, team: Any) -> list[Volunteer]:
    out = []
    for n, name in enumerate(STAFF):
        user = ctx.user("volunteer01") if n == 0 else None
        v, _c = services.enrol(
            liaison, unit,
            id_number=make_id_number("610902", date(1993 + n, 3 + n, 9 + n), 500 + n),
            name=name, phone=_phone(n), organisation=org, team=team,
            political=Political.LEAGUE if n % 2 == 0 else Political.PARTY,
            skills="驾驶" if n == 1 else "", availability="工作日全天", health_ok=True,
            health_declared_on=date(2020, 2, 10), user=user)
        out.append(v)
    return out


def _drive(ctx: DemoContext, liaison: Any, unit: Any, org: Any, team: Any) -> Drive:
    opens = _at(DRIVE_OPENS[0], DRIVE_OPENS[1].hour)
    drive, _c = services.create_drive(
        liaison, unit, client_id=_key("drive-0214"),
        title="市审计局青年志愿者招募（临江社区疫情防控）",
        organisation=org, target=20, opened_at=opens, closes_at=opens + timedelta(days=1),
        description="到包联社区临江社区参加卡点值守、入户排查、物资配送和劝散聚集。", team=team)
    if drive.team_id is None:
        Drive.objects.filter(pk=drive.pk).update(team=team)
    residents = ctx.people_in(unit, 60)[30:51]
    for n, (minute, person) in enumerate(zip(SIGNUP_MINUTES, residents, strict=True)):
        if Signup.objects.filter(client_id=_key(f"signup-{n}")).exists():
            continue
        services.sign_up(drive, client_id=_key(f"signup-{n}"), id_number=person.id_number,
                         name=person.name, phone=_phone(100 + n),
                         political=Political.LEAGUE if n % 3 else Political.PARTY,
                         at=opens + timedelta(minutes=minute))
    drive.refresh_from_db()
    return drive


def _shift(actor: Any, site: Any, day: date, h1: int, m1: int, h2: int, m2: int,
           capacity: int, tasks: str, label: str, party: bool = False) -> Shift:
    return services.create_shift(actor, site, client_id=_key(label), starts_at=_at(day, h1, m1),
                                 ends_at=_at(day, h2, m2), capacity=capacity, tasks=tasks,
                                 party_members_only=party)[0]


def _serve(coordinator: Any, shift: Shift, v: Volunteer, *, minutes_late: int,
           leave_early: int, approve: bool = True) -> Assignment:
    """On the shift, checked in and out by the coordinator, hours approved."""
    a, _c = services.join(coordinator, shift, v, now=shift.starts_at - timedelta(days=1))
    if a.status != Status.CONFIRMED:
        return a
    if a.check_in_at is None:
        a = services.check_in(coordinator, a, at=shift.starts_at + timedelta(minutes=minutes_late))
    if a.check_out_at is None:
        a = services.check_out(coordinator, a,
                               at=shift.ends_at - timedelta(minutes=leave_early))
    if approve and a.approved_at is None:
        a = services.approve(coordinator, a)
    return a


def _delivery(ctx: DemoContext, liaison: Any, staff: list[Volunteer], community: Any) -> None:
    """2020-02-21: alcohol and milk from the bureau's cabinet to 临江社区's households."""
    day = date(2020, 2, 21)
    shift = _shift(ctx.user("linjiang"), community, day, 14, 0, 17, 0, 2,
                   "为独居老人及困难家庭送物资", "delivery-0221")
    carrier = _serve(ctx.user("linjiang"), shift, staff[1], minutes_late=0, leave_early=0)
    _serve(ctx.user("linjiang"), shift, staff[3], minutes_late=0, leave_early=0)
    store = Warehouse.objects.get(name="市审计局物资柜")
    items = {i.code: i for i in Item.objects.filter(code__in=("alcohol-75", "milk"))}
    services.log_duty(liaison, carrier, client_id=_key("delivery-0221"), task=Task.DELIVERY,
                      count=32, note="送75%酒精和牛奶到临江社区独居老人及困难家庭（32户）",
                      delivery=services.Delivery(
                          warehouse=store, recipient_label="临江社区独居老人及困难家庭（32户）",
                          lines=[Line(items["alcohol-75"], 60), Line(items["milk"], 120)]))
    # The other tasks the page names, on the staff's first days.
    tasks = ((Task.MONITORING, 6, "检查小区监测点"), (Task.REGISTERS, 4, "核对出入登记台账"),
             (Task.CROWDS, 12, "用喇叭劝散江堤聚集人员"))
    for n, a in enumerate(Assignment.objects.filter(volunteer__in=staff,
                                                    shift__starts_at__lt=_at(date(2020, 2, 14), 0))
                          .order_by("pk")):
        task, count, note = tasks[n % 3]
        services.log_duty(liaison, a, client_id=_key(f"log-{a.pk}"), task=task, count=count,
                          note=note)


def _volunteer01(ctx: DemoContext, coordinator: Any, liaison: Any, staff: list[Volunteer],
                 recruits: list[Volunteer], gates: list[Any], community: Any) -> None:
    me = staff[0]
    shift = _shift(coordinator, gates[0], LAST_DAY, 14, 0, 20, 0, 3, "卡点值守：测温、登记、劝返",
                   "v01-0302")
    a = _serve(coordinator, shift, me, minutes_late=2, leave_early=0, approve=False)
    if not a.duty_logs.exists():
        services.log_duty(ctx.user("volunteer01"), a, client_id=_key("v01-log-0302"),
                          task=Task.REGISTERS, count=86, note="登记进出人员86人次，劝返2人")
    # 2020-03-03: full, she waits; one of the two cancels and the place is offered to her.
    nxt = _shift(coordinator, community, LAST_DAY + timedelta(days=1), 8, 30, 12, 0, 2,
                 "入户排查", "v01-0303")
    before = LAST_DAY - timedelta(days=1)
    if not nxt.assignments.exists():  # a second run leaves the cancelled place alone
        first, _c = services.join(coordinator, nxt, recruits[0], now=_at(before, 9))
        services.join(coordinator, nxt, recruits[1], now=_at(before, 9, 5))
        services.join(coordinator, nxt, me, now=_at(before, 9, 10))
        # Cancelled on the evening of the last day: the offer is open until 06:00 the
        # next morning (``volunteers.offer_hours``), as the demo city's day ends.
        services.cancel(coordinator, first, now=_at(LAST_DAY, 18))
    services.issue_certificate(liaison, me, period_from=date(2020, 2, 1),
                               period_until=date(2020, 2, 29), now=_at(date(2020, 3, 1), 10))


def _wenchang(ctx: DemoContext, worker: Any, unit: Any, team: Any) -> None:
    party = [services.enrol(worker, unit, id_number=make_id_number(
        "610902", date(1965 + n, 1 + n, 3 + n), 600 + n), name=name, phone=_phone(200 + n),
        team=team, political=Political.PARTY, availability="每天上午", health_ok=True,
        health_declared_on=date(2020, 2, 19))[0]
        for n, name in enumerate(WENCHANG_PARTY)]
    sites = [services.save_site(worker, unit, name=cp.name, kind=SiteKind.CHECKPOINT,
                                checkpoint=cp)[0]
             for cp in Checkpoint.objects.filter(org_unit=unit).order_by("pk")[:2]]
    turn = 0
    for day in _days(date(2020, 2, 20), LAST_DAY):
        for site in sites:
            shift = _shift(worker, site, day, 7, 30, 12, 30, 2, "党员先锋岗：测温登记",
                           f"wenchang-{site.pk}-{day}", party=True)
            for _n in range(2):
                _serve(worker, shift, party[turn % len(party)], minutes_late=turn % 4,
                       leave_early=0)
                turn += 1

