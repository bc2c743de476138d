"""Registering passages: the hot path (ARCHITECTURE.md, "Data flow of one passage").

One transaction per passage: the person by ID number, the passage row (its unique
``client_id`` makes a retry find the first row), the alerts it raises, the audit entry
(django-auditlog's signal) and the day's counters. Nothing else: no aggregation, no
export, no notification on the way.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.checkpoints import alerts, fastsql
from fangkong.checkpoints.models import (
    Channel,
    Checkpoint,
    Direction,
    Passage,
    PassageStatus,
)
from fangkong.checkpoints.services.screening import no_rule_error, screening_rule
from fangkong.checkpoints.validation import PassageInput
from fangkong.core.audit import acting_as
from fangkong.core.models import Person
from fangkong.core.rules import NoRuleInForce
from fangkong.core.services.alerts import open_alert, subject_of
from fangkong.core.services.people import PersonData, lookup_or_create_person


def register_passage(
    actor: Any, checkpoint: Checkpoint, data: PassageInput, *, channel: str = Channel.STAFF,
    context: fastsql.PassageContext | None = None,
) -> tuple[Passage, bool]:
    """Register a passage; returns ``(passage, created)``.

    The same ``client_id`` again returns the first passage with ``created`` false, also
    when two identical requests race: on PostgreSQL the loser's insert waits for the
    winner's commit, fails on the unique key and the whole attempt rolls back before the
    winner's row is read; on SQLite transactions are IMMEDIATE, so they run one at a time.
    A staff entry is confirmed at once; a self-registration (``channel="self"``, no
    actor) waits as pending for the duty staff. ``context`` is what
    ``fastsql.passage_context`` read for this checkpoint and submission, if the caller
    has it already (the API reads it together with the scope check).
    """
    try:
        return _register(actor, checkpoint, data, channel, context)
    except IntegrityError:
        existing = Passage.objects.filter(client_id=data.client_id).first()
        if existing is None:
            raise
        return _same_checkpoint(existing, checkpoint), False


def _same_checkpoint(passage: Passage, checkpoint: Checkpoint) -> Passage:
    if passage.checkpoint_id != checkpoint.pk:
        raise ValidationError({"client_id": [_(
            "This client_id was already used for another record; make a new one for each "
            "passage."
        )]})
    return passage


def _register(
    actor: Any, checkpoint: Checkpoint, data: PassageInput, channel: str,
    context: fastsql.PassageContext | None,
) -> tuple[Passage, bool]:
    """Reads first, outside the write transaction (``fastsql.passage_context``: one
    statement), so the writes hold SQLite's write lock only for their inserts. A key that
    arrives meanwhile is caught by the unique constraint (``register_passage`` then
    answers with the first row). The common case (a known person, no alert) writes in
    one statement on PostgreSQL (``fastsql.write_passage``)."""
    self_registered = channel == Channel.SELF
    if context is None:
        context = fastsql.passage_context(actor, checkpoint.pk, data.client_id,
                                          data.person.id_number, check_scope=False)
    if context.existing_id is not None:
        existing = Passage.objects.select_related("person").get(pk=context.existing_id)
        return _same_checkpoint(existing, checkpoint), False
    recorder = None if self_registered else actor
    person = _known_person(data.person, context.person)
    now = timezone.now()
    occurred_at = data.occurred_at or now
    rule = _rule_on(timezone.localdate(occurred_at))
    passage = Passage(
        checkpoint_id=checkpoint.pk, org_unit_id=checkpoint.org_unit_id,
        unit_path=checkpoint.unit_path, client_id=data.client_id,
        direction=data.direction, occurred_at=occurred_at,
        day=timezone.localdate(occurred_at), resident=data.resident,
        origin=data.origin, temperature=data.temperature, mask=data.mask,
        plate=data.plate.number if data.plate else "",
        fever=rule.is_fever(data.temperature),
        plate_flagged=bool(data.plate) and rule.is_watched(data.plate.province),
        channel=channel,
        status=PassageStatus.PENDING if self_registered else PassageStatus.CONFIRMED,
        recorded_by=recorder, confirmed_at=None if self_registered else now,
    )
    rule.stamp(passage)
    passage.checkpoint = checkpoint
    # No ``acting_as`` here: nothing below saves through the ORM but the rare paths
    # (``lookup_or_create_person``, ``open_alert``), which name their actor themselves;
    # the passage's audit entry names it explicitly.
    alerts = not self_registered and (passage.fever or passage.plate_flagged)
    single_statement = (connection.vendor == "postgresql" and person is not None
                        and not alerts and not connection.in_atomic_block)
    with nullcontext() if single_statement else transaction.atomic():
        if person is None:
            person, _created = lookup_or_create_person(recorder, data.person,
                                                       checkpoint.org_unit)
        passage.person = person
        fastsql.write_passage(passage, actor,
                              None if self_registered else confirmed_counts(passage),
                              next_id=context.next_id)
        if alerts:
            _open_alerts(actor, checkpoint, passage)
    return passage, True


def _rule_on(day: date):
    """The screening rule of the passage's day; a passage dated before any rule is
    refused with a message, not judged by a default."""
    try:
        return screening_rule(day)
    except NoRuleInForce as exc:
        raise no_rule_error(exc) from None


def _known_person(data: PersonData, row: tuple | None) -> Person | None:
    """The registry's person for ``data`` when the stored row (read by ``prefetch``)
    already has everything given; None when ``lookup_or_create_person`` must create the
    person or fill in a missing phone, address or name."""
    if row is None:
        return None
    pk, name, phone, address, unit_path = row
    stored = {"name": name, "phone": phone, "address": address}
    if any(getattr(data, k) and not v for k, v in stored.items()):
        return None
    person = Person(pk=pk, id_number=data.id_number, name=name, phone=phone,
                    address=address, unit_path=unit_path)
    person._state.adding = False
    return person


def confirm_passage(
    actor: Any, passage: Passage, *, temperature: Decimal | None = None,
) -> Passage:
    """The duty staff confirm a self-registration (one tap), correcting the temperature
    they measured if it differs from what the resident typed."""
    with acting_as(actor), transaction.atomic():
        passage = Passage.objects.select_for_update().select_related("checkpoint").get(
            pk=passage.pk,
        )
        if passage.status != PassageStatus.PENDING:
            raise ValidationError(_("This registration was already handled."))
        if temperature is not None:
            passage.temperature = temperature
        if passage.direction == Direction.IN and passage.temperature is None:
            raise ValidationError({"temperature": [_("Enter the body temperature.")]})
        rule = _rule_on(passage.day)
        passage.fever = rule.is_fever(passage.temperature)
        if passage.plate:
            passage.plate_flagged = rule.is_watched(passage.plate[0])
        rule.stamp(passage)
        passage.status = PassageStatus.CONFIRMED
        passage.recorded_by = actor
        passage.confirmed_at = timezone.now()
        passage.save(update_fields=[
            "temperature", "fever", "plate_flagged", "fever_rule", "plate_rule", "status",
            "recorded_by", "confirmed_at", "updated_at",
        ])
        _on_confirmed(actor, passage.checkpoint, passage)
    return passage


def reject_passage(actor: Any, passage: Passage) -> Passage:
    """Discard a self-registration nobody turned up for (or a prank)."""
    with acting_as(actor), transaction.atomic():
        passage = Passage.objects.select_for_update().get(pk=passage.pk)
        if passage.status != PassageStatus.PENDING:
            raise ValidationError(_("This registration was already handled."))
        passage.status = PassageStatus.REJECTED
        passage.recorded_by = actor
        passage.save(update_fields=["status", "recorded_by", "updated_at"])
    return passage


def _on_confirmed(actor: Any, checkpoint: Checkpoint, passage: Passage) -> None:
    """Alerts and counters of a confirmed passage, inside the caller's transaction."""
    _open_alerts(actor, checkpoint, passage)
    bump_daily(checkpoint, passage.day, confirmed_counts(passage))


