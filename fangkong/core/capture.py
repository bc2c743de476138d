"""Offline capture: what a keyed form sent from the phone's queue needs on the server.

The client side is ``static/js/offline.js`` (an IndexedDB queue) and ``static/js/sw.js``
(the service worker: the app shell); docs/decisions/offline.md says why. Here:

- **The queue's protocol.** The phone sends a queued record as the page's own form
  would (same URL, same fields) with the header ``Fk-Queue: 1``. The view answers
  with ``answer()``: ``Fk-Outcome: saved`` / ``duplicate`` (200: the first record with
  this key), ``invalid`` (422, the form's messages), ``conflict`` (409: the key came back
  with other content), ``version`` (409: a form version the server no longer takes),
  and ``Fk-Message`` (the readable reason, URL-encoded). A page's own htmx request
  gets the same body as before; only the header is added.
- **Form versions.** ``KeyedForm`` (``core.forms``) posts ``form_version``; a form
  declares ``FORM_VERSION`` and the versions it retired with the day it did
  (``RETIRED_VERSIONS``). A retired version is taken for
  ``settings.FANGKONG_FORM_GRACE_DAYS`` after that day, then refused with a message
  that says what to do; a version the server never had is refused at once.
- **Time truth.** ``made_at`` is the phone's clock when the record was made
  (``KeyedForm`` posts it; ``KeyedModel.made_at`` keeps it); the row's ``created_at``
  is when it arrived. Registers and counts use the made-at time. A record made more
  than ``QUEUED_AFTER`` before it arrived, whose day was already reported
  (``day_reported``: each module that reports days registers a check), is kept in that
  day, flagged ``arrived_late`` and announced (``on_late`` handlers, e.g. an alert for
  the report's reviewer).
- ``session``: the JSON the queue reads before a replay (who is logged in, a fresh CSRF
  token); ``service_worker``: ``/sw.js``, the worker at the site's root scope.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fangkong.lib.dates import parse_moment

#: A phone clock ahead of the server by more than this is not believed: the record is
#: dated when it arrived.
CLOCK_SKEW = timedelta(minutes=10)
#: A record made this long before it arrived came through the queue (not a live send).
QUEUED_AFTER = timedelta(minutes=5)
#: The static files the worker's version is made from (what the offline pages run on).
SHELL_ASSETS = ("js/offline.js", "js/ui.js", "js/focus-errors.js", "css/app.css",
                "vendor/htmx.min.js", "checkpoints/checkpoints.css", "checkpoints/selfreg.js")


def sent_version(form_class: type, raw: str | None) -> str:
    """The form version a submission says it was made with. The phone's queue always
    sends one; a post without one (the server's own page before this field existed, a
    script, a test client) is read as the current version, not as a retired one, so it
    is never refused once a grace period has passed."""
    return raw or form_class.FORM_VERSION


class Outcome(StrEnum):
    SAVED = "saved"
    DUPLICATE = "duplicate"
    INVALID = "invalid"
    CONFLICT = "conflict"
    VERSION = "version"


STATUS = {Outcome.SAVED: 200, Outcome.DUPLICATE: 200, Outcome.INVALID: 422,
          Outcome.CONFLICT: 409, Outcome.VERSION: 409}


def from_queue(request: HttpRequest) -> bool:
    """Sent by the phone's queue (``offline.js``), which reads the outcome headers."""
    return request.headers.get("Fk-Queue") == "1"


def answer(request: HttpRequest, response: HttpResponse, outcome: Outcome | str,
           message: str = "") -> HttpResponse:
    """The view's own response, with the queue's outcome headers; the status is the
    outcome's when the queue sent it (a page's own request keeps its status)."""
    outcome = Outcome(outcome)
    if from_queue(request):
        response.status_code = STATUS[outcome]
    response["Fk-Outcome"] = outcome.value
    if message:
        response["Fk-Message"] = quote(str(message))
    return response


def form_answer(request: HttpRequest, response: HttpResponse, form: Any,
                created: bool | None = None) -> HttpResponse:
    """``answer`` for a keyed form's view: saved/duplicate when ``created`` is known,
    else the form's errors (version, conflict or invalid) with their first message."""
    if created is not None:
        return answer(request, response, Outcome.SAVED if created else Outcome.DUPLICATE)
    return answer(request, response, getattr(form, "outcome", Outcome.INVALID),
                  form_message(form))


def form_message(form: Any) -> str:
    messages = list(form.non_field_errors())
    for name, errors in form.errors.items():
        if name != "__all__":
            label = form.fields[name].label if name in form.fields else name
            messages.extend(f"{label}：{e}" for e in errors)
    return " ".join(str(m) for m in messages)


