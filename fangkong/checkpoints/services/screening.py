"""The screening rule: the fever threshold and the watched plate provinces, as dated
rules (``core.rules``; POLICIES.md "Fever", PRODUCT.md §4).

``screening_rule(day)`` is the one way checkpoints read them: a passage or a temperature
check is judged by the versions in force on its day and stores their ids, so
yesterday's flags do not change when today's rule does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.checkpoints.rules import (
    FEVER_CODE,
    FEVER_THRESHOLD,
    PROVINCES_CODE,
    WATCHED_PROVINCES,
)
from fangkong.core import rules
from fangkong.core.models.rules import ParameterValue
from fangkong.core.services.rules import add_value, may_change_rules


@dataclass(frozen=True)
class ScreeningRule:
    """The two versions a passage is judged by."""

    fever: ParameterValue
    provinces: ParameterValue

    @property
    def fever_threshold(self) -> Decimal:
        return self.fever.typed

    @property
    def watched_provinces(self) -> str:
        return "".join(self.provinces.typed)

    def is_fever(self, temperature: Decimal | None) -> bool:
        return temperature is not None and temperature >= self.fever_threshold

    def is_watched(self, province: str) -> bool:
        return bool(province) and province in self.provinces.typed

    def stamp(self, result: Any) -> None:
        """Record on ``result`` (a passage) the versions it was judged by."""
        result.fever_rule_id = self.fever.pk
        result.plate_rule_id = self.provinces.pk


def screening_rule(day: date | None = None) -> ScreeningRule:
    """The rule in force on ``day`` (default today), in one query. ``NoRuleInForce``
    when HQ has none for that day (before the first version)."""
    found = rules.values_on([FEVER_CODE, PROVINCES_CODE], day or timezone.localdate())
    return ScreeningRule(fever=found[FEVER_CODE], provinces=found[PROVINCES_CODE])


def no_rule_error(exc: rules.NoRuleInForce) -> ValidationError:
    """What a passage or a check dated before any rule answers (never a silent default)."""
    return ValidationError(_(
        "No screening rule is in force on %(day)s; HQ sets one on the screening rule page."
    ) % {"day": exc.day.isoformat()})


def change_rule(
    actor: Any, *, fever_threshold: Decimal | str, watched_provinces: str, note: str,
    valid_from: date | None = None, document_number: str = "", document_title: str = "",
) -> ScreeningRule:
    """A new version of whichever of the two values changed, in force from
    ``valid_from`` (default today); needs CONFIGURE (``add_value``). The same values
    again (a form sent twice) change nothing. Errors name the form's fields."""
    if not may_change_rules(actor):
        raise PermissionDenied
    day = valid_from or timezone.localdate()
    try:
        threshold = FEVER_THRESHOLD.clean(str(fever_threshold))
    except ValidationError as exc:
        raise ValidationError({"fever_threshold": exc.messages}) from None
    try:
        provinces = WATCHED_PROVINCES.clean(watched_provinces or "")
    except ValidationError as exc:
        raise ValidationError({"watched_provinces": exc.messages}) from None
    with transaction.atomic():
        try:
            current = screening_rule(day)
        except rules.NoRuleInForce:
            current = None
        for code, value, field in ((FEVER_CODE, threshold, "fever_threshold"),
                                   (PROVINCES_CODE, provinces, "watched_provinces")):
            old = getattr(current, "fever" if code == FEVER_CODE else "provinces", None)
            if old is not None and old.typed == value:
                continue
            try:
                add_value(actor, code, value=value, valid_from=day, reason=note,
                          document_number=document_number, document_title=document_title)
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "valid_from" in exc.error_dict:
                    raise
                raise ValidationError({field: exc.messages}) from None
    return screening_rule(day)
