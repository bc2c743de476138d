"""Validation and normalisation of identity and contact data (POLICIES.md, "Identity and
contact data"): resident ID card numbers, mainland mobile numbers, unified social credit codes
and vehicle plates.

Pure functions, no models and no Django settings needed at import or call time: the messages
are lazy translations that are only rendered when ``str()``-ed, so the same errors serve the
web forms, the API and the spreadsheet importer in whatever language is active there.

Every public validator normalises first (full-width characters, stray spaces, case) because
most input is typed on phones with Chinese IMEs or pasted from spreadsheets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Final

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

StrOrPromise = str | Promise

__all__ = [
    "PLATE_PROVINCES",
    "IdNumberInfo",
    "IdentityError",
    "IdentityWarning",
    "Plate",
    "id_number_checksum",
    "make_id_number",
    "normalize_id_number",
    "normalize_phone",
    "normalize_plate",
    "normalize_uscc",
    "parse_plate",
    "validate_id_number",
    "validate_contact_phone",
    "validate_phone",
    "validate_uscc",
]


def _render(template: StrOrPromise, params: dict[str, Any]) -> str:
    # ``template % params`` rather than ``str(template) % params``: an ``ngettext_lazy``
    # template picks its plural form from the params only when interpolated itself.
    return str(template % params)


#: Interpolates at ``str()`` time, so a message built outside a request still renders in the
#: language active where it is finally shown.
_lazy_render = lazy(_render, str)


class IdentityError(ValueError):
    """A value that cannot be accepted, with a message fit to show the person who typed it.

    ``message`` is a lazy, already interpolated translation (``str(exc.message)`` in the active
    language). ``template`` and ``params`` are kept apart as well so that a Django adapter can
    build ``ValidationError(exc.template, code=exc.code, params=exc.params)``; ``code`` is a
    stable machine-readable reason for tests, the API and the importer's error report.
    """

    def __init__(
        self, template: StrOrPromise, code: str, params: dict[str, Any] | None = None,
    ) -> None:
        self.template = template
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        self.message: StrOrPromise = (
            _lazy_render(template, self.params) if self.params else template
        )
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)

    def __repr__(self) -> str:
        return f"IdentityError(code={self.code!r}, params={self.params!r})"


@dataclass(frozen=True)
class IdentityWarning:
    """A non-fatal note about an accepted value (e.g. an unfamiliar division code).

    The value is still valid; the note is for the person reviewing it.
    """

    code: str
    message: StrOrPromise

    def __str__(self) -> str:
        return str(self.message)


# --------------------------------------------------------------------------------------------
# Normalisation shared by every field

#: Full-width ASCII (U+FF01..U+FF5E, what Chinese IMEs produce in full-width mode) to ASCII, and
#: the ideographic space U+3000 to a plain space. Deliberately not NFKC: that would also turn
#: superscripts, circled digits and the like into digits and let garbage through.
_FULLWIDTH: Final[dict[int, int]] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20

#: Invisible characters that ride along when numbers are pasted from Word or Excel.
_INVISIBLE: Final = "\u200b\u200c\u200d\u2060\ufeff"


def _to_ascii(raw: object) -> str:
    text = "" if raw is None else str(raw)
    return text.translate(_FULLWIDTH)


def _drop_spaces(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch not in _INVISIBLE)


# --------------------------------------------------------------------------------------------
# Resident ID card number (居民身份证号码, GB 11643-1999)

ID_NUMBER_LENGTH: Final = 18
EARLIEST_BIRTH_DATE: Final = date(1900, 1, 1)
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


@dataclass(frozen=True)
class IdNumberInfo:
    """What an accepted ID number tells: the normalised number and the facts encoded in it.

    ``warnings`` is a tuple (not a list) so the frozen dataclass stays immutable and
    hashable; each item ``str()``-s to its message.
    """

    number: str
    birth_date: date
    sex: str  # "M" or "F"
    division_code: str
    warnings: tuple[IdentityWarning, ...] = ()


def normalize_id_number(raw: object) -> str:
    """Full-width to ASCII, every space removed, ``x`` to ``X``. Does not validate."""
    return _drop_spaces(_to_ascii(raw)).upper()


def id_number_checksum(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character ("0"-"9" or "X") for 17 digits."""
    if len(first17) != ID_NUMBER_LENGTH - 1 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")
    # stdnum's helper reads everything but the last character; pad a placeholder check char.
    return stdnum_ric.calc_check_digit(first17 + "0")


