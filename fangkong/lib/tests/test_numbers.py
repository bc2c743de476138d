"""``lib.numbers.read_decimal``: the one reading of a number a user typed or sent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fangkong.lib.numbers import NumberError, read_decimal

HOSTILE = ("NaN", "nan", "sNaN", "Infinity", "-inf", float("nan"), float("inf"), "1e308",
           1e308, "9" * 400, "1E+999999999", 10**5000, 2**70, "0.123456789", "1e-30",
           "", " ", "abc", "1,5", True, None, [36.5], {"v": 1}, "3" * 65)


def test_it_reads_numbers_as_people_type_them() -> None:
    assert read_decimal("36.5") == Decimal("36.5")
    assert read_decimal(" ３６．５ ") == Decimal("36.5")  # full-width, as a phone types it
    assert read_decimal("36。5") == Decimal("36.5")
    assert read_decimal(36.6) == Decimal("36.6")  # a float through str: no binary tail
    assert read_decimal(12) == Decimal(12)
    assert read_decimal("1e3") == Decimal(1000)
    assert read_decimal("36,5", comma="decimal") == Decimal("36.5")
    assert read_decimal("1,234.5", comma="grouping") == Decimal("1234.5")


def test_it_reads_minus_zero_as_zero() -> None:
    for zero in ("-0", "-0.0", "0E+50", Decimal("-0")):
        number = read_decimal(zero)
        assert number == 0 and not number.is_signed(), zero


def _id(value: object) -> str:
    if isinstance(value, int) and abs(value) > 10**100:
        return "a 5000-digit int"
    return repr(value)[:30]


@pytest.mark.parametrize("value", HOSTILE, ids=_id)
def test_it_refuses_what_is_not_a_number_in_range_with_a_message(value: object) -> None:
    with pytest.raises(NumberError) as refused:
        read_decimal(value, comma="grouping")
    assert str(refused.value)


def test_what_it_accepts_survives_quantize_and_int() -> None:
    largest = read_decimal("9" * 20)
    assert largest.quantize(Decimal("0.0001")) == largest
    assert int(read_decimal("123456789.12345678")) == 123456789
