"""``lib.jsontext.loads``: the one reading of JSON a user sent, with a depth limit."""

from __future__ import annotations

import pytest

from fangkong.lib.jsontext import MAX_DEPTH, JSONError, depth, loads


def test_it_reads_ordinary_json() -> None:
    assert loads(b'{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}
    assert depth({"a": [1, {"b": None}]}) == 3 and depth(5) == 0


@pytest.mark.parametrize("text", [
    "[" * 3000 + "]" * 3000,  # RecursionError in Python's decoder
    "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),  # read, but too deep for what follows
    '{"t": NaN}', '{"t": Infinity}', "{", b"\xff\xfe", "",
], ids=["3000 levels", "past the limit", "NaN", "Infinity", "malformed", "not UTF-8", "empty"])
def test_it_refuses_with_a_message(text: str | bytes) -> None:
    with pytest.raises(JSONError) as refused:
        loads(text)
    assert str(refused.value)


def test_it_reads_up_to_the_limit() -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert depth(loads(text)) == MAX_DEPTH
