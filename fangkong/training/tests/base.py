"""A session in 文昌社区 (county A) on the core personas, with a small distanced room."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from fangkong.core.services.people import clean_person_data
from fangkong.core.testing import FangkongTestCase
from fangkong.lib.identity import make_id_number
from fangkong.training import services
from fangkong.training.models import AttendMode


def person(n: int, phone: str | None = None):
    return clean_person_data(id_number=make_id_number("610902", date(1985, n % 12 + 1, 15),
                                                      n % 1000),
                             name=f"学员{n}", phone=phone or f"139{n:08d}")


def make_session(actor: Any, unit: Any, *, starts_at: datetime | None = None,
                 rows: int = 4, seats: int = 6, seat_spacing: int = 2, row_spacing: int = 2,
                 mode: str = "both", online_limit: int | None = None, title: str = "疫情应对"):
    """4 × 6 seats, one in 2 and one row in 2: 2 rows × 3 seats = 6 places."""
    venue, _ = services.save_venue(actor, unit, name=f"会议室{title}", rows=rows,
                                   seats_per_row=seats)
    course, _ = services.create_course(actor, unit, client_id=uuid.uuid4(), title=title)
    starts_at = starts_at or timezone.now() + timedelta(minutes=10)
    session, _ = services.create_session(
        actor, course, client_id=uuid.uuid4(), starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3), mode=mode, venue=venue,
        seat_spacing=seat_spacing, row_spacing=row_spacing,
        online_link="https://meeting.example.cn/x" if mode != "offline" else "",
        online_limit=online_limit)
    return session


class TrainingTestCase(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.session = make_session(cls.county_a, cls.community_a_unit)

    def enrol(self, n: int, session: Any = None, mode: str = AttendMode.OFFLINE,
              actor: Any = "staff", **kw: Any):
        actor = self.county_a if actor == "staff" else actor
        return services.enrol(actor, session or self.session, client_id=kw.pop(
            "client_id", uuid.uuid4()), person=person(n), business_name=kw.pop(
            "business_name", "南江宾馆"), business_kind=kw.pop("business_kind", "hotel"),
            attend_mode=mode, **kw)
