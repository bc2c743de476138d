"""Training indicators (the day's sessions and trainees) and the briefing sentence."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.registries import has_records, indicator, sentence
from fangkong.training.totals import sessions_on


def _day(unit: Any, day: date) -> dict[str, int]:
    from fangkong.training.models import Attendance

    counts = Attendance.objects.filter(session__in=sessions_on(unit, day)).aggregate(
        attended=Count("pk"), online=Count("pk", filter=Q(method="online")),
        masks=Count("pk", filter=Q(mask_worn=True)))
    return {k: v or 0 for k, v in counts.items()}


#: Home cards only where the module has records in the viewer's area (core.registries).
HAS_TRAINING = has_records("training.Session")


@indicator("training.sessions", gettext_lazy("Training sessions held"), "期")
def sessions_held(unit: Any, day: date) -> int:
    return sessions_on(unit, day).count()


@indicator("training.attended", gettext_lazy("Trainees attending"), "人次",
           home_card=True, home_if=HAS_TRAINING)
def trainees_attended(unit: Any, day: date) -> int:
    return _day(unit, day)["attended"]


@sentence(order=70)
def training_sentence(unit: Any, day: date) -> str | None:
    sessions = list(sessions_on(unit, day).select_related("course"))
    if not sessions:
        return None
    counts = _day(unit, day)
    in_room = counts["attended"] - counts["online"]
    courses = "、".join(dict.fromkeys(f"“{s.course.title}”" for s in sessions))
    return _("Training in %(unit)s: %(n)d session(s) of %(courses)s held, %(attended)d "
             "trainees attending (%(room)d in the room, seated apart and wearing masks: "
             "%(masks)d; %(online)d online).") % {
        "unit": unit.name, "n": len(sessions), "courses": courses,
        "attended": counts["attended"], "room": in_room, "masks": counts["masks"],
        "online": counts["online"]}
