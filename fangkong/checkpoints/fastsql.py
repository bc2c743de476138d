"""Lean SQL for the passage hot path.

Measured on this machine (docs/performance.md, "Checkpoint passages"), compiling a Django
ORM query costs several times more than SQLite or PostgreSQL take to run it, and a
passage needed about ten statements: the ORM version of the endpoint ran at a tenth of a
minimal insert view. These helpers read everything a passage needs in one statement
(``token_passage_context``) and write it in one on PostgreSQL (``write_passage``), from
SQL written once per model (cached), with values converted by the model fields
themselves (``get_db_prep_save``), so types, time zones and UUIDs come out exactly as the
ORM would store them. Only the hot path uses them; every other write goes through the
ORM. Why each choice: docs/decisions/checkpoints.md.

The rules they apply are not restated here but derived from the one place that states
them (roles and capabilities from ``core.models.accounts``, token validity from
``ApiToken``); tests check that these answers equal the ORM's (tests/test_fastsql.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date
from functools import cache
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone

from fangkong.core.api.auth import LAST_USED_RESOLUTION_SECONDS
from fangkong.core.audit import create_diff
from fangkong.core.models import ApiToken, Grant, OrgUnit
from fangkong.core.models.accounts import Role


def _db() -> Any:
    """The default connection itself: every attribute read through the ``connection``
    proxy costs a context-local lookup, about 20 per passage otherwise."""
    return connections[DEFAULT_DB_ALIAS]


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _insert_sql(model: type[models.Model], vendor: str,
                with_pk: bool = False) -> tuple[str, tuple[Any, ...]]:
    """``INSERT … RETURNING pk`` of every concrete field (the pk too when ``with_pk``)."""
    fields = tuple(f for f in model._meta.concrete_fields if with_pk or not f.primary_key)
    columns = ", ".join(_qn(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    returning = f" RETURNING {_qn(model._meta.pk.column)}"
    return (f"INSERT INTO {_qn(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
            f"{returning}", fields)


#: Field classes whose database value, for a Python value of the listed exact types, is
#: the value itself: their ``get_prep_value`` is ``str(v)``, ``int(v)`` or ``bool(v)`` and
#: nothing else converts it. Skipping the generic ``get_db_prep_save`` for these saves about
#: a quarter of an insert's cost. A subclass that changes any conversion is not matched.
_SAME_VALUE_TYPES: tuple[tuple[type[models.Field], tuple[type, ...]], ...] = (
    (models.CharField, (str,)),
    (models.TextField, (str,)),
    (models.BooleanField, (bool,)),
    (models.IntegerField, (int,)),
)
_AUTO_FIELDS = (models.AutoField, models.BigAutoField, models.SmallAutoField)


def _same_value_types(field: models.Field, vendor: str) -> tuple[type, ...]:
    cls = type(field)
    if isinstance(field, _AUTO_FIELDS):
        # AutoFieldMixin only adds ``validate_autopk_value``, a no-op on both backends.
        return (int,) if vendor in ("sqlite", "postgresql") else ()
    for base, types in _SAME_VALUE_TYPES:
        if (isinstance(field, base) and cls.get_prep_value is base.get_prep_value
                and cls.get_db_prep_value is models.Field.get_db_prep_value
                and cls.get_db_prep_save is models.Field.get_db_prep_save):
            return types
    return ()


@cache
def _preparers(model: type[models.Model], vendor: str,
               with_pk: bool = False) -> tuple[tuple[Any, ...], ...]:
    """(field, attname, types stored as they are, needs ``pre_save``) per inserted field."""
    _sql, fields = _insert_sql(model, vendor, with_pk)
    plan = []
    for f in fields:
        same = _same_value_types(f.target_field if f.is_relation else f, vendor)
        if f.is_relation and type(f).get_db_prep_save is not models.ForeignKey.get_db_prep_save:
            same = ()
        needs_pre_save = type(f).pre_save is not models.Field.pre_save
        plan.append((f, f.attname, same, needs_pre_save))
    return tuple(plan)


def insert_values(obj: models.Model, with_pk: bool = False) -> list[Any]:
    """The database values of ``obj``'s inserted fields, as the ORM would send them
    (defaults and ``auto_now`` applied through ``pre_save``)."""
    db = _db()
    values = []
    for f, attname, same, needs_pre_save in _preparers(type(obj), db.vendor, with_pk):
        value = f.pre_save(obj, True) if needs_pre_save else getattr(obj, attname)
        if value is None or type(value) in same:
            values.append(value)
        else:
            values.append(f.get_db_prep_save(value, db))
    return values


def execute(sql: str, params: list[Any], fetch: str = "one") -> Any:
    """Run one hot-path statement; ``fetch`` is "one", "all" or "" (nothing).

    On PostgreSQL with prepared statements enabled (settings: ``prepare_threshold``), as a
    server-side prepared statement: parsing and planning these statements cost about
    three times their execution, every request. The statement goes through the same
    connection, health check, transaction state and error translation as Django's
    cursors (so a unique violation is ``django.db.IntegrityError``), but Django's query
    log does not list it."""
    db = _db()
    if db.vendor == "postgresql":
        db.close_if_health_check_failed()
        db.ensure_connection()
        if db.connection.prepare_threshold is not None:
            return _execute_prepared(sql, params, fetch)
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return _fetch(cursor, fetch)


def _execute_prepared(sql: str, params: list[Any], fetch: str) -> Any:
    import psycopg

    db = _db()
    db.validate_no_broken_transaction()
    with db.wrap_database_errors, psycopg.Cursor(db.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return _fetch(cursor, fetch)


def _fetch(cursor: Any, fetch: str) -> Any:
    if fetch == "one":
        return cursor.fetchone()
    if fetch == "all":
        return cursor.fetchall()
    return None


def _saved(obj: models.Model, pk: Any) -> Any:
    db = _db()
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = db.alias
    return pk


def insert(obj: models.Model) -> int:
    """INSERT ``obj`` (all concrete fields, defaults and auto_now applied), set and return
    its primary key. No signals are sent: callers write their own audit entry."""
    db = _db()
    sql, _fields = _insert_sql(type(obj), db.vendor)
    return _saved(obj, execute(sql, insert_values(obj))[0])


def select_one(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    return execute(sql, params)


def audit_entry(obj: models.Model, actor: Any) -> LogEntry:
    """The django-auditlog "create" entry its signal would have written for ``obj``."""
    context = auditlog_value.get(None) or {}
    return LogEntry(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_pk=str(obj.pk), object_id=obj.pk, object_repr=str(obj)[:500],
        action=LogEntry.Action.CREATE, changes=create_diff(obj),
        changes_text="", actor_id=getattr(actor, "pk", None),
        actor_email=getattr(actor, "email", None) or None,
        cid=get_cid(), remote_addr=context.get("remote_addr"),
        remote_port=context.get("remote_port"),
    )


def log_create(obj: models.Model, actor: Any) -> None:
    """Write ``audit_entry(obj, actor)``."""
    insert(audit_entry(obj, actor))


# --- auth and scope --------------------------------------------------------------------


def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _user_from_row(row: tuple[Any, ...], now: Any) -> Any:
    token_id, last_used, user_id, username, email, superuser = row
    if isinstance(last_used, str):
        last_used = ApiToken._meta.get_field("last_used_at").to_python(last_used)
    if last_used is not None and timezone.is_naive(last_used):
        last_used = last_used.replace(tzinfo=UTC)
    if last_used is None or (now - last_used).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    user = get_user_model()(pk=user_id, username=username, email=email,
                            is_superuser=bool(superuser), is_active=True)
    user._state.adding = False
    return user


CHECKPOINT_COLUMNS = "c.id, c.name, c.kind, c.is_active, c.org_unit_id, c.unit_path, c.public_key"


def _day_value(day: date) -> Any:
    from fangkong.checkpoints.models import DutyRoster

    return DutyRoster._meta.get_field("day").get_db_prep_value(day, _db())


def _checkpoint_from_row(row: tuple[Any, ...]) -> Any:
    """A ``Checkpoint`` from the ``CHECKPOINT_COLUMNS`` at the start of ``row``."""
    from fangkong.checkpoints.models import Checkpoint

    checkpoint = Checkpoint(pk=row[0], name=row[1], kind=row[2], is_active=bool(row[3]),
                            org_unit_id=row[4], unit_path=row[5], public_key=row[6])
    checkpoint._state.adding = False
    return checkpoint


@cache
def _checkpoint_sql() -> str:
    from fangkong.checkpoints.models import Checkpoint, DutyRoster

    return (
        f"SELECT {CHECKPOINT_COLUMNS}, EXISTS (SELECT 1 FROM "
        f"{_qn(DutyRoster._meta.db_table)} r WHERE r.checkpoint_id = c.id AND r.user_id = %s "
        f"AND r.day = %s) FROM {_qn(Checkpoint._meta.db_table)} c WHERE c.id = %s"
    )


def checkpoint_for_passage(user: Any, pk: int, today: date | None = None) -> Any | None:
    """The checkpoint ``pk`` if ``user`` may register passages there: the checkpoint and
    whether the user is rostered on it today in one statement, the rule
    (``Checkpoint.may_register``) applied to the user's cached scope. Planning a query
    that decided the scope in SQL cost PostgreSQL 2 ms a request; this one plans in
    microseconds."""
    from fangkong.checkpoints.models import Checkpoint
    from fangkong.core.scoping import scope_for

    today = today or timezone.localdate()
    row = select_one(_checkpoint_sql(), [user.pk, _day_value(today), pk])
    if row is None or not Checkpoint.may_register(scope_for(user), row[5], bool(row[7])):
        return None
    return _checkpoint_from_row(row)


@cache
def _token_parts() -> tuple[str, str]:
    """(select list, FROM … WHERE …) of the token statement: the token, its user and
    the user's grants, one row per grant."""
    user = get_user_model()
    user_pk = f"u.{_qn(user._meta.pk.column)}"
    return (
        f"t.id, t.last_used_at, {user_pk}, u.username, u.email, u.is_superuser, "
        "g.role, g.org_unit_id, ou.path, ou.level, g.organisation_id, ou.name",
        f"FROM {_qn(ApiToken._meta.db_table)} t "
        f"JOIN {_qn(user._meta.db_table)} u ON {user_pk} = t.user_id "
        f"LEFT JOIN {_qn(Grant._meta.db_table)} g ON g.user_id = {user_pk} "
        f"LEFT JOIN {_qn(OrgUnit._meta.db_table)} ou ON ou.id = g.org_unit_id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s "
        "AND u.is_active = %s",
    )