def make_id_number(division_code: str, birth: date, seq: int) -> str:
    """A valid 18-character number for demo and test data; an odd ``seq`` makes a man.

    Raises plain ``ValueError`` (a programming error, not user input) on bad arguments.
    """
    if len(division_code) != 6 or not division_code.isascii() or not division_code.isdigit():
        raise ValueError(f"division code must be 6 digits, got {division_code!r}")
    if not 0 <= seq <= 999:
        raise ValueError(f"sequence must be 0-999, got {seq!r}")
    if not 1000 <= birth.year <= 9999:
        raise ValueError(f"birth year must have four digits, got {birth!r}")
    first17 = f"{division_code}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_number_checksum(first17)


@lru_cache(maxsize=8192)
def _division_known(division_code: str) -> bool:
    """Whether stdnum's table of division codes has ever listed this county code.

    ``stdnum.cn.ric.get_birth_place`` is not used: it also demands that the county existed in
    the birth year, but the code is the registration address when the card was issued (from
    1985 on), so every Ankang resident born before 2000 (汉滨区 610902 dates from 2000) would
    fail it. The table lookup is advisory; a failing lookup only means "unknown".
    """
    try:
        from stdnum import numdb

        results = numdb.get("cn/loc").info(division_code)
    except (ImportError, LookupError, OSError, ValueError):
        return False
    return any("county" in props for _part, props in results)


def validate_id_number(raw: object, *, today: date | None = None) -> IdNumberInfo:
    """Accept an 18-character ID number or raise ``IdentityError`` saying what is wrong.

    Checks, in order: empty, 15-digit legacy, length, characters, birth date (real, not before
    1900, not in the future) and the check character. The birth date is checked before the
    checksum because a date error points at the faulty digits while a checksum error cannot.
    The division code is only looked up for a warning: stdnum's table is incomplete and dates
    codes, and rejecting a real person's real number is worse than an unfamiliar code.
    ``stdnum.cn.ric.validate`` is not used as a whole for that reason.
    """
    number = normalize_id_number(raw)
    if not number:
        raise IdentityError(_("Please enter the ID card number."), "empty")
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise IdentityError(
            _("15-digit legacy ID numbers are not accepted; please enter the 18-digit number."),
            "legacy",
        )
    if len(number) != ID_NUMBER_LENGTH:
        raise IdentityError(
            ngettext_lazy(
                "An ID card number has 18 characters; %(count)d was entered.",
                "An ID card number has 18 characters; %(count)d were entered.",
                "count",
            ),
            "length",
            {"count": len(number)},
        )
    if not _ID_SHAPE.fullmatch(number):
        raise IdentityError(
            _("An ID card number contains only digits, with X allowed as the last character."),
            "format",
        )
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    date_text = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    try:
        birth = date(year, month, day)
    except ValueError:
        raise IdentityError(
            _("The birth date in the ID card number (%(date)s) is not a real date."),
            "birth_date",
            {"date": date_text},
        ) from None
    if birth > (today or date.today()):
        raise IdentityError(
            _("The birth date in the ID card number (%(date)s) is in the future."),
            "birth_date_future",
            {"date": date_text},
        )
    if birth < EARLIEST_BIRTH_DATE:
        raise IdentityError(
            _("The birth date in the ID card number (%(date)s) is before 1900."),
            "birth_date_too_early",
            {"date": date_text},
        )
    if number[-1] != id_number_checksum(number[:17]):
        raise IdentityError(
            _("The ID card number's check character does not match; please check for typos."),
            "checksum",
        )
    division_code = number[:6]
    warnings: list[IdentityWarning] = []
    if not _division_known(division_code):
        warnings.append(IdentityWarning(
            "division_unknown",
            _lazy_render(
                _("The area code %(code)s at the start of the ID card number is not in the "
                  "reference list; please double-check it."),
                {"code": division_code},
            ),
        ))
    return IdNumberInfo(
        number=number,
        birth_date=birth,
        sex="M" if int(number[16]) % 2 else "F",
        division_code=division_code,
        warnings=tuple(warnings),
    )


# --------------------------------------------------------------------------------------------
# Mainland mobile number

