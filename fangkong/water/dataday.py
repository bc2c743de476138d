"""Where water's records end (``core.dataday``): the last day with a reading."""

from __future__ import annotations

from datetime import date


def latest_day(up_to: date) -> date | None:
    from fangkong.water.models import Reading

    return (Reading.objects.filter(day__lte=up_to).order_by("-day")
            .values_list("day", flat=True).first())
