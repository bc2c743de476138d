"""Indicators for the daily report and the dashboard, and sentences for the briefing.

Passage figures read the daily roll-up (``PassageDaily``), never the passages
themselves; the other registers are small (one row per household, patrol, tip).
Every function takes an org unit and a date and answers for the unit's subtree; the
decorators declare them to the registries (``CheckpointsConfig.ready`` imports this
module), and ``home_card=True`` marks the five the home page shows.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.registries import has_records, indicator, sentence
from fangkong.core.scoping import subtree_q

#: Home cards for areas that run checkpoints (or keep outsiders under observation):
#: 白河县's relief staff are not shown a row of zeros.
RUNS_CHECKPOINTS = has_records("checkpoints.Checkpoint", "checkpoints.Outsider")


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def _daily_sum(unit: Any, day: date, *fields: str, cumulative: bool = False) -> int:
    from fangkong.checkpoints.models import PassageDaily

    return PassageDaily.total(unit, day, *fields, cumulative=cumulative)


@indicator("checkpoints.checkpoints", gettext_lazy("Checkpoints in operation"), "个",
           home_card=True,
           home_if=RUNS_CHECKPOINTS)
def checkpoints(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import Checkpoint

    return Checkpoint.objects.under(unit).running_on(day).count()


@indicator("checkpoints.passages", gettext_lazy("Passages let through"), "人次", home_card=True,
           home_if=RUNS_CHECKPOINTS)
def passages(unit: Any, day: date) -> int:
    """People let through, in and out: one turned back or refused (a fever) is registered
    but not counted (``services.passages.confirmed_counts``)."""
    return _daily_sum(unit, day, "passages_in", "passages_out")


@indicator("checkpoints.passages_total", gettext_lazy("Passages let through, cumulative"), "人次",
           cumulative=True)
def passages_total(unit: Any, day: date) -> int:
    return _daily_sum(unit, day, "passages_in", "passages_out", cumulative=True)


@indicator("checkpoints.fevers", gettext_lazy("Fevers found"), "人次", home_card=True,
           home_if=RUNS_CHECKPOINTS)
def fevers(unit: Any, day: date) -> int:
    """Fevers found at checkpoints and in the outsiders' temperature checks that day."""
    from fangkong.checkpoints.models import TemperatureCheck

    checks = TemperatureCheck.objects.filter(
        subtree_q("outsider__unit_path", unit.path), day=day, fever=True,
    ).count()
    return _daily_sum(unit, day, "fevers") + checks


@indicator("checkpoints.plates_flagged", gettext_lazy("Vehicles of watched provinces"), "辆",
           home_card=True,
           home_if=RUNS_CHECKPOINTS)
def plates_flagged(unit: Any, day: date) -> int:
    return _daily_sum(unit, day, "plates_flagged")


@indicator("checkpoints.plates_flagged_total",
           gettext_lazy("Vehicles of watched provinces, cumulative"), "辆", cumulative=True)
def plates_flagged_total(unit: Any, day: date) -> int:
    return _daily_sum(unit, day, "plates_flagged", cumulative=True)


def _patrol_sum(unit: Any, day: date, field: str) -> int:
    from fangkong.checkpoints.models import PatrolLog

    total = PatrolLog.objects.under(unit).filter(day__lte=day).aggregate(n=Sum(field))["n"]
    return total or 0


@indicator("checkpoints.gatherings_dispersed",
           gettext_lazy("Gatherings dispersed, cumulative"), "次", cumulative=True)
def gatherings_dispersed(unit: Any, day: date) -> int:
    return _patrol_sum(unit, day, "gatherings_dispersed")


@indicator("checkpoints.people_persuaded",
           gettext_lazy("People persuaded to go home, cumulative"), "人", cumulative=True)
def people_persuaded(unit: Any, day: date) -> int:
    return _patrol_sum(unit, day, "people_persuaded")


