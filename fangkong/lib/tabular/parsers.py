"""Cell parsers for ``ImportField.parse``: what people actually type into spreadsheets.

Each takes one non-empty cell value (already stripped; ``str``, ``int``, ``float``,
``datetime`` or ``bool`` as the file delivered it) and returns a Python value or raises
``ValidationError`` with a translated message. Where Django already ships a message with a
Chinese translation ("Enter a valid date.") it is reused so there is one wording site-wide.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from fangkong.lib.numbers import NumberError, read_decimal

#: Languages a header or choice label is recognised in, whatever the uploader's UI language.
LABEL_LANGUAGES = ("zh-hans", "en")

_DATE_SEPARATORS = re.compile(r"[/.年月]")
_DATE_END = re.compile(r"[日号]$")


def normalize_label(text: object) -> str:
    """Compare labels the way a person would: full-width and half-width forms equal
    (NFKC), case and all whitespace ignored, and the ``*`` templates use to mark required
    columns dropped."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(folded.split()).strip("*")


def label_variants(text: str | Promise) -> set[str]:
    """Normalised forms of a (lazy) label in the active language and in LABEL_LANGUAGES, so
    an English-UI user can upload a Chinese template and the other way round."""
    variants = {normalize_label(text)}
    if isinstance(text, Promise):
        for language in LABEL_LANGUAGES:
            with translation.override(language):
                variants.add(normalize_label(text))
    return variants


def parse_text(value: Any) -> str:
    """Anything as text. Numbers typed into a text column come back without ``.0``."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _digits(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split()).replace(",", "")


def parse_int(value: Any) -> int:
    number = parse_decimal(value, gettext("Enter a whole number."))
    if number != number.to_integral_value():
        raise ValidationError(gettext("Enter a whole number."), code="invalid")
    return int(number)


def parse_decimal(value: Any, message: str | None = None) -> Decimal:
    """A number as ``Decimal`` (``lib.numbers.read_decimal``: finite, in range, floats
    through ``str`` so 0.1 stays 0.1); spaces and thousands commas are dropped."""
    if isinstance(value, str):
        value = _digits(value)
    try:
        return read_decimal(value)
    except NumberError as exc:
        raise ValidationError(message or str(exc), code="invalid") from None


def _date_from_text(text: str) -> dt.date:
    text = unicodedata.normalize("NFKC", text).strip()
    text = text.split(" ", 1)[0].split("T", 1)[0]  # "2024-01-05 00:00:00" -> date part
    if text.isdigit() and len(text) == 8:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    text = _DATE_SEPARATORS.sub("-", _DATE_END.sub("", text))
    return dt.datetime.strptime(text, "%Y-%m-%d").date()


def parse_date(value: Any) -> dt.date:
    """Dates as Excel stores them, or typed as 2024-01-05, 2024/1/5, 2024.1.5, 20240105
    or 2024年1月5日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            return _date_from_text(str(value))
        if isinstance(value, str):
            return _date_from_text(value)
    except ValueError:
        pass
    raise ValidationError(gettext("Enter a valid date."), code="invalid")


def parse_datetime(value: Any) -> dt.datetime:
    """Like ``parse_date`` plus an optional ``HH:MM[:SS]``; naive values are taken as the
    site's local time and made aware when ``USE_TZ`` is on."""
    result: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace("T", " ")
        date_part, _, time_part = text.partition(" ")
        try:
            day = _date_from_text(date_part)
            clock = dt.time()
            if time_part.strip():
                spec = "%H:%M:%S" if time_part.count(":") == 2 else "%H:%M"
                clock = dt.datetime.strptime(time_part.strip(), spec).time()
            result = dt.datetime.combine(day, clock)
        except ValueError:
            result = None
    if result is None:
        raise ValidationError(gettext("Enter a valid date/time."), code="invalid")
    if settings.USE_TZ and timezone.is_naive(result):
        result = timezone.make_aware(result)
    return result


# Tick and cross marks written as escapes: "\u00d7" (multiplication sign) looks like "x".
_TRUE = {"是", "有", "对", "\u221a", "\u2713", "y", "yes", "true", "1"}
_FALSE = {"否", "无", "没有", "错", "\u00d7", "\u2717", "n", "no", "false", "0"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = normalize_label(value)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(gettext("Enter yes or no."), code="invalid")


def parse_choice(choices: Iterable[tuple[Any, Any]] | Any) -> Callable[[Any], Any]:
    """Build a parser accepting a choice's stored value or its label in any UI language.

    ``choices`` is a list of ``(value, label)`` pairs or a Django ``Choices`` enum class;
    the returned callable gives back the stored value.
    """
    pairs = list(getattr(choices, "choices", choices))
    lookup: dict[str, Any] = {}
    for stored, label in pairs:
        for variant in label_variants(label):
            lookup.setdefault(variant, stored)
        lookup.setdefault(normalize_label(stored), stored)

    def parse(value: Any) -> Any:
        key = normalize_label(parse_text(value))
        if key in lookup:
            return lookup[key]
        raise ValidationError(
            gettext("Select a valid choice. %(value)s is not one of the available choices."),
            code="invalid_choice",
            params={"value": parse_text(value)},
        )

    return parse
