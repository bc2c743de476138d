"""Indicators for the daily report and the dashboard, and sentences for the briefing.

Passage figures read the daily roll-up (``PassageDaily``), never the passages
themselves; the other registers are small (one row per household, patrol, tip).
Every function takes an org unit and a date and answers for the unit's subtree.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.registries import register_indicator, register_sentence

MODULE = "checkpoints"


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def _daily_sum(unit: Any, day: date, *fields: str, cumulative: bool = False) -> int:
    from fangkong.checkpoints.models import PassageDaily

    return PassageDaily.total(unit, day, *fields, cumulative=cumulative)


def checkpoints(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import Checkpoint

    return Checkpoint.objects.under(unit).running_on(day).count()


def passages(unit: Any, day: date) -> int:
    return _daily_sum(unit, day, "passages_in", "passages_out")


def passages_total(unit: Any, day: date) -> int:
    return _daily_sum(unit, day, "passages_in", "passages_out", cumulative=True)


def fevers(unit: Any, day: date) -> int:
    """Fevers found at checkpoints and in the outsiders' temperature checks that day."""
    from fangkong.checkpoints.models import TemperatureCheck

    checks = TemperatureCheck.objects.filter(
        outsider__unit_path__startswith=unit.path, day=day, fever=True,
    ).count()
    return _daily_sum(unit, day, "fevers") + checks


def plates_flagged(unit: Any, day: date) -> int:
    return _daily_sum(unit, day, "plates_flagged")


def plates_flagged_total(unit: Any, day: date) -> int:
    return _daily_sum(unit, day, "plates_flagged", cumulative=True)


def _patrol_sum(unit: Any, day: date, field: str) -> int:
    from fangkong.checkpoints.models import PatrolLog

    total = PatrolLog.objects.under(unit).filter(day__lte=day).aggregate(n=Sum(field))["n"]
    return total or 0


def gatherings_dispersed(unit: Any, day: date) -> int:
    return _patrol_sum(unit, day, "gatherings_dispersed")


def people_persuaded(unit: Any, day: date) -> int:
    return _patrol_sum(unit, day, "people_persuaded")


