"""The ledger engine: every movement of stock is written here, and only here.

One movement = one transaction that

1. makes sure the balance rows it will add to exist (``get_or_create_unique``, in a
   savepoint: a balance row is created before it is ever locked, so a lock never waits
   on a gap) and refuses to take from a warehouse an item it does not stock;
2. creates the movement by its client key (``KeyedModel.create_keyed``): a retried key
   finds the first movement and changes nothing, before any balance is locked;
3. locks the balance rows it touches in one fixed order, (warehouse id, item id)
   (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite every transaction is ``BEGIN
   IMMEDIATE``, settings.py, which admits one writer at a time), so two multi-line
   movements can never wait on each other;
4. checks every balance stays ≥ 0 under the lock (``Overdraw`` names what is left), then
   appends the lines and ledger entries and moves the balances; the database CHECK
   ``supplies_balance_never_negative`` is the backstop if anything ever got past.

There is no "allow negative" switch, and no back-dating: a movement's day is never
before the last entry of a (warehouse, item) it touches, so a stock card read by day
is the ledger in the order it was written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.formats import localize
from django.utils.translation import gettext as _

from fangkong.core.audit import acting_as
from fangkong.core.roles import Cap
from fangkong.core.unique import get_or_create_unique
from fangkong.lib.dates import check_record_day
from fangkong.supplies.models import (
    QTY,
    ZERO,
    Balance,
    Item,
    LedgerEntry,
    Movement,
    MovementLine,
    Warehouse,
)

MAX_QUANTITY = Decimal(10) ** (QTY["max_digits"] - QTY["decimal_places"])


def fmt(quantity: Decimal) -> str:
    """A quantity as people write it: 120, 2.5 (no trailing zeros), localised."""
    q = quantity.normalize()
    if q == q.to_integral():
        q = q.quantize(Decimal(1))
    return localize(q)


class Overdraw(ValidationError):
    """A movement would take more than a warehouse holds: 409 in the API, an error next
    to the quantity on the page. ``available`` is what is left."""

    def __init__(self, warehouse: Warehouse, item: Item, available: Decimal,
                 field_name: str = "quantity") -> None:
        self.warehouse, self.item, self.available = warehouse, item, available
        super().__init__({field_name: [_(
            "Only %(available)s %(unit)s of %(item)s left in %(warehouse)s."
        ) % {"available": fmt(available), "unit": item.unit, "item": item.name,
             "warehouse": warehouse.name}]})


def may_run(actor: Any, warehouse: Warehouse, capability: str = Cap.EDIT) -> bool:
    """The one authorisation of every write: the warehouse is among those the actor may
    ``capability`` (territorial staff above it, liaisons of its organisation)."""
    return Warehouse.objects.visible_to(actor, capability).filter(pk=warehouse.pk).exists()


def authorise(actor: Any, warehouse: Warehouse, capability: str = Cap.EDIT) -> None:
    if not may_run(actor, warehouse, capability):
        raise PermissionDenied


def clean_quantity(item: Item, quantity: Any, field_name: str = "quantity", *,
                   allow_zero: bool = False) -> Decimal:
    """A quantity of ``item``: a number, more than zero (or zero where allowed), whole for
    items counted in whole units, within the ledger's digits."""
    try:
        q = Decimal(str(quantity).strip())
    except Exception:  # noqa: BLE001 - any unreadable value is the same field error
        raise ValidationError({field_name: [_("Enter a number.")]}) from None
    if not q.is_finite():
        raise ValidationError({field_name: [_("Enter a number.")]})
    if q < 0 or (q == 0 and not allow_zero):
        raise ValidationError({field_name: [
            _("Enter a quantity of zero or more.") if allow_zero
            else _("Enter a quantity greater than zero.")]})
    if q >= MAX_QUANTITY or q != q.quantize(Decimal("0.001")):
        raise ValidationError({field_name: [_("Enter at most three decimals.")]})
    if item.whole_units and q != q.to_integral():
        raise ValidationError({field_name: [
            _("%(item)s is counted in whole %(unit)s.") % {"item": item.name,
                                                           "unit": item.unit}]})
    return q


@dataclass
class Effect:
    """A change of one (warehouse, item) balance by ``delta``."""

    warehouse: Warehouse
    item: Item
    delta: Decimal


@dataclass
class LinePlan:
    item: Item
    quantity: Decimal
    effects: list[Effect]
    counted: Decimal | None = None
    received: Decimal | None = None
    damaged: Decimal | None = None


@dataclass
class Draft:
    """What a service hands the engine: the movement's content and its lines.

    ``touches``: (warehouse, item, adds) for every balance the movement may change;
    ``plan(balances)`` gets the locked rows by (warehouse id, item id) and returns the
    lines with their effects (an adjustment needs the locked balance to know its
    correction)."""

    actor: Any
    client_id: Any
    kind: str
    warehouse: Warehouse
    day: Any
    same: dict[str, Any]
    digest: str
    touches: list[tuple[Warehouse, Item, bool]]
    plan: Callable[[Mapping[tuple[int, int], Balance]], list[LinePlan]]
    field_of: Callable[[Item], str] = lambda item: "quantity"
    extra_lock: Callable[[], None] | None = None
    after: list[Callable[[Movement], None]] = field(default_factory=list)


def _plain(q: Any) -> str:
    if isinstance(q, Decimal):
        q = q.normalize()
        return format(q.quantize(Decimal(1)) if q == q.to_integral() else q, "f")
    return str(q)


