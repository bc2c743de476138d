"""The demo logins: one per persona of PRODUCT.md §1, all with the password ``fangkong-demo``.

The core step creates them with these grants; ``fangkong demologins`` prints this table;
the README lists it. Display names are generated, nobody from the seed page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import Role

# The enterprise the liaison `qiye01` works for, and where it is registered (城关镇, 紫阳县).
LIAISON_ENTERPRISE = "zy-tea"
LIAISON_ENTERPRISE_UNIT = "610924100"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    role: str
    unit_code: str
    organisation_code: str | None
    description: Promise


LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("hq", "周建华", Role.HQ_STAFF, "610900", "hq",
              _("HQ staff (市指挥部), the whole city")),
    DemoLogin("province", "刘卫东", Role.PROVINCE_VIEWER, "610900", None,
              _("Provincial task-force viewer (省专班), the whole city, read only")),
    DemoLogin("hanbin", "王晓燕", Role.TERRITORY_STAFF, "610902", None,
              _("District staff, 汉滨区")),
    DemoLogin("ziyang", "陈国强", Role.TERRITORY_STAFF, "610924", None,
              _("County staff, 紫阳县")),
    DemoLogin("baihe", "冯秀兰", Role.TERRITORY_STAFF, "610929", None,
              _("Poverty-alleviation office staff (扶贫办), 白河县: relief funds")),
    DemoLogin("wenchang", "张丽", Role.COMMUNITY_WORKER, "610902002002", None,
              _("Community worker, 文昌社区 (新城街道, 汉滨区)")),
    DemoLogin("linjiang", "李娜", Role.COMMUNITY_WORKER, "610902003001", None,
              _("Community worker, 临江社区 (江北街道, 汉滨区)")),
    DemoLogin("gate01", "赵刚", Role.CHECKPOINT_DUTY, "610902002002", None,
              _("Checkpoint duty at a 文昌社区 checkpoint")),
    DemoLogin("shenji01", "孙海涛", Role.MEMBER_UNIT, "610900", "sjj",
              _("Liaison (联络员) of the member unit 市审计局: its own daily reports only")),
    DemoLogin("renshe01", "何静", Role.TASK_FORCE, "610900", "rsj",
              _("Coordinator of the 市人社局-led one-to-one support task force: its records "
                "city-wide")),
    DemoLogin("helper01", "杨帆", Role.HELPER, "610900", "rsj",
              _("Helper (帮扶责任人) of the 市人社局, sees only the families paired to them")),
    DemoLogin("qiye01", "黄志明", Role.ENTERPRISE_LIAISON, LIAISON_ENTERPRISE_UNIT,
              LIAISON_ENTERPRISE, _("Enterprise liaison (企业联络员) of a 紫阳县 enterprise")),
    DemoLogin("shuiwu01", "何建平", Role.UTILITY_OPERATOR, "610900", "swater",
              _("Utility operator (供水调度) of 安康水务集团: its stations, readings, duty "
                "and faults only")),
    DemoLogin("volunteer01", "吴佳怡", Role.VOLUNTEER, "610902003001", "sjj",
              _("Volunteer of the 市审计局 youth league branch, paired with 临江社区")),
    DemoLogin("zhenping01", "何晓东", Role.TERRITORY_STAFF, "610927", None,
              _("County staff, 镇坪县: runs its training courses")),
)