_DASHES: Final = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_PHONE_PREFIX = re.compile(r"^(?:\((?:\+86|0086|86)\)|\+86|0086)")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def normalize_phone(raw: object) -> str:
    """Strip what people type around a mainland mobile number; does not validate.

    Full-width characters become ASCII, spaces and dashes go, and a country prefix (``+86``,
    ``0086``, either optionally in parentheses, or a bare ``86`` directly followed by exactly
    11 digits) is removed. Anything else is left in place for ``validate_phone`` to report.
    """
    text = _drop_spaces(_to_ascii(raw))
    text = "".join(ch for ch in text if ch not in _DASHES)
    stripped = _PHONE_PREFIX.sub("", text, count=1)
    if stripped != text:
        return stripped
    if len(text) == 13 and text.startswith("86") and text.isascii() and text.isdigit():
        return text[2:]
    return text


def validate_phone(raw: object) -> str:
    """The 11 digits of a mainland mobile number (``1[3-9]`` + 9 digits), or ``IdentityError``."""
    text = _drop_spaces(_to_ascii(raw))
    if not text:
        raise IdentityError(_("Please enter a mobile phone number."), "empty")
    number = normalize_phone(text)
    if number.startswith("+"):
        raise IdentityError(
            _("Only mainland China mobile numbers (+86) are accepted."), "foreign",
        )
    if number and not (number.isascii() and number.isdigit()):
        raise IdentityError(
            _("A mobile number may contain only digits, spaces, dashes and a +86 prefix."),
            "format",
        )
    if len(number) != 11:
        raise IdentityError(
            ngettext_lazy(
                "A mobile number has 11 digits; %(count)d was entered.",
                "A mobile number has 11 digits; %(count)d were entered.",
                "count",
            ),
            "length",
            {"count": len(number)},
        )
    if not _MOBILE.fullmatch(number):
        raise IdentityError(
            _("A mainland mobile number starts with 13 to 19."), "prefix",
        )
    return number


_LANDLINE = re.compile(r"(0(?:[12][0-9]|[3-9][0-9]{2}))([2-9][0-9]{6,7})")
_AREA_IN_PARENS = re.compile(r"^\((0[0-9]{2,3})\)")


def validate_contact_phone(raw: object) -> str:
    """A number to call someone back on: a mainland mobile number (its 11 digits, as
    ``validate_phone``) or a landline with its area code, returned as ``0915-3212345``
    (typed with or without the dash, with spaces, or as ``(0915)3212345``).

    Area codes are 010 and 02x (three digits) or four digits starting 03 to 09; the local
    number has 7 or 8 digits and does not start with 0 or 1. Every form that asks for a
    callback or contact number uses this one (a person's own mobile: ``validate_phone``).
    """
    text = _drop_spaces(_to_ascii(raw))
    if not text:
        raise IdentityError(_("Please enter a phone number."), "empty")
    text = _AREA_IN_PARENS.sub(r"\1", text)
    digits = "".join(ch for ch in text if ch not in _DASHES)
    if digits.startswith("0") and not digits.startswith("00"):
        found = _LANDLINE.fullmatch(digits)
        if found is None:
            raise IdentityError(_(
                "A landline number is its area code and 7 or 8 digits, e.g. 0915-3212345."
            ), "landline")
        return f"{found.group(1)}-{found.group(2)}"
    try:
        return validate_phone(text)
    except IdentityError as exc:
        if exc.code in ("empty", "foreign"):
            raise
        raise IdentityError(_(
            "Enter a mobile number (11 digits) or a landline number with its area code, "
            "e.g. 0915-3212345."), exc.code) from None


# --------------------------------------------------------------------------------------------
# Unified social credit code (统一社会信用代码, GB 32100-2015)

#: GB 32100-2015 code characters: digits and capitals without I, O, S, V, Z.
USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_SHAPE = re.compile(
    rf"[{USCC_ALPHABET}]{{2}}[0-9]{{6}}[{USCC_ALPHABET}]{{10}}"
)


def normalize_uscc(raw: object) -> str:
    """Full-width to ASCII, spaces and dashes removed, uppercased; does not validate."""
    text = _drop_spaces(_to_ascii(raw))
    return "".join(ch for ch in text if ch not in _DASHES).upper()


