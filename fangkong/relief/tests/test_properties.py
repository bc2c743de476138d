"""Property tests (Hypothesis) of the engine's pure functions: the caps hold for any
household and any parameters, tiers never overlap, interest is exactly the formula."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.relief import engine
from fangkong.relief import rules as R
from fangkong.relief.months import add_months, full_months

DAY = date(2020, 3, 2)
PERIOD = {"start": "2020-01-24", "end": "2020-06-30"}


def read(code, value):
    return engine.Read(code=code, value=value, read_for=DAY, version=1)


def employment_params(per=Decimal("500"), cap=Decimal("1000"), months=6):
    return {R.EMPLOYMENT_WINDOW: read(R.EMPLOYMENT_WINDOW,
                                      {"start": "2020-01-01", "end": "2020-12-31"}),
            R.EMPLOYMENT_MONTHS: read(R.EMPLOYMENT_MONTHS, months),
            R.EMPLOYMENT_PER_MEMBER: read(R.EMPLOYMENT_PER_MEMBER, per),
            R.EMPLOYMENT_CAP: read(R.EMPLOYMENT_CAP, cap)}


money_st = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False,
                       allow_infinity=False)
member_st = st.one_of(
    st.builds(lambda m: {"months_away": m}, st.integers(0, 240)),
    st.builds(lambda start, days: {"away_from": start, "away_to": start + timedelta(days)},
              st.dates(date(2019, 6, 1), date(2020, 12, 31)), st.integers(0, 700)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(member_st, min_size=1, max_size=30))
def test_a_household_never_gets_more_than_1000_yuan_for_measure_2(members) -> None:
    result = engine.employment({"members": members}, employment_params())
    assert result.status == "ok"
    assert Decimal("0") <= result.amount <= Decimal("1000.00")
    assert result.amount % Decimal("500") == 0
    assert result.amount == result.amount.quantize(Decimal("0.01"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 240), min_size=1, max_size=30), money_st, money_st,
       st.integers(1, 24))
def test_the_cap_holds_for_any_parameters(months, per, cap, required) -> None:
    members = [{"months_away": m} for m in months]
    result = engine.employment({"members": members}, employment_params(per, cap, required))
    qualifying = sum(m >= required for m in months)
    assert result.amount == min(per * qualifying, cap).quantize(Decimal("0.01"))
    assert result.amount <= cap


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 100000))
def test_the_entity_subsidy_is_one_tier_amount_and_monotone(workers) -> None:
    tiers = R.ENTITY_TIERS_RULE.default
    params = {R.PERIOD: read(R.PERIOD, PERIOD), R.ENTITY_TIERS: read(R.ENTITY_TIERS, tiers)}
    amount = engine.entity({"resumed": True, "poor_workers": workers}, params).amount
    more = engine.entity({"resumed": True, "poor_workers": workers + 1}, params).amount
    assert amount in {Decimal("0.00"), Decimal("10000.00"), Decimal("20000.00")}
    assert more >= amount
    assert amount <= Decimal("20000.00")


@settings(max_examples=300, deadline=None)
@given(money_st, st.decimals(min_value=0, max_value=1, places=6, allow_nan=False,
                             allow_infinity=False),
       st.dates(date(2020, 1, 24), date(2020, 6, 30)))
def test_the_interest_subsidy_is_the_formula_to_the_fen(principal, rate, due) -> None:
    params = {R.PERIOD: read(R.PERIOD, PERIOD), R.LOAN_MONTHS: read(R.LOAN_MONTHS, 6)}
    result = engine.loan_interest({"resumed": True, "for_production": True,
                                   "principal": principal, "annual_rate": rate,
                                   "due_date": due, "resumed_on": None}, params)
    expected = (principal * rate * 6 / 12).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert result.amount == expected
    assert result.amount <= principal * rate / 2 + Decimal("0.005")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200), st.one_of(st.none(), st.integers(0, 200))),
                min_size=1, max_size=5), st.integers(0, 300))
def test_a_table_that_passes_its_check_never_pays_two_tiers(rows, count) -> None:
    tiers = [{"min": low, "max": high, "amount": "1"} for low, high in rows]
    try:
        R.check_tiers(tiers)
    except Exception:  # noqa: BLE001 - refused tables are the validator's business
        return
    number, tier = engine.tier_of(count, tiers)  # never TierConflict
    assert (tier is None) == (number == 0)


def test_an_overlapping_table_is_refused_and_flagged_not_resolved() -> None:
    overlapping = [{"min": 10, "max": 25, "amount": "10000"},
                   {"min": 20, "max": None, "amount": "20000"}]
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        R.check_tiers(overlapping)
    params = {R.PERIOD: read(R.PERIOD, PERIOD), R.ENTITY_TIERS: read(R.ENTITY_TIERS,
                                                                       overlapping)}
    result = engine.entity({"resumed": True, "poor_workers": 22}, params)
    assert result.status == "conflict"
    assert result.amount is None
    assert "1、2" in result.explanation


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2019, 1, 1), date(2021, 12, 31)), st.integers(0, 30))
def test_months_count_to_the_same_day_clamped_at_month_end(start, n) -> None:
    end = add_months(start, n)
    assert full_months(start, end) == n
    assert full_months(start, end - timedelta(days=1)) == max(n - 1, 0) if n else True


def test_months_examples_of_the_decision() -> None:
    assert add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)
    assert full_months(date(2020, 1, 31), date(2020, 2, 29)) == 1
    assert full_months(date(2020, 1, 31), date(2020, 2, 28)) == 0
    assert full_months(date(2020, 1, 31), date(2020, 3, 30)) == 1
    assert full_months(date(2020, 1, 31), date(2020, 3, 31)) == 2
    assert full_months(date(2020, 2, 10), date(2020, 8, 10)) == 6
    assert full_months(date(2020, 2, 10), date(2020, 8, 9)) == 5
    assert full_months(date(2020, 3, 1), date(2020, 2, 1)) == 0
