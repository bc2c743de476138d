"""Supplies' dated rules (``core.rules``): how many days of use a store should keep
before a low-stock alert opens (issue #16 item 5: "below a reorder level or N days of
use"). ``FangkongModule.ready`` imports this module; ``services.alerts`` reads it on the
movement's day."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core import rules
from fangkong.core.models.rules import ValueKind

DAYS_OF_USE_CODE = "supplies.days_of_use"
#: Days over which the daily use is averaged.
USE_WINDOW_DAYS = 7


def _days_in_range(value: int) -> None:
    if not 0 <= value <= 60:
        raise ValidationError(_("Give from 0 to 60 days (0: no alert by days of use)."))


DAYS_OF_USE = rules.declare(
    DAYS_OF_USE_CODE, name=gettext_lazy("Days of use kept in stock"), kind=ValueKind.INTEGER,
    unit="天", module="supplies", default=3,
    default_document=("", gettext_lazy("Platform default")),
    description=gettext_lazy(
        "A low-stock alert opens when a store holds less than this many days of its "
        "average daily issues (over the last 7 days); 0 turns this off."),
    help_text=gettext_lazy("From 0 to 60 days."),
    validators=[_days_in_range],
)
