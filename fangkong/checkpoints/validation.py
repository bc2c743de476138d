"""The passage validator: a small hand-written one, shared by the API, the duty screen
and the self-registration page.

Hand-written rather than a DRF serializer because it sits on the hot path (measured in
bench/checkpoints_bench.py: a serializer costs about as much as the rest of the request).
It collects every field error at once and raises one ``ValidationError`` keyed by field,
with messages in the active language, so each caller renders them its own way.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.checkpoints.models import Direction
from fangkong.core.services.people import NULL_CHARACTERS, PersonData, clean_person_data
from fangkong.lib.dates import parse_moment
from fangkong.lib.identity import IdentityError, Plate, parse_plate
from fangkong.lib.numbers import NumberError, read_decimal

TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")
ORIGIN_MAX = 100
#: How far in the past a device may date a passage it recorded offline.
BACKDATE_LIMIT = timedelta(days=3)
CLOCK_SKEW = timedelta(minutes=10)

FIELDS = frozenset({
    "client_id", "direction", "name", "id_number", "phone", "temperature", "plate", "mask",
    "resident", "origin", "occurred_at",
})
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass
class PassageInput:
    client_id: uuid.UUID
    direction: str
    person: PersonData
    resident: bool
    origin: str
    temperature: Decimal | None
    mask: bool | None
    plate: Plate | None
    occurred_at: datetime | None
    #: the duty staff said the registry's name for this ID number is wrong and could not
    #: correct it (issue #11, item 3): kept as typed, flagged for the community
    name_disputed: bool = False


def parse_client_id(value: Any) -> uuid.UUID:
    if value in (None, ""):
        raise ValidationError(_(
            "Every submission needs a client_id: a key (UUID) the device makes once per "
            "record, so that a retry does not register it twice."
        ))
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise ValidationError(_("client_id must be a UUID.")) from None


def parse_temperature(value: Any, *, required: bool) -> Decimal | None:
    """34.0–43.0 °C with at most one decimal (POLICIES.md, "Fever")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(_("Enter the body temperature."))
        return None
    try:
        number = read_decimal(value, comma="decimal")
    except NumberError:
        raise ValidationError(_("Enter the temperature as a number, such as 36.5.")) from None
    if not TEMPERATURE_MIN <= number <= TEMPERATURE_MAX:
        raise ValidationError(
            _("A body temperature is between %(min)s and %(max)s °C; please measure again.")
            % {"min": TEMPERATURE_MIN, "max": TEMPERATURE_MAX}
        )
    if number != number.quantize(Decimal("0.1")):
        raise ValidationError(_("Give the temperature with one decimal, such as 36.5."))
    return number.quantize(Decimal("0.1"))


def parse_bool(value: Any, *, default: bool | None) -> bool | None:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE:
        return True
    if isinstance(value, str) and value.strip().lower() in _FALSE:
        return False if value.strip() else default
    raise ValidationError(_("Answer true or false."))


def parse_occurred_at(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_moment(value)
    if parsed is None:
        raise ValidationError(_("Give the time as YYYY-MM-DDTHH:MM:SS+08:00."))
    now = timezone.now()
    if parsed > now + CLOCK_SKEW:
        raise ValidationError(_("The time is in the future; check the device's clock."))
    if parsed < now - BACKDATE_LIMIT:
        raise ValidationError(_("Passages older than three days cannot be registered."))
    return parsed


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise ValidationError(_("Enter text."))
    NULL_CHARACTERS(str(value))
    return " ".join(str(value).split())


def clean_passage(data: Any, *, phone_required: bool = False) -> PassageInput:
    """Validate one passage submission; raises ``ValidationError`` with every field error."""
    if not isinstance(data, Mapping):
        raise ValidationError(_("Send the passage as a JSON object."))
    errors: dict[str, list[str]] = {}

    def field(name: str, parse: Any) -> Any:
        try:
            return parse()
        except ValidationError as exc:
            errors[name] = list(exc.messages)
        except IdentityError as exc:
            errors[name] = [str(exc.message)]
        return None

    for key in data:
        if key not in FIELDS:
            errors[str(key)] = [_("Unknown field.")]
    client_id = field("client_id", lambda: parse_client_id(data.get("client_id")))
    direction = data.get("direction")
    if direction not in Direction.values:
        errors["direction"] = [_("Choose “in” or “out”.")]
    temperature = field("temperature", lambda: parse_temperature(
        data.get("temperature"), required=direction == Direction.IN,
    ))
    mask = field("mask", lambda: parse_bool(data.get("mask"), default=None))
    resident = field("resident", lambda: parse_bool(data.get("resident"), default=True))
    origin = field("origin", lambda: _text(data.get("origin")))
    if origin and len(origin) > ORIGIN_MAX:
        errors["origin"] = [_("At most %(n)d characters.") % {"n": ORIGIN_MAX}]
    elif resident is False and not origin and "origin" not in errors:
        errors["origin"] = [_("Say where a non-resident is coming from.")]
    plate_raw = data.get("plate")
    plate = None
    if plate_raw not in (None, ""):
        plate = field("plate", lambda: parse_plate(plate_raw))
    occurred_at = field("occurred_at", lambda: parse_occurred_at(data.get("occurred_at")))
    person = None
    try:
        person = clean_person_data(
            id_number=data.get("id_number"), name=data.get("name"), phone=data.get("phone"),
            phone_required=phone_required,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors[name] = messages
    if errors:
        raise ValidationError(errors)
    return PassageInput(
        client_id=client_id, direction=direction, person=person, resident=bool(resident),
        origin=origin or "", temperature=temperature, mask=mask, plate=plate,
        occurred_at=occurred_at,
    )
