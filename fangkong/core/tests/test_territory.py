"""Tests for the division loader (core.services.territory) and ``fangkong loaddivisions``.

They run on the tiny CSV data dir of test_divisions (real column layout, Ankang excerpts
plus rows of other provinces that must stay out), so they need no node_modules.
"""

from __future__ import annotations

import shutil
import tempfile
from io import StringIO
from pathlib import Path
from unittest import mock

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.test import TestCase

from fangkong.core.divisions import DATA_DIR_ENV
from fangkong.core.models import Grant, OrgUnit
from fangkong.core.services.territory import LoadResult, load_divisions
from fangkong.core.testing import FangkongTestCase, make_unit, make_user
from fangkong.core.tests.test_divisions import FIXTURE_FILES

# What the fixture holds for 安康市 down to communities, parents first.
ANKANG = {
    "610000": ("陕西省", "province", None),
    "610900": ("安康市", "city", "610000"),
    "610902": ("汉滨区", "county", "610900"),
    "610981": ("旬阳市", "county", "610900"),
    "610902002": ("新城街道", "town", "610902"),
    "610902003": ("江北街道", "town", "610902"),
    "610981001": ("城关街道", "town", "610981"),
    "610902002002": ("文昌社区", "community", "610902002"),
    "610902002004": ("朝阳社区", "community", "610902002"),
    "610902003001": ("临江社区", "community", "610902003"),
    "610902003200": ("长征村", "community", "610902003"),
}


class DataDirMixin:
    """A fresh copy of the fixture data per test, so a test may edit it."""

    def setUp(self) -> None:
        super().setUp()
        self.data_dir = Path(tempfile.mkdtemp(prefix="fk-divisions-"))
        self.addCleanup(shutil.rmtree, self.data_dir, True)
        for name, text in FIXTURE_FILES.items():
            (self.data_dir / name).write_text(text, encoding="utf-8")

    def load(self, root: str = "610900", depth: str = "community", **kwargs) -> LoadResult:
        return load_divisions(root, depth, data_dir=self.data_dir, **kwargs)

    def append_row(self, filename: str, line: str) -> None:
        with (self.data_dir / filename).open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def assert_tree_is_sound(self) -> None:
        self.assertEqual(OrgUnit.objects.find_problems(), ([], [], [], [], []))


