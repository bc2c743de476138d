"""Dated rules, the module side: declare a parameter once, read its value on a day.

A module declares each rule it applies with ``declare`` (at import of its services):
the code, the type, how a form's text becomes a value and what a value must satisfy,
and the shipped default with the document it comes from. ``sync_declared`` (run after
every ``migrate`` and test-database flush) creates the missing ``Parameter`` rows and,
for a parameter that has no version at all, its shipped default as version one, in
force from ``lib.dates.earliest_day()``: a stored, visible version, not a fallback.

Reading: ``value_on(code, day)`` / ``values_on(codes, day)`` answer the
``ParameterValue`` in force, or raise ``NoRuleInForce``. The answers are cached in the
process (``FANGKONG_RULES_CACHE_SECONDS``, see ``values_on``), cleared at once by any
save or delete of a rule. Changing: the service ``core.services.rules.add_value``; the
history page: ``core.views_rules``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from time import monotonic
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils.translation import gettext as _

from fangkong.core.models.rules import (
    NoRuleInForce,
    Parameter,
    ParameterValue,
    ValueKind,
    to_stored,
)
from fangkong.core.roles import Cap
from fangkong.core.unique import get_or_create_unique
from fangkong.lib.jsontext import JSONError, loads
from fangkong.lib.numbers import NumberError, read_decimal

__all__ = ["NoRuleInForce", "ParameterSpec", "clear_cache", "declare", "declared",
           "rules_changed", "spec_for", "sync_declared", "value_on", "values_on"]


def _parse_default(kind: str, raw: str) -> Any:
    raw = (raw or "").strip()
    if kind == ValueKind.DECIMAL:
        try:
            return read_decimal(raw, comma="decimal")
        except NumberError as exc:
            raise ValidationError(str(exc)) from None
    if kind == ValueKind.INTEGER:
        try:
            value = read_decimal(raw)
        except NumberError as exc:
            raise ValidationError(str(exc)) from None
        if value != value.to_integral_value():
            raise ValidationError(_("Enter a whole number."))
        return int(value)
    if kind == ValueKind.LIST:
        return tuple(dict.fromkeys(p for p in re.split(r"[\s,，、;；]+", raw) if p))
    if kind == ValueKind.JSON:
        try:
            return loads(raw)
        except JSONError:
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
    #: Who owns the rule besides HQ: the code of a territorial unit (``OrgUnit.code``)
    #: whose staff holding ``owner_capability`` over that unit may add versions (a
    #: county's own document). Empty: the city's rule, changed by CONFIGURE (HQ) only.
    owner_unit: str = ""
    owner_capability: str = Cap.APPROVE

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
    """Declare a rule (idempotent per code: a module imported twice declares once).

    ``owner_unit`` / ``owner_capability`` (keyword arguments of ``ParameterSpec``) name
    the territorial unit that owns the rule and the capability over it that lets its
    staff add versions; HQ (CONFIGURE) may always (``services.rules.may_change_rule``)."""
    spec = ParameterSpec(code=code, **kwargs)
    _DECLARED.setdefault(code, spec)
    return _DECLARED[code]


def declared() -> list[ParameterSpec]:
    return list(_DECLARED.values())


def spec_for(code: str) -> ParameterSpec | None:
    return _DECLARED.get(code)


def values_on(codes: Iterable[str], day: date) -> dict[str, ParameterValue]:
    """The version of each parameter in force on ``day``, in one query; ``NoRuleInForce``
    for the first code with none.

    Cached in the process per (codes, day) for ``FANGKONG_RULES_CACHE_SECONDS`` (default
    30; 0: no cache), because every passage and check reads it and a rule changes a few
    times a year. A save or delete of a ``Parameter`` or ``ParameterValue`` clears the
    cache of this process at once (``rules_changed``) and again when its transaction
    commits; other worker processes see the change within the TTL. A transaction that
    changed a rule and has not committed reads around the cache, so it sees its own
    change and a rollback leaves nothing behind. Changes that send no signal
    (``QuerySet.update``, raw SQL) are seen after the TTL; the services save. The
    versions returned are shared between callers: read them, do not modify them.
    """
    codes = tuple(codes)
    alias = router.db_for_read(ParameterValue)
    seconds = getattr(settings, "FANGKONG_RULES_CACHE_SECONDS", 30)
    use_cache = seconds > 0 and not _changed_in_transaction(connections[alias])
    key = (alias, codes, day)
    if use_cache:
        entry = _CACHE.get(key)
        if entry is not None and monotonic() < entry[0]:
            return _answer(entry[1], codes, day)
        generation = _GENERATION[0]
    found = {v.parameter.code: v for v in ParameterValue.objects.using(alias)
             .in_force_on(day).filter(parameter__code__in=codes)
             .select_related("parameter").order_by()}
    if use_cache and generation == _GENERATION[0]:  # no change while reading
        if len(_CACHE) >= _CACHE_MAX_ENTRIES:
            _CACHE.clear()
        _CACHE[key] = (monotonic() + seconds, found)
    return _answer(found, codes, day)


def _answer(found: dict[str, ParameterValue], codes: tuple[str, ...],
            day: date) -> dict[str, ParameterValue]:
    for code in codes:
        if code not in found:
            raise NoRuleInForce(code, day)
    return dict(found)


#: (database alias, codes, day) → (expiry on the ``monotonic`` clock, versions found).
_CACHE: dict[tuple[str, tuple[str, ...], date], tuple[float, dict[str, ParameterValue]]] = {}
_CACHE_MAX_ENTRIES = 512  # days asked of one process; past it the cache starts again
#: Bumped by every clear: a read that began before a change does not store its answer.
_GENERATION = [0]


def clear_cache(**_kwargs: Any) -> None:
    """Forget every cached answer of ``values_on`` in this process."""
    _GENERATION[0] += 1
    _CACHE.clear()


def rules_changed(sender: Any = None, using: str | None = None, **_kwargs: Any) -> None:
    """Receiver of the save and delete signals of ``Parameter`` and ``ParameterValue``
    (``CoreConfig.ready``): clear the cache now, and again when the transaction commits
    (other threads may have cached the old version meanwhile). Until then the change is
    pending on the connection (``_changed_in_transaction``)."""
    clear_cache()
    connection = connections[using or router.db_for_write(ParameterValue)]
    if connection.in_atomic_block and not _changed_in_transaction(connection):
        transaction.on_commit(_clear_at_commit, using=connection.alias)


def _clear_at_commit() -> None:
    clear_cache()


def _changed_in_transaction(connection: Any) -> bool:
    """Has the open transaction on ``connection`` changed a rule that is not committed
    yet? Told by the ``_clear_at_commit`` callback ``rules_changed`` left: Django drops a
    transaction's callbacks when it commits or rolls back, and a savepoint's when that
    savepoint rolls back, so the answer follows the change exactly."""
    return connection.in_atomic_block and any(
        callback is _clear_at_commit for _sids, callback, *_rest in connection.run_on_commit)


def value_on(code: str, day: date) -> ParameterValue:
    """The version of ``code`` in force on ``day`` (its ``.typed`` is the value)."""
    return values_on([code], day)[code]


def sync_declared(**_kwargs: Any) -> None:
    """Create the declared parameters that are missing, and the shipped default of any
    parameter without a version (post_migrate receiver)."""
    from django.utils import translation

    from fangkong.lib.dates import earliest_day

    clear_cache()  # a flush empties the tables without signals
    for spec in declared():
        with translation.override(settings.LANGUAGE_CODE):
            names = {"name": str(spec.name), "description": str(spec.description)}
            number, title = (str(part) for part in spec.default_document)
            reason = str(spec.default_reason)
        with transaction.atomic():
            # Two processes migrating at once: the parameter is created once, and its
            # row lock lets only the first add the default version.
            parameter, _created = get_or_create_unique(
                Parameter.objects.select_for_update(), {"code": spec.code},
                {**names, "kind": spec.kind, "unit": spec.unit, "module": spec.module},
            )
            if not parameter.values.exists():
                ParameterValue.objects.create(
                    parameter=parameter, valid_from=earliest_day(),
                    value=to_stored(spec.kind, spec.default), document_number=number,
                    document_title=title, reason=reason,
                )
