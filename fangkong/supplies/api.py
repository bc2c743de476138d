"""Supplies API (token auth or session + CSRF, the kit's conventions).

- ``POST /api/v1/supplies/movements`` — a receipt, issue, transfer (sent) or adjustment
  of one item: 201 with the movement and the balance after it; 200 with the same for a
  retried ``client_id``; 409 with ``available`` when an issue or transfer would overdraw
  (and for a key reused for other content); 400 with every field error at once.
- ``GET /api/v1/supplies/warehouses`` — the warehouses the caller may see.
- ``GET /api/v1/supplies/balances?warehouse=<id>`` — ``[{"item", "quantity"}]``.
- ``GET /api/v1/supplies/items`` — the catalogue.

Quantities travel as decimal strings ("10", "2.5"), never floats.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api.responses import created_response
from fangkong.core.api.schema import errors
from fangkong.core.api.serializers import StrictSerializer
from fangkong.core.roles import Cap
from fangkong.core.scoping import get_for_user
from fangkong.supplies import services
from fangkong.supplies.models import (
    Item,
    Kind,
    LedgerEntry,
    Movement,
    RecipientKind,
    Source,
    Warehouse,
)
from fangkong.supplies.services import Line
from fangkong.supplies.services.ledger import _plain

API_KINDS = (Kind.RECEIPT, Kind.ISSUE, Kind.TRANSFER, Kind.ADJUSTMENT)


def qty(value: Decimal | None) -> str | None:
    return None if value is None else _plain(value)


class MovementRequest(StrictSerializer):
    client_id = serializers.UUIDField(help_text="Made by the client once per movement; a "
                                                "retry with the same key returns the first.")
    kind = serializers.ChoiceField(choices=[k.value for k in API_KINDS])
    warehouse = serializers.IntegerField(min_value=1)
    to_warehouse = serializers.IntegerField(min_value=1, required=False,
                                            help_text="Transfers: the destination.")
    item = serializers.CharField(max_length=32, help_text="The item's code.")
    quantity = serializers.CharField(
        max_length=20, help_text="Decimal string, > 0. For an adjustment: the counted "
                                 "quantity (≥ 0) the balance becomes.")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                   help_text="Required for an adjustment.")
    day = serializers.DateField(required=False, help_text="Default: today.")
    source = serializers.ChoiceField(choices=Source.values, required=False,
                                     help_text="Receipts; default 'purchase'.")
    donor = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                  help_text="Required for a donation.")
    recipient_kind = serializers.ChoiceField(choices=RecipientKind.values, required=False,
                                             help_text="Issues; default 'other'.")
    recipient = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                      help_text="Issues: who received it (default: the "
                                                "reason).")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["kind"] == Kind.TRANSFER and not data.get("to_warehouse"):
            raise serializers.ValidationError({"to_warehouse": [
                _("Name the warehouse the transfer goes to.")]})
        if data["kind"] != Kind.TRANSFER and data.get("to_warehouse"):
            raise serializers.ValidationError({"to_warehouse": [
                _("Only a transfer has a destination.")]})
        return data


class BalanceOut(serializers.Serializer):
    warehouse = serializers.IntegerField()
    item = serializers.CharField()
    quantity = serializers.CharField(help_text="Decimal string.")


class MovementOut(serializers.Serializer):
    id = serializers.IntegerField()
    client_id = serializers.UUIDField()
    kind = serializers.CharField()
    state = serializers.CharField(help_text="done, in_transit, received or cancelled")
    warehouse = serializers.IntegerField()
    to_warehouse = serializers.IntegerField(allow_null=True)
    day = serializers.DateField()
    item = serializers.CharField()
    quantity = serializers.CharField()
    reason = serializers.CharField()


class MovementResponse(serializers.Serializer):
    movement = MovementOut()
    balance = BalanceOut(help_text="The warehouse's balance of the item right after it.")


class WarehouseOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField(help_text="Division code.")
    unit_name = serializers.CharField()
    organisation = serializers.CharField(allow_null=True, help_text="Organisation code.")
    active = serializers.BooleanField()


class ItemOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    standard = serializers.CharField()
    unit = serializers.CharField()
    pack_size = serializers.IntegerField()
    whole_units = serializers.BooleanField()


class ItemBalanceOut(serializers.Serializer):
    item = serializers.CharField()
    quantity = serializers.CharField()


class BalanceQuery(StrictSerializer):
    warehouse = serializers.IntegerField(min_value=1)


def movement_payload(m: Movement) -> dict[str, Any]:
    line = m.lines.select_related("item").first()
    entry = (LedgerEntry.objects.filter(movement=m).order_by("pk").first())
    return {
        "movement": {
            "id": m.pk, "client_id": m.client_id, "kind": m.kind, "state": m.state,
            "warehouse": m.warehouse_id, "to_warehouse": m.to_warehouse_id,
            "day": m.day, "item": line.item.code if line else None,
            "quantity": qty(line.counted if m.kind == Kind.ADJUSTMENT else line.quantity)
            if line else None,
            "reason": m.reason,
        },
        "balance": {"warehouse": entry.warehouse_id, "item": entry.item.code,
                    "quantity": qty(entry.balance_after)} if entry else None,
    }


@extend_schema(
    request=MovementRequest,
    responses={201: OpenApiResponse(MovementResponse, description="Created"),
               200: OpenApiResponse(MovementResponse, description="The same client_id "
                                    "again: the first movement, unchanged"),
               **errors(400, 401, 403, 404, conflict=(
                   "The movement would take more than the warehouse holds: the error "
                   "names what is left, and the body also carries 'available' (a decimal "
                   "string); or the client_id was used for other content")),
               },
    summary="Record a receipt, issue, transfer or adjustment of one item")
@api_view(["POST"])
def movements(request: Request) -> Response:
    ser = MovementRequest(data=request.data)
    ser.is_valid(raise_exception=True)
    d = ser.validated_data
    warehouse = get_for_user(Warehouse, request.user, Cap.VIEW, pk=d["warehouse"])
    item = Item.objects.filter(code=d["item"], is_active=True).first()
    if item is None:
        return Response({"error": str(_("Unknown item.")),
                         "fields": {"item": [str(_("No item has this code."))]}}, status=400)
    day = d.get("day") or timezone.localdate()
    common = {"client_id": d["client_id"], "day": day}
    reason = d.get("reason", "")
    try:
        if d["kind"] == Kind.RECEIPT:
            m, created = services.receive(
                request.user, warehouse, lines=[Line(item, d["quantity"])],
                source=d.get("source") or Source.PURCHASE, donor=d.get("donor", ""),
                reason=reason, **common)
        elif d["kind"] == Kind.ISSUE:
            m, created = services.issue(
                request.user, warehouse, lines=[Line(item, d["quantity"])],
                recipient_kind=d.get("recipient_kind") or RecipientKind.OTHER,
                recipient_label=d.get("recipient") or reason, reason=reason, **common)
        elif d["kind"] == Kind.TRANSFER:
            to = get_for_user(Warehouse, request.user, Cap.VIEW, pk=d["to_warehouse"])
            m, created = services.send_transfer(
                request.user, warehouse, to, lines=[Line(item, d["quantity"])],
                reason=reason, **common)
        else:
            m, created = services.adjust(request.user, warehouse, item=item,
                                         counted=d["quantity"], reason=reason, **common)
    except services.Overdraw as exc:
        message = exc.message_dict["quantity"][0]
        return Response({"error": message, "fields": {"quantity": [message]},
                         "available": qty(exc.available)}, status=409)
    return created_response(movement_payload(m), created)


@extend_schema(responses={200: WarehouseOut(many=True), **errors(401)},
               summary="The warehouses you may see")
@api_view(["GET"])
def warehouses(request: Request) -> Response:
    rows = (Warehouse.objects.visible_to(request.user).select_related("org_unit", "organisation")
            .order_by("unit_path", "name"))
    return Response([{"id": w.pk, "name": w.name, "unit": w.org_unit.code,
                      "unit_name": w.org_unit.name,
                      "organisation": w.organisation.code if w.organisation else None,
                      "active": w.is_active} for w in rows])


@extend_schema(parameters=[BalanceQuery],
               responses={200: ItemBalanceOut(many=True), **errors(400, 401, 404)},
               summary="What a warehouse holds, per item it stocks")
@api_view(["GET"])
def balances(request: Request) -> Response:
    query = BalanceQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    warehouse = get_for_user(Warehouse, request.user, Cap.VIEW,
                             pk=query.validated_data["warehouse"])
    rows = warehouse.balances.select_related("item").order_by("item__code")
    return Response([{"item": b.item.code, "quantity": qty(b.quantity)} for b in rows])


@extend_schema(responses={200: ItemOut(many=True), **errors(401)},
               summary="The common catalogue of items")
@api_view(["GET"])
def items(request: Request) -> Response:
    return Response([{"code": i.code, "name": i.name, "category": i.category,
                      "standard": i.standard, "unit": i.unit, "pack_size": i.pack_size,
                      "whole_units": i.whole_units}
                     for i in Item.objects.filter(is_active=True).order_by("code")])
