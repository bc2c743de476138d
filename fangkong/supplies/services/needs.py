"""Needs and pledges, and how far a need is met.

A need is met by the movements that name it: receipts into its warehouse, transfers
that arrived there, and issues made for it (a bureau issuing to the unit that asked),
cancelled ones left out. Pledges are promises, counted apart and never as stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, DecimalField, F, Sum, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fangkong.core.audit import acting_as
from fangkong.lib.dates import check_record_day
from fangkong.supplies.models import QTY, ZERO, Item, Kind, MovementLine, Need, Pledge, Warehouse
from fangkong.supplies.services.ledger import authorise, clean_quantity


def post_need(actor: Any, warehouse: Warehouse, *, client_id: Any, item: Item,
              quantity: Any, needed_by: date | None, posted_on: date,
              note: str = "") -> tuple[Need, bool]:
    authorise(actor, warehouse)
    q = None if quantity in (None, "") else clean_quantity(item, quantity)
    check_record_day(posted_on, "posted_on")
    if needed_by is not None and needed_by < posted_on:
        raise ValidationError({"needed_by": [_("A need is due on or after the day it is "
                                               "posted.")]})
    with acting_as(actor), transaction.atomic():
        return Need.create_keyed(client_id, same={
            "warehouse": warehouse, "org_unit": warehouse.org_unit, "item": item,
            "quantity": q, "needed_by": needed_by, "note": " ".join(note.split())[:200],
            "posted_on": posted_on}, defaults={"posted_by": actor})


def record_pledge(actor: Any, warehouse: Warehouse, *, client_id: Any, donor: str,
                  item: Item, quantity: Any, recorded_on: date,
                  expected_on: date | None = None, need: Need | None = None,
                  ) -> tuple[Pledge, bool]:
    authorise(actor, warehouse)
    donor = " ".join((donor or "").split())[:100]
    if not donor:
        raise ValidationError({"donor": [_("Name the donor.")]})
    q = clean_quantity(item, quantity)
    check_record_day(recorded_on, "recorded_on")
    if need is not None and (need.warehouse_id != warehouse.pk or need.item_id != item.pk):
        raise ValidationError({"need": [_("This need is for another item or warehouse.")]})
    with acting_as(actor), transaction.atomic():
        return Pledge.create_keyed(client_id, same={
            "warehouse": warehouse, "org_unit": warehouse.org_unit, "donor": donor,
            "item": item, "quantity": q, "expected_on": expected_on, "need": need,
            "recorded_on": recorded_on}, defaults={"recorded_by": actor})


_QTY = DecimalField(**QTY)
#: What a line brought towards a need: an arrival's good quantity, else the quantity.
_MET = Coalesce(Sum(Case(When(movement__kind=Kind.TRANSFER_RECEIPT, then=F("received")),
                         default=F("quantity"), output_field=_QTY)), ZERO, output_field=_QTY)


def met(needs: list[Need], day: date | None = None) -> dict[int, Decimal]:
    """Quantity met per need id, from its live receipts, arrivals and issues (up to
    ``day`` if given)."""
    lines = MovementLine.objects.filter(
        movement__need__in=needs, item_id=F("movement__need__item_id"),
        movement__kind__in=(Kind.RECEIPT, Kind.ISSUE, Kind.TRANSFER_RECEIPT),
        movement__reversal__isnull=True)
    if day is not None:
        lines = lines.filter(movement__day__lte=day)
    found = dict(lines.values("movement__need").annotate(met=_MET)
                 .values_list("movement__need", "met"))
    return {n.pk: found.get(n.pk, ZERO) for n in needs}


@dataclass
class Coverage:
    need: Need
    met: Decimal
    status: str  # open, partly, satisfied, unknown
    short: Decimal | None  # None when the quantity is unknown
    days_late: int | None  # None without a due date; negative: days left

    @property
    def status_label(self) -> str:
        return {"open": pgettext("supplies need", "Open"), "partly": _("Partly met"),
                "satisfied": _("Met"),
                "unknown": _("Quantity unknown")}[self.status]


def coverage(needs: list[Need], today: date) -> list[Coverage]:
    """How far each need is met by ``today`` (movements up to that day)."""
    done = met(needs, today)
    out = []
    for n in needs:
        m = done[n.pk]
        if n.quantity is None:
            status, short = "unknown", None
        elif m >= n.quantity:
            status, short = "satisfied", ZERO
        else:
            status, short = ("partly" if m > 0 else "open"), n.quantity - m
        late = (today - n.needed_by).days if n.needed_by else None
        out.append(Coverage(n, m, status, short, late))
    return out


def shortage_board(needs: list[Need], today: date) -> list[Coverage]:
    """Needs not yet met, most overdue first, then by the share still missing (unknown
    quantities after the known ones of the same lateness, never as if one were asked)."""
    rows = [c for c in coverage(needs, today) if c.status != "satisfied"]

    def key(c: Coverage) -> tuple:
        share = (c.short / c.need.quantity) if c.short is not None else None
        return (-(c.days_late if c.days_late is not None else -10**6),
                share is None, -(share or 0), c.need.pk)

    return sorted(rows, key=key)


