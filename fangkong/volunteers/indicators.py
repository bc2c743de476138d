"""The volunteers' figures for the daily report, the home page and the briefing, read
from the records (check-ins, approved hours, sign-ups)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.registries import has_records, indicator, sentence
from fangkong.volunteers.models import Assignment, Signup


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def _assignments(unit: Any) -> Any:
    return Assignment.objects.under(unit)


#: Home cards only where the module has records in the viewer's area (core.registries).
HAS_VOLUNTEERS = has_records("volunteers.Volunteer", "volunteers.Shift")


@indicator("volunteers.on_duty", gettext_lazy("Volunteers on duty"), "人",
           home_card=True, home_if=HAS_VOLUNTEERS)
def on_duty(unit: Any, day: date) -> int | None:
    """People who checked in to a shift in the unit that day; None (no figure, not 0)
    where the unit keeps no volunteer records at all: the daily report's 在岗志愿者 is then
    not pre-filled (docs/decisions/reports-module-prefill.md)."""
    if not HAS_VOLUNTEERS(unit):
        return None
    start, end = _bounds(day)
    return (_assignments(unit).filter(check_in_at__gte=start, check_in_at__lt=end)
            .values("volunteer_id").distinct().count())


@indicator("volunteers.hours", gettext_lazy("Volunteer hours approved"), "小时",
           cumulative=True,
           home_card=True, home_if=HAS_VOLUNTEERS)
def hours(unit: Any, day: date) -> Any:
    """Approved credited hours of shifts started up to the day."""
    minutes = (_assignments(unit).filter(approved_at__isnull=False,
                                         shift__starts_at__lt=_bounds(day)[1])
               .aggregate(m=Sum("credited_minutes"))["m"]) or 0
    return round(minutes / 60, 1)


@indicator("volunteers.signups", gettext_lazy("Volunteer sign-ups"), "人", cumulative=True)
def signups(unit: Any, day: date) -> int:
    return Signup.objects.under(unit).filter(submitted_at__lt=_bounds(day)[1]).count()


@sentence(order=45)
def volunteers_sentence(unit: Any, day: date) -> str | None:
    end = _bounds(day)[1]
    served = _assignments(unit).filter(check_in_at__lt=end)
    people = served.values("volunteer_id").distinct().count()
    if not people:
        return None
    return _("%(people)d volunteers have served in %(unit)s, %(hours)s hours approved in "
             "all; %(today)d were on duty on %(day)s.") % {
        "people": people, "unit": unit.name, "hours": hours(unit, day),
        "today": on_duty(unit, day) or 0, "day": day.strftime("%m-%d")}
