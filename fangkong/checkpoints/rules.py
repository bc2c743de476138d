"""Checkpoints' dated rules (``core.rules``): the fever threshold and the watched plate
provinces (POLICIES.md "Fever", PRODUCT.md §4). ``FangkongModule.ready`` imports this
module, which declares them; ``services.screening.screening_rule(day)`` reads them.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core import rules
from fangkong.core.models.rules import ValueKind
from fangkong.lib.identity import PLATE_PROVINCES

FEVER_CODE = "checkpoints.fever_threshold"
PROVINCES_CODE = "checkpoints.watched_provinces"
SHIPPED = ("", gettext_lazy("Platform default (POLICIES.md, “Fever”)"))
SHIPPED_PROVINCES = ("", gettext_lazy("Platform default"))


def _threshold_in_range(value: Decimal) -> None:
    if not Decimal("36.0") <= value <= Decimal("39.0") or value != value.quantize(
            Decimal("0.1")):
        raise ValidationError(_("Give a threshold from 36.0 to 39.0 °C, one decimal."))


def _provinces(raw: str) -> tuple[str, ...]:
    """"鄂 豫", "鄂豫" and "鄂、豫" all mean (鄂, 豫)."""
    return tuple(dict.fromkeys("".join((raw or "").replace("、", "").replace(",", "").split())))


def _only_provinces(value: tuple[str, ...]) -> None:
    if any(p not in PLATE_PROVINCES for p in value):
        raise ValidationError(_("Use plate province abbreviations only, such as 鄂 or 鄂豫."))


FEVER_THRESHOLD = rules.declare(
    FEVER_CODE, name=gettext_lazy("Fever threshold"), kind=ValueKind.DECIMAL, unit="°C",
    module="checkpoints", default=Decimal("37.3"), default_document=SHIPPED,
    description=gettext_lazy("A temperature at or above this opens a fever alert."),
    help_text=gettext_lazy("From 36.0 to 39.0 °C, one decimal, e.g. 37.3."),
    validators=[_threshold_in_range],
)
WATCHED_PROVINCES = rules.declare(
    PROVINCES_CODE, name=gettext_lazy("Watched provinces"), kind=ValueKind.LIST,
    module="checkpoints", default=("鄂",), default_document=SHIPPED_PROVINCES,
    parse=_provinces, format="".join,
    description=gettext_lazy(
        "Plate province abbreviations whose vehicles are flagged for screening."),
    help_text=gettext_lazy(
        "Plate province abbreviations, e.g. 鄂 or 鄂豫. Leave empty to watch none."),
    validators=[_only_provinces],
)