def validate_uscc(raw: object) -> str:
    """The normalised 18-character code, or ``IdentityError``.

    The character classes are checked here rather than by ``stdnum.cn.uscc.validate``, which
    insists the first two characters are digits and so rejects real codes such as the ``N2``
    (rural collective economic organisation) codes villages hold; stdnum's
    ``calc_check_digit`` still computes the check character.
    """
    code = normalize_uscc(raw)
    if not code:
        raise IdentityError(_("Please enter the unified social credit code."), "empty")
    if len(code) != 18:
        raise IdentityError(
            ngettext_lazy(
                "A unified social credit code has 18 characters; %(count)d was entered.",
                "A unified social credit code has 18 characters; %(count)d were entered.",
                "count",
            ),
            "length",
            {"count": len(code)},
        )
    if not _USCC_SHAPE.fullmatch(code):
        raise IdentityError(
            _("The unified social credit code contains characters that are not allowed "
              "(characters 3-8 are digits; the letters I, O, S, V and Z are never used)."),
            "format",
        )
    if code[-1] != stdnum_uscc.calc_check_digit(code[:17]):
        raise IdentityError(
            _("The unified social credit code's check character does not match; please check "
              "for typos."),
            "checksum",
        )
    return code


# --------------------------------------------------------------------------------------------
# Vehicle plate

PLATE_PROVINCES: Final = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
#: Special-use plates whose last serial position is a character: trailer, driving school, police.
PLATE_SUFFIXES: Final = "挂学警"
#: Separators seen between the issuing letter and the serial: middle dots (Latin, katakana,
#: bullet), full stops and dashes.
_PLATE_SEPARATORS: Final = "·・•‧.。" + _DASHES
_PLATE_SERIAL_CHAR = re.compile(r"[A-Z0-9]")


@dataclass(frozen=True)
class Plate:
    """A parsed mainland plate; ``number`` is the canonical form stored and searched on."""

    number: str
    province: str
    letter: str
    new_energy: bool

    @property
    def serial(self) -> str:
        return self.number[2:]

    @property
    def display(self) -> str:
        """The form painted on the plate, e.g. ``陕G·12345``."""
        return f"{self.province}{self.letter}·{self.serial}"

    def __str__(self) -> str:
        return self.number


def normalize_plate(raw: object) -> str:
    """Full-width to ASCII, spaces/dots/dashes removed, uppercased; does not validate."""
    text = _drop_spaces(_to_ascii(raw))
    return "".join(ch for ch in text if ch not in _PLATE_SEPARATORS).upper()


def parse_plate(raw: object) -> Plate:
    """Parse a plate such as ``陕G12345``, ``鄂A·12345`` or ``鄂AD12345``, or raise.

    Shape: province abbreviation, issuing letter A-Z, then a serial of 5 characters (6 for
    new-energy vehicles; the D/F rules are left out because they changed over the years), or of
    4 characters plus 挂/学/警 for trailer, driving-school and police plates, where the character
    takes the fifth position. Serials never use I or O (they look like 1 and 0).
    """
    number = normalize_plate(raw)
    if not number:
        raise IdentityError(_("Please enter the plate number."), "empty")
    province = number[0]
    if province not in PLATE_PROVINCES:
        raise IdentityError(
            _("A plate number starts with a province abbreviation; “%(char)s” is not one."),
            "province",
            {"char": province},
        )
    letter = number[1:2]
    if not ("A" <= letter <= "Z"):
        raise IdentityError(
            _("The second character of a plate number is a letter A-Z."), "letter",
        )
    serial = number[2:]
    suffixed = bool(serial) and serial[-1] in PLATE_SUFFIXES
    body = serial[:-1] if suffixed else serial
    if any(ch in "IO" for ch in body):
        raise IdentityError(
            _("Plate numbers do not use the letters I and O; did you mean 1 or 0?"),
            "letter_io",
        )
    if not all(_PLATE_SERIAL_CHAR.fullmatch(ch) for ch in body):
        raise IdentityError(
            _("After the province and letter a plate number has only letters and digits."),
            "format",
        )
    if suffixed:
        if len(body) != 4:
            raise IdentityError(
                _("A plate ending in 挂, 学 or 警 has 4 letters or digits before it."),
                "length",
            )
    elif len(body) not in (5, 6):
        raise IdentityError(
            ngettext_lazy(
                "After the province and letter a plate number has 5 characters (6 for "
                "new-energy vehicles); %(count)d was entered.",
                "After the province and letter a plate number has 5 characters (6 for "
                "new-energy vehicles); %(count)d were entered.",
                "count",
            ),
            "length",
            {"count": len(body)},
        )
    return Plate(
        number=number,
        province=province,
        letter=letter,
        new_energy=not suffixed and len(body) == 6,
    )
