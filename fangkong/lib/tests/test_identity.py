"""Tests for fangkong.lib.identity: ID numbers, mobile numbers, USCC and plates.

Pure: no database. Runs under the project settings (pytest-django) and standalone
(``pytest fangkong/lib -p no:django``, see conftest.py). Messages are compared inside
``translation.override("en")`` so the tests keep passing once Chinese catalogues exist.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from fangkong.lib.identity import (
    IdentityError,
    IdNumberInfo,
    Plate,
    id_number_checksum,
    make_id_number,
    normalize_id_number,
    normalize_phone,
    parse_plate,
    validate_id_number,
    validate_phone,
    validate_uscc,
)

TODAY = date(2024, 3, 1)


def _with_check(first17: str) -> str:
    return first17 + id_number_checksum(first17)


def _id_error(raw: str) -> IdentityError:
    with pytest.raises(IdentityError) as info:
        validate_id_number(raw, today=TODAY)
    return info.value


def _stdnum_accepts(number: str) -> bool:
    # stdnum's is_valid even raises KeyError for an unknown county in a known province.
    try:
        return stdnum_ric.is_valid(number)
    except Exception:  # noqa: BLE001
        return False


def _english(err: IdentityError) -> str:
    with translation.override("en"):
        return str(err.message)


# --- ID card numbers -----------------------------------------------------------------------


def test_it_computes_the_published_example_checksum() -> None:
    # The GB 11643-1999 worked example.
    assert id_number_checksum("11010519491231002") == "X"
    info = validate_id_number("11010519491231002X", today=TODAY)
    assert info == IdNumberInfo(
        number="11010519491231002X", birth_date=date(1949, 12, 31), sex="F",
        division_code="110105", warnings=(),
    )


def test_it_agrees_with_stdnum_on_checksums() -> None:
    for seq in range(0, 1000, 37):
        number = make_id_number("610902", date(1985, 6, 15), seq)
        assert stdnum_ric.calc_check_digit(number) == number[-1]


def test_it_makes_valid_numbers_with_sex_from_sequence() -> None:
    male = make_id_number("610902", date(1990, 1, 1), 123)
    female = make_id_number("610902", date(1990, 1, 1), 124)
    assert male.startswith("61090219900101123") and len(male) == 18
    assert validate_id_number(male, today=TODAY).sex == "M"
    assert validate_id_number(female, today=TODAY).sex == "F"
    assert validate_id_number(make_id_number("610924", date(2001, 2, 3), 0), today=TODAY)


def test_it_rejects_bad_arguments_to_make_id_number() -> None:
    for division, seq in (("61090", 1), ("61090A", 1), ("610902", 1000), ("610902", -1)):
        with pytest.raises(ValueError):
            make_id_number(division, date(1990, 1, 1), seq)
    with pytest.raises(ValueError):
        id_number_checksum("1234")


def test_it_returns_the_parts_of_a_valid_number() -> None:
    number = _with_check("61090219850615001")
    info = validate_id_number(number, today=TODAY)
    assert info.number == number
    assert info.birth_date == date(1985, 6, 15)
    assert info.sex == "M"
    assert info.division_code == "610902"
    assert info.warnings == ()


def test_it_accepts_lowercase_x_and_stores_uppercase() -> None:
    assert validate_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_it_normalises_full_width_and_spaces() -> None:
    raw = "\u3000１１０１０５ １９４９１２３１ ００２ｘ \t"
    assert normalize_id_number(raw) == "11010519491231002X"
    assert validate_id_number(raw, today=TODAY).number == "11010519491231002X"
    assert normalize_id_number("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


def test_it_rejects_an_empty_number() -> None:
    for raw in ("", "   ", "\u3000"):
        assert _id_error(raw).code == "empty"
    assert _english(_id_error("")) == "Please enter the ID card number."


def test_it_rejects_a_wrong_checksum() -> None:
    number = _with_check("61090219850615001")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    err = _id_error(wrong)
    assert err.code == "checksum"
    assert "check character" in _english(err)


def test_it_rejects_february_30() -> None:
    err = _id_error(_with_check("61090219900230001"))
    assert err.code == "birth_date"
    assert err.params == {"date": "1990-02-30"}
    assert _english(err) == (
        "The birth date in the ID card number (1990-02-30) is not a real date."
    )


def test_it_rejects_month_13_and_day_zero() -> None:
    assert _id_error(_with_check("61090219901301001")).code == "birth_date"
    assert _id_error(_with_check("61090219900100001")).code == "birth_date"


def test_it_rejects_a_future_birth_date() -> None:
    err = _id_error(_with_check("61090220240302001"))
    assert err.code == "birth_date_future"
    assert "in the future" in _english(err)
    # Today itself is fine (a newborn registered on the day).
    assert validate_id_number(_with_check("61090220240301001"), today=TODAY)


def test_it_rejects_a_birth_date_before_1900() -> None:
    assert _id_error(_with_check("61090218991231001")).code == "birth_date_too_early"
    assert validate_id_number(_with_check("61090219000101001"), today=TODAY)


def test_it_rejects_15_digit_legacy_numbers_with_a_specific_message() -> None:
    err = _id_error("610902850615001")
    assert err.code == "legacy"
    assert _english(err) == (
        "15-digit legacy ID numbers are not accepted; please enter the 18-digit number."
    )


def test_it_rejects_wrong_lengths() -> None:
    err = _id_error("61090219850615001")  # 17 characters
    assert err.code == "length"
    assert err.params == {"count": 17}
    assert _english(err) == "An ID card number has 18 characters; 17 were entered."
    assert _id_error("6109021985061500123").code == "length"
    assert _english(_id_error("1")) == "An ID card number has 18 characters; 1 was entered."


def test_it_rejects_letters_in_the_middle_and_other_characters() -> None:
    for raw in (
        "6109021985X6150011", "61090219850615001Y", "610902-1985061500X", "X10902198506150011",
    ):
        assert _id_error(raw).code == "format"
    assert "only digits" in _english(_id_error("6109021985X6150011"))


def test_it_accepts_an_older_number_whose_division_code_stdnum_dates_later() -> None:
    # 610902 (汉滨区) is listed from 2000; stdnum's validate rejects a 1950 birth there.
    number = _with_check("61090219500101001")
    assert not _stdnum_accepts(number)
    info = validate_id_number(number, today=TODAY)
    assert info.warnings == ()
    # 612421 (安康县) was abolished in 1988: still a real, known code.
    assert validate_id_number(_with_check("61242119500101002"), today=TODAY).warnings == ()


def test_it_accepts_an_unknown_division_code_with_a_warning_only() -> None:
    number = _with_check("61999919600101001")
    assert not _stdnum_accepts(number)
    info = validate_id_number(number, today=TODAY)
    assert info.number == number
    assert [w.code for w in info.warnings] == ["division_unknown"]
    with translation.override("en"):
        assert "619999" in str(info.warnings[0])


def test_it_keeps_template_and_params_for_django_adapters() -> None:
    err = _id_error("123")
    assert err.params == {"count": 3}
    with translation.override("en"):
        assert str(err.template % err.params) == str(err.message) == str(err)
    assert isinstance(err, ValueError)


def test_it_uses_today_by_default() -> None:
    assert validate_id_number(_with_check("61090219850615001")).birth_date == date(1985, 6, 15)


# --- Mobile numbers ------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    "13812345678",
    "+8613812345678",
    "+86 138 1234 5678",
    "008613812345678",
    "0086-138-1234-5678",
    "8613812345678",
    "138-1234-5678",
    " 138 1234 5678 ",
    "(+86) 138 1234 5678",
    "（＋８６）１３８１２３４５６７８",
    "１３８１２３４５６７８",
    "138–1234–5678",
])
def test_it_accepts_and_normalises_mobile_numbers(raw: str) -> None:
    assert validate_phone(raw) == "13812345678"


def test_it_accepts_every_mobile_prefix_13_to_19() -> None:
    for second in "3456789":
        assert validate_phone(f"1{second}012345678") == f"1{second}012345678"


def test_it_only_strips_a_bare_86_before_11_digits() -> None:
    assert normalize_phone("8613812345678") == "13812345678"
    assert normalize_phone("861381234567") == "861381234567"


def test_it_rejects_bad_mobile_numbers() -> None:
    cases = {
        "": "empty",
        "   ": "empty",
        "138123456789": "length",  # 12 digits
        "1381234567": "length",
        "+86": "length",
        "12812345678": "prefix",
        "10812345678": "prefix",
        "23812345678": "prefix",
        "138.1234.5678": "format",
        "138abc45678": "format",
        "(138)12345678": "format",
        "+85261234567": "foreign",
        "+1 415 555 0100": "foreign",
    }
    for raw, code in cases.items():
        with pytest.raises(IdentityError) as info:
            validate_phone(raw)
        assert info.value.code == code, raw
    with pytest.raises(IdentityError) as info:
        validate_phone("138123456789")
    assert _english(info.value) == "A mobile number has 11 digits; 12 were entered."


# --- Unified social credit code ------------------------------------------------------------


def _uscc(first17: str) -> str:
    return first17 + stdnum_uscc.calc_check_digit(first17)


def test_it_accepts_a_valid_uscc() -> None:
    assert validate_uscc("91110000600037341L") == "91110000600037341L"  # stdnum's example
    code = _uscc("91610900MA70ABCDE")
    assert validate_uscc(code) == code
    assert validate_uscc(" " + code.lower()[:9] + " " + code.lower()[9:]) == code
    assert validate_uscc("９１１１００００６０００３７３４１ｌ") == "91110000600037341L"


def test_it_accepts_a_village_collective_uscc_that_stdnum_rejects() -> None:
    code = _uscc("N2610902MF0000012")
    assert not stdnum_uscc.is_valid(code)
    assert validate_uscc(code) == code


def test_it_rejects_bad_usccs() -> None:
    cases = {
        "": "empty",
        "91110000600037341": "length",
        "91110000600037341LL": "length",
        "9111000060003734IL": "format",  # I is never used
        "91A10000600037341L": "format",  # the division code is digits
        "91110000600037341O": "format",
        "91110000600037341M": "checksum",
    }
    for raw, code in cases.items():
        with pytest.raises(IdentityError) as info:
            validate_uscc(raw)
        assert info.value.code == code, raw
    with pytest.raises(IdentityError) as info:
        validate_uscc("91110000600037341M")
    assert "check character" in _english(info.value)


# --- Plates --------------------------------------------------------------------------------


def test_it_parses_an_ordinary_plate() -> None:
    plate = parse_plate("陕G12345")
    assert plate == Plate(number="陕G12345", province="陕", letter="G", new_energy=False)
    assert plate.serial == "12345"
    assert plate.display == "陕G·12345"
    assert str(plate) == "陕G12345"


def test_it_tolerates_dots_spaces_dashes_and_lowercase() -> None:
    for raw in ("鄂A·12345", "鄂A 12345", "鄂a-12345", " 鄂A.12345 ", "鄂Ａ・１２３４５"):
        assert parse_plate(raw).number == "鄂A12345", raw
    assert parse_plate("陕gab123").number == "陕GAB123"


def test_it_recognises_new_energy_plates() -> None:
    small = parse_plate("鄂AD12345")
    assert small.new_energy and small.number == "鄂AD12345"
    assert parse_plate("鄂A12345D").new_energy
    assert parse_plate("陕g·f12345").number == "陕GF12345"


def test_it_accepts_trailer_school_and_police_plates() -> None:
    for raw in ("陕G1234挂", "陕A1234学", "京A0001警"):
        plate = parse_plate(raw)
        assert plate.number == raw and not plate.new_energy


def test_it_rejects_bad_plates() -> None:
    cases = {
        "": "empty",
        "粤B1234": "length",
        "粤B1234567": "length",
        "港A12345": "province",
        "A12345": "province",
        "陕712345": "letter",
        "陕": "letter",
        "陕GI2345": "letter_io",
        "陕G1234O": "letter_io",
        "陕G12#45": "format",
        "陕G12345挂": "length",
        "陕G123挂": "length",
    }
    for raw, code in cases.items():
        with pytest.raises(IdentityError) as info:
            parse_plate(raw)
        assert info.value.code == code, raw
    with pytest.raises(IdentityError) as info:
        parse_plate("港A12345")
    assert _english(info.value) == (
        "A plate number starts with a province abbreviation; “港” is not one."
    )
    with pytest.raises(IdentityError) as info:
        parse_plate("粤B1234")
    assert "4 were entered" in _english(info.value)
