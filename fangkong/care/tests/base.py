"""Care records on the test tree: a task force led by the personas' task-force
organisation, with the helper persona's bureau as a member."""

from __future__ import annotations

from datetime import date
from typing import Any

from fangkong.care import services
from fangkong.care.models import Helper, MedicalWorker, TaskForce
from fangkong.core.services.people import clean_person_data
from fangkong.core.testing import FangkongTestCase
from fangkong.lib.identity import make_id_number

_n = [0]


def person(name: str = "王医生", division: str = "610902") -> Any:
    _n[0] += 1
    return clean_person_data(id_number=make_id_number(division, date(1985, 3, 1), 500 + _n[0]),
                             name=name, phone="13912345678")


class CareTestCase(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tf, _c = services.save_task_force(
            cls.hq, cls.city, name="保障专班", organisation=cls.task_force_org, leader="局长",
            contact_name="联络员", members=[{"organisation": cls.helper_org, "leader": "副局长",
                                             "contact_name": "小李"}])
        cls.helper_a = services.save_helper(cls.hq, cls.tf, code="BF1", name="杨帆",
                                            organisation=cls.helper_org, user=cls.helper)[0]
        cls.helper_b = services.save_helper(cls.hq, cls.tf, code="BF2", name="刘洋",
                                            organisation=cls.helper_org)[0]
        cls.worker_a = cls.make_worker("YH1", cls.community_a_unit)
        cls.worker_b = cls.make_worker("YH2", cls.community_b_unit)
        services.pair(cls.hq, cls.helper_a, worker=cls.worker_a, started_on=date(2020, 2, 1))
        services.pair(cls.hq, cls.helper_b, worker=cls.worker_b, started_on=date(2020, 2, 1))

    @classmethod
    def make_worker(cls, number: str, home: Any, **extra: Any) -> MedicalWorker:
        return services.register_worker(
            cls.hq, cls.tf, home, number=number, person=person(), member_unit=cls.helper_org,
            hospital="安康市中心医院", registered_on=date(2020, 2, 1), **extra)[0]


__all__ = ["CareTestCase", "Helper", "TaskForce", "person"]
