"""Shared records: a drive, a site with a shift, a volunteer linked to the persona."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.utils import timezone

from fangkong.core.testing import FangkongTestCase
from fangkong.lib.identity import make_id_number
from fangkong.volunteers import services
from fangkong.volunteers.models import SiteKind


def id_number(n: int) -> str:
    return make_id_number("610902", date(1990, 1, 1) + timedelta(days=n), n % 1000)


class VolunteersTestCase(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        from fangkong.core.models import Role
        from fangkong.core.testing import make_user

        cls.community_a2 = make_user("linjiang", Role.COMMUNITY_WORKER, cls.community_a2_unit)
        cls.now = timezone.now()
        cls.drive, _c = services.create_drive(
            cls.member_liaison, cls.community_a2_unit, client_id=uuid.uuid4(),
            title="青年志愿者招募", organisation=cls.member_org, target=2,
            opened_at=cls.now - timedelta(hours=1))
        cls.site_a, _c = services.save_site(cls.community_a2, cls.community_a2_unit,
                                            name="江堤路口", kind=SiteKind.CHECKPOINT)
        cls.site_b, _c = services.save_site(cls.community_a2, cls.community_a2_unit,
                                            name="临江小区东门", kind=SiteKind.CHECKPOINT)
        cls.shift, _c = services.create_shift(
            cls.community_a2, cls.site_a, client_id=uuid.uuid4(),
            starts_at=cls.now - timedelta(minutes=30), ends_at=cls.now + timedelta(hours=3),
            capacity=1, tasks="测温登记")
        cls.me, _c = services.enrol(
            cls.member_liaison, cls.community_a2_unit, id_number=id_number(1), name="吴佳怡",
            phone="13912345678", organisation=cls.member_org, health_ok=True,
            user=cls.volunteer)
        cls.other, _c = services.enrol(
            cls.member_liaison, cls.community_a2_unit, id_number=id_number(2), name="陈志远",
            phone="13912345679", organisation=cls.member_org, health_ok=True)
