"""The volunteers register and the hours register, exported through the kit's flow
(masked unless the user may and asks to export personal data; audited)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fangkong.core.exports import RegisterExporter
from fangkong.core.registries import export_kind
from fangkong.core.scoping import get_unit_for_user
from fangkong.lib.tabular import Column
from fangkong.volunteers.models import Assignment, Volunteer


class VolunteerExporter(RegisterExporter):
    filename = gettext_lazy("Volunteers")
    columns = (
        Column("name", gettext_lazy("Name"), "text", 10),
        Column("id_number", gettext_lazy("ID card number"), "text", 20),
        Column("phone", gettext_lazy("Phone"), "text", 13),
        Column("organisation", gettext_lazy("Organisation"), "text", 16),
        Column("team", gettext_lazy("Team"), "text", 16),
        Column("community", gettext_lazy("Community"), "text", 12),
        Column("political", gettext_lazy("Political status"), "text", 10),
        Column("skills", gettext_lazy("Skills"), "text", 16),
        Column("availability", gettext_lazy("Availability"), "text", 16),
        Column("health_ok", gettext_lazy("Health declared"), "text", 8),
    )
    pii_columns = {"id_number": "person.id_number", "phone": "phone"}

    def row(self, v: Volunteer) -> dict[str, Any]:
        return {"name": v.name, "id_number": v.person.id_number, "phone": v.phone,
                "organisation": str(v.organisation or ""), "team": str(v.team or ""),
                "community": v.org_unit.name, "political": v.get_political_display(),
                "skills": v.skills, "availability": v.availability,
                "health_ok": "✓" if v.health_ok else ""}


class HoursExporter(RegisterExporter):
    filename = gettext_lazy("Volunteer hours")
    person_path = "volunteer__person_id"
    columns = (
        Column("name", gettext_lazy("Name"), "text", 10),
        Column("organisation", gettext_lazy("Organisation"), "text", 16),
        Column("site", gettext_lazy("Site"), "text", 16),
        Column("community", gettext_lazy("Community"), "text", 12),
        Column("starts_at", gettext_lazy("Shift starts"), "text", 16),
        Column("ends_at", gettext_lazy("Shift ends"), "text", 16),
        Column("check_in", gettext_lazy("Checked in"), "text", 16),
        Column("check_out", gettext_lazy("Checked out"), "text", 16),
        Column("minutes", gettext_lazy("Credited minutes"), "int"),
        Column("approved", gettext_lazy("Approved"), "text", 8),
        Column("auto_closed", gettext_lazy("Closed automatically"), "text", 8),
    )

    def row(self, a: Assignment) -> dict[str, Any]:
        def t(at: Any) -> str:
            return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""

        return {"name": a.volunteer.name, "organisation": str(a.volunteer.organisation or ""),
                "site": a.shift.site.name, "community": a.shift.org_unit.name,
                "starts_at": t(a.shift.starts_at), "ends_at": t(a.shift.ends_at),
                "check_in": t(a.check_in_at), "check_out": t(a.check_out_at),
                "minutes": a.credited_minutes, "approved": "✓" if a.approved_at else "",
                "auto_closed": "✓" if a.auto_closed else ""}


def _under(qs: QuerySet, user: Any, params: Any) -> QuerySet:
    code = params.get("unit")
    return qs.under(get_unit_for_user(user, code)) if code else qs


@export_kind("volunteers", gettext_lazy("Volunteers"), VolunteerExporter)
def build_volunteers(user: Any, params: Any, capability: str) -> tuple[QuerySet, str]:
    qs = Volunteer.objects.visible_to(user, capability).select_related(
        "person", "organisation", "team", "org_unit").order_by("unit_path", "name", "pk")
    return _under(qs, user, params), ""


@export_kind("volunteer_hours", gettext_lazy("Volunteer hours"), HoursExporter)
def build_hours(user: Any, params: Any, capability: str) -> tuple[QuerySet, str]:
    qs = Assignment.objects.visible_to(user, capability).filter(
        check_in_at__isnull=False).select_related(
        "volunteer__organisation", "shift__site", "shift__org_unit").order_by(
        "shift__starts_at", "pk")
    return _under(qs, user, params), ""
