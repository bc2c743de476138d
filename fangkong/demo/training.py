"""Demo step: 镇坪县's first hospitality course, 2020-03-02 (SCENARIO.md: 62 trainees).

"3月2日，镇坪县举办了全县宾馆和餐饮服务业“疫情应对与质效提升”第一期专题培训班 …
培训对象主要涉及镇坪县城关镇辖区内宾馆和餐饮服务业主 … 60余名学员佩戴口罩，分散就座
… 围绕“疫情防控指导、服务质量提升、企业内部管理、政策支持解读、现场示范教学”等方面
进行线上线下专题培训".

- The course of 城关镇 (镇坪县), its first session on 2020-03-02 09:00–16:30, in the room
  and online, in a 16 × 16 hall seated apart (one seat in 2, one row in 2: 64 seats),
  five topics, trainers generated (nobody from the page is named but the noodle shop
  秦老四凉皮, whose owner is quoted there).
- 26 hotels and restaurants of 城关镇 (generated names) and 67 of their people (residents
  of 城关镇 from the demo's generated registry): 64 enrolled in the room (the distanced
  room is full) and 3 online, some by the public enrolment page, some by the staff.
- 62 attend: 60 check in at the door by the session's QR code (a few at the desk by the
  staff), all masked; 2 join online. Four enrolled in the room stay away, and one enrolled online.
- Feedback from 41 trainees after the session; certificates for the 62 the next day.

Everything goes through ``fangkong.training.services`` as ``zhenping01`` (or the public
page, no actor) with keys derived from labels, so a second run adds nothing.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from fangkong.core.services.people import PersonData
from fangkong.demo.context import DemoContext
from fangkong.training import services
from fangkong.training.models import Attendance, AttendMode, Enrolment, Method, Source

NAMESPACE = uuid.UUID("0b7f4f8e-4a0c-4f57-8d1d-6c2f3a9e1b77")
CHENGGUAN = "610927100"  # 城关镇, 镇坪县
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2020, 3, 2)
STARTS = datetime(2020, 3, 2, 9, 0, tzinfo=SHANGHAI)
ENDS = datetime(2020, 3, 2, 16, 30, tzinfo=SHANGHAI)
IN_ROOM, ONLINE = 64, 3
ABSENT_IN_ROOM, ABSENT_ONLINE = 4, 1

TOPICS = (
    # title, trainer (generated), post, given
    ("疫情防控指导", "王海燕", "县卫生健康局", AttendMode.OFFLINE),
    ("服务质量提升", "张立新", "省旅游饭店协会专家", AttendMode.ONLINE),
    ("企业内部管理", "李文博", "市商务局专家", AttendMode.ONLINE),
    ("政策支持解读", "陈建国", "县文化和旅游广电局", AttendMode.OFFLINE),
    ("现场示范教学", "赵雪梅", "县市场监督管理局", AttendMode.OFFLINE),
)

BUSINESSES = (
    ("秦老四凉皮", "restaurant"),
    ("南江宾馆", "hotel"), ("飞渡宾馆", "hotel"), ("龙泉大酒店", "hotel"),
    ("惠民旅社", "hotel"), ("锦华商务酒店", "hotel"), ("山水宾馆", "hotel"),
    ("祥和快捷酒店", "hotel"), ("竹溪客栈", "homestay"), ("云雾山居民宿", "homestay"),
    ("老街腊肉馆", "restaurant"), ("巴山土菜馆", "restaurant"), ("城关面馆", "restaurant"),
    ("鑫源火锅", "restaurant"), ("南江鱼庄", "restaurant"), ("农家小炒", "restaurant"),
    ("福满楼酒家", "restaurant"), ("香溢蒸面", "restaurant"), ("镇坪腊味坊", "restaurant"),
    ("家常菜馆", "restaurant"), ("好运来饭庄", "restaurant"), ("川味小厨", "restaurant"),
    ("金桂园酒楼", "restaurant"), ("红叶餐厅", "restaurant"), ("河畔烧烤", "restaurant"),
    ("曙光早餐店", "restaurant"),
)
POSITIONS = ("负责人", "经理", "前台", "厨师", "服务员", "采购")


def key(label: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, label)


def load(ctx: DemoContext) -> str:
    staff = ctx.user("zhenping01")
    town = ctx.unit(CHENGGUAN)
    rng = random.Random(f"{ctx.seed}:training")
    before = Enrolment.objects.count()
    venue, _created = services.save_venue(
        staff, town, name="镇坪县会议中心报告厅", rows=16, seats_per_row=16,
        address="城关镇新民街")
    course, _created = services.create_course(
        staff, town, client_id=key("course"), title="疫情应对与质效提升",
        audience="城关镇辖区内宾馆和餐饮服务业主及员工",
        description="镇坪县全县宾馆和餐饮服务业专题培训班：引导业主正确认识疫情、坚定信心，"
                    "抓住政策机遇，提升服务质量。")
    session, _created = services.create_session(
        staff, course, client_id=key("session-1"), starts_at=STARTS, ends_at=ENDS,
        mode="both", venue=venue, seat_spacing=2, row_spacing=2,
        online_link="https://meeting.example.cn/zhenping-2020-03-02", planned=IN_ROOM + ONLINE)
    for title, trainer, post, mode in TOPICS:
        services.add_topic(staff, session, title=title, trainer=trainer, trainer_title=post,
                           mode=mode)
    trainees = _enrol(ctx, staff, session, rng)
    _attend(session, trainees)
    _feedback(session, trainees, rng)
    issued = services.issue_certificates(staff, session, now=ENDS + timedelta(hours=18))
    attended = Attendance.objects.filter(session=session).count()
    return _("1 course, 1 session on 2020-03-02: %(enrolled)d enrolled (%(new)d new), "
             "%(attended)d attended, %(issued)d certificates issued now") % {
        "enrolled": session.enrolments.count(), "new": Enrolment.objects.count() - before,
        "attended": attended, "issued": issued}


def _enrol(ctx: DemoContext, staff, session, rng: random.Random) -> list[Enrolment]:
    people = [p for p in ctx.people_in(ctx.unit(CHENGGUAN), 200)
              if p.phone and 20 <= (DAY - p.birth_date).days // 365 <= 62][:IN_ROOM + ONLINE]
    if len(people) < IN_ROOM + ONLINE:
        raise RuntimeError("not enough adult residents of 城关镇 for the training demo")
    out = []
    for i, person in enumerate(people):
        name, kind = BUSINESSES[0] if i == 0 else BUSINESSES[1 + (i - 1) % (len(BUSINESSES) - 1)]
        public = i % 3 != 0  # two in three on the enrolment page behind the QR code
        # Office hours of the three days before (09:00-16:20).
        when = STARTS - timedelta(days=3 - i // 23) + timedelta(minutes=20 * (i % 23))
        enrolment, _created = services.enrol(
            None if public else staff, session, client_id=key(f"enrol-{i}"),
            person=PersonData(id_number=person.id_number, name=person.name, sex=person.sex,
                              birth_date=person.birth_date, phone=person.phone),
            business_name=name, business_kind=kind,
            attend_mode=AttendMode.OFFLINE if i < IN_ROOM else AttendMode.ONLINE,
            role_at_business="负责人" if i < len(BUSINESSES) else rng.choice(POSITIONS[1:]),
            source=Source.PUBLIC if public else Source.STAFF, now=when)
        out.append(enrolment)
    return out


def _attend(session, trainees: list[Enrolment]) -> None:
    staff_desk = {5, 23, 41}  # no smartphone: checked in at the desk
    in_room = [e for e in trainees if e.attend_mode == AttendMode.OFFLINE][:-ABSENT_IN_ROOM]
    online = [e for e in trainees if e.attend_mode == AttendMode.ONLINE][:-ABSENT_ONLINE]
    first = STARTS - timedelta(minutes=25)
    for i, e in enumerate(in_room):
        now = first + timedelta(seconds=22 * i)
        if i in staff_desk:
            services.check_in(session.created_by, e, method=Method.STAFF, mask_worn=True,
                              now=now)
        else:
            services.check_in_at_door(session, id_number=e.person.id_number, phone=e.phone,
                                      mask_worn=True, now=now)
    for i, e in enumerate(online):
        services.join_online(e, now=STARTS - timedelta(minutes=5 - i))


def _feedback(session, trainees: list[Enrolment], rng: random.Random) -> None:
    topics = list(session.topics.all())
    comments = ("课程内容很详细，针对性较强，为复工指明了方向。", "希望多讲讲员工流失后怎么招人。",
                "政策解读很及时。", "线上课程声音有点小。", "")
    attended = [e for e in trainees if Attendance.objects.filter(enrolment=e).exists()]
    for i, e in enumerate(attended[:41]):
        services.submit_feedback(
            e, rating=rng.choice((5, 5, 5, 4, 4, 3)), useful_topic=rng.choice(topics),
            comment=comments[i % len(comments)], now=ENDS + timedelta(minutes=10 + i))
