"""Exports of the registry and the migrant workers (.xlsx on core's export flow: masked
by default; unmasked only with ``Cap.EXPORT_PII``, a reason, logged)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from fangkong.core.exports import RegisterExporter
from fangkong.core.registries import export_kind
from fangkong.lib.tabular import Column
from fangkong.resumption.models import Enterprise, MigrantWorker


class EnterpriseExporter(RegisterExporter):
    filename = gettext_lazy("Enterprises and key projects")
    pii_columns = {"liaison_phone": "liaison_phone"}
    columns = (
        Column("name", gettext_lazy("Name"), "text", 30),
        Column("uscc", gettext_lazy("Unified social credit code"), "text", 20),
        Column("unit", gettext_lazy("Area"), "text", 14),
        Column("industry", gettext_lazy("Industry"), "text", 12),
        Column("key", gettext_lazy("Key project"), "text", 8),
        Column("headcount", gettext_lazy("Headcount"), "int", 8),
        Column("liaison_name", gettext_lazy("Liaison"), "text", 10),
        Column("liaison_phone", gettext_lazy("Liaison phone"), "text", 14),
        Column("status", gettext_lazy("Status"), "text", 10),
        Column("resumed_on", gettext_lazy("Resumed on"), "text", 12),
    )

    def rows(self) -> QuerySet[Enterprise]:
        return self.queryset.select_related("org_unit").order_by("unit_path", "name", "pk")

    def row(self, e: Enterprise) -> Mapping[str, Any]:
        return {"name": e.name, "uscc": e.uscc, "unit": e.org_unit.name,
                "industry": e.get_industry_display(), "key": "是" if e.is_key_project else "",
                "headcount": e.headcount, "liaison_name": e.liaison_name,
                "liaison_phone": e.liaison_phone, "status": e.get_status_display(),
                "resumed_on": e.resumed_on.isoformat() if e.resumed_on else ""}

    def people(self):  # noqa: ANN201 - the registry names no person (a liaison's phone)
        return iter(())


class WorkerExporter(RegisterExporter):
    filename = gettext_lazy("Migrant workers")
    pii_columns = {"phone": "phone"}
    columns = (
        Column("name", gettext_lazy("Name"), "text", 10),
        Column("unit", gettext_lazy("Home area"), "text", 14),
        Column("home", gettext_lazy("Home town"), "text", 16),
        Column("skills", gettext_lazy("Skills"), "text", 14),
        Column("phone", gettext_lazy("Phone"), "text", 14),
        Column("employer", gettext_lazy("Destination employer"), "text", 24),
        Column("poor", gettext_lazy("Registered poor household"), "text", 14),
    )

    def rows(self) -> QuerySet[MigrantWorker]:
        return self.queryset.select_related("org_unit", "employer", "poor_household"
                                            ).order_by("unit_path", "name", "pk")

    def row(self, w: MigrantWorker) -> Mapping[str, Any]:
        return {"name": w.name, "unit": w.org_unit.name, "home": w.home, "skills": w.skills,
                "phone": w.phone, "employer": str(w.employer or w.destination),
                "poor": w.poor_household.number if w.poor_household else ""}


@export_kind("resumption_enterprises", gettext_lazy("Enterprises and key projects"),
             EnterpriseExporter)
def build_enterprises(user: Any, params: Mapping[str, Any], capability: str
                      ) -> tuple[QuerySet[Enterprise], str]:
    return Enterprise.objects.visible_to(user, capability), ""


@export_kind("resumption_workers", gettext_lazy("Migrant workers"), WorkerExporter)
def build_workers(user: Any, params: Mapping[str, Any], capability: str
                  ) -> tuple[QuerySet[MigrantWorker], str]:
    return MigrantWorker.objects.visible_to(user, capability), ""
