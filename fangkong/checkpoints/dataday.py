"""The checkpoints' last day with records (``core.dataday``): the day counters' latest row."""

from __future__ import annotations

from datetime import date


def latest_day(up_to: date) -> date | None:
    from fangkong.checkpoints.models import PassageDaily

    return (PassageDaily.objects.filter(day__lte=up_to).order_by("-day")
            .values_list("day", flat=True).first())