TOKEN_COLUMNS = 12


def _token_params(raw: str, now: Any) -> list[Any]:
    db = _db()
    expires = ApiToken._meta.get_field("expires_at").get_db_prep_value(now, db)
    return [_key_hash(raw), expires, True]


def _token_user_from_rows(rows: list[tuple[Any, ...]], now: Any) -> Any:
    from fangkong.core.scoping import GrantInfo, Scope

    user = _user_from_row(rows[0][:6], now)
    user._fangkong_scope = Scope(superuser=user.is_superuser, grants=[
        GrantInfo(role=role, unit_id=unit_id, path=path, unit_level=level,
                  organisation_id=organisation_id,
                  capabilities=Role.capabilities_of(role), unit_name=unit_name)
        for role, unit_id, path, level, organisation_id, unit_name in (
            row[6:TOKEN_COLUMNS] for row in rows)
        if role is not None
    ])
    return user


def token_user(raw: str) -> Any | None:
    """The active user of an active token (``ApiToken.lookup``'s rules, ``last_used_at``
    refreshed like ``BearerTokenAuthentication``), with its grants read in the same
    statement and cached on it as ``core.scoping.scope_for`` caches them."""
    now = timezone.now()
    columns, source = _token_parts()
    rows = execute(f"SELECT {columns} {source}", _token_params(raw, now), fetch="all")
    return _token_user_from_rows(rows, now) if rows else None


