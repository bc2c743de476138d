"""Excel exports of the registers, on ``core.exports.RegisterExporter``: each writes the
stored values and names its personal columns; the base masks them unless
``core.exports.export_view`` allowed an unmasked export (permission, reason, log)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from fangkong.checkpoints.models import HouseholdMember, Outsider, Passage, PassageStatus
from fangkong.core.exports import RegisterExporter
from fangkong.core.registries import export_kind
from fangkong.core.roles import Cap
from fangkong.core.scoping import get_for_user
from fangkong.lib.dates import day_param
from fangkong.lib.tabular import Column


class PassageExporter(RegisterExporter):
    filename = _("Passage register")
    pii_columns = {"id_number": "person.id_number", "phone": "phone"}
    columns = (
        Column("time", _("Time"), "datetime"),
        Column("checkpoint", _("Checkpoint"), "text", 14),
        Column("direction", _("Direction"), "text", 6),
        Column("name", _("Name"), "text", 10),
        Column("id_number", _("ID card number"), "text", 20),
        Column("phone", _("Mobile phone"), "text", 13),
        Column("resident", _("Resident"), "text", 6),
        Column("origin", _("Coming from"), "text", 14),
        Column("temperature", _("Temperature (°C)"), "text", 8),
        Column("mask", _("Mask"), "text", 6),
        Column("plate", _("Vehicle plate"), "text", 10),
        Column("fever", _("Fever"), "text", 6),
        Column("plate_flagged", _("Plate flagged"), "text", 8),
        Column("channel", _("Channel"), "text", 8),
        Column("status", _("Status"), "text", 8),
        Column("outcome", _("Outcome"), "text", 8),
        Column("name_disputed", _("name differs from the registry"), "text", 8),
        Column("recorded_by", _("Recorded by"), "text", 10),
    )

    def rows(self) -> QuerySet[Passage]:
        return (self.queryset.select_related("person", "checkpoint", "recorded_by")
                .order_by("occurred_at", "pk"))

    def row(self, p: Passage) -> dict[str, Any]:
        return {
            "time": p.occurred_at, "checkpoint": p.checkpoint.name,
            "direction": p.get_direction_display(), "name": p.name,
            "id_number": p.person.id_number,
            "phone": p.phone, "resident": p.resident,
            "origin": p.origin, "temperature": p.temperature, "mask": p.mask,
            "plate": p.plate, "fever": p.fever, "plate_flagged": p.plate_flagged,
            "channel": p.get_channel_display(), "status": p.get_status_display(),
            "outcome": p.get_outcome_display() if p.status == PassageStatus.CONFIRMED else "",
            "name_disputed": p.name_disputed,
            "recorded_by": (p.recorded_by.get_full_name() or p.recorded_by.username)
            if p.recorded_by else "",
        }


class OutsiderExporter(RegisterExporter):
    filename = _("Outsider register")
    pii_columns = {"id_number": "person.id_number", "phone": "phone",
                   "host_address": "host_address"}
    columns = (
        Column("community", _("Community"), "text", 12),
        Column("name", _("Name"), "text", 10),
        Column("id_number", _("ID card number"), "text", 20),
        Column("phone", _("Mobile phone"), "text", 13),
        Column("arrived_on", _("Arrived on"), "date"),
        Column("origin", _("Coming from"), "text", 14),
        Column("from_watched_area", _("From a watched area"), "text", 8),
        Column("host_address", _("Staying at"), "text", 24),
        Column("last_day", _("Last day of observation"), "date"),
        Column("status", _("Status"), "text", 8),
        Column("released_on", _("Released on"), "date"),
    )

    def rows(self) -> QuerySet[Outsider]:
        return self.queryset.select_related("person", "org_unit").order_by("arrived_on", "pk")

    def row(self, o: Outsider) -> dict[str, Any]:
        return {
            "community": o.org_unit.name, "name": o.name,
            "id_number": o.person.id_number,
            "phone": o.phone, "arrived_on": o.arrived_on,
            "origin": o.origin, "from_watched_area": o.from_watched_area,
            "host_address": o.host_address,
            "last_day": o.last_observation_day, "status": o.get_status_display(),
            "released_on": o.released_on,
        }


class HouseholdExporter(RegisterExporter):
    """One row per member, the same columns the household import reads."""

    filename = _("Households")
    pii_columns = {"address": "household.address", "household_phone": "household.phone",
                   "id_number": "person.id_number", "phone": "phone"}
    columns = (
        Column("community", _("Community"), "text", 12),
        Column("number", _("Household number"), "text", 12),
        Column("address", _("Address"), "text", 26),
        Column("household_phone", _("Contact phone"), "text", 13),
        Column("name", _("Name"), "text", 10),
        Column("id_number", _("ID card number"), "text", 20),
        Column("phone", _("Mobile phone"), "text", 13),
        Column("relation", _("Relation to the head"), "text", 8),
        Column("permanent", _("Permanent resident"), "text", 8),
    )

    def rows(self) -> QuerySet[HouseholdMember]:
        return (HouseholdMember.objects.filter(household__in=self.queryset)
                .select_related("household", "household__org_unit", "person")
                .order_by("household__unit_path", "household__number", "pk"))

    def row(self, m: HouseholdMember) -> dict[str, Any]:
        h = m.household
        return {
            "community": h.org_unit.name, "number": h.number, "address": h.address,
            "household_phone": h.phone, "name": m.name,
            "id_number": m.person.id_number, "phone": m.phone,
            "relation": m.get_relation_display(), "permanent": m.permanent,
        }



# --- The registers the export flow serves by name (``core.exports.export_view``, jobs) ---

@export_kind("passages", _("Passage register"), PassageExporter)
def build_passages(user: Any, params: Any, capability: str) -> tuple[QuerySet[Passage], str]:
    """One checkpoint's passages of one day (``checkpoint``, ``date``)."""
    from fangkong.checkpoints.models import Checkpoint

    try:
        pk = int(params.get("checkpoint", ""))
    except ValueError as exc:
        raise Http404 from exc
    checkpoint = get_for_user(Checkpoint, user, Cap.VIEW, pk=pk)
    day = day_param(params.get("date"))
    return (Passage.objects.filter(checkpoint=checkpoint, day=day),
            f"{checkpoint.name} {day}")


@export_kind("outsiders", _("Outsiders"), OutsiderExporter)
def build_outsiders(user: Any, params: Any, capability: str) -> tuple[QuerySet[Outsider], str]:
    return Outsider.objects.visible_to(user), ""


@export_kind("households", _("Households"), HouseholdExporter)
def build_households(user: Any, params: Any, capability: str) -> tuple[QuerySet[Any], str]:
    from fangkong.checkpoints.models import Household

    return Household.objects.visible_to(user), ""