def digest(pairs: Iterable[tuple[Item, Any]]) -> str:
    """The lines of a submission, independent of order and language ("code:qty;…")."""
    return ";".join(sorted(f"{item.code}:{_plain(q)}" for item, q in pairs))[:500]


def post(draft: Draft) -> tuple[Movement, bool]:
    """Write ``draft`` (module docstring). ``(movement, created)``."""
    check_record_day(draft.day, "day")
    with acting_as(draft.actor), transaction.atomic():
        if draft.extra_lock:
            draft.extra_lock()
        _ensure_rows(draft)
        # The movement first (a retried key stops here, before any balance lock), so
        # the balance rows stay locked only while the stock itself moves.
        movement, created = Movement.create_keyed(
            draft.client_id,
            same={**draft.same, "kind": draft.kind, "warehouse": draft.warehouse,
                  "day": draft.day, "lines_digest": draft.digest,
                  "org_unit": draft.warehouse.org_unit},
            defaults={"created_by": draft.actor},
        )
        if not created:
            return movement, False
        balances = _lock(draft)
        lines = draft.plan(balances)
        _check(draft, lines, balances)
        try:
            _append(movement, lines, balances)
        except IntegrityError as exc:  # the CHECK: only reachable if a lock was bypassed
            raise ValidationError({"quantity": [_("Not enough stock.")]}) from exc
        for hook in draft.after:
            hook(movement)
        from fangkong.supplies.services.alerts import check_low_stock

        taken = {(e.warehouse.pk, e.item.pk) for line in lines for e in line.effects
                 if e.delta < 0}
        check_low_stock(draft.actor, [balances[k] for k in sorted(balances)], draft.day,
                        taken)
        return movement, True


def _wanted(draft: Draft) -> dict[tuple[int, int], tuple[Warehouse, Item, bool]]:
    wanted: dict[tuple[int, int], tuple[Warehouse, Item, bool]] = {}
    for warehouse, item, adds in draft.touches:
        key = (warehouse.pk, item.pk)
        prev = wanted.get(key)
        wanted[key] = (warehouse, item, adds or (prev[2] if prev else False))
    return wanted


def _ensure_rows(draft: Draft) -> None:
    """The balance rows a movement adds to, created (each in a savepoint) before any is
    locked."""
    for (_w, _i), (warehouse, item, adds) in sorted(_wanted(draft).items()):
        if adds:
            get_or_create_unique(Balance.objects, {"warehouse": warehouse, "item": item},
                                 {"org_unit_id": warehouse.org_unit_id,
                                  "unit_path": warehouse.unit_path})


def _lock(draft: Draft) -> dict[tuple[int, int], Balance]:
    wanted = _wanted(draft)
    rows: dict[tuple[int, int], Balance] = {}
    # One row at a time in (warehouse, item) order: the fixed lock order.
    for (wid, iid) in sorted(wanted):
        row = (Balance.objects.select_for_update().select_related("item", "warehouse")
               .filter(warehouse_id=wid, item_id=iid).first())
        if row is None:
            warehouse, item, _adds = wanted[(wid, iid)]
            raise ValidationError({draft.field_of(item): [
                _("%(warehouse)s does not stock %(item)s.") % {
                    "warehouse": warehouse.name, "item": item.name}]})
        rows[(wid, iid)] = row
    return rows


def _check(draft: Draft, lines: Sequence[LinePlan],
           balances: Mapping[tuple[int, int], Balance]) -> None:
    totals: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        for e in line.effects:
            totals[(e.warehouse.pk, e.item.pk)] += e.delta
    last_days = _last_days(balances)
    errors: dict[str, list[str]] = {}
    for key, total in totals.items():
        row = balances[key]
        if row.quantity + total < 0:
            raise Overdraw(row.warehouse, row.item, row.quantity,
                           draft.field_of(row.item))
        last = last_days.get(key)
        if last and draft.day < last:
            errors.setdefault("day", []).append(_(
                "The ledger of %(item)s in %(warehouse)s already runs to %(day)s: record "
                "this on that day or later (a correction is an adjustment, not a "
                "back-dated entry).") % {"item": row.item.name,
                                         "warehouse": row.warehouse.name, "day": last})
    if errors:
        raise ValidationError(errors)


def _last_days(balances: Mapping[tuple[int, int], Balance]) -> dict[tuple[int, int], Any]:
    out = {}
    for (wid, iid) in balances:
        day = (LedgerEntry.objects.filter(warehouse_id=wid, item_id=iid)
               .order_by("-pk").values_list("day", flat=True).first())
        if day:
            out[(wid, iid)] = day
    return out


def _append(movement: Movement, lines: Sequence[LinePlan],
            balances: Mapping[tuple[int, int], Balance]) -> None:
    for plan in lines:
        line = MovementLine.objects.create(
            movement=movement, item=plan.item, quantity=plan.quantity,
            counted=plan.counted, received=plan.received, damaged=plan.damaged)
        for e in plan.effects:
            if e.delta == 0:
                continue
            row = balances[(e.warehouse.pk, e.item.pk)]
            row.quantity += e.delta
            Balance.objects.filter(pk=row.pk).update(quantity=F("quantity") + e.delta)
            LedgerEntry.objects.create(
                movement=movement, line=line, warehouse=e.warehouse, item=e.item,
                org_unit_id=e.warehouse.org_unit_id, unit_path=e.warehouse.unit_path,
                day=movement.day, delta=e.delta, balance_after=row.quantity)