@dataclass
class PassageContext:
    """What registering one passage reads, in one statement (``passage_context``)."""

    checkpoint: Any | None  # None: no such checkpoint, or not the user's to register at
    existing_id: int | None  # a passage with this client_id (a retry)
    person: tuple[Any, ...] | None  # (id, name, phone, address, unit_path) by ID number
    next_id: int | None  # PostgreSQL: the new passage's id, drawn from its sequence


@cache
def _passage_sequence() -> str:
    from fangkong.checkpoints.models import Passage

    return execute("SELECT pg_get_serial_sequence(%s, %s)",
                   [Passage._meta.db_table, Passage._meta.pk.column])[0]


CONTEXT_NAMES = (
    "cp_id, cp_name, cp_kind, cp_active, cp_unit_id, cp_path, cp_key, existing_id, "
    "person_id, person_name, person_phone, "
    "person_address, person_path, next_id"
)


@cache
def _context_cte(vendor: str) -> str:
    """``ctx``: the checkpoint, a passage with the key, the person and
    (PostgreSQL) the next passage id, in one row whatever exists. Parameters: key,
    checkpoint id, ID number."""
    from fangkong.checkpoints.models import Checkpoint, Passage
    from fangkong.core.models import Person

    next_id, materialized = "NULL", ""
    if vendor == "postgresql":
        # Drawn only when the checkpoint exists, so that the write needs no second round
        # trip to learn the id its audit entry records (a CASE is evaluated lazily; a
        # materialised WITH once).
        next_id = f"CASE WHEN c.id IS NOT NULL THEN nextval('{_passage_sequence()}') END"
        materialized = "MATERIALIZED "
    return (
        f"ctx ({CONTEXT_NAMES}) AS {materialized}(SELECT {CHECKPOINT_COLUMNS}, "
        f"(SELECT id FROM {_qn(Passage._meta.db_table)} WHERE client_id = %s), "
        f"p.id, p.name, p.phone, p.address, p.unit_path, {next_id} "
        "FROM (SELECT 1 AS one) AS one "
        f"LEFT JOIN {_qn(Checkpoint._meta.db_table)} c ON c.id = %s "
        f"LEFT JOIN {_qn(Person._meta.db_table)} p ON p.id_number = %s)"
    )


