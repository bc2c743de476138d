"""Care figures for the daily report and the home page, and the briefing sentences:
all from ``services.totals`` (the same aggregation the API answers with), for the
families whose home is in the unit's subtree, up to and including the day."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.registries import has_records, indicator, organisation_figure, sentence


def _totals(unit: Any, day: date):
    from fangkong.care.services import totals

    return totals(unit, day)


def _number(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral() else value


#: Home cards only where the module has records in the viewer's area (core.registries).
HAS_CARE = has_records("care.MedicalWorker", "care.Elderly")


@indicator("care.workers", gettext_lazy("Frontline medical workers under one-to-one support"),
           "人", cumulative=True, home_card=True, home_if=HAS_CARE)
def workers(unit: Any, day: date) -> int:
    return _totals(unit, day).workers


@indicator("care.helpers", gettext_lazy("Helpers paired"), "人", home_card=True, home_if=HAS_CARE)
def helpers(unit: Any, day: date) -> int:
    return _totals(unit, day).helpers


@indicator("care.sent_to_hubei", gettext_lazy("Workers sent to Hubei with a contact"), "人",
           cumulative=True)
def sent_to_hubei(unit: Any, day: date) -> int:
    return _totals(unit, day).sent_to_hubei


@indicator("care.necessities_sets", gettext_lazy("Sets of necessities delivered"), "套",
           cumulative=True)
def necessities_sets(unit: Any, day: date) -> int:
    return _totals(unit, day).necessities_sets


@indicator("care.goods_kg", gettext_lazy("Food and daily goods delivered"), "公斤",
           cumulative=True)
def goods_kg(unit: Any, day: date) -> int | Decimal:
    return _number(_totals(unit, day).goods_kg)


@indicator("care.counselling_sessions", gettext_lazy("Counselling sessions"), "人次",
           cumulative=True)
def counselling_sessions(unit: Any, day: date) -> int:
    return _totals(unit, day).counselling_sessions


@indicator("care.condolence_yuan", gettext_lazy("Condolence money paid"), "元",
           cumulative=True)
def condolence_yuan(unit: Any, day: date) -> int | Decimal:
    return _number(_totals(unit, day).condolence_yuan)


@indicator("care.subsidy_yuan", gettext_lazy("Temporary work subsidies paid"), "元",
           cumulative=True)
def subsidy_yuan(unit: Any, day: date) -> int | Decimal:
    return _number(_totals(unit, day).temporary_subsidy_yuan)


@indicator("care.open_requests", gettext_lazy("Elderly residents' help requests open"), "件")
def open_requests(unit: Any, day: date) -> int:
    from datetime import datetime, time

    from django.db.models import Q
    from django.utils import timezone

    from fangkong.care.models import HelpRequest

    end = timezone.make_aware(datetime.combine(day, time.max))
    return (HelpRequest.objects.under(unit).filter(requested_at__lte=end)
            .filter(Q(status="open") | Q(fulfilled_at__gt=end)).exclude(status="cancelled")
            .count())


# --- The task force's own figures (its daily report, registries.organisation_figure) ----

def _led_totals(organisation: Any, day: date):
    """The totals of the task forces ``organisation`` leads, city-wide; None when it leads
    none (a member unit's or an enterprise's report gets no pre-fill from care).

    Kept on the organisation object per day: a report's eight care fields are pre-filled
    from one ``totals`` (a request loads its organisation afresh, so nothing outlives it).
    """
    from fangkong.care.models import TaskForce
    from fangkong.care.services import totals

    memo = organisation.__dict__.setdefault("_care_led_totals", {})
    if day not in memo:
        memo[day] = (totals(None, day, organisation=organisation)
                     if TaskForce.objects.filter(organisation=organisation).exists() else None)
    return memo[day]


def _led(field: str) -> Any:
    def compute(organisation: Any, day: date) -> int | Decimal | None:
        t = _led_totals(organisation, day)
        if t is None:
            return None
        value = getattr(t, field)
        return _number(value) if isinstance(value, Decimal) else value

    compute.__qualname__ = f"led_{field}"
    return compute


for _code, _field in (("care.workers", "workers"), ("care.helpers", "helpers"),
                      ("care.sent_to_hubei", "sent_to_hubei"),
                      ("care.necessities_sets", "necessities_sets"),
                      ("care.goods_kg", "goods_kg"),
                      ("care.counselling_sessions", "counselling_sessions"),
                      ("care.condolence_yuan", "condolence_yuan"),
                      ("care.subsidy_yuan", "temporary_subsidy_yuan")):
    organisation_figure(_code)(_led(_field))


def wan(amount: Decimal) -> str:
    """Yuan as 万元 with two decimals (253900 → 25.39)."""
    return f"{(amount / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


@sentence(order=50)
def pairing_sentence(unit: Any, day: date) -> str | None:
    t = _totals(unit, day)
    if not t.workers:
        return None
    return _("%(workers)d frontline medical workers and their families are under one-to-one "
             "support, paired with %(helpers)d helpers; each of the %(hubei)d workers sent to "
             "Hubei has a named contact in a member unit.") % {
        "workers": t.workers, "helpers": t.helpers, "hubei": t.sent_to_hubei}


@sentence(order=51)
def services_sentence(unit: Any, day: date) -> str | None:
    t = _totals(unit, day)
    if not (t.necessities_sets or t.goods_kg or t.counselling_sessions):
        return None
    return _("In all, frontline medical workers and their families have been given "
             "%(sets)d sets of necessities and %(kg)s kg of rice, flour, oil, eggs, milk, "
             "fruit and vegetables, and %(sessions)d counselling sessions.") % {
        "sets": t.necessities_sets, "kg": f"{_number(t.goods_kg)}",
        "sessions": t.counselling_sessions}


@sentence(order=52)
def payments_sentence(unit: Any, day: date) -> str | None:
    t = _totals(unit, day)
    if not (t.condolence_yuan or t.temporary_subsidy_yuan):
        return None
    return _("In all, %(condolence)s 万元 of condolence money and %(subsidy)s 万元 of "
             "temporary work subsidies have been paid.") % {
        "condolence": wan(t.condolence_yuan), "subsidy": wan(t.temporary_subsidy_yuan)}