def confirmed_counts(passage: Passage) -> dict[str, int]:
    """What a confirmed passage adds to its checkpoint's day (``PassageDaily``)."""
    return {
        "passages_in": int(passage.direction == Direction.IN),
        "passages_out": int(passage.direction == Direction.OUT),
        "outsiders": int(not passage.resident),
        "fevers": int(passage.fever),
        "plates_flagged": int(passage.plate_flagged),
        "self_registered": int(passage.channel == Channel.SELF),
    }


def _open_alerts(actor: Any, checkpoint: Checkpoint, passage: Passage) -> None:
    if passage.fever:
        open_alert(
            kind=alerts.FEVER, org_unit=checkpoint.org_unit,
            title=_("Fever %(t)s °C at %(checkpoint)s") % {
                "t": passage.temperature, "checkpoint": checkpoint.name},
            detail=_("%(person)s, %(direction)s, %(time)s") % {
                "person": passage.person, "direction": passage.get_direction_display(),
                "time": timezone.localtime(passage.occurred_at).strftime("%Y-%m-%d %H:%M")},
            subject=subject_of(passage), actor=actor, opened_at=passage.occurred_at,
        )
    if passage.plate_flagged:
        open_alert(
            kind=alerts.PLATE, org_unit=checkpoint.org_unit,
            title=_("Vehicle %(plate)s at %(checkpoint)s: screen it") % {
                "plate": passage.plate, "checkpoint": checkpoint.name},
            detail=_("Plate of a watched province; %(person)s, %(time)s") % {
                "person": passage.person,
                "time": timezone.localtime(passage.occurred_at).strftime("%Y-%m-%d %H:%M")},
            subject=subject_of(passage), actor=actor, opened_at=passage.occurred_at,
        )


def bump_daily(checkpoint: Checkpoint, day: date, counts: dict[str, int]) -> None:
    """Add ``counts`` to the checkpoint's row for ``day`` in one upsert statement
    (``fastsql.daily_upsert``)."""
    fastsql.execute(*fastsql.daily_upsert(checkpoint.pk, checkpoint.unit_path, day, counts),
                    fetch="")