def _rostered_sql(user_id: str) -> str:
    """Whether ``user_id`` (a placeholder or a column) is on ctx's roster on the day."""
    from fangkong.checkpoints.models import DutyRoster

    return (f"EXISTS (SELECT 1 FROM {_qn(DutyRoster._meta.db_table)} dr WHERE "
            f"dr.checkpoint_id = ctx.cp_id AND dr.user_id = {user_id} AND dr.day = %s)")


@cache
def _context_sql(vendor: str) -> str:
    return f"WITH {_context_cte(vendor)} SELECT ctx.*, {_rostered_sql('%s')} FROM ctx"


@cache
def _token_context_sql(vendor: str) -> str:
    user_pk = f"u.{_qn(get_user_model()._meta.pk.column)}"
    columns, source = _token_parts()
    return (f"WITH {_context_cte(vendor)} SELECT {columns}, ctx.*, "
            f"{_rostered_sql(user_pk)} {source.replace('WHERE', 'CROSS JOIN ctx WHERE', 1)}")


def _context_params(client_id: Any, checkpoint_pk: int, id_number: str) -> list[Any]:
    db = _db()
    from fangkong.checkpoints.models import Passage

    key = Passage._meta.get_field("client_id").get_db_prep_value(client_id, db)
    return [key, checkpoint_pk, id_number]


def passage_context(user: Any, checkpoint_pk: int, client_id: Any, id_number: str, *,
                    check_scope: bool = True, today: date | None = None) -> PassageContext:
    """Everything a new passage needs to read, in one statement: the checkpoint and
    whether ``user`` is rostered on it today (the rule, ``Checkpoint.may_register``,
    applied to the user's cached scope unless ``check_scope`` is false: a
    self-registration has no user), the id of a passage with this key (a retry), the
    person with this ID number and, on PostgreSQL, the new passage's id. (The screening
    rule is read by ``services.screening.screening_rule`` for the passage's day.)"""
    db = _db()
    row = select_one(_context_sql(db.vendor), [
        *_context_params(client_id, checkpoint_pk, id_number), getattr(user, "pk", None),
        _day_value(today or timezone.localdate()),
    ])
    return _context_from_row(row, user if check_scope else None)


