"""The catalogue, warehouses and what a warehouse stocks (its balance rows)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fangkong.core.audit import acting_as
from fangkong.core.models import Organisation, OrgUnit
from fangkong.core.roles import Cap
from fangkong.core.scoping import require_capability
from fangkong.core.unique import get_or_create_unique
from fangkong.supplies.models import Balance, Category, Item, Warehouse
from fangkong.supplies.services.ledger import authorise, clean_quantity


def save_item(actor: Any, *, code: str, name: str, category: str, unit: str,
              standard: str = "", pack_size: int = 1, pack_name: str = "",
              whole_units: bool = True) -> tuple[Item, bool]:
    """Add an item to the common catalogue, or bring it to these values (HQ: the
    catalogue is the city's)."""
    require_capability(actor, Cap.CONFIGURE)
    errors: dict[str, list[str]] = {}
    code = slugify(code or "")[:32]
    name = " ".join((name or "").split())[:60]
    if not code:
        errors["code"] = [_("Give the item a code (letters, digits, hyphens).")]
    if not name:
        errors["name"] = [_("Give the item a name.")]
    if category not in Category.values:
        errors["category"] = [_("Choose a category.")]
    if not (unit or "").strip():
        errors["unit"] = [_("Give the unit it is counted in.")]
    if pack_size < 1:
        errors["pack_size"] = [_("A pack holds at least one unit.")]
    if errors:
        raise ValidationError(errors)
    values = {"name": name, "category": category, "unit": unit.strip()[:8],
              "standard": (standard or "").strip()[:40], "pack_size": pack_size,
              "pack_name": (pack_name or "").strip()[:8], "whole_units": whole_units,
              "is_active": True}
    with acting_as(actor), transaction.atomic():
        item, created = get_or_create_unique(Item.objects, {"code": code}, values)
        if not created and any(getattr(item, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(item, k, v)
            item.save()
        return item, created


def create_warehouse(actor: Any, unit: OrgUnit, *, name: str,
                     organisation: Organisation | None = None, address: str = "",
                     items: list[Item] | None = None) -> tuple[Warehouse, bool]:
    """A store of a unit, or of an organisation (placed at the organisation's unit).
    ``items``: what it stocks from the start (balance rows at zero)."""
    if organisation is not None:
        unit = organisation.org_unit
    require_capability(actor, Cap.EDIT, unit.path)
    name = " ".join((name or "").split())[:60]
    if not name:
        raise ValidationError({"name": [_("Give the warehouse a name.")]})
    with acting_as(actor), transaction.atomic():
        warehouse, created = get_or_create_unique(
            Warehouse.objects, {"org_unit": unit, "name": name},
            {"organisation": organisation, "address": (address or "").strip()[:120]})
        if not created and warehouse.organisation_id != (organisation.pk if organisation
                                                         else None):
            raise ValidationError({"name": [_("This unit already has a warehouse with this "
                                              "name.")]})
        for item in items or ():
            stock_item(actor, warehouse, item)
        return warehouse, created


def stock_item(actor: Any, warehouse: Warehouse, item: Item,
               reorder_level: Any = None) -> Balance:
    """Make ``warehouse`` stock ``item`` (its balance row, at zero), and set the level
    below which a low-stock alert opens (None: no alert)."""
    authorise(actor, warehouse)
    level = None
    if reorder_level not in (None, ""):
        level = clean_quantity(item, reorder_level, "reorder_level", allow_zero=True)
    with acting_as(actor), transaction.atomic():
        balance, created = get_or_create_unique(
            Balance.objects, {"warehouse": warehouse, "item": item},
            {"org_unit_id": warehouse.org_unit_id, "unit_path": warehouse.unit_path,
             "reorder_level": level})
        if not created and reorder_level is not None and balance.reorder_level != level:
            # Only the level changes here; the quantity belongs to the ledger.
            balance = Balance.objects.select_for_update().get(pk=balance.pk)
            balance.reorder_level = level
            balance.save(update_fields=["reorder_level", "updated_at"])
        return balance
