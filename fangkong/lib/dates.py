"""The dates records may carry: not before the epidemic, not in the future.

Registers (visits, inspections, patrols, outsiders' arrivals, rosters …) count into
cumulative indicators, so a mistyped year such as 0202 or 1900 would change the city's
figures; and a date page asked for year 9999 cannot show "the next day". One rule for
all of them: from ``settings.FANGKONG_EARLIEST_DAY`` (default 2019-12-01, when the first
cases were reported) to today, or to a little ahead where planning needs it (rosters).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

DEFAULT_EARLIEST = date(2019, 12, 1)


def earliest_day() -> date:
    return getattr(settings, "FANGKONG_EARLIEST_DAY", DEFAULT_EARLIEST)


def check_record_day(day: date, field: str, *, ahead: int = 0) -> None:
    """Raise ``ValidationError({field: …})`` unless ``earliest_day() <= day <= today +
    ahead days``."""
    latest = timezone.localdate() + timedelta(days=ahead)
    if day > latest:
        if ahead:
            raise ValidationError({field: [
                _("Give a date at most %(n)d days ahead.") % {"n": ahead}]})
        raise ValidationError({field: [_("The date is in the future.")]})
    if day < earliest_day():
        raise ValidationError({field: [_("Give a date from %(day)s on.") % {
            "day": earliest_day().isoformat()}]})


def parse_day(raw: str | None, field: str = "date", *, default: date | None = None,
              ahead: int = 0) -> date:
    """A ``?date=`` (or a command's ``--date``) read strictly: empty is ``default``
    (today); a malformed day, or one outside ``check_record_day``'s range, raises
    ``ValidationError({field: …})`` naming the field, so the API can answer 400 with it
    among the other field errors instead of answering for another day than was asked."""
    if not raw:
        return default or timezone.localdate()
    try:
        day = date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationError({field: [_("Give the date as YYYY-MM-DD.")]}) from None
    check_record_day(day, field, ahead=ahead)
    return day


def day_option(raw: str | None, name: str = "--date") -> date:
    """A management command's ``--date``, read like ``parse_day``; a bad one stops the
    command with ``CommandError`` (a message, not a traceback)."""
    from django.core.management import CommandError

    try:
        return parse_day(raw)
    except ValidationError as exc:
        raise CommandError(f"{name}: {' '.join(exc.messages)} ({raw!r})") from None


def day_param(raw: str | None, *, default: date | None = None) -> date:
    """A page's ``?date=``: the date if it is a real day in the allowed range, otherwise
    ``default`` (today). Pages show "the day before/after", so the range is enforced, by
    clamping a day outside it to its ends (a link from yesterday's page keeps working)."""
    fallback = default or timezone.localdate()
    try:
        day = date.fromisoformat(raw) if raw else fallback
    except ValueError:
        return fallback
    return min(max(day, earliest_day()), timezone.localdate())


def parse_moment(raw: object) -> datetime | None:
    """An ISO date and time (``2020-03-02T09:23:00+08:00``; without an offset, local
    time), aware; None for anything else, impossible moments included: Django's
    ``parse_datetime`` raises ValueError for a well-formed ``2020-02-30T10:00``, which
    every caller would otherwise have to catch (it was a 500 on the passages API)."""
    if not isinstance(raw, str):
        return None
    try:
        moment = parse_datetime(raw.strip())
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
