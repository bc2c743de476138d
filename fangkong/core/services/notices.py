"""Notices to one person: ``notify(user, …)``, the one way any module tells someone
what they have to do (a report returned, a deadline coming, a reminder from the level
above).

``notify`` stores a ``Notice`` (shown on the person's home page, in /core/notices/ and
as the unread count in the top bar) and hands it, after the transaction commits, to the
configured sender: ``settings.FANGKONG_NOTICE_SENDER``, the dotted path of a callable
``send(notice) -> str | None`` (an SMS gateway, a messaging bot …). With no sender
configured the notice is logged (logger ``fangkong.notices``) and stays in-app. A
``key`` makes delivery idempotent: the same key for the same person is one notice, so a
retried job or a second click does not send a second SMS.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from fangkong.core.models import Notice
from fangkong.core.unique import get_or_create_unique

log = logging.getLogger("fangkong.notices")

TITLE_MAX, URL_MAX, KEY_MAX = 200, 300, 120


def sender() -> Any | None:
    """The configured sender callable, or None (notices are then logged)."""
    path = getattr(settings, "FANGKONG_NOTICE_SENDER", "") or ""
    return import_string(path) if path else None


def deliver(notice: Notice) -> str:
    """Hand ``notice`` to the sender; records and returns how it went. Never raises: a
    gateway that is down must not undo the work that raised the notice."""
    send = None
    try:
        send = sender()
    except ImportError:
        log.exception("FANGKONG_NOTICE_SENDER cannot be imported")
        outcome = "failed: sender not importable"
    else:
        if send is None:
            log.info("notice to %s (no sender configured): %s", notice.user, notice.title)
            outcome = "logged"
        else:
            try:
                outcome = str(send(notice) or "sent")[:200]
            except Exception as exc:  # noqa: BLE001 - any gateway error is an outcome
                log.warning("notice %s to %s not sent: %s", notice.pk, notice.user, exc)
                outcome = f"failed: {exc}"[:200]
    Notice.objects.filter(pk=notice.pk).update(delivery=outcome)
    notice.delivery = outcome
    return outcome


def notify(user: Any, *, title: str, body: str = "", url: str = "", kind: str = "",
           key: str = "") -> Notice:
    """Tell ``user`` something: stored at once, sent after the transaction commits.

    ``kind`` is the module's own label (``reports.returned``); ``url`` where to act;
    ``key`` (optional) identifies what it is about: the same (user, key) is one notice,
    so calling again returns the first and sends nothing.
    """
    values = {"title": str(title)[:TITLE_MAX], "body": str(body), "url": str(url)[:URL_MAX],
              "kind": kind[:40]}
    with transaction.atomic():
        if key:
            notice, created = get_or_create_unique(
                Notice.objects, {"user": user, "key": key[:KEY_MAX]}, values)
        else:
            notice, created = Notice.objects.create(user=user, **values), True
        if created:
            transaction.on_commit(lambda: deliver(notice))
    return notice


def notify_many(users: Iterable[Any], **kwargs: Any) -> list[Notice]:
    """``notify`` each user once (a user listed twice gets one notice)."""
    seen, out = set(), []
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        out.append(notify(user, **kwargs))
    return out


def unread_count(user: Any) -> int:
    return Notice.objects.for_user(user).unread().count()


def mark_read(user: Any, pks: Iterable[int] | None = None) -> int:
    """Mark the user's own notices read (all when ``pks`` is None); others' are untouched."""
    qs = Notice.objects.for_user(user).unread()
    if pks is not None:
        qs = qs.filter(pk__in=list(pks))
    return qs.update(read_at=timezone.now())
