"""Receipts, issues, transfers (sent, then received), adjustments and cancellations:
each authorises its actor on the warehouse(s) and goes through ``ledger.post``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from fangkong.supplies.models import (
    ZERO,
    Item,
    Kind,
    Movement,
    Need,
    Pledge,
    RecipientKind,
    Source,
    Warehouse,
)
from fangkong.supplies.services.ledger import (
    Draft,
    Effect,
    LinePlan,
    authorise,
    clean_quantity,
    digest,
    post,
)


@dataclass(frozen=True)
class Line:
    """An item and a quantity as the caller gave them (cleaned by the service)."""

    item: Item
    quantity: Any


def _lines(lines: Sequence[Line], field_name: str = "quantity") -> list[tuple[Item, Decimal]]:
    if not lines:
        raise ValidationError({"item": [_("Add at least one item.")]})
    out: dict[int, tuple[Item, Decimal]] = {}
    for line in lines:
        if not line.item.is_active:
            raise ValidationError({"item": [_("%(item)s is no longer in the catalogue.")
                                            % {"item": line.item.name}]})
        if line.item.pk in out:
            raise ValidationError({"item": [_("%(item)s is listed twice.")
                                            % {"item": line.item.name}]})
        out[line.item.pk] = (line.item, clean_quantity(line.item, line.quantity, field_name))
    return list(out.values())


def _text(value: str | None, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


def _check_need(need: Need | None, warehouse: Warehouse, items: Sequence[Item]) -> None:
    if need is None:
        return
    if need.item_id not in {i.pk for i in items}:
        raise ValidationError({"need": [_("This need is for %(item)s.")
                                        % {"item": need.item.name}]})


def receive(actor: Any, warehouse: Warehouse, *, client_id: Any, day: date,
            lines: Sequence[Line], source: str, donor: str = "", reason: str = "",
            need: Need | None = None, pledge: Pledge | None = None) -> tuple[Movement, bool]:
    """Stock arriving from outside: a purchase, a donation (with its donor) or an
    allocation from above. May name the need it meets and the pledge it fulfils."""
    authorise(actor, warehouse)
    if source not in Source.values:
        raise ValidationError({"source": [_("Choose where the stock comes from.")]})
    donor = _text(donor, 100)
    if pledge is not None:
        if pledge.warehouse_id != warehouse.pk:
            raise ValidationError({"pledge": [_("This pledge is for another warehouse.")]})
        donor = donor or pledge.donor
        need = need or pledge.need
    if source == Source.DONATION and not donor:
        raise ValidationError({"donor": [_("Name the donor.")]})
    cleaned = _lines(lines)
    _check_need(need, warehouse, [i for i, _q in cleaned])
    return post(Draft(
        actor=actor, client_id=client_id, kind=Kind.RECEIPT, warehouse=warehouse, day=day,
        same={"source": source, "donor": donor, "reason": _text(reason, 200),
              "need": need, "pledge": pledge},
        digest=digest(cleaned),
        touches=[(warehouse, item, True) for item, _q in cleaned],
        plan=lambda _b: [LinePlan(item, q, [Effect(warehouse, item, q)]) for item, q in cleaned],
    ))


def issue(actor: Any, warehouse: Warehouse, *, client_id: Any, day: date,
          lines: Sequence[Line], recipient_kind: str, recipient_label: str,
          recipient: Any = None, reason: str = "", need: Need | None = None,
          ) -> tuple[Movement, bool]:
    """Stock going out to a person, a household, a checkpoint, a volunteer team, a care
    service or a unit. ``recipient`` may be the record itself (any model: a household, a
    checkpoint, later a care service's log), which the caller has fetched in the actor's
    scope; ``recipient_label`` always names who got it."""
    authorise(actor, warehouse)
    errors: dict[str, list[str]] = {}
    if recipient_kind not in RecipientKind.values:
        errors["recipient_kind"] = [_("Choose who receives the stock.")]
    label = _text(recipient_label, 100) or (str(recipient)[:100] if recipient else "")
    if not label:
        errors["recipient_label"] = [_("Name who receives the stock.")]
    if errors:
        raise ValidationError(errors)
    cleaned = _lines(lines)
    _check_need(need, warehouse, [i for i, _q in cleaned])
    target = {}
    if recipient is not None:
        target = {"recipient_type": ContentType.objects.get_for_model(recipient),
                  "recipient_id": recipient.pk}
    return post(Draft(
        actor=actor, client_id=client_id, kind=Kind.ISSUE, warehouse=warehouse, day=day,
        same={"recipient_kind": recipient_kind, "recipient_label": label,
              "reason": _text(reason, 200), "need": need, **target},
        digest=digest(cleaned),
        touches=[(warehouse, item, False) for item, _q in cleaned],
        plan=lambda _b: [LinePlan(item, q, [Effect(warehouse, item, -q)]) for item, q in cleaned],
    ))


def send_transfer(actor: Any, warehouse: Warehouse, to_warehouse: Warehouse, *,
                  client_id: Any, day: date, lines: Sequence[Line], reason: str = "",
                  need: Need | None = None) -> tuple[Movement, bool]:
    """Stock leaves ``warehouse`` now and is in transit until ``receive_transfer`` (at
    the destination) or ``cancel`` (back to the source)."""
    authorise(actor, warehouse)
    if to_warehouse.pk == warehouse.pk:
        raise ValidationError({"to_warehouse": [_("Transfer to another warehouse.")]})
    if not to_warehouse.is_active:
        raise ValidationError({"to_warehouse": [_("This warehouse is no longer in use.")]})
    cleaned = _lines(lines)
    _check_need(need, to_warehouse, [i for i, _q in cleaned])
    return post(Draft(
        actor=actor, client_id=client_id, kind=Kind.TRANSFER, warehouse=warehouse, day=day,
        same={"to_warehouse": to_warehouse, "reason": _text(reason, 200), "need": need},
        digest=digest(cleaned),
        touches=[(warehouse, item, False) for item, _q in cleaned],
        plan=lambda _b: [LinePlan(item, q, [Effect(warehouse, item, -q)]) for item, q in cleaned],
    ))


@dataclass(frozen=True)
class Arrival:
    """What came of one line of a transfer: in good order, and damaged."""

    received: Any
    damaged: Any = 0


def receive_transfer(actor: Any, transfer: Movement, *, client_id: Any, day: date,
                     arrivals: Mapping[int, Arrival], over_ok: bool = False,
                     reason: str = "") -> tuple[Movement, bool]:
    """The destination records what arrived, line by line (by item id): what came in
    good order goes into stock; damaged goods are recorded and not stocked; less than
    was sent is short (recorded); more is refused unless ``over_ok`` says it was
    counted and is over."""
    if transfer.kind != Kind.TRANSFER:
        raise ValidationError({"transfer": [_("This is not a transfer.")]})
    destination = transfer.to_warehouse
    authorise(actor, destination)
    if day < transfer.day:
        raise ValidationError({"day": [_("A transfer arrives on or after the day it was "
                                         "sent (%(day)s).") % {"day": transfer.day}]})
    sent = {line.item_id: line for line in transfer.lines.select_related("item")}
    errors: dict[str, list[str]] = {}
    cleaned: list[tuple[Item, Decimal, Decimal, Decimal]] = []
    unknown = set(arrivals) - set(sent)
    if unknown:
        errors["item"] = [_("Only the items that were sent can be received.")]
    for item_id, line in sent.items():
        arrival = arrivals.get(item_id, Arrival(0, 0))
        name = f"received_{item_id}"
        try:
            good = clean_quantity(line.item, arrival.received, name, allow_zero=True)
            damaged = clean_quantity(line.item, arrival.damaged or 0, f"damaged_{item_id}",
                                     allow_zero=True)
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
            continue
        if good + damaged > line.quantity and not over_ok:
            errors.setdefault(name, []).append(_(
                "%(n)s %(unit)s were sent; tick “over” to record receiving more.")
                % {"n": _fmt(line.quantity), "unit": line.item.unit})
        cleaned.append((line.item, line.quantity, good, damaged))
    if errors:
        raise ValidationError(errors)

    def lock_transfer() -> None:
        locked = Movement.objects.select_for_update().get(pk=transfer.pk)
        settled = Movement.objects.filter(Q(reverses=locked) | Q(transfer=locked)).first()
        if settled is not None and settled.client_id != _uuid(client_id):
            raise ValidationError({"transfer": [
                _("This transfer was cancelled.") if settled.kind == Kind.REVERSAL
                else _("This transfer was already received.")]})

    return post(Draft(
        actor=actor, client_id=client_id, kind=Kind.TRANSFER_RECEIPT, warehouse=destination,
        day=day, same={"transfer": transfer, "reason": _text(reason, 200),
                       "need": transfer.need},
        digest=digest((item, f"{good.normalize()}/{damaged.normalize()}")
                      for item, _s, good, damaged in cleaned),
        touches=[(destination, item, True) for item, *_rest in cleaned],
        plan=lambda _b: [
            LinePlan(item, sent_q, [Effect(destination, item, good)], received=good,
                     damaged=damaged)
            for item, sent_q, good, damaged in cleaned],
        field_of=lambda item: f"received_{item.pk}",
        extra_lock=lock_transfer,
    ))


def adjust(actor: Any, warehouse: Warehouse, *, client_id: Any, day: date, item: Item,
           counted: Any, reason: str) -> tuple[Movement, bool]:
    """After a count: the balance becomes ``counted``; the correction is the entry."""
    authorise(actor, warehouse)
    reason = _text(reason, 200)
    if not reason:
        raise ValidationError({"reason": [_("Say why the count differs (e.g. damaged, "
                                            "expired, miscounted).")]})
    counted_q = clean_quantity(item, counted, "quantity", allow_zero=True)

    def plan(balances: Mapping[tuple[int, int], Any]) -> list[LinePlan]:
        book = balances[(warehouse.pk, item.pk)].quantity
        delta = counted_q - book
        if delta == 0:
            raise ValidationError({"quantity": [_("The count equals the book balance "
                                                  "(%(n)s): nothing to adjust.")
                                                % {"n": _fmt(book)}]})
        return [LinePlan(item, abs(delta), [Effect(warehouse, item, delta)],
                         counted=counted_q)]

    return post(Draft(
        actor=actor, client_id=client_id, kind=Kind.ADJUSTMENT, warehouse=warehouse, day=day,
        same={"reason": reason}, digest=digest([(item, counted_q)]),
        touches=[(warehouse, item, False)], plan=plan,
    ))


CANCELLABLE = (Kind.RECEIPT, Kind.ISSUE, Kind.TRANSFER, Kind.ADJUSTMENT)


def cancel(actor: Any, movement: Movement, *, client_id: Any, day: date,
           reason: str) -> tuple[Movement, bool]:
    """A reversing movement: each ledger entry of ``movement`` again with the opposite
    sign, on ``day``. The original is never edited. A transfer can be cancelled only in
    transit (its stock goes back to the source); a receipt only while what it brought is
    still there (else ``Overdraw`` says what is left)."""
    authorise(actor, movement.warehouse)
    if movement.kind not in CANCELLABLE:
        raise ValidationError({"movement": [_("This movement cannot be cancelled.")]})
    reason = _text(reason, 200)
    if not reason:
        raise ValidationError({"reason": [_("Say why it is cancelled.")]})
    entries = list(movement.entries.select_related("warehouse", "item", "line"))

    def lock_original() -> None:
        locked = Movement.objects.select_for_update().get(pk=movement.pk)
        settled = Movement.objects.filter(Q(reverses=locked) | Q(transfer=locked)).first()
        if settled is not None and settled.client_id != _uuid(client_id):
            raise ValidationError({"movement": [
                _("This movement was already cancelled.") if settled.kind == Kind.REVERSAL
                else _("This transfer was already received; it can no longer be "
                       "cancelled.")]})

    def plan(_b: Any) -> list[LinePlan]:
        return [LinePlan(e.item, e.line.quantity, [Effect(e.warehouse, e.item, -e.delta)])
                for e in entries]

    return post(Draft(
        actor=actor, client_id=client_id, kind=Kind.REVERSAL, warehouse=movement.warehouse,
        day=day, same={"reverses": movement, "reason": reason},
        digest=digest((e.item, -e.delta) for e in entries),
        touches=[(e.warehouse, e.item, False) for e in entries], plan=plan,
        extra_lock=lock_original,
    ))


def _fmt(q: Decimal) -> str:
    from fangkong.supplies.services.ledger import fmt

    return fmt(q)


def _uuid(value: Any) -> Any:
    import uuid

    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


__all__ = ["ZERO", "Arrival", "Line", "adjust", "cancel", "issue", "receive",
           "receive_transfer", "send_transfer"]
