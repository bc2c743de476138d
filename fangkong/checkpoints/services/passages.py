"""Registering passages: the hot path (ARCHITECTURE.md, "Data flow of one passage").

One transaction per passage: the person by ID number, the passage row (its unique
``client_id`` makes a retry find the first row), the alerts it raises, the audit entry
and the day's counters. Nothing else: no aggregation, no export, no notification on the
way. Plain ORM code on the kit (``bulk_create``, ``core.audit.log_bulk_created``,
``DailyCounter.bump``); what it costs is measured in docs/performance.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.checkpoints import alerts
from fangkong.checkpoints.models import (
    Channel,
    Checkpoint,
    Direction,
    DutyRoster,
    Passage,
    PassageDaily,
    PassageOutcome,
    PassageStatus,
)
from fangkong.checkpoints.services.screening import no_rule_error, screening_rule
from fangkong.checkpoints.validation import PassageInput
from fangkong.core import capture
from fangkong.core.audit import acting_as, log_bulk_created
from fangkong.core.models import Grant, KeyConflict, OrgUnit, Person
from fangkong.core.models.accounts import Cap
from fangkong.core.rules import NoRuleInForce
from fangkong.core.scoping import GRANT_COLUMNS, scope_for
from fangkong.core.services.alerts import open_alert, subject_of
from fangkong.core.services.people import PersonData, link_person, lookup_or_create_person


@dataclass
class PassageContext:
    """What registering a passage at a checkpoint reads (``passage_context``)."""

    checkpoint: Checkpoint | None  # None: no such checkpoint, or not the user's
    existing_id: int | None  # the passage already registered with this client_id
    person: Person | None  # the registry's person with this ID number


def passage_context(user: Any, checkpoint_pk: Any, client_id: Any = None,
                    id_number: str | None = None, *, check_scope: bool = True
                    ) -> PassageContext:
    """The checkpoint ``checkpoint_pk`` if ``user`` may register passages there, the id of
    a passage with ``client_id`` (a retry) and the person with ``id_number``: one
    statement (``_context_sql``).

    This is the hot path's single hand-written read. Through the ORM the same answers
    took three queries (the checkpoint in scope with its roster subquery, the key, the
    person) whose building cost more than the rest of the request
    (docs/performance.md, "Checkpoint passages"). It runs on Django's cursor (query log,
    error translation, prepared on PostgreSQL like any statement) and its rows become ORM
    instances through ``Model.from_db``, each value passed through the converters the
    ORM itself applies to that field on this database (``_converters``): the checkpoint
    whole; the person with the fields the passage needs loaded and the others deferred,
    as ``only()`` would. (``Checkpoint.objects.raw()`` did the same with three times
    the Python work.) Who may register is decided in Python by
    ``Checkpoint.may_register`` (the rule of ``CheckpointQuerySet.visible_to``) from the
    user's scope and the roster flag read here; tests/test_hot_path.py checks both agree
    for every persona. ``check_scope`` false: no check (the caller found the checkpoint
    itself; a self-registration has no user).
    """
    db = connections[router.db_for_read(Checkpoint)]
    passage_key = Passage._meta.get_field("client_id").get_db_prep_value(client_id, db)
    day = DutyRoster._meta.get_field("day").get_db_prep_value(timezone.localdate(), db)
    try:
        pk = int(checkpoint_pk)
    except (TypeError, ValueError):
        return PassageContext(None, None, None)
    if not 0 < pk < 2**63:  # beyond a bigint: no such checkpoint, not a database error
        return PassageContext(None, None, None)
    # Without the scope check (the duty screen, the QR page: the caller found the
    # checkpoint itself) the user's grants and roster need not be read.
    user_id = getattr(user, "pk", None) if check_scope else None
    with db.cursor() as cursor:
        cursor.execute(_context_sql(db.vendor), [user_id, day, passage_key, id_number,
                                                 user_id, pk])
        rows = cursor.fetchall()
    if not rows:
        return PassageContext(None, None, None)
    row = rows[0]
    checkpoint_fields, person_fields, grant_fields = _fields()
    n, m = len(checkpoint_fields), len(checkpoint_fields) + 2 + len(person_fields)
    checkpoint = Checkpoint.from_db(db.alias, [f.attname for f in checkpoint_fields],
                                    _converted(db, checkpoint_fields, row[:n]))
    rostered_today, existing_id = bool(row[n]), row[n + 1]
    if check_scope:
        grants = [_converted(db, grant_fields, r[m:]) for r in rows if r[m] is not None]
        if not Checkpoint.may_register(scope_for(user, grants), checkpoint.unit_path,
                                       rostered_today):
            return PassageContext(None, None, None)
    person = None
    if row[n + 2] is not None:
        person = Person.from_db(db.alias, [f.attname for f in person_fields],
                                _converted(db, person_fields, row[n + 2:m]))
    return PassageContext(checkpoint, existing_id, person)


@cache
def _fields() -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """The columns the read selects: every field of the checkpoint; the person's fields
    the hot path reads (the others stay deferred), each in the model's order
    (``from_db``'s), the person's id first (the read tests it); the grant's and its
    unit's fields ``scope_for`` builds a scope from (``GRANT_COLUMNS``, in that order)."""
    wanted = {"id", "id_number", "name", "phone", "address", "org_unit_id", "unit_path"}
    person = tuple(f for f in Person._meta.concrete_fields if f.attname in wanted)
    assert person[0].primary_key  # noqa: S101 - the read tests the first for NULL
    grant = tuple(
        (OrgUnit if "__" in name else Grant)._meta.get_field(
            name.split("__")[-1].removesuffix("_id"))
        for name in GRANT_COLUMNS)
    return tuple(Checkpoint._meta.concrete_fields), person, grant


def _converted(db: Any, fields: tuple[Any, ...], values: tuple[Any, ...]) -> list[Any]:
    """``values`` as the ORM would load them for ``fields`` on ``db``."""
    out = []
    for (column, converters), value in zip(_converters(db.alias, fields), values,
                                           strict=False):
        for converter in converters:
            value = converter(value, column, db)
        out.append(value)
    return out


@cache
def _converters(alias: str, fields: tuple[Any, ...]) -> tuple[tuple[Any, list], ...]:
    """Per field: its column and the converters Django's compiler applies to it when it
    loads a row (``SQLCompiler.get_converters``: the backend's, then the field's)."""
    db = connections[alias]
    out = []
    for field in fields:
        column = field.get_col(field.model._meta.db_table)
        out.append((column, db.ops.get_db_converters(column)
                    + column.get_db_converters(db)))
    return tuple(out)


@cache
def _context_sql(vendor: str) -> str:
    """Parameters: user id, today, client_id, ID number, user id, checkpoint id.
    Columns: the fields of ``_fields()``, with the roster flag and the key's passage id
    between the checkpoint's and the person's. One row per grant of the user (one row
    with empty grant columns for a user without any)."""
    qn = connections[router.db_for_read(Checkpoint)].ops.quote_name
    checkpoint, roster = qn(Checkpoint._meta.db_table), qn(DutyRoster._meta.db_table)
    passages, people = qn(Passage._meta.db_table), qn(Person._meta.db_table)
    grants, units = qn(Grant._meta.db_table), qn(OrgUnit._meta.db_table)
    checkpoint_fields, person_fields, grant_fields = _fields()
    checkpoint_columns = ", ".join(f"c.{qn(f.column)}" for f in checkpoint_fields)
    person_columns = ", ".join(f"p.{qn(f.column)}" for f in person_fields)
    grant_columns = ", ".join(f"{'u' if f.model is OrgUnit else 'g'}.{qn(f.column)}"
                              for f in grant_fields)
    return (
        f"SELECT {checkpoint_columns}, EXISTS (SELECT 1 FROM {roster} r "
        f"WHERE r.checkpoint_id = c.id AND r.user_id = %s AND r.day = %s), "
        f"(SELECT id FROM {passages} WHERE client_id = %s), {person_columns}, "
        f"{grant_columns} "
        f"FROM {checkpoint} c LEFT JOIN {people} p ON p.id_number = %s "
        f"LEFT JOIN {grants} g ON g.user_id = %s "
        f"LEFT JOIN {units} u ON u.id = g.org_unit_id WHERE c.id = %s"
    )


def register_passage(
    actor: Any, checkpoint: Checkpoint, data: PassageInput, *, channel: str = Channel.STAFF,
    context: PassageContext | None = None,
) -> tuple[Passage, bool]:
    """Register a passage; returns ``(passage, created)``.

    The same ``client_id`` again returns the first passage with ``created`` false, also
    when two identical requests race: on PostgreSQL the loser's insert waits for the
    winner's commit, fails on the unique key and the whole attempt rolls back before the
    winner's row is read; on SQLite transactions are IMMEDIATE, so the writes run one at
    a time and the later one fails on the key the same way. A key already used at
    another checkpoint, or with other content, is refused (``_same_passage``). A staff
    entry is confirmed at once; a self-registration (``channel="self"``, no actor) waits
    as pending for the duty staff.
    The caller has checked that ``actor`` may register at ``checkpoint`` (the API with
    ``passage_context``, whose answer it passes as ``context``).
    """
    try:
        return _register(actor, checkpoint, data, channel, context)
    except IntegrityError:
        existing = _first_by_key(data.client_id)
        if existing is None:
            raise
        return _same_passage(existing, checkpoint, data), False


def _first_by_key(client_id: Any) -> Passage | None:
    return (Passage.objects.filter(client_id=client_id).select_related("person")
            .order_by().first())


def _same_passage(passage: Passage, checkpoint: Checkpoint, data: PassageInput) -> Passage:
    """The first passage under a key, if the retry repeats it. The same key at another
    checkpoint, or with another person, direction or reading, is a conflict (409 on the
    API, a form error on the duty screen and the QR page) instead of an answer with the
    first record, which would drop what was sent (a re-measured fever, for one). A time
    left to the server is not compared."""
    if passage.checkpoint_id != checkpoint.pk:
        raise KeyConflict.on_key()
    same = {"direction": data.direction, "resident": data.resident, "origin": data.origin,
            "name": data.person.name, "phone": data.person.phone,
            "temperature": data.temperature, "mask": data.mask,
            "plate": data.plate.number if data.plate else ""}
    if data.occurred_at is not None:
        same["occurred_at"] = data.occurred_at
    passage.check_same(same)
    if passage.person.id_number != data.person.id_number:
        raise KeyConflict.on_key()
    return passage


def _register(actor: Any, checkpoint: Checkpoint, data: PassageInput, channel: str,
              context: PassageContext | None) -> tuple[Passage, bool]:
    """Reads first, outside the write transaction, so that the writes hold SQLite's
    write lock only for their inserts; a key that arrives meanwhile is caught by the
    unique constraint (``register_passage`` then answers with the first row)."""
    if context is None:
        context = passage_context(actor, checkpoint.pk, data.client_id,
                                  data.person.id_number, check_scope=False)
    if context.existing_id is not None:
        existing = _first_by_key(data.client_id)
        if existing is not None:
            return _same_passage(existing, checkpoint, data), False
    self_registered = channel == Channel.SELF
    recorder = None if self_registered else actor
    person = context.person
    now = timezone.now()
    occurred_at = data.occurred_at or now
    rule = _rule_on(timezone.localdate(occurred_at))
    passage = Passage(
        checkpoint=checkpoint, org_unit_id=checkpoint.org_unit_id,
        unit_path=checkpoint.unit_path, client_id=data.client_id,
        direction=data.direction, occurred_at=occurred_at,
        day=timezone.localdate(occurred_at), resident=data.resident,
        origin=data.origin, temperature=data.temperature, mask=data.mask,
        plate=data.plate.number if data.plate else "",
        fever=rule.is_fever(data.temperature),
        plate_flagged=bool(data.plate) and rule.is_watched(data.plate.province),
        channel=channel, name_disputed=data.name_disputed,
        status=PassageStatus.PENDING if self_registered else PassageStatus.CONFIRMED,
        recorded_by=recorder, confirmed_at=None if self_registered else now,
        made_at=data.occurred_at,
    )
    passage.typed_from(data.person)
    passage.outcome = default_outcome(passage)
    rule.stamp(passage)
    # Made on a phone well before it arrived, after its day was reported: counted in
    # its day all the same, and flagged for the report's reviewer (core.capture).
    passage.arrived_late = capture.is_late(passage, now)
    # No ``acting_as`` here: the passage is written with ``bulk_create`` (no signals) and
    # its audit entry names the actor explicitly; the rare ORM saves below
    # (``link_person`` creating a new person, ``open_alert``) name their actor themselves.
    # A known person is linked as read; the register never writes to their row.
    with transaction.atomic():
        if person is None:
            person = link_person(recorder, data.person, checkpoint.org_unit)
        passage.person = person
        Passage.objects.bulk_create([passage])
        log_bulk_created([passage], actor)
        if not self_registered:
            _on_confirmed(actor, checkpoint, passage)
        if passage.arrived_late:
            passage.created_at = now
            capture.announce_late(passage, actor)
    return passage, True


def _rule_on(day: date):
    """The screening rule of the passage's day; a passage dated before any rule is
    refused with a message, not judged by a default."""
    try:
        return screening_rule(day)
    except NoRuleInForce as exc:
        raise no_rule_error(exc) from None


def default_outcome(passage: Passage) -> str:
    """A fever is not let through until the duty staff decide (``set_outcome``)."""
    return PassageOutcome.REFUSED if passage.fever else PassageOutcome.ADMITTED


def authorise_register(actor: Any, checkpoint_id: int) -> None:
    """``PermissionDenied`` unless ``actor`` may register passages at the checkpoint
    today (``Checkpoint.objects.visible_to``, the duty roster included)."""
    if actor is None or not Checkpoint.objects.visible_to(
            actor, Cap.REGISTER_PASSAGE).filter(pk=checkpoint_id).exists():
        raise PermissionDenied


def confirm_passage(
    actor: Any, passage: Passage, *, temperature: Decimal | None = None,
    self_reported: bool = False,
) -> Passage:
    """The duty staff confirm a self-registration (one tap), with the temperature they
    measured or, said explicitly (``self_reported``), with the resident's own reading.
    Neither given: the entry is refused with a message, so that a reading nobody took
    is never confirmed by a tap meant for something else."""
    authorise_register(actor, passage.checkpoint_id)
    if temperature is None and not self_reported and passage.direction == Direction.IN:
        raise ValidationError({"temperature": [_(
            "Enter the temperature you measured, or confirm with the reading the resident "
            "reported.")]})
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
        passage.outcome = default_outcome(passage)
        passage.status = PassageStatus.CONFIRMED
        passage.recorded_by = actor
        passage.confirmed_at = timezone.now()
        passage.save(update_fields=[
            "temperature", "fever", "plate_flagged", "fever_rule", "plate_rule", "status",
            "outcome", "recorded_by", "confirmed_at", "updated_at",
        ])
        _on_confirmed(actor, passage.checkpoint, passage)
    return passage


def reject_passage(actor: Any, passage: Passage) -> Passage:
    """Discard a self-registration nobody turned up for (or a prank); undone the same
    day by ``restore_passage``."""
    authorise_register(actor, passage.checkpoint_id)
    with acting_as(actor), transaction.atomic():
        passage = Passage.objects.select_for_update().get(pk=passage.pk)
        if passage.status != PassageStatus.PENDING:
            raise ValidationError(_("This registration was already handled."))
        passage.status = PassageStatus.REJECTED
        passage.recorded_by = actor
        passage.save(update_fields=["status", "recorded_by", "updated_at"])
    return passage


def restore_passage(actor: Any, passage: Passage) -> Passage:
    """Undo a discard made today: the self-registration waits for confirmation again."""
    authorise_register(actor, passage.checkpoint_id)
    with acting_as(actor), transaction.atomic():
        passage = Passage.objects.select_for_update().get(pk=passage.pk)
        if (passage.status != PassageStatus.REJECTED
                or timezone.localdate(passage.updated_at) != timezone.localdate()):
            raise ValidationError(_("Only a registration discarded today can be restored."))
        passage.status = PassageStatus.PENDING
        passage.recorded_by = None
        passage.save(update_fields=["status", "recorded_by", "updated_at"])
    return passage


def set_outcome(actor: Any, passage: Passage, outcome: str) -> Passage:
    """What the duty staff did with the person: let through, persuaded to turn back,
    not let through, referred. Moves the passage into or out of the day's in/out count
    in the same transaction; audited."""
    authorise_register(actor, passage.checkpoint_id)
    if outcome not in PassageOutcome.values:
        raise ValidationError({"outcome": [_("Choose what was done with the person.")]})
    with acting_as(actor), transaction.atomic():
        passage = Passage.objects.select_for_update().get(pk=passage.pk)
        if passage.status != PassageStatus.CONFIRMED:
            raise ValidationError(_("Only a confirmed registration has an outcome."))
        if passage.outcome == outcome:
            return passage
        before = confirmed_counts(passage)
        passage.outcome = outcome
        passage.save(update_fields=["outcome", "updated_at"])
        after = confirmed_counts(passage)
        change = {k: after[k] - before[k] for k in ("passages_in", "passages_out")
                  if after[k] != before[k]}
        if change:
            # The day's row exists: the passage was counted when confirmed. An update,
            # not ``bump``: an upsert's insert half may not carry a negative count.
            PassageDaily.objects.filter(checkpoint_id=passage.checkpoint_id,
                                        day=passage.day).update(
                **{k: F(k) + v for k, v in change.items()})
    return passage


def correct_registry_name(actor: Any, person: Person, name: str) -> bool:
    """The duty staff say the registry's name for this ID number is wrong and the typed
    one right: the name is corrected through the registry's own way in
    (``lookup_or_create_person``: ``EDIT`` over the person's unit, audited). Only the name
    changes. False, with nothing written, when the actor may not edit the person (the
    caller then keeps the record as typed and flags it, ``Passage.name_disputed``)."""
    data = PersonData(id_number=person.id_number, name=name, sex=person.sex,
                      birth_date=person.birth_date)
    try:
        lookup_or_create_person(actor, data, person.org_unit, update=True)
    except PermissionDenied:
        return False
    return True


def _on_confirmed(actor: Any, checkpoint: Checkpoint, passage: Passage) -> None:
    """Alerts and counters of a confirmed passage, inside the caller's transaction."""
    _open_alerts(actor, checkpoint, passage)
    count_confirmed([passage])


def count_confirmed(passages: Iterable[Passage]) -> None:
    """Add confirmed passages to their checkpoints' days (``PassageDaily``), one bump per
    checkpoint and day: the one way passages are counted, the demo's bulk rows included."""
    days: dict[tuple[int, date, str], Counter[str]] = defaultdict(Counter)
    for passage in passages:
        days[passage.checkpoint_id, passage.day, passage.unit_path].update(
            confirmed_counts(passage))
    for (checkpoint_id, day, unit_path), counts in days.items():
        PassageDaily.bump({"checkpoint": checkpoint_id, "day": day, "unit_path": unit_path},
                          **counts)


def confirmed_counts(passage: Passage) -> dict[str, int]:
    """What a confirmed passage adds to its checkpoint's day (``PassageDaily``): only a
    person let through counts as in or out; the fever and the plate count either way."""
    admitted = passage.outcome == PassageOutcome.ADMITTED
    return {
        "passages_in": int(admitted and passage.direction == Direction.IN),
        "passages_out": int(admitted and passage.direction == Direction.OUT),
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
                "person": passage.who, "direction": passage.get_direction_display(),
                "time": timezone.localtime(passage.occurred_at).strftime("%Y-%m-%d %H:%M")},
            subject=subject_of(passage), actor=actor, opened_at=passage.occurred_at,
        )
    if passage.plate_flagged:
        open_alert(
            kind=alerts.PLATE, org_unit=checkpoint.org_unit,
            title=_("Vehicle %(plate)s at %(checkpoint)s: screen it") % {
                "plate": passage.plate, "checkpoint": checkpoint.name},
            detail=_("Plate of a watched province; %(person)s, %(time)s") % {
                "person": passage.who,
                "time": timezone.localtime(passage.occurred_at).strftime("%Y-%m-%d %H:%M")},
            subject=subject_of(passage), actor=actor, opened_at=passage.occurred_at,
        )