@indicator("checkpoints.households_screened", gettext_lazy("Households screened"), "户")
def households_screened(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import ScreeningVisit

    # Every visit is kept (two the same day are two records): count households.
    return (ScreeningVisit.objects.under(unit).filter(visited_on=day)
            .values("household_id").distinct().count())


@indicator("checkpoints.households_screened_total",
           gettext_lazy("Households screened, cumulative"), "户", cumulative=True)
def households_screened_total(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import ScreeningVisit

    return (ScreeningVisit.objects.under(unit).filter(visited_on__lte=day)
            .values("household_id").distinct().count())


@indicator("checkpoints.households_flagged", gettext_lazy("Households with findings"), "户")
def households_flagged(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import ScreeningVisit

    flags = Q(from_hubei=True) | Q(hubei_vehicle=True) | Q(symptoms=True) | Q(contact=True)
    return (ScreeningVisit.objects.under(unit).filter(flags, visited_on=day)
            .values("household_id").distinct().count())


@indicator("checkpoints.population", gettext_lazy("Population listed"), "人", cumulative=True)
def population(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import HouseholdMember

    return HouseholdMember.objects.under(unit).filter(since__lte=day).count()


@indicator("checkpoints.permanent_residents", gettext_lazy("Permanent residents"), "人",
           cumulative=True)
def permanent_residents(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import HouseholdMember

    return HouseholdMember.objects.under(unit).filter(since__lte=day, permanent=True).count()


@indicator("checkpoints.outsiders_observing", gettext_lazy("Outsiders under observation"), "人",
           home_card=True,
           home_if=RUNS_CHECKPOINTS)
def outsiders_observing(unit: Any, day: date) -> int:
    """Under observation at the end of the day: arrived by then, not yet released."""
    from fangkong.checkpoints.models import Outsider

    return Outsider.objects.under(unit).filter(arrived_on__lte=day).filter(
        Q(released_on__isnull=True) | Q(released_on__gt=day),
    ).count()


@indicator("checkpoints.outsiders_arrived", gettext_lazy("Outsiders arrived"), "人")
def outsiders_arrived(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import Outsider

    return Outsider.objects.under(unit).filter(arrived_on=day).count()


@indicator("checkpoints.tips_received", gettext_lazy("Tips received"), "件")
def tips_received(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import Tip

    start, end = _day_bounds(day)
    return Tip.objects.under(unit).filter(received_at__gte=start, received_at__lt=end).count()


@indicator("checkpoints.tips_resolved", gettext_lazy("Tips resolved"), "件")
def tips_resolved(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import Tip

    start, end = _day_bounds(day)
    return Tip.objects.under(unit).filter(resolved_at__gte=start, resolved_at__lt=end).count()


@indicator("checkpoints.tip_response_minutes", gettext_lazy("Mean tip response time"), "分钟")
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


@indicator("checkpoints.venues_inspected", gettext_lazy("Venues checked"), "家")
def venues_inspected(unit: Any, day: date) -> int:
    return _inspections(unit, day, "venue")


@indicator("checkpoints.venues_found_open", gettext_lazy("Venues found open"), "家")
def venues_found_open(unit: Any, day: date) -> int:
    from fangkong.checkpoints.models import Inspection

    return Inspection.objects.under(unit).filter(day=day, kind="venue", found_open=True).count()


@indicator("checkpoints.estates_disinfected", gettext_lazy("Estates disinfected"), "次")
def estates_disinfected(unit: Any, day: date) -> int:
    return _inspections(unit, day, "disinfection")


@sentence(order=40)
def checkpoint_sentence(unit: Any, day: date) -> str | None:
    n = checkpoints(unit, day)
    if not n:
        return None
    from fangkong.checkpoints.services.screening import screening_rule
    from fangkong.core.rules import NoRuleInForce

    try:
        provinces = screening_rule(day).watched_provinces or "-"
    except NoRuleInForce:
        provinces = _("- (no rule in force)")
    return _(
        "%(unit)s ran %(n)d checkpoints; %(today)d passages were let through today "
        "(%(total)d in all), %(fevers)d with fever, and %(plates)d vehicles from %(provinces)s "
        "were flagged for screening."
    ) % {
        "unit": unit.name, "n": n, "today": passages(unit, day),
        "total": passages_total(unit, day), "fevers": fevers(unit, day),
        "plates": plates_flagged(unit, day),
        "provinces": provinces,
    }


@sentence(order=41)
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
