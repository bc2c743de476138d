"""Excel exports of the registers. Personal data is masked unless the caller passes
``masked=False``, which the views allow only with the export permission, a reason and
an entry in the personal-data access log (``core.audit.log_export``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from fangkong.checkpoints.models import HouseholdMember
from fangkong.lib import masking
from fangkong.lib.tabular import Column, Exporter


class _Masking(Exporter):
    pii_fields: tuple[str, ...] = ()

    def __init__(self, queryset: Any, *, masked: bool = True, filename: str = "") -> None:
        self.queryset = queryset
        self.masked = masked
        self._filename = filename

    def get_filename(self) -> str:
        return self._filename or str(self.filename)

    def row_count(self) -> int:
        """Rows the file holds (what the personal-data access log records)."""
        return self.queryset.count()

    def id_number(self, value: str) -> str:
        return masking.mask_id_number(value) if self.masked else value

    def phone(self, value: str) -> str:
        return masking.mask_phone(value) if self.masked else value

    def address(self, value: str) -> str:
        return masking.mask_address(value) if self.masked else value


class PassageExporter(_Masking):
    filename = _("Passage register")
    pii_fields = ("id_number", "phone")
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
        Column("recorded_by", _("Recorded by"), "text", 10),
    )

    def iterate_rows(self) -> Iterable[dict[str, Any]]:
        qs = self.queryset.select_related("person", "checkpoint", "recorded_by")
        for p in qs.order_by("occurred_at", "pk").iterator(chunk_size=2000):
            yield {
                "time": p.occurred_at, "checkpoint": p.checkpoint.name,
                "direction": p.get_direction_display(), "name": p.person.name,
                "id_number": self.id_number(p.person.id_number),
                "phone": self.phone(p.person.phone), "resident": p.resident,
                "origin": p.origin, "temperature": p.temperature, "mask": p.mask,
                "plate": p.plate, "fever": p.fever, "plate_flagged": p.plate_flagged,
                "channel": p.get_channel_display(), "status": p.get_status_display(),
                "recorded_by": (p.recorded_by.get_full_name() or p.recorded_by.username)
                if p.recorded_by else "",
            }


class OutsiderExporter(_Masking):
    filename = _("Outsider register")
    pii_fields = ("id_number", "phone", "address")
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

    def iterate_rows(self) -> Iterable[dict[str, Any]]:
        for o in self.queryset.select_related("person", "org_unit").order_by("arrived_on", "pk"):
            yield {
                "community": o.org_unit.name, "name": o.person.name,
                "id_number": self.id_number(o.person.id_number),
                "phone": self.phone(o.person.phone), "arrived_on": o.arrived_on,
                "origin": o.origin, "from_watched_area": o.from_watched_area,
                "host_address": self.address(o.host_address),
                "last_day": o.last_observation_day, "status": o.get_status_display(),
                "released_on": o.released_on,
            }


class HouseholdExporter(_Masking):
    """One row per member, the same columns the household import reads."""

    filename = _("Households")
    pii_fields = ("id_number", "phone", "address")
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

    def members(self) -> Any:
        return HouseholdMember.objects.filter(household__in=self.queryset)

    def row_count(self) -> int:
        return self.members().count()

    def iterate_rows(self) -> Iterable[dict[str, Any]]:
        qs = (self.members().select_related("household", "household__org_unit", "person")
              .order_by("household__unit_path", "household__number", "pk"))
        for m in qs.iterator(chunk_size=2000):
            h = m.household
            yield {
                "community": h.org_unit.name, "number": h.number,
                "address": self.address(h.address), "household_phone": self.phone(h.phone),
                "name": m.person.name, "id_number": self.id_number(m.person.id_number),
                "phone": self.phone(m.person.phone), "relation": m.get_relation_display(),
                "permanent": m.permanent,
            }

