"""Default masking of personal data for display (PRODUCT.md §1: ``6109**********123X``,
``138****5678``).

Masking is the default everywhere personal data is shown, so these functions run on whatever
is stored, including legacy or malformed values: they never raise, return ``""`` for empty
input, and for a value of unexpected length reveal at most as many characters, and at most the
same proportion, as they do for a well-formed value. The full value is a separate, audited
permission and never goes through here.
"""

from __future__ import annotations

from typing import Final

from fangkong.lib.identity import normalize_id_number, normalize_phone

STAR: Final = "*"
#: The last character of a stored ID number (exports mask every row: a fast path).
_CHECK: Final = frozenset("0123456789X")

__all__ = ["mask_address", "mask_bank_card", "mask_id_number", "mask_name", "mask_phone"]


def _text(value: object) -> str:
    """``str(value)`` stripped, ``""`` for ``None``; never raises on odd objects."""
    if value is None:
        return ""
    try:
        return str(value).strip()
    except Exception:  # noqa: BLE001 - a broken __str__ must not break a page that masks it
        return ""


def _keep_ends(text: str, head: int, tail: int, standard: int) -> str:
    """Keep ``head`` leading and ``tail`` trailing characters of a ``standard``-length value.

    Other lengths keep proportionally fewer (rounded down, never more than for the standard
    length), and at least one character is always masked. Length is preserved: the star count
    tells nothing that the standard format does not.
    """
    n = len(text)
    if n == 0:
        return ""
    if n != standard:
        head = min(head, n * head // standard)
        tail = min(tail, n * tail // standard)
    while head + tail >= n and (head or tail):
        if tail >= head:
            tail -= 1
        else:
            head -= 1
    return text[:head] + STAR * (n - head - tail) + text[n - tail:]


def mask_id_number(value: object) -> str:
    """``610902199001011234`` → ``6109**********1234``: area prefix and last four kept."""
    text = _text(value)
    if len(text) == 18 and text.isascii() and text[:17].isdigit() and text[17] in _CHECK:
        return text[:4] + STAR * 10 + text[14:]  # the stored form: no normalising needed
    return _keep_ends(normalize_id_number(text), 4, 4, 18)


def mask_phone(value: object) -> str:
    """``13812345678`` (or ``+86 138-1234-5678``) → ``138****5678``; a landline
    ``0915-3212345`` → ``0915-*****45``."""
    text = _text(value)
    if len(text) == 11 and text.isascii() and text.isdigit():
        return text[:3] + STAR * 4 + text[7:]  # the stored form: no normalising needed
    area, dash, local = text.partition("-")
    if dash and area.startswith("0") and area.isdigit() and local.isdigit():
        # A landline as stored (0915-3212345): the area code and the last two digits.
        return f"{area}-{STAR * (len(local) - 2)}{local[-2:]}"
    cleaned = normalize_phone(text)
    if len(cleaned) == 11 and cleaned.isascii() and cleaned.isdigit():
        text = cleaned
    else:
        text = "".join(text.split())
    return _keep_ends(text, 3, 4, 11)


def mask_name(value: object) -> str:
    """``张三丰`` → ``张*丰``, ``张三`` → ``张*``, ``欧阳娜娜`` → ``欧**娜``, ``张`` → ``*``."""
    text = " ".join(_text(value).split())
    n = len(text)
    if n == 0:
        return ""
    if n == 1:
        return STAR
    if n == 2:
        return text[0] + STAR
    return text[0] + STAR * (n - 2) + text[-1]


def mask_address(value: object) -> str:
    """The first 6 characters (roughly county and town) then ``****``.

    The star count is fixed so the length of the rest is not revealed; an address of six
    characters or fewer keeps only its first half.
    """
    text = _text(value)
    if not text:
        return ""
    keep = 6 if len(text) > 6 else len(text) // 2
    return text[:keep] + STAR * 4


def mask_bank_card(value: object) -> str:
    """``6222021234567890123`` → ``***************0123``: only the last four kept."""
    text = "".join(ch for ch in _text(value) if not ch.isspace() and ch != "-")
    return _keep_ends(text, 0, 4, 16)
