"""Volunteers' dated rules (``core.rules``): how long a volunteer offered a place from
the waiting list has to confirm it (issue #13). ``FangkongModule.ready`` imports this
module; ``services._offer_deadline`` reads it on the day the place is offered."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core import rules
from fangkong.core.models.rules import ValueKind

OFFER_HOURS_CODE = "volunteers.offer_hours"


def _hours_in_range(value: int) -> None:
    if not 1 <= value <= 72:
        raise ValidationError(_("Give from 1 to 72 hours."))


OFFER_HOURS = rules.declare(
    OFFER_HOURS_CODE, name=gettext_lazy("Volunteers: hours to confirm an offered place"),
    kind=ValueKind.INTEGER, unit="小时", module="volunteers", default=12,
    default_document=("", gettext_lazy("Platform default")),
    description=gettext_lazy(
        "A volunteer offered a place from a shift's waiting list has this long to confirm "
        "it, and never beyond the shift's start; then the offer expires and the place goes "
        "to the next one waiting."),
    help_text=gettext_lazy("From 1 to 72 hours."),
    validators=[_hours_in_range],
)
