"""The base test case every module's tests use: a small tree and the personas.

Tree: 陕西省 → 安康市 → 汉滨区 (county A) → 新城街道 → 文昌社区 (community A)
                       → 汉滨区 江北街道 → 临江社区 (community A2)
                    → 紫阳县 (county B) → 城关镇 → 北城社区 (community B)
Territorial personas: hq, province (read only), county_a, county_b, community_a,
community_b. Organisation and role-scoped personas (granted at a unit, for an
organisation; they see nothing through the territorial filter): member_liaison (市审计局,
a member unit), task_force (a 专班), helper (市人社局), enterprise_liaison (a 紫阳县
enterprise), volunteer (市审计局's youth league branch, at 临江社区), gate (checkpoint duty
in community A). nobody has no grant.
``PERSONAS`` names them all, for contract tests that walk every persona.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.test import TestCase

from fangkong.core.models import Grant, Organisation, OrgUnit, Person, Role
from fangkong.core.models.territory import Level, OrgKind
from fangkong.lib.identity import make_id_number

User = get_user_model()
PASSWORD = "fangkong-test-pw"


def make_unit(parent: OrgUnit | None, code: str, name: str, level: str) -> OrgUnit:
    unit = OrgUnit(code=code, name=name, level=level)
    if parent is None:
        return OrgUnit.objects.add_root(instance=unit)
    return OrgUnit.objects.add_child(OrgUnit.objects.get(pk=parent.pk), instance=unit)


def make_user(username: str, role: str | None = None, unit: OrgUnit | None = None,
              organisation: Organisation | None = None, **extra: Any):
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if role and unit:
        Grant.objects.create(user=user, role=role, org_unit=unit, organisation=organisation)
    return user


_seq = [0]


def make_person(unit: OrgUnit, name: str = "张三", birth: date = date(1985, 6, 15),
                phone: str = "13800000000", division: str = "610902", **extra: Any) -> Person:
    _seq[0] += 1
    id_number = make_id_number(division, birth, _seq[0] % 1000)
    while Person.objects.filter(id_number=id_number).exists():
        _seq[0] += 1
        id_number = make_id_number(division, birth, _seq[0] % 1000)
    return Person.objects.create(
        id_number=id_number, name=name, sex="M" if _seq[0] % 2 else "F", birth_date=birth,
        phone=phone, org_unit=unit, **extra,
    )


def make_wenchang_chain() -> tuple[OrgUnit, OrgUnit, OrgUnit, OrgUnit, OrgUnit]:
    """陕西省 → 安康市 → 汉滨区 → 新城街道 → 文昌社区 with the demo's codes (browser tests,
    which cannot use ``setUpTestData``)."""
    province = make_unit(None, "610000", "陕西省", Level.PROVINCE)
    city = make_unit(province, "610900", "安康市", Level.CITY)
    county = make_unit(city, "610902", "汉滨区", Level.COUNTY)
    town = make_unit(county, "610902002", "新城街道", Level.TOWN)
    community = make_unit(town, "610902002002", "文昌社区", Level.COMMUNITY)
    return province, city, county, town, community


def browser_log_in(page: Any, live_server: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form (not the language switch's submit button)."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")


def browser_session(page: Any, live_server: Any, user: Any) -> None:
    """Give the browser a logged-in session without going through the form."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