def households_screened(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import ScreeningVisit

    return ScreeningVisit.objects.under(unit).filter(visited_on=day).count()


def households_screened_total(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import ScreeningVisit

    return (ScreeningVisit.objects.under(unit).filter(visited_on__lte=day)
            .values("household_id").distinct().count())


def households_flagged(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import ScreeningVisit

    flags = Q(from_hubei=True) | Q(hubei_vehicle=True) | Q(symptoms=True) | Q(contact=True)
    return ScreeningVisit.objects.under(unit).filter(flags, visited_on=day).count()


def population(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import HouseholdMember

    return HouseholdMember.objects.under(unit).filter(since__lte=day).count()


def permanent_residents(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import HouseholdMember

    return HouseholdMember.objects.under(unit).filter(since__lte=day, permanent=True).count()


def outsiders_observing(unit: Any, day: date) -> int:
    """Under observation at the end of the day: arrived by then, not yet released."""
    from fangkong.checkpoints.models import Outsider

    return Outsider.objects.under(unit).filter(arrived_on__lte=day).filter(
        Q(released_on__isnull=True) | Q(released_on__gt=day),
    ).count()


def outsiders_arrived(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import Outsider

    return Outsider.objects.under(unit).filter(arrived_on=day).count()


def tips_received(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import Tip

    start, end = _day_bounds(day)
    return Tip.objects.under(unit).filter(received_at__gte=start, received_at__lt=end).count()


def tips_resolved(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import Tip

    start, end = _day_bounds(day)
    return Tip.objects.under(unit).filter(resolved_at__gte=start, resolved_at__lt=end).count()


def tip_response_minutes(unit: Any, day: date) -> int | None:
    """Mean minutes from receipt to dispatch of the tips received that day."""
    from fangkong.checkpoints.models import Tip

    start, end = _day_bounds(day)
    mean = Tip.objects.under(unit).filter(
        received_at__gte=start, received_at__lt=end, dispatched_at__isnull=False,
    ).aggregate(m=Avg(F("dispatched_at") - F("received_at")))["m"]
    if mean is None:
        return None
    if not isinstance(mean, timedelta):  # some backends answer in microseconds
        mean = timedelta(microseconds=float(mean))
    return round(mean.total_seconds() / 60)


def _inspections(unit: Any, day: date, kind: str) -> int:
    from fangkong.checkpoints.models import Inspection

    return Inspection.objects.under(unit).filter(day=day, kind=kind).count()


def venues_inspected(unit: Any, day: date) -> int:
    return _inspections(unit, day, "venue")


def venues_found_open(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import Inspection

    return Inspection.objects.under(unit).filter(day=day, kind="venue", found_open=True).count()


def estates_disinfected(unit: Any, day: date) -> int:
    return _inspections(unit, day, "disinfection")


INDICATORS: tuple[tuple[str, Any, str, Any, bool], ...] = (
    ("checkpoints.checkpoints", gettext_lazy("Checkpoints in operation"), "个", checkpoints,
     False),
    ("checkpoints.passages", gettext_lazy("Passages registered"), "人次", passages, False),
    ("checkpoints.passages_total", gettext_lazy("Passages registered, cumulative"), "人次",
     passages_total, True),
    ("checkpoints.fevers", gettext_lazy("Fevers found"), "人次", fevers, False),
    ("checkpoints.plates_flagged", gettext_lazy("Vehicles of watched provinces"), "辆",
     plates_flagged, False),
    ("checkpoints.plates_flagged_total",
     gettext_lazy("Vehicles of watched provinces, cumulative"), "辆", plates_flagged_total,
     True),
    ("checkpoints.gatherings_dispersed", gettext_lazy("Gatherings dispersed, cumulative"), "次",
     gatherings_dispersed, True),
    ("checkpoints.people_persuaded", gettext_lazy("People persuaded to go home, cumulative"),
     "人", people_persuaded, True),
    ("checkpoints.households_screened", gettext_lazy("Households screened"), "户",
     households_screened, False),
    ("checkpoints.households_screened_total", gettext_lazy("Households screened, cumulative"),
     "户", households_screened_total, True),
    ("checkpoints.households_flagged", gettext_lazy("Households with findings"), "户",
     households_flagged, False),
    ("checkpoints.population", gettext_lazy("Population listed"), "人", population, True),
    ("checkpoints.permanent_residents", gettext_lazy("Permanent residents"), "人",
     permanent_residents, True),
    ("checkpoints.outsiders_observing", gettext_lazy("Outsiders under observation"), "人",
     outsiders_observing, False),
    ("checkpoints.outsiders_arrived", gettext_lazy("Outsiders arrived"), "人",
     outsiders_arrived, False),
    ("checkpoints.tips_received", gettext_lazy("Tips received"), "件", tips_received, False),
    ("checkpoints.tips_resolved", gettext_lazy("Tips resolved"), "件", tips_resolved, False),
    ("checkpoints.tip_response_minutes", gettext_lazy("Mean tip response time"), "分钟",
     tip_response_minutes, False),
    ("checkpoints.venues_inspected", gettext_lazy("Venues checked"), "家", venues_inspected,
     False),
    ("checkpoints.venues_found_open", gettext_lazy("Venues found open"), "家",
     venues_found_open, False),
    ("checkpoints.estates_disinfected", gettext_lazy("Estates disinfected"), "次",
     estates_disinfected, False),
)


def checkpoint_sentence(unit: Any, day: date) -> str | None:
    n = checkpoints(unit, day)
    if not n:
        return None
    from fangkong.checkpoints.models import ScreeningRule

    return _(
        "%(unit)s ran %(n)d checkpoints; %(today)d passages were registered today "
        "(%(total)d in all), %(fevers)d with fever, and %(plates)d vehicles from %(provinces)s "
        "were flagged for screening."
    ) % {
        "unit": unit.name, "n": n, "today": passages(unit, day),
        "total": passages_total(unit, day), "fevers": fevers(unit, day),
        "plates": plates_flagged(unit, day),
        "provinces": ScreeningRule.current().watched_provinces or "-",
    }


def screening_sentence(unit: Any, day: date) -> str | None:
    pop = population(unit, day)
    gatherings = gatherings_dispersed(unit, day)
    if not pop and not gatherings:
        return None
    return _(
        "Door-to-door screening covered %(households)d households (%(permanent)d permanent "
        "residents among a population of %(population)d); %(gatherings)d gatherings of three "
        "or more people have been dispersed and %(outsiders)d outsiders are under observation."
    ) % {
        "households": households_screened_total(unit, day), "population": pop,
        "permanent": permanent_residents(unit, day), "gatherings": gatherings,
        "outsiders": outsiders_observing(unit, day),
    }


def register() -> None:
    for code, name, unit_label, compute, cumulative in INDICATORS:
        register_indicator(code, name, unit_label, compute, module=MODULE,
                           cumulative=cumulative)
    register_sentence(40, "checkpoints.checkpoints", checkpoint_sentence)
    register_sentence(41, "checkpoints.screening", screening_sentence)
