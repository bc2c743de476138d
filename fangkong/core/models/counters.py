"""Daily counters: figures that indicators read as one row per key and day.

A module that counts something per day (passages at a checkpoint, visits of a care
worker, stock issued by a depot) declares a concrete subclass of ``DailyCounter`` with
its key fields, its ``PositiveIntegerField`` counters, the tuple ``KEY`` and a unique
constraint on it. The module's service adds to a day with ``bump`` in the transaction
that writes the record counted; indicators answer "how many in this unit's subtree on
that day (or up to it)" with ``total``, reading a few rows instead of scanning records
(ARCHITECTURE.md, "Counting fast").

``bump`` is one ``INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n``
statement on SQLite (≥ 3.24) and PostgreSQL alike: no read-modify-write, so concurrent
writers never lose a count and the first bump of a day needs no separate insert. Django
cannot say this (``bulk_create(update_conflicts=True)`` replaces values, it does not add
them), so the statement is written here, once, from the model's metadata; it is the one
hand-written write of the kit.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, ClassVar

from django.core import checks
from django.db import connections, models, router
from django.db.models import Sum

__all__ = ["DailyCounter"]


class DailyCounter(models.Model):
    """Counters per ``KEY`` (which ends with ``day``), filed under a unit path.

    ``unit_path`` is stored with the row (the path of the unit the key belongs to) so that
    ``total`` filters a subtree without a join; it is not part of the key.
    """

    unit_path = models.CharField(max_length=64)
    day = models.DateField()

    #: The fields a row is unique on, e.g. ``("checkpoint", "day")``; the subclass declares
    #: a ``UniqueConstraint`` on exactly these (checked at start-up).
    KEY: ClassVar[tuple[str, ...]] = ("day",)

    class Meta:
        abstract = True

    # --- writing ---------------------------------------------------------------------

    @classmethod
    def counter_names(cls) -> tuple[str, ...]:
        """The counters: every ``PositiveIntegerField`` of the model, in declaration
        order."""
        return _counter_names(cls)

    @classmethod
    def bump(cls, key: Mapping[str, Any], **counts: int) -> None:
        """Add ``counts`` (counter name → amount) to the row of ``key``, creating it.

        ``key`` gives every field of ``KEY`` (a model instance or a primary key for a
        foreign key) and ``unit_path``. Counters not named start at 0 and are left alone.
        Call it inside the transaction that writes what is counted, so the count and the
        record commit or roll back together.
        """
        unknown = set(counts) - set(cls.counter_names())
        if unknown:
            raise ValueError(f"{cls.__name__} has no counters {sorted(unknown)}")
        missing = {*cls.KEY, "unit_path"} - set(key)
        if missing:
            raise ValueError(f"{cls.__name__}.bump needs {sorted(missing)} in its key")
        alias = router.db_for_write(cls)
        connection = connections[alias]
        names = tuple(counts)
        sql, fields = _upsert_sql(cls, connection.vendor, names)
        values = {**key, **counts}
        params = [_db_value(f, values.get(f.name, 0), connection) for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    # --- reading ---------------------------------------------------------------------

    @classmethod
    def total(cls, unit_or_path: Any, day: Any, *fields: str,
              cumulative: bool = False) -> int:
        """The sum of ``fields`` over the subtree of ``unit_or_path`` (an ``OrgUnit`` or a
        path) on ``day``, or on every day up to it when ``cumulative``."""
        from fangkong.core.scoping import subtree_q

        path = unit_or_path if isinstance(unit_or_path, str) else unit_or_path.path
        qs = cls._default_manager.filter(subtree_q("unit_path", path))
        qs = qs.filter(day__lte=day) if cumulative else qs.filter(day=day)
        totals = qs.aggregate(**{f"total_{f}": Sum(f) for f in fields})
        return sum(value or 0 for value in totals.values())

    # --- checks ----------------------------------------------------------------------

    @classmethod
    def check(cls, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if cls._meta.abstract:
            return errors
        key = {cls._meta.get_field(name).name for name in cls.KEY}
        if not any(isinstance(c, models.UniqueConstraint) and set(c.fields) == key
                   and c.condition is None for c in cls._meta.constraints):
            errors.append(checks.Error(
                f"{cls.__name__}.KEY {cls.KEY} needs a UniqueConstraint on exactly these "
                "fields: bump's ON CONFLICT names it.", obj=cls, id="fangkong.E101",
            ))
        if not cls.counter_names():
            errors.append(checks.Error(f"{cls.__name__} declares no PositiveIntegerField "
                                       "counters.", obj=cls, id="fangkong.E102"))
        return errors


@cache
def _counter_names(model: type[DailyCounter]) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields
                 if isinstance(f, models.PositiveIntegerField))


@cache
def _upsert_sql(model: type[DailyCounter], vendor: str,
                bumped: tuple[str, ...]) -> tuple[str, tuple[models.Field, ...]]:
    """The upsert adding to ``bumped`` and the fields its placeholders stand for."""
    meta = model._meta
    qn = connections[router.db_for_write(model)].ops.quote_name
    key = [meta.get_field(name) for name in model.KEY]
    fields = (*key, meta.get_field("unit_path"),
              *(meta.get_field(name) for name in model.counter_names()))
    table = qn(meta.db_table)
    adds = ", ".join(f"{qn(f.column)} = {table}.{qn(f.column)} + excluded.{qn(f.column)}"
                     for f in (meta.get_field(name) for name in bumped))
    on_conflict = "DO UPDATE SET " + adds if adds else "DO NOTHING"
    sql = (
        f"INSERT INTO {table} ({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({', '.join(qn(f.column) for f in key)}) {on_conflict}"
    )
    return sql, fields


def _db_value(field: models.Field, value: Any, connection: Any) -> Any:
    """``value`` as the ORM would send it for ``field`` (a foreign key takes an instance
    or its primary key)."""
    if field.is_relation:
        if isinstance(value, models.Model):
            value = value.pk
        field = field.target_field
    return field.get_db_prep_save(value, connection)