class LoadDivisionsTest(DataDirMixin, TestCase):
    def test_it_loads_the_tree_with_everyday_names_under_the_right_parents(self) -> None:
        result = self.load()

        self.assertEqual(result, LoadResult(created=11, updated=0, unchanged=0))
        units = {u.code: u for u in OrgUnit.objects.all()}
        self.assertEqual(set(units), set(ANKANG))
        for code, (name, level, parent_code) in ANKANG.items():
            unit = units[code]
            self.assertEqual((unit.name, unit.level, unit.short_name), (name, level, ""))
            parent = OrgUnit.objects.get_parent(unit)
            self.assertEqual(parent.code if parent else None, parent_code, code)
        self.assert_tree_is_sound()

    def test_it_keeps_siblings_in_code_order(self) -> None:
        self.load()

        children = OrgUnit.objects.get_children(OrgUnit.objects.get(code="610902"))
        self.assertEqual([u.code for u in children], ["610902002", "610902003"])

    def test_it_creates_nothing_on_a_second_run(self) -> None:
        self.load()
        paths = dict(OrgUnit.objects.values_list("code", "path"))

        result = self.load()

        self.assertEqual(result, LoadResult(created=0, updated=0, unchanged=11))
        self.assertEqual(dict(OrgUnit.objects.values_list("code", "path")), paths)

    def test_it_renames_a_unit_in_place_when_the_data_renames_it(self) -> None:
        self.load()
        before = OrgUnit.objects.get(code="610902003001")
        path = self.data_dir / "villages.csv"
        path.write_text(path.read_text("utf-8").replace("临江社区居委会", "临江新区社区居委会"),
                        "utf-8")

        result = self.load()

        self.assertEqual((result.created, result.updated, result.unchanged), (0, 1, 10))
        after = OrgUnit.objects.get(code="610902003001")
        self.assertEqual(
            (after.pk, after.path, after.name), (before.pk, before.path, "临江新区社区")
        )
        self.assertEqual(OrgUnit.objects.count(), 11)

    def test_it_appends_new_divisions_after_the_existing_children(self) -> None:
        self.load(depth="town")
        self.append_row("villages.csv", '610902002001,"新建社区居委会",610902002,61,6109,610902')

        result = self.load()

        self.assertEqual((result.created, result.unchanged), (5, 7))
        town = OrgUnit.objects.get(code="610902002")
        self.assertEqual(town.numchild, 3)
        self.assertEqual(
            [u.code for u in OrgUnit.objects.get_children(town)],
            ["610902002001", "610902002002", "610902002004"],  # all new: code order
        )
        self.append_row("villages.csv", '610902002000,"后来社区居委会",610902002,61,6109,610902')
        self.load()
        last_child = OrgUnit.objects.get_children(town).last()
        self.assertEqual(last_child.code, "610902002000")  # appended after, not sorted in
        self.assertEqual(OrgUnit.objects.get(code="610902002").numchild, 4)
        self.assert_tree_is_sound()

    def test_it_loads_only_the_requested_subtree_and_its_ancestors(self) -> None:
        result = self.load("610902003")

        self.assertEqual(result.created, 6)
        self.assertEqual(
            sorted(OrgUnit.objects.values_list("code", flat=True)),
            ["610000", "610900", "610902", "610902003", "610902003001", "610902003200"],
        )
        self.load()
        self.assertEqual(OrgUnit.objects.count(), 11)
        self.assert_tree_is_sound()

    def test_it_reports_a_code_filed_under_another_parent_and_leaves_it(self) -> None:
        self.load(depth="town")
        wrong_town = OrgUnit.objects.get(code="610902002")
        misplaced = make_unit(wrong_town, "610902003001", "临江社区", "community")

        result = self.load()

        self.assertEqual(result.conflicts, ("610902003001",))
        misplaced.refresh_from_db()
        self.assertTrue(misplaced.path.startswith(wrong_town.path))
        self.assert_tree_is_sound()

    def test_a_county_subtree_is_one_query_returning_exactly_its_units(self) -> None:
        self.load()
        county = OrgUnit.objects.get(code="610902")

        with self.assertNumQueries(1):
            codes = {u.code for u in county.subtree()}

        self.assertEqual(codes, {code for code in ANKANG if code.startswith("610902")})

    def test_it_writes_an_audit_entry_per_created_unit(self) -> None:
        actor = make_user("loader-actor")

        self.load(actor=actor)

        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(OrgUnit),
            action=LogEntry.Action.CREATE,
        )
        self.assertEqual(entries.count(), 11)
        self.assertEqual(set(entries.values_list("actor", flat=True)), {actor.pk})
        wenchang = OrgUnit.objects.get(code="610902002002")
        entry = entries.get(object_pk=str(wenchang.pk))
        self.assertEqual(entry.changes["name"], ["None", "文昌社区"])

    def test_it_reads_the_data_dir_from_the_environment(self) -> None:
        with mock.patch.dict("os.environ", {DATA_DIR_ENV: str(self.data_dir)}):
            result = load_divisions("6109", "town")

        self.assertEqual(result.created, 7)

    def test_it_loads_nothing_when_the_data_lacks_the_root(self) -> None:
        from fangkong.core.divisions import DivisionNotFound

        with self.assertRaises(DivisionNotFound):
            self.load("610928")  # 旬阳县, 旬阳市 610981 since 2021
        self.assertFalse(OrgUnit.objects.exists())


class LoadDivisionsIntoAnExistingTreeTest(DataDirMixin, FangkongTestCase):
    """The personas' tree was built by hand with the same codes: the loader adopts it."""

    def test_it_adopts_units_with_the_same_code_and_keeps_their_grants(self) -> None:
        before = dict(OrgUnit.objects.values_list("code", "path"))
        grants = Grant.objects.count()

        result = self.load()

        self.assertEqual(result.conflicts, ())
        self.assertEqual(result.created, 4)  # 旬阳市, its 城关街道, 朝阳社区, 长征村
        after = dict(OrgUnit.objects.values_list("code", "path"))
        self.assertEqual({c: after[c] for c in before}, before)
        self.assertEqual(Grant.objects.count(), grants)
        xunyang = OrgUnit.objects.get(code="610981")
        self.assertEqual(OrgUnit.objects.get_parent(xunyang), self.city)
        self.assertEqual(self.city.subtree().filter(level="county").count(), 3)  # + 紫阳县
        self.assert_tree_is_sound()


class LoadDivisionsCommandTest(DataDirMixin, TestCase):
    def test_it_prints_a_one_line_summary(self) -> None:
        out = StringIO()

        call_command("loaddivisions", "--root", "610900", "--depth", "community",
                     "--data-dir", str(self.data_dir), stdout=out)
        call_command("loaddivisions", "--data-dir", str(self.data_dir), stdout=out)

        lines = out.getvalue().strip().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertIn("11", lines[0])
        self.assertEqual(OrgUnit.objects.count(), 11)

    def test_it_refuses_a_malformed_root_code(self) -> None:
        with self.assertRaises(CommandError):
            call_command("loaddivisions", "--root", "61x", "--data-dir", str(self.data_dir),
                         stdout=StringIO())
