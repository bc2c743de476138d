"""Changing a dated rule: a new version, which closes the open-ended one before it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.audit import acting_as
from fangkong.core.models import KeyConflict, OrgUnit
from fangkong.core.models.accounts import Cap
from fangkong.core.models.rules import Parameter, ParameterValue, to_stored
from fangkong.core.rules import spec_for
from fangkong.core.scoping import scope_for
from fangkong.lib.dates import earliest_day

#: How far ahead a version may be dated (a document announcing next month's rule).
MAX_DAYS_AHEAD = 366


def may_change_rules(actor: Any) -> bool:
    """The city's rules: changing one needs CONFIGURE (HQ), who may change every rule."""
    return scope_for(actor).can(Cap.CONFIGURE)


def rule_owner(code: str) -> OrgUnit | None:
    """The territorial unit that owns rule ``code`` (its declaration's ``owner_unit``),
    or None for a city rule (or an owner not in this city's territory)."""
    spec = spec_for(code)
    if spec is None or not spec.owner_unit:
        return None
    return OrgUnit.objects.filter(code=spec.owner_unit).first()


def may_change_rule(actor: Any, code: str, *, owner: OrgUnit | None | bool = False) -> bool:
    """May ``actor`` add a version of rule ``code``? HQ (CONFIGURE) always; otherwise
    only a rule with an owning unit, by a grant carrying the declared
    ``owner_capability`` at or above that unit (``Scope.covers``: a town's staff below
    the county do not own the county's rule). ``owner``: the unit already looked up."""
    scope = scope_for(actor)
    if scope.can(Cap.CONFIGURE):
        return True
    if owner is False:
        owner = rule_owner(code)
    spec = spec_for(code)
    return (owner is not None and spec is not None
            and scope.covers(spec.owner_capability, owner.path))


def _overlap_error(other: ParameterValue) -> ValidationError:
    until = other.valid_to.isoformat() if other.valid_to else _("until further notice")
    return ValidationError({"valid_from": [_(
        "This period overlaps the version in force from %(start)s to %(end)s; "
        "periods of one rule may not overlap."
    ) % {"start": other.valid_from.isoformat(), "end": until}]})


def check_period(parameter: Parameter, valid_from: date, valid_to: date | None,
                 *, closing: ParameterValue | None = None) -> None:
    """The form-level check of a new version's period (the database refuses the same
    thing, with a less helpful message): ordered, within the platform's dates, and not
    overlapping another version (``closing``, the open-ended version the new one ends,
    excepted)."""
    if valid_from < earliest_day():
        raise ValidationError({"valid_from": [_("Give a date from %(day)s on.") % {
            "day": earliest_day().isoformat()}]})
    if valid_from > timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError({"valid_from": [_(
            "Give a date at most %(n)d days ahead.") % {"n": MAX_DAYS_AHEAD}]})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": [_(
            "The end of the period is before its start.")]})
    clash = ParameterValue.objects.overlapping(parameter.pk, valid_from, valid_to)
    if closing is not None:
        clash = clash.exclude(pk=closing.pk)
    other = clash.order_by("valid_from").first()
    if other is not None:
        raise _overlap_error(other)


def add_value(
    actor: Any, code: str, *, value: Any, valid_from: date, valid_to: date | None = None,
    document_number: str = "", document_title: str = "", reason: str = "",
    client_id: uuid.UUID | None = None,
) -> tuple[ParameterValue, bool]:
    """Add a version of rule ``code``: ``(version, created)``.

    Needs CONFIGURE, or the declared owner's capability over the owning unit
    (``may_change_rule``). If the latest version is open-ended and starts before
    ``valid_from``, it is closed on the day before, in the same transaction. A version
    starting on or before the open-ended one's start is refused (a correction is a new
    version from a later day). ``client_id`` makes a retried form harmless: the same
    key answers the version it created. ``value`` is the typed value; the declared
    validators of the rule are applied again here."""
    if not may_change_rule(actor, code):
        raise PermissionDenied
    spec = spec_for(code)
    if spec is not None:
        for validator in spec.validators:
            validator(value)
    with acting_as(actor), transaction.atomic():
        # The rule's row is locked first, so that of two identical submissions the
        # second finds the first one's version by its key instead of an overlap.
        parameter = Parameter.objects.select_for_update().get(code=code)
        if client_id is not None:
            existing = ParameterValue.objects.filter(client_id=client_id).first()
            if existing is not None:
                if existing.parameter_id != parameter.pk:
                    raise ValidationError({"client_id": [_(
                        "This key was already used for another rule.")]})
                if (existing.value, existing.valid_from, existing.valid_to,
                        existing.document_number, existing.document_title,
                        existing.reason) != (
                        to_stored(parameter.kind, value), valid_from, valid_to,
                        (document_number or "").strip(), (document_title or "").strip(),
                        (reason or "").strip()):
                    raise KeyConflict.on_key()  # a changed resubmission, not a retry
                return existing, False
        if valid_to is not None:
            # Versions start after the latest one, so a version that ends would leave
            # no rule in force after it, and checkpoints would refuse every passage.
            raise ValidationError({"valid_to": [_(
                "Leave the end empty: a version that ends would leave no rule in force "
                "after it. Add the next version when it is decided; it ends this one."
            )]})
        latest = parameter.values.order_by("-valid_from").first()
        closing = None
        if latest is not None and (latest.valid_to is None or latest.valid_to >= valid_from):
            if valid_from <= latest.valid_from:
                raise ValidationError({"valid_from": [_(
                    "The version in force started on %(day)s; a new version must start "
                    "after that day."
                ) % {"day": latest.valid_from.isoformat()}]})
            closing = latest
        check_period(parameter, valid_from, valid_to, closing=closing)
        if closing is not None:
            closing.valid_to = valid_from - timedelta(days=1)
            closing.save(update_fields=["valid_to"])
        new = ParameterValue(
            parameter=parameter, valid_from=valid_from, valid_to=valid_to,
            value=to_stored(parameter.kind, value), client_id=client_id,
            document_number=(document_number or "").strip(),
            document_title=(document_title or "").strip(), reason=(reason or "").strip(),
            created_by=actor,
        )
        new.full_clean(exclude=["parameter", "created_by"])
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError:
            # A concurrent writer got there between the check and the insert (the
            # parameter row lock prevents it on PostgreSQL; kept for any other path).
            raise ValidationError({"valid_from": [_(
                "This period overlaps another version of the rule; reload the page.")]},
            ) from None
    return new, True
