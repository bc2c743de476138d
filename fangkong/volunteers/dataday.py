"""Where the volunteers' records end (``core.dataday``): the latest shift day with
someone checked in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def latest_day(up_to: date) -> date | None:
    from fangkong.volunteers.models import Assignment

    end = timezone.make_aware(datetime.combine(up_to + timedelta(days=1), time.min))
    at = (Assignment.objects.filter(check_in_at__lt=end).order_by("-check_in_at")
          .values_list("check_in_at", flat=True).first())
    return timezone.localdate(at) if at else None
