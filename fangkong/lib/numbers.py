"""The one reading of a decimal number typed or sent by a user: ``read_decimal``.

Every surface that takes a number (temperatures on the duty screen, the QR page and the
API; report values; dated-rule values; spreadsheet cells) reads it here, so none of them
meets an exception the others were fixed for:

- ``Decimal("1e308")`` is a valid Decimal, but quantizing it to one place exceeds the
  context's 28 digits (``InvalidOperation``: a temperature of 1e308 was a 500), and
  ``int(Decimal("1e999999999"))`` builds a billion-digit integer. A number is refused
  unless ``|n| < 10**MAX_WHOLE_DIGITS`` and it has at most ``MAX_PLACES`` decimals, so
  any quantize or ``int`` on it afterwards stays within 28 digits.
- NaN, sNaN and the infinities (as text or as floats), booleans, lists, objects and text
  longer than ``MAX_TEXT`` are refused; ``-0`` is 0.
- Full-width digits and signs (``３６．５``) are read as ASCII. A comma is what the caller
  says: a decimal separator (temperatures: ``36,5``), thousands grouping in its one
  correct form (report values: ``1,234.5``, not ``1,5``), or refused.

Refusals are ``ValueError`` with a message in the user's language; each caller turns it
into its own field error (docs/decisions/security-inputs.md).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.utils.translation import gettext as _

#: Digits before the point: no count, amount or measurement here comes near 10**20.
MAX_WHOLE_DIGITS = 20
#: Digits after the point a number may carry (the finest stored value has 4).
MAX_PLACES = 8
#: Characters of text read at all (a number of 400 nines is not read digit by digit).
MAX_TEXT = 64

_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_LIMIT = Decimal(10) ** MAX_WHOLE_DIGITS


class NumberError(ValueError):
    """Not a number this application reads; ``str(exc)`` is the user's message."""


def read_decimal(value: Any, *,
                 comma: Literal["decimal", "grouping", "refuse"] = "refuse") -> Decimal:
    """``value`` (text, int, float or Decimal) as a finite Decimal in range; raises
    ``NumberError``. ``comma``: how a comma in text is read (see the module)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise NumberError(_("Enter a number."))
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace("。", ".")
        if len(text) > MAX_TEXT:
            raise NumberError(_("This number is too large."))
        text = _commas(text, comma)
    elif isinstance(value, int) and abs(value) >= _LIMIT:  # before str(): 10**5000 is slow
        raise NumberError(_("This number is too large."))
    else:
        text = str(value)
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise NumberError(_("Enter a number.")) from None
    if not number.is_finite():
        raise NumberError(_("Enter a number."))
    if number.is_zero():
        return Decimal(0)  # -0, 0.00 and 0E+50 alike
    if number.adjusted() >= MAX_WHOLE_DIGITS:
        raise NumberError(_("This number is too large."))
    if -number.as_tuple().exponent > MAX_PLACES:  # type: ignore[operator]
        number = number.normalize()
        if -number.as_tuple().exponent > MAX_PLACES:  # type: ignore[operator]
            raise NumberError(_("Use at most %(n)d decimal places.") % {"n": MAX_PLACES})
    return number


def _commas(text: str, comma: str) -> str:
    if "," not in text:
        return text
    if comma == "decimal" and text.count(",") == 1 and "." not in text:
        return text.replace(",", ".")
    if comma == "grouping" and _GROUPED.fullmatch(text):
        return text.replace(",", "")
    # "1,5" as grouping is a decimal comma or a typo, and dropping the comma would read 15.
    raise NumberError(_("Write the number without commas, such as 1234.5."))


_DIGIT_RUN = re.compile(r"\d+")


def natural_sort_key(text: str) -> str:
    """A text key that sorts house numbers as people count them: 1, 2, 10 and
    3-2-501 before 3-10-101 (a plain sort gives 1, 10, 2).

    Every run of digits becomes its length (two digits) and the digits without leading
    zeros, so a longer number sorts after a shorter one and equal lengths compare digit
    by digit; other characters are kept, lowercased. Each run carries its own length,
    so the order holds also under a database collation that skips punctuation."""

    def run(match: re.Match) -> str:
        digits = match.group().lstrip("0") or "0"
        return f"{min(len(digits), 99):02d}{digits}"

    return _DIGIT_RUN.sub(run, (text or "").strip().lower())
