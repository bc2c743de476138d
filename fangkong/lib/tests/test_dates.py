"""Tests for fangkong.lib.dates: the one reading of a ``?date=`` (strict for the API and
commands, clamping for pages)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from fangkong.lib.dates import DEFAULT_EARLIEST, day_param, parse_day


def field_error(raw: str, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        parse_day(raw, **kwargs)
    return caught.value.message_dict[kwargs.get("field", "date")]


def test_it_reads_an_iso_day_and_defaults_to_today() -> None:
    assert parse_day("2020-02-03") == date(2020, 2, 3)
    assert parse_day(" 2020-02-03 ") == date(2020, 2, 3)
    assert parse_day(None) == timezone.localdate()
    assert parse_day("", default=date(2020, 2, 1)) == date(2020, 2, 1)


def test_it_names_the_field_for_a_malformed_day() -> None:
    for raw in ("2020-02-30", "yesterday", "2020/02/03", "20200203x"):
        assert field_error(raw) == ["Give the date as YYYY-MM-DD."], raw
    assert field_error("x", field="day") == ["Give the date as YYYY-MM-DD."]


def test_it_refuses_days_outside_the_allowed_range() -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert field_error(tomorrow.isoformat()) == ["The date is in the future."]
    assert parse_day(tomorrow.isoformat(), ahead=1) == tomorrow
    before = (DEFAULT_EARLIEST - timedelta(days=1)).isoformat()
    assert field_error(before) == [f"Give a date from {DEFAULT_EARLIEST.isoformat()} on."]


def test_pages_clamp_instead_of_refusing() -> None:
    today = timezone.localdate()
    assert day_param("nonsense") == today
    assert day_param("9999-12-31") == today
    assert day_param("1900-01-01") == DEFAULT_EARLIEST


def test_it_reads_a_moment_and_refuses_impossible_ones() -> None:
    from fangkong.lib.dates import parse_moment

    moment = parse_moment("2020-03-02T09:23:00+08:00")
    assert moment is not None and moment.utcoffset().total_seconds() == 8 * 3600
    assert parse_moment("2020-03-02T09:23:00").tzinfo is not None  # local time
    for bad in ("2020-02-30T10:00:00+08:00", "2020-13-01T00:00", "yesterday", "", None, 3):
        assert parse_moment(bad) is None, bad