def run_together(work: Any, n: int = 8) -> tuple[list[Any], list[Exception]]:
    """Run ``work()`` in ``n`` threads released at once (a barrier), each on its own
    database connection; returns ``(results, errors)``. For race tests
    (``@pytest.mark.race``): the SQLite test database is a file, so threads really race."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[Exception] = []

    def attempt() -> None:
        try:
            barrier.wait()
            results.append(work())
        except Exception as exc:  # noqa: BLE001 - reported to the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


class ScopeContractMixin:
    """``assert_scoped``: a URL answers records in scope and hides the others.

    ``url`` holds ``{pk}``. Each pk in ``visible`` must answer 200. Each pk in ``hidden``
    must answer exactly what a pk that does not exist answers (404, or 403 for a user the
    page is not for at all): out of scope is indistinguishable from missing.
    """

    MISSING_PK = 2_000_000_000

    def assert_scoped(self, url: str, *, user: Any = None, visible: Any = (),
                      hidden: Any = ()) -> None:
        if user is not None:
            self.client.force_login(user)  # type: ignore[attr-defined]
        missing = self.client.get(url.format(pk=self.MISSING_PK)).status_code  # type: ignore[attr-defined]
        self.assertIn(missing, (403, 404), url)  # type: ignore[attr-defined]
        for pk in visible:
            status = self.client.get(url.format(pk=pk)).status_code  # type: ignore[attr-defined]
            self.assertEqual(status, 200, f"{url} pk={pk}: in scope")  # type: ignore[attr-defined]
        for pk in hidden:
            status = self.client.get(url.format(pk=pk)).status_code  # type: ignore[attr-defined]
            self.assertEqual(status, missing, f"{url} pk={pk}: out of scope")  # type: ignore[attr-defined]


class FangkongTestCase(TestCase):
    """Personas and a tree; subclasses add their module's records in setUpTestData."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.province_unit = make_unit(None, "610000", "陕西省", Level.PROVINCE)
        cls.city = make_unit(cls.province_unit, "610900", "安康市", Level.CITY)
        cls.county_a_unit = make_unit(cls.city, "610902", "汉滨区", Level.COUNTY)
        cls.town_a = make_unit(cls.county_a_unit, "610902002", "新城街道", Level.TOWN)
        cls.community_a_unit = make_unit(cls.town_a, "610902002002", "文昌社区", Level.COMMUNITY)
        cls.town_a2 = make_unit(cls.county_a_unit, "610902003", "江北街道", Level.TOWN)
        cls.community_a2_unit = make_unit(cls.town_a2, "610902003001", "临江社区",
                                          Level.COMMUNITY)
        cls.county_b_unit = make_unit(cls.city, "610924", "紫阳县", Level.COUNTY)
        cls.town_b = make_unit(cls.county_b_unit, "610924100", "城关镇", Level.TOWN)
        cls.community_b_unit = make_unit(cls.town_b, "610924100001", "北城社区",
                                         Level.COMMUNITY)
        cls.hq_org = Organisation.objects.create(
            code="hq", name="安康市疫情防控指挥部", kind=OrgKind.HQ, org_unit=cls.city)

        cls.member_org = Organisation.objects.create(
            code="sjj", name="安康市审计局", kind=OrgKind.DEPARTMENT, is_member_unit=True,
            org_unit=cls.city)
        cls.task_force_org = Organisation.objects.create(
            code="zb-yl", name="医疗救治专班", kind=OrgKind.DEPARTMENT, org_unit=cls.city)
        cls.helper_org = Organisation.objects.create(
            code="rsj", name="安康市人社局", kind=OrgKind.DEPARTMENT, is_member_unit=True,
            org_unit=cls.city)
        cls.enterprise = Organisation.objects.create(
            code="zy-tea", name="紫阳县富硒茶业有限公司", kind=OrgKind.ENTERPRISE,
            org_unit=cls.town_b)

        cls.hq = make_user("hq", Role.HQ_STAFF, cls.city)
        cls.province = make_user("province", Role.PROVINCE_VIEWER, cls.city)
        cls.county_a = make_user("hanbin", Role.TERRITORY_STAFF, cls.county_a_unit)
        cls.county_b = make_user("ziyang", Role.TERRITORY_STAFF, cls.county_b_unit)
        cls.community_a = make_user("wenchang", Role.COMMUNITY_WORKER, cls.community_a_unit)
        cls.community_b = make_user("beicheng", Role.COMMUNITY_WORKER, cls.community_b_unit)
        cls.gate = make_user("gate01", Role.CHECKPOINT_DUTY, cls.community_a_unit)
        cls.helper = make_user("helper01", Role.HELPER, cls.city, organisation=cls.helper_org)
        cls.member_liaison = make_user("shenji01", Role.MEMBER_UNIT, cls.city,
                                       organisation=cls.member_org)
        cls.task_force = make_user("zhuanban01", Role.TASK_FORCE, cls.city,
                                   organisation=cls.task_force_org)
        cls.enterprise_liaison = make_user("qiye01", Role.ENTERPRISE_LIAISON, cls.town_b,
                                           organisation=cls.enterprise)
        cls.volunteer = make_user("volunteer01", Role.VOLUNTEER, cls.community_a2_unit,
                                  organisation=cls.member_org)
        cls.nobody = make_user("nobody")

    #: Every persona's attribute name, territorial first (for contract tests).
    PERSONAS = ("hq", "province", "county_a", "county_b", "community_a", "community_b",
                "member_liaison", "task_force", "helper", "enterprise_liaison", "volunteer",
                "gate", "nobody")

    def setUp(self) -> None:
        super().setUp()
        # The home page caches which cards are relevant where; a rolled-back test's
        # records must not leave their answer behind (``dashboard_cards``).
        from fangkong.core.services.dashboard_cards import clear_relevance

        clear_relevance()

    def login(self, user) -> None:
        self.client.force_login(user)