# --- Form versions -----------------------------------------------------------------

def grace_days() -> int:
    return int(getattr(settings, "FANGKONG_FORM_GRACE_DAYS", 14))


def version_error(form_class: type, version: str, today: date | None = None) -> str | None:
    """Why a record made with this version of the form is not taken, or None."""
    if version == form_class.FORM_VERSION:
        return None
    today = today or timezone.localdate()
    retired = form_class.RETIRED_VERSIONS.get(version)
    if retired is None:
        return _("This record was made with a version of the form (%(version)s) the server "
                 "does not know. Reload the page and fill the record in again.") % {
            "version": version}
    if today > retired + timedelta(days=grace_days()):
        return _("This record was made with an old version of the form (%(version)s), "
                 "taken until %(until)s. Open it with “Edit”, check it in the current form "
                 "and send it again.") % {
            "version": version, "until": retired + timedelta(days=grace_days())}
    return None


# --- Time truth --------------------------------------------------------------------

def made_at(raw: Any, now: datetime | None = None) -> datetime | None:
    """The phone's time of the record (ISO 8601 with its offset), or None when absent,
    unreadable or ahead of the server's clock by more than ``CLOCK_SKEW`` (then the
    arrival time stands for it)."""
    if raw in (None, ""):
        return None
    parsed = parse_moment(raw)
    if parsed is None:
        return None
    if parsed > (now or timezone.now()) + CLOCK_SKEW:
        return None
    return parsed


_reported_checks: list[Callable[[str, date], bool]] = []
_late_handlers: list[Callable[[Any, Any], None]] = []


def day_reported_check(check: Callable[[str, date], bool]) -> Callable[[str, date], bool]:
    """Register ``check(unit_path, day)``: was that unit's day already reported (by it or
    an enclosing unit)? The reports module registers one."""
    if check not in _reported_checks:
        _reported_checks.append(check)
    return check


def on_late(handler: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """Register ``handler(record, actor)``, called after a late record is saved."""
    if handler not in _late_handlers:
        _late_handlers.append(handler)
    return handler


def record_day(record: Any) -> date | None:
    value = getattr(record, getattr(record, "RECORD_DAY", "day"), None)
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def is_late(record: Any, now: datetime | None = None) -> bool:
    """Made well before it arrived (queued on the phone) and its day already reported."""
    made = getattr(record, "made_at", None)
    if made is None or (now or timezone.now()) - made < QUEUED_AFTER:
        return False
    day = record_day(record)
    path = record.unit_path or getattr(getattr(record, "org_unit", None), "path", "")
    return day is not None and any(check(path, day) for check in _reported_checks)


def announce_late(record: Any, actor: Any) -> None:
    for handler in _late_handlers:
        handler(record, actor)


# --- App shell ---------------------------------------------------------------------

def is_shell(request: HttpRequest) -> bool:
    """The service worker asks for the page's shell (``Fk-Shell: 1``): the page to open
    offline, rendered without any personal data (no lists, an empty form)."""
    return request.method == "GET" and request.headers.get("Fk-Shell") == "1"


def shell_page(view: Callable) -> Callable:
    """A page that takes records offline: its answer to the worker's shell request says
    so (``Fk-Shell: 1``; the worker caches nothing else). The view reads ``is_shell``
    to leave personal data out."""
    from functools import wraps

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if is_shell(request) and response.status_code == 200:
            response["Fk-Shell"] = "1"
        return response

    return wrapped


# --- Views -------------------------------------------------------------------------

@never_cache
@require_GET
def session(request: HttpRequest) -> JsonResponse:
    """Who is logged in and a CSRF token for the replay (a token rotated at login, or
    a session that expired, would otherwise fail every queued POST)."""
    user = request.user
    return JsonResponse({
        "user": user.pk if user.is_authenticated else None,
        "csrf": get_token(request),
    })


@cache
def _worker_source() -> tuple[str, str]:
    path = finders.find("js/sw.js") or str(Path(settings.STATIC_ROOT) / "js" / "sw.js")
    text = Path(path).read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode())
    for name in SHELL_ASSETS:
        found = finders.find(name)
        if found:
            digest.update(Path(found).read_bytes())
    return text.replace("__VERSION__", digest.hexdigest()[:12]), digest.hexdigest()[:12]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: the worker, served from the root so that its scope is the whole site.
    Its text carries a version made from the app's scripts and styles: a deploy that
    changes them changes the worker, the browser installs it, and it drops the old
    cache."""
    text, version = _worker_source()
    response = HttpResponse(text, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    response["Fk-Shell-Version"] = version
    return response
