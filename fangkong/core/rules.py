"""Dated rules, the module side: declare a parameter once, read its value on a day.

A module declares each rule it applies with ``declare`` (at import of its services):
the code, the type, how a form's text becomes a value and what a value must satisfy,
and the shipped default with the document it comes from. ``sync_declared`` (run after
every ``migrate`` and test-database flush) creates the missing ``Parameter`` rows and,
for a parameter that has no version at all, its shipped default as version one, in
force from ``lib.dates.earliest_day()``: a stored, visible version, not a fallback.

Reading: ``value_on(code, day)`` / ``values_on(codes, day)`` answer the
``ParameterValue`` in force, or raise ``NoRuleInForce``. Changing: the service
``core.services.rules.add_value``; the history page: ``core.views_rules``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fangkong.core.models.rules import (
    NoRuleInForce,
    Parameter,
    ParameterValue,
    ValueKind,
    to_stored,
)

__all__ = ["NoRuleInForce", "ParameterSpec", "declare", "declared", "spec_for",
           "sync_declared", "value_on", "values_on"]


def _parse_default(kind: str, raw: str) -> Any:
    raw = (raw or "").strip()
    if kind == ValueKind.DECIMAL:
        try:
            value = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        if not value.is_finite():
            raise ValidationError(_("Enter a number."))
        return value
    if kind == ValueKind.INTEGER:
        try:
            return int(raw)
        except ValueError:
            raise ValidationError(_("Enter a whole number.")) from None
    if kind == ValueKind.LIST:
        return tuple(dict.fromkeys(p for p in re.split(r"[\s,，、;；]+", raw) if p))
    if kind == ValueKind.JSON:
        import json

        try:
            return json.loads(raw)
        except ValueError:
            raise ValidationError(_("Enter valid JSON.")) from None
    if not raw:
        raise ValidationError(_("Enter a value."))
    return raw


@dataclass(frozen=True)
class ParameterSpec:
    """A rule as its module declares it. ``parse`` turns a form's text into the typed
    value (default: by ``kind``) and ``format`` back (default: items joined by spaces),
    ``validators`` check the typed value (raise ``ValidationError``); ``help_text``
    explains the input."""

    code: str
    name: Any
    kind: str
    module: str
    default: Any
    unit: str = ""
    description: Any = ""
    default_document: tuple[str, str] = ("", "")
    default_reason: Any = ""
    help_text: Any = ""
    parse: Callable[[str], Any] | None = None
    format: Callable[[Any], str] | None = None
    validators: Sequence[Callable[[Any], None]] = field(default_factory=tuple)

    def clean(self, raw: str) -> Any:
        """The typed value of a form's text, or ``ValidationError``."""
        value = self.parse(raw) if self.parse else _parse_default(self.kind, raw)
        for validator in self.validators:
            validator(value)
        return value

    def as_text(self, value: Any) -> str:
        """The form text that gives ``value`` back (initial values of the form)."""
        if self.format is not None:
            return self.format(value)
        if isinstance(value, (tuple, list)):
            return " ".join(str(v) for v in value)
        return "" if value is None else str(value)


_DECLARED: dict[str, ParameterSpec] = {}


def declare(code: str, **kwargs: Any) -> ParameterSpec:
    """Declare a rule (idempotent per code: a module imported twice declares once)."""
    spec = ParameterSpec(code=code, **kwargs)
    _DECLARED.setdefault(code, spec)
    return _DECLARED[code]


def declared() -> list[ParameterSpec]:
    return list(_DECLARED.values())


def spec_for(code: str) -> ParameterSpec | None:
    return _DECLARED.get(code)


def values_on(codes: Iterable[str], day: date) -> dict[str, ParameterValue]:
    """The version of each parameter in force on ``day``, in one query; ``NoRuleInForce``
    for the first code with none."""
    codes = list(codes)
    found = {v.parameter.code: v for v in ParameterValue.objects.in_force_on(day)
             .filter(parameter__code__in=codes).select_related("parameter")}
    for code in codes:
        if code not in found:
            raise NoRuleInForce(code, day)
    return found


def value_on(code: str, day: date) -> ParameterValue:
    """The version of ``code`` in force on ``day`` (its ``.typed`` is the value)."""
    return values_on([code], day)[code]


def sync_declared(**_kwargs: Any) -> None:
    """Create the declared parameters that are missing, and the shipped default of any
    parameter without a version (post_migrate receiver)."""
    from django.conf import settings
    from django.utils import translation

    from fangkong.lib.dates import earliest_day

    for spec in declared():
        with translation.override(settings.LANGUAGE_CODE):
            names = {"name": str(spec.name), "description": str(spec.description)}
            number, title = (str(part) for part in spec.default_document)
            reason = str(spec.default_reason)
        parameter, _created = Parameter.objects.get_or_create(code=spec.code, defaults={
            **names, "kind": spec.kind, "unit": spec.unit, "module": spec.module,
        })
        if not parameter.values.exists():
            ParameterValue.objects.create(
                parameter=parameter, valid_from=earliest_day(),
                value=to_stored(spec.kind, spec.default), document_number=number,
                document_title=title, reason=reason,
            )
