"""The reports' last day with records (``core.dataday``): the latest roll-up of an active form
with a report."""

from __future__ import annotations

from datetime import date


def latest_day(up_to: date) -> date | None:
    from fangkong.reports.models import Rollup

    return (Rollup.objects.filter(form__is_active=True, date__lte=up_to, submitted__gt=0)
            .order_by("-date").values_list("date", flat=True).first())
