"""Limits on what anyone may submit without an account.

The QR self-registration page and the residents' tip form take submissions from anyone
with the link. A limit per client address and one per target stop a script from
flooding a checkpoint's pending list or a community's tips, while a family
registering its members on one phone, or a busy gate at shift change, stays well within
them. Counts are kept in the database (``RateCounter``) in fixed windows, one upsert per
hit, so all workers share them.

Addresses behind carrier-grade NAT are shared by many phones; the per-address limits
are therefore generous, and the per-target limits are the backstop.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from fangkong.core.clients import client_address
from fangkong.core.models import RateCounter

#: Delete counters older than this now and then (on about one hit in a hundred).
KEEP = timedelta(days=2)


@dataclass(frozen=True)
class Limit:
    """At most ``hits`` submissions per ``seconds`` for one key of kind ``name``."""

    name: str
    hits: int
    seconds: int


def _limit(name: str, hits: int, seconds: int) -> Limit:
    override = getattr(settings, "FANGKONG_RATE_LIMITS", {}).get(name)
    if override:
        hits, seconds = override
    return Limit(name, hits, seconds)


def limits() -> dict[str, Limit]:
    """The limits in force; ``settings.FANGKONG_RATE_LIMITS = {name: (hits, seconds)}``
    overrides any of them."""
    return {limit.name: limit for limit in (
        _limit("selfreg_address", 30, 600),      # one phone or NAT address, one checkpoint
        _limit("selfreg_checkpoint", 400, 600),  # everyone, one checkpoint
        _limit("tip_address", 10, 3600),
        _limit("tip_unit", 200, 3600),           # everyone, one community
        _limit("signup_address", 30, 600),       # one phone or NAT address, one drive
        _limit("signup_drive", 600, 600),        # everyone, one volunteer drive
        _limit("training_address", 30, 600),     # one phone or NAT address, one session
        _limit("training_session", 600, 600),    # everyone, one session's pages
    )}


def window_of(limit: Limit, now: datetime) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % limit.seconds, tz=now.tzinfo)


def hit(limit: Limit, key: str, *, now: datetime | None = None) -> bool:
    """Count one submission for ``key``; False when it is over the limit (it is counted
    all the same, so hammering does not reopen the window early)."""
    now = now or timezone.now()
    start = window_of(limit, now)
    field = RateCounter._meta.get_field("window_start")
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (bucket, window_start, hits) VALUES (%s, %s, 1) "
            f"ON CONFLICT (bucket, window_start) DO UPDATE SET hits = {table}.hits + 1 "
            "RETURNING hits",
            [f"{limit.name}:{key}"[:120], field.get_db_prep_value(start, connection)],
        )
        count = cursor.fetchone()[0]
    if random.random() < 0.01:  # noqa: S311 - housekeeping, not security
        RateCounter.objects.filter(window_start__lt=now - KEEP).delete()
    return count <= limit.hits


def address_key(request) -> str:
    """The client's address (``core.clients.client_address``) as a counting key."""
    return client_address(request) or "unknown"


def allow(request, **keys: str) -> bool:
    """Count this request against each ``limit name=key`` given; False if any is over."""
    table = limits()
    allowed = True
    for name, key in keys.items():
        allowed = hit(table[name], key) and allowed
    return allowed