def token_passage_context(raw: str, checkpoint_pk: int, client_id: Any, id_number: str, *,
                          today: date | None = None) -> tuple[Any, PassageContext | None]:
    """``token_user(raw)`` and ``passage_context(that user, …)`` in one statement: one
    round trip fewer for the API (on PostgreSQL each costs about as much as the
    statement). ``(None, None)`` for an unknown, expired or revoked token."""
    db = _db()
    now = timezone.now()
    rows = execute(_token_context_sql(db.vendor), [
        *_context_params(client_id, checkpoint_pk, id_number),
        _day_value(today or timezone.localdate()), *_token_params(raw, now),
    ], fetch="all")
    if not rows:
        return None, None
    user = _token_user_from_rows(rows, now)
    return user, _context_from_row(rows[0][TOKEN_COLUMNS:], user)


def _context_from_row(row: tuple[Any, ...], user: Any) -> PassageContext:
    """``user`` None: no scope check (self-registration)."""
    from fangkong.checkpoints.models import Checkpoint
    from fangkong.core.scoping import scope_for

    checkpoint = None
    if row[0] is not None and (user is None or Checkpoint.may_register(
            scope_for(user), row[5], bool(row[14]))):
        checkpoint = _checkpoint_from_row(row)
    return PassageContext(checkpoint=checkpoint, existing_id=row[7],
                          person=row[8:13] if row[8] is not None else None,
                          next_id=row[13])


# --- the writes ------------------------------------------------------------------------


def daily_upsert(checkpoint_id: int, unit_path: str, day: date,
                 counts: dict[str, int]) -> tuple[str, list[Any]]:
    """``INSERT … ON CONFLICT … DO UPDATE`` adding ``counts`` to a checkpoint's row for
    ``day`` (SQLite ≥ 3.24 and PostgreSQL alike): no read-modify-write, so concurrent
    passages at one checkpoint never lose a count."""
    from fangkong.checkpoints.models import PassageDaily

    table = _qn(PassageDaily._meta.db_table)
    columns = PassageDaily.COUNTERS
    sql = (
        f"INSERT INTO {table} (checkpoint_id, unit_path, day, {', '.join(columns)}) "
        f"VALUES (%s, %s, %s, {', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT (checkpoint_id, day) DO UPDATE SET "
        + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
    )
    return sql, [checkpoint_id, unit_path, _day_value(day),
                 *(counts.get(c, 0) for c in columns)]


def write_passage(passage: Any, actor: Any, counts: dict[str, int] | None,
                  next_id: int | None = None) -> int:
    """Insert ``passage``, its audit entry and (``counts``) its day's counters; set and
    return its id. On PostgreSQL with ``next_id`` (from ``passage_context``) the three
    writes are one statement (data-modifying ``WITH``), atomic by itself: one round trip
    instead of five with BEGIN and COMMIT. Elsewhere they are three statements, which the
    caller runs in a transaction."""
    db = _db()
    if next_id is not None and db.vendor == "postgresql":
        _saved(passage, next_id)
        sql, _fields = _insert_sql(type(passage), db.vendor, True)
        params = insert_values(passage, with_pk=True)
        entry = audit_entry(passage, actor)
        audit_sql, _fields = _insert_sql(LogEntry, db.vendor)
        parts = [f"p AS ({sql})", f"a AS ({audit_sql})"]
        params += insert_values(entry)
        if counts is not None:
            daily_sql, daily_params = daily_upsert(passage.checkpoint_id, passage.unit_path,
                                                   passage.day, counts)
            parts.append(f"d AS ({daily_sql})")
            params += daily_params
        execute(f"WITH {', '.join(parts)} SELECT id FROM p", params)
        return next_id
    insert(passage)
    log_create(passage, actor)
    if counts is not None:
        execute(*daily_upsert(passage.checkpoint_id, passage.unit_path, passage.day, counts),
                fetch="")
    return passage.pk
