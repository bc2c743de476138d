"""Lean SQL for the passage hot path.

Measured on this machine (docs/performance.md, "Checkpoint passages"), compiling a Django
ORM query costs several times more than SQLite or PostgreSQL take to run it, and a
passage needs about ten statements: the ORM version of the endpoint ran at a tenth of a
minimal insert view. These helpers issue the same statements from SQL written once per
model (cached), with values converted by the model fields themselves
(``get_db_prep_save``), so types, time zones and UUIDs come out exactly as the ORM would
store them. Only the hot path uses them; every other write goes through the ORM.

The rules they apply are not restated here but derived from the one place that states
them (roles and capabilities from ``core.models.accounts``, token validity from
``ApiToken``); tests check that these answers equal the ORM's (tests/test_fastsql.py).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date
from functools import cache
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone

from fangkong.core.api.auth import LAST_USED_RESOLUTION_SECONDS
from fangkong.core.audit import create_diff
from fangkong.core.models import ApiToken, Grant, OrgUnit
from fangkong.core.models.accounts import Role


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _insert_sql(model: type[models.Model], vendor: str) -> tuple[str, tuple[Any, ...]]:
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    columns = ", ".join(_qn(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    returning = f" RETURNING {_qn(model._meta.pk.column)}"
    return (f"INSERT INTO {_qn(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
            f"{returning}", fields)


def execute(sql: str, params: list[Any], fetch: str = "one") -> Any:
    """Run one hot-path statement; ``fetch`` is "one", "all" or "" (nothing)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _fetch(cursor, fetch)


def _fetch(cursor: Any, fetch: str) -> Any:
    if fetch == "one":
        return cursor.fetchone()
    if fetch == "all":
        return cursor.fetchall()
    return None


def insert(obj: models.Model) -> int:
    """INSERT ``obj`` (all concrete fields, defaults and auto_now applied), set and return
    its primary key. No signals are sent: callers write their own audit entry."""
    sql, fields = _insert_sql(type(obj), connection.vendor)
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    pk = execute(sql, values)[0]
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias
    return pk


def select_one(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    return execute(sql, params)


def log_create(obj: models.Model, actor: Any) -> None:
    """The django-auditlog "create" entry its signal would have written for ``obj``."""
    context = auditlog_value.get({})
    actor_id = getattr(actor, "pk", None)
    entry = LogEntry(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_pk=str(obj.pk), object_id=obj.pk, object_repr=str(obj)[:500],
        action=LogEntry.Action.CREATE, changes=create_diff(obj),
        changes_text="", actor_id=actor_id, actor_email=getattr(actor, "email", None) or None,
        cid=get_cid(), remote_addr=context.get("remote_addr"),
        remote_port=context.get("remote_port"),
    )
    insert(entry)


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

    return DutyRoster._meta.get_field("day").get_db_prep_value(day, connection)


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
    cp = Checkpoint(pk=row[0], name=row[1], kind=row[2], is_active=bool(row[3]),
                    org_unit_id=row[4], unit_path=row[5], public_key=row[6])
    cp._state.adding = False
    return cp


@cache
def _token_sql() -> str:
    user = get_user_model()
    user_pk = f"u.{_qn(user._meta.pk.column)}"
    return (
        f"SELECT t.id, t.last_used_at, {user_pk}, u.username, u.email, u.is_superuser, "
        "g.role, g.org_unit_id, ou.path, ou.level, g.organisation_id, ou.name "
        f"FROM {_qn(ApiToken._meta.db_table)} t "
        f"JOIN {_qn(user._meta.db_table)} u ON {user_pk} = t.user_id "
        f"LEFT JOIN {_qn(Grant._meta.db_table)} g ON g.user_id = {user_pk} "
        f"LEFT JOIN {_qn(OrgUnit._meta.db_table)} ou ON ou.id = g.org_unit_id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s "
        "AND u.is_active = %s"
    )


def token_user(raw: str) -> Any | None:
    """The active user of an active token (``ApiToken.lookup``'s rules, ``last_used_at``
    refreshed like ``BearerTokenAuthentication``), with its grants read in the same
    statement and cached on it as ``core.scoping.scope_for`` caches them."""
    from fangkong.core.scoping import GrantInfo, Scope

    now = timezone.now()
    expires = ApiToken._meta.get_field("expires_at").get_db_prep_value(now, connection)
    rows = execute(_token_sql(), [_key_hash(raw), expires, True], fetch="all")
    if not rows:
        return None
    user = _user_from_row(rows[0][:6], now)
    user._fangkong_scope = Scope(superuser=user.is_superuser, grants=[
        GrantInfo(role=role, unit_id=unit_id, path=path, unit_level=level,
                  organisation_id=organisation_id,
                  capabilities=Role.capabilities_of(role), unit_name=unit_name)
        for *_user, role, unit_id, path, level, organisation_id, unit_name in rows
        if role is not None
    ])
    return user


@cache
def _prefetch_sql() -> str:
    from fangkong.checkpoints.models import Passage, ScreeningRule
    from fangkong.core.models import Person

    return (
        f"SELECT (SELECT id FROM {_qn(Passage._meta.db_table)} WHERE client_id = %s), "
        "r.version, r.fever_threshold, r.watched_provinces, "
        "p.id, p.name, p.phone, p.address, p.unit_path "
        "FROM (SELECT 1 AS one) AS one "
        f"LEFT JOIN (SELECT version, fever_threshold, watched_provinces FROM "
        f"{_qn(ScreeningRule._meta.db_table)} ORDER BY version DESC LIMIT 1) r ON 1 = 1 "
        f"LEFT JOIN {_qn(Person._meta.db_table)} p ON p.id_number = %s"
    )


def prefetch(client_id: Any, id_number: str) -> tuple[int | None, Any, tuple | None]:
    """What a new passage needs to read, in one statement: the id of a passage with this
    key (a retry), the screening rule in force, and the person with this ID number
    ``(id, name, phone, address, unit_path)``."""
    from fangkong.checkpoints.models import Passage, ScreeningRule

    key = Passage._meta.get_field("client_id").get_db_prep_value(client_id, connection)
    row = select_one(_prefetch_sql(), [key, id_number])
    existing, version, threshold, provinces = row[:4]
    if version is None:
        rule = ScreeningRule(version=0)
    else:
        field = ScreeningRule._meta.get_field("fever_threshold")
        rule = ScreeningRule(version=version, fever_threshold=field.to_python(threshold),
                             watched_provinces=provinces)
    person = row[4:] if row[4] is not None else None
    return existing, rule, person
