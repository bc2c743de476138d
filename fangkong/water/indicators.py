"""Water figures for the daily report, the home page and the briefing, read from the
readings, exceedances, patrols and fault tickets of the utilities under a unit."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.registries import has_records, indicator, sentence


def _end_of(day: date):
    from datetime import datetime, time, timedelta

    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _readings(unit: Any, day: date):
    from fangkong.water.models import Reading
    from fangkong.water.quality import HYDRAULIC

    # The water's quality: pressure (judged by the supply's own limit) is not a sample.
    return Reading.objects.under(unit).filter(day=day, within_limits__isnull=False).exclude(
        indicator__in=HYDRAULIC)


#: Home cards only where the module has records in the viewer's area (core.registries).
HAS_WATER = has_records("water.Station", "water.SamplingPoint")


@indicator("water.samples", gettext_lazy("Water-quality results"), "项次")
def samples(unit: Any, day: date) -> int:
    return _readings(unit, day).count()


@indicator("water.samples_within", gettext_lazy("Water-quality results within limits"), "项次")
def samples_within(unit: Any, day: date) -> int:
    return _readings(unit, day).filter(within_limits=True).count()


@indicator("water.pass_rate", gettext_lazy("Water-quality pass rate"), "%",
           home_card=True, home_if=HAS_WATER)
def pass_rate(unit: Any, day: date) -> Decimal | None:
    total = samples(unit, day)
    if not total:
        return None
    return (Decimal(100) * samples_within(unit, day) / total).quantize(
        Decimal("0.1"), ROUND_HALF_UP)


@indicator("water.exceedances", gettext_lazy("Water-quality exceedances"), "项次")
def exceedances(unit: Any, day: date) -> int:
    return _readings(unit, day).filter(within_limits=False).count()


@indicator("water.exceedances_open", gettext_lazy("Water-quality exceedances open"), "项",
           home_card=True, home_if=HAS_WATER)
def exceedances_open(unit: Any, day: date) -> int:
    """Opened by the end of ``day`` and not closed by then."""
    from fangkong.water.models import Exceedance
    from fangkong.water.quality import HYDRAULIC

    end = _end_of(day)
    return (Exceedance.objects.under(unit).filter(reading__taken_at__lt=end)
            .exclude(reading__indicator__in=HYDRAULIC)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end)).count())


@indicator("water.patrols", gettext_lazy("Network patrols"), "次")
def patrols(unit: Any, day: date) -> int:
    from fangkong.water.models import Patrol

    return Patrol.objects.under(unit).filter(day=day).count()


@indicator("water.faults_reported", gettext_lazy("Supply faults reported"), "起")
def faults_reported(unit: Any, day: date) -> int:
    from fangkong.water.models import Fault

    return Fault.objects.under(unit).filter(day=day).count()


@indicator("water.faults_repaired", gettext_lazy("Supply faults repaired"), "起")
def faults_repaired(unit: Any, day: date) -> int:
    from fangkong.water.models import Fault

    local = Fault.objects.under(unit).filter(repaired_at__isnull=False)
    return sum(1 for at in local.values_list("repaired_at", flat=True)
               if timezone.localtime(at).date() == day)


@indicator("water.faults_open", gettext_lazy("Supply faults not yet repaired"), "起")
def faults_open(unit: Any, day: date) -> int:
    from fangkong.water.models import Fault

    end = _end_of(day)
    return (Fault.objects.under(unit).filter(reported_at__lt=end)
            .filter(Q(repaired_at__isnull=True) | Q(repaired_at__gte=end)).count())


@indicator("water.repair_minutes", gettext_lazy("Average time to repair"), "分钟")
def repair_minutes(unit: Any, day: date) -> int | None:
    """Of the faults repaired on ``day``."""
    from fangkong.water.models import Fault

    times = [f.minutes_to_repair for f in Fault.objects.under(unit).filter(
        repaired_at__isnull=False) if timezone.localtime(f.repaired_at).date() == day]
    return round(sum(times) / len(times)) if times else None


@sentence(order=70)
def water_sentence(unit: Any, day: date) -> str | None:
    n = samples(unit, day)
    patrolled, reported = patrols(unit, day), faults_reported(unit, day)
    if not (n or patrolled or reported):
        return None
    text = _(
        "Water supply: %(n)d water-quality results against GB 5749-2022, %(within)d within "
        "the limits (%(rate)s%%), %(exceeded)d outside them, %(open)d exceedances still "
        "open; %(patrols)d network patrols; %(reported)d supply faults reported, "
        "%(repaired)d repaired, %(faults_open)d still open."
    ) % {
        "n": n, "within": samples_within(unit, day), "rate": pass_rate(unit, day) or "-",
        "exceeded": exceedances(unit, day), "open": exceedances_open(unit, day),
        "patrols": patrolled, "reported": reported,
        "repaired": faults_repaired(unit, day), "faults_open": faults_open(unit, day),
    }
    minutes = repair_minutes(unit, day)
    if minutes is not None:
        text += _(" Average time to repair: %(m)d minutes.") % {"m": minutes}
    return text
