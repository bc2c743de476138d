"""Creating a record that a unique constraint allows once, safe when requests race.

A read-then-insert ("is it there? no: insert it") lets two concurrent requests both read
"no": on PostgreSQL the second insert waits for the first one's commit and then fails on
the unique constraint, and an IntegrityError nobody catches answers 500. (SQLite's
IMMEDIATE transactions run writers one at a time, so it rarely shows there.) Create
paths answer the loser with one of these two, never with the error (the passage hot path,
``checkpoints.services.passages``, and the person registry, ``core.services.people``,
catch and re-read the same way in their own code):

- ``get_or_create_unique``: the row that won (a retry or a double tap gets the first
  record; the caller then compares and refuses a changed retry with a field error);
- ``save_unique``: a clean ``ValidationError`` (the model's own uniqueness message, as
  the form would have said had the other request come first).

Both insert in a savepoint, so the caller's transaction survives the refused insert, and
both read again after it, when the winner's row is visible (PostgreSQL's read committed
reads it once the insert has waited for its commit).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar

from django.db import IntegrityError, models, router, transaction
from django.db.models import Q

M = TypeVar("M", bound=models.Model)


def get_or_create_unique(
    queryset: Any, lookup: Mapping[str, Any], defaults: Mapping[str, Any] | None = None,
) -> tuple[Any, bool]:
    """``(record, created)``: the record matching ``lookup``, created with ``defaults`` if
    there is none, also when another request creates it at the same moment.

    ``lookup`` must name exactly the fields of one unique constraint of the model (with
    the fields its condition reads, e.g. ``status="open"`` for one open alert per
    subject): then a refused insert means the other request's row, which is returned.
    A lookup no constraint backs is not race-safe (two rows, and later
    MultipleObjectsReturned) and is refused here as a programming error. ``queryset``
    is a model's manager or a queryset (``select_for_update()`` locks the row found).
    Values of ``defaults`` may be callables, evaluated only when creating."""
    qs = queryset.all()
    require_unique_lookup(qs.model, frozenset(lookup))
    return qs.get_or_create(defaults=defaults, **lookup)


def save_unique(obj: M) -> M:
    """Save ``obj`` (validated already); if a unique constraint refuses it, raise the
    ``ValidationError`` the model's own validation gives now that the other request's
    row is visible. Re-raises the IntegrityError when the validation finds nothing to
    say (a constraint the model does not check)."""
    try:
        with transaction.atomic(using=router.db_for_write(type(obj))):
            obj.save()
    except IntegrityError:
        obj.validate_unique()
        obj.validate_constraints()
        raise
    return obj


def _condition_fields(condition: Q | None) -> set[str]:
    fields: set[str] = set()
    for child in condition.children if condition is not None else ():
        if isinstance(child, Q):
            fields |= _condition_fields(child)
        else:
            fields.add(child[0].split("__")[0])
    return fields


@cache
def unique_field_sets(model: type[models.Model]) -> tuple[frozenset[str], ...]:
    """The field-name sets a lookup may name: each unique field, each
    ``unique_together``, each field-based ``UniqueConstraint`` with its condition's
    fields."""
    opts = model._meta
    sets = [frozenset({f.name}) for f in opts.concrete_fields if f.unique]
    sets += [frozenset(names) for names in opts.unique_together]
    for constraint in opts.total_unique_constraints:
        sets.append(frozenset(constraint.fields))
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields \
                and constraint.condition is not None:
            sets.append(frozenset(constraint.fields) | _condition_fields(constraint.condition))
    return tuple(sets)


@cache
def require_unique_lookup(model: type[models.Model], keys: frozenset[str]) -> None:
    names = frozenset(model._meta.get_field(key.split("__")[0]).name for key in keys)
    if names not in unique_field_sets(model):
        raise TypeError(
            f"{model.__name__}: no unique constraint on exactly {sorted(names)}; "
            "get_or_create_unique would not be safe under races"
        )
