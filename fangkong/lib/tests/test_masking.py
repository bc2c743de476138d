"""Tests for fangkong.lib.masking: the default display of personal data.

Pure: no database, no settings needed.
"""

from __future__ import annotations

import pytest

from fangkong.lib.masking import (
    mask_address,
    mask_bank_card,
    mask_id_number,
    mask_name,
    mask_phone,
)

MASKERS = [mask_id_number, mask_phone, mask_name, mask_address, mask_bank_card]


def test_it_masks_an_id_number_like_the_spec() -> None:
    assert mask_id_number("61090219900101123X") == "6109**********123X"
    assert mask_id_number("610902199001011234") == "6109**********1234"
    assert mask_id_number("61090219900101123x") == "6109**********123X"
    assert mask_id_number(" 6109 0219 9001 0112 3X ") == "6109**********123X"


def test_it_masks_a_phone_like_the_spec() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_phone(13812345678) == "138****5678"


def test_it_masks_names() -> None:
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("张") == "*"
    assert mask_name("  李 四 ") == "李*四"


def test_it_masks_addresses() -> None:
    assert mask_address("陕西省安康市汉滨区新城街道文昌社区3号楼") == "陕西省安康市****"
    assert mask_address("汉滨区新城街道") == "汉滨区新城街****"
    assert mask_address("汉滨区新城街") == "汉滨区****"
    assert mask_address("汉") == "****"


def test_it_masks_bank_cards() -> None:
    assert mask_bank_card("6222021234567890123") == "***************0123"
    assert mask_bank_card("6222 0212 3456 7890") == "************7890"
    assert mask_bank_card("12345") == "****5"


@pytest.mark.parametrize("mask", MASKERS)
@pytest.mark.parametrize("empty", [None, "", "   "])
def test_it_returns_empty_for_empty_input(mask, empty) -> None:
    assert mask(empty) == ""


@pytest.mark.parametrize("mask", MASKERS)
@pytest.mark.parametrize("odd", [
    "1", "12", "abc", "x" * 500, 12345, 3.5, ["1", "2"], object(), "\u3000\u200b", "🙂🙂🙂",
])
def test_it_never_raises_on_odd_input(mask, odd) -> None:
    assert isinstance(mask(odd), str)


class _Broken:
    def __str__(self) -> str:
        raise RuntimeError("boom")


@pytest.mark.parametrize("mask", MASKERS)
def test_it_survives_a_broken_str(mask) -> None:
    assert mask(_Broken()) == ""


def _revealed(masked: str) -> int:
    return sum(1 for ch in masked if ch != "*")


@pytest.mark.parametrize("mask, standard, standard_revealed", [
    (mask_id_number, 18, 8),
    (mask_phone, 11, 7),
    (mask_bank_card, 16, 4),
])
def test_it_never_reveals_more_for_unexpected_lengths(mask, standard, standard_revealed) -> None:
    for n in range(1, 40):
        masked = mask("7" * n)
        revealed = _revealed(masked)
        assert len(masked) == n
        assert revealed <= standard_revealed
        if n <= standard:
            assert revealed * standard <= standard_revealed * n, (n, masked)
        assert revealed < n, (n, masked)


def test_it_scales_a_legacy_15_digit_id_number() -> None:
    assert mask_id_number("610902850615001") == "610*********001"
