"""Load the territory tree from the national division list (``core.divisions``).

The loader is an upsert keyed by division code: a code already in the tree keeps its row
(and so its path, grants and every record filed under it); its name and level follow the
data. New codes are inserted level by level with ``bulk_create`` and tree paths computed
here, because treebeard's ``add_child`` costs three queries and a row lock per node: for
Ankang down to communities (2,075 units) it took 5.9 s on SQLite, against 0.7 s in bulk
(audit entries included; reading the CSV adds 0.3 s).

Names: ``OrgUnit.name`` is the everyday name (``short_name()`` of the statistical name:
"临江社区居委会" → "临江社区"); ``OrgUnit.short_name`` is left to people (e.g. "江北办"),
the loader never writes it. Why: docs/decisions/territory.md.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import F

from fangkong.core.audit import acting_as, log_bulk_created
from fangkong.core.divisions import Division, find_data_dir, iter_divisions, short_name
from fangkong.core.models import OrgUnit

__all__ = [
    "LoadResult",
    "advisory_xact_lock",
    "load_divisions",
]

# Codes are looked up in chunks: SQLite limits the number of query parameters.
_CHUNK = 900


@dataclass(frozen=True)
class LoadResult:
    """What a load did. ``conflicts`` lists codes found under another parent (left alone)."""

    created: int
    updated: int
    unchanged: int
    conflicts: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def advisory_xact_lock(name: str) -> None:
    """Serialise writers of ``name`` until the current transaction ends.

    PostgreSQL: a transaction-level advisory lock, so two copies of a loader wait for each
    other instead of racing into unique-constraint errors. SQLite needs nothing: the
    project opens every transaction with ``BEGIN IMMEDIATE`` (settings.py), which already
    admits one writer at a time.
    """
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def load_divisions(
    root_code: str, depth: str = "town", actor: Any = None, data_dir: Path | None = None,
) -> LoadResult:
    """Upsert ``root_code``, its ancestors and its descendants down to ``depth``.

    Idempotent: a second run with the same data changes nothing. A division whose code
    already sits under a different parent is reported in ``conflicts`` and not moved —
    moving a node would change the path that scoped records copied into ``unit_path``.
    """
    # Read the file before opening the transaction: the write lock is then held only
    # for the database work.
    divisions = list(iter_divisions(data_dir or find_data_dir(), root_code, depth))
    with acting_as(actor), transaction.atomic():
        advisory_xact_lock("fangkong.territory")
        return _upsert(divisions, actor)


def _existing_by_code(codes: list[str]) -> dict[str, OrgUnit]:
    found: dict[str, OrgUnit] = {}
    for start in range(0, len(codes), _CHUNK):
        for unit in OrgUnit.objects.filter(code__in=codes[start : start + _CHUNK]):
            found[unit.code] = unit
    return found


class _PathAllocator:
    """Hands out the next free child path under a parent, as treebeard's add_child would."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def next_path(self, parent: OrgUnit | None) -> str:
        key = parent.path if parent is not None else ""
        if key not in self._next:
            self._next[key] = self._last_step(parent) + 1
        step = self._next[key]
        self._next[key] = step + 1
        path = OrgUnit._get_path(key, len(key) // OrgUnit.steplen + 1, step)
        self._next[path] = 1  # a node created here has no children in the database yet
        return path

    @staticmethod
    def _last_step(parent: OrgUnit | None) -> int:
        # Asked of the database, not of ``numchild``: one query per existing parent that
        # gains children, and right even if a counter had drifted.
        if parent is None:
            last = OrgUnit.objects.get_last_root_node()
        else:
            last = OrgUnit.objects.get_last_child(parent)
        return OrgUnit._str2int(last.path[-OrgUnit.steplen :]) if last else 0


def _upsert(divisions: list[Division], actor: Any) -> LoadResult:
    nodes = _existing_by_code([d.code for d in divisions])
    existing_codes = set(nodes)
    new_children: Counter[str] = Counter(
        d.parent_code for d in divisions if d.code not in nodes and d.parent_code
    )
    allocator = _PathAllocator()
    created = updated = unchanged = 0
    conflicts: list[str] = []

    for level_divisions in _grouped_by_level(divisions):
        fresh: list[OrgUnit] = []
        for division in level_divisions:
            parent = nodes.get(division.parent_code) if division.parent_code else None
            if division.parent_code and parent is None:
                raise ValueError(f"{division.code}: parent {division.parent_code} not loaded")
            name = short_name(division.name)
            unit = nodes.get(division.code)
            if unit is None:
                unit = OrgUnit(
                    code=division.code, name=name, level=division.level,
                    path=allocator.next_path(parent),
                    depth=parent.depth + 1 if parent is not None else 1,
                    numchild=new_children[division.code],
                )
                nodes[division.code] = unit
                fresh.append(unit)
                continue
            if unit.path[: -OrgUnit.steplen] != (parent.path if parent is not None else ""):
                conflicts.append(division.code)
                continue
            changes = {
                attr: value for attr, value in (("name", name), ("level", division.level))
                if getattr(unit, attr) != value
            }
            if changes:
                for attr, value in changes.items():
                    setattr(unit, attr, value)
                unit.save(update_fields=list(changes))  # a rename: audited by the signal
                updated += 1
            else:
                unchanged += 1
        _insert(fresh, actor)
        created += len(fresh)

    # New parents were inserted with their final numchild; existing ones are bumped.
    for parent_code, count in new_children.items():
        if parent_code in existing_codes:
            OrgUnit.objects.filter(pk=nodes[parent_code].pk).update(
                numchild=F("numchild") + count
            )
    return LoadResult(created, updated, unchanged, tuple(conflicts))


def _grouped_by_level(divisions: list[Division]) -> list[list[Division]]:
    """Groups in the order their levels first appear, which puts parents before children."""
    groups: dict[str, list[Division]] = defaultdict(list)
    for division in divisions:
        groups[division.level].append(division)
    return list(groups.values())


def _insert(fresh: list[OrgUnit], actor: Any) -> None:
    if not fresh:
        return
    OrgUnit.objects.bulk_create(fresh, batch_size=500)
    if fresh[0].pk is None:  # a backend that does not return ids from bulk inserts
        ids = dict(
            OrgUnit.objects.filter(code__in=[u.code for u in fresh]).values_list("code", "pk")
        )
        for unit in fresh:
            unit.pk = ids[unit.code]
    log_bulk_created(fresh, actor)
