"""Care registers on core's export flow: the frontline medical workers (ID numbers and
phones masked unless exported unmasked: ``Cap.EXPORT_PII``, a reason, logged) and the
service log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy, pgettext_lazy

from fangkong.care.models import MedicalWorker, ServiceLog
from fangkong.core.exports import RegisterExporter
from fangkong.core.registries import export_kind
from fangkong.lib.tabular import Column


class WorkerExporter(RegisterExporter):
    filename = gettext_lazy("Frontline medical workers")
    pii_columns = {"id_number": "person.id_number", "phone": "phone"}
    columns = (
        Column("number", pgettext_lazy("medical worker", "Number"), "text", 10),
        Column("name", gettext_lazy("Name"), "text", 10),
        Column("id_number", gettext_lazy("ID card number"), "text", 20),
        Column("phone", gettext_lazy("Mobile phone"), "text", 13),
        Column("hospital", gettext_lazy("Hospital"), "text", 20),
        Column("department", gettext_lazy("Department"), "text", 12),
        Column("deployment", gettext_lazy("Deployment"), "text", 10),
        Column("deployed_from", gettext_lazy("Deployed from"), "text", 11),
        Column("member_unit", gettext_lazy("Responsible member unit"), "text", 16),
        Column("unit_contact", gettext_lazy("Member-unit contact"), "text", 10),
        Column("home", pgettext_lazy("medical worker", "Home"), "text", 12),
        Column("helper", gettext_lazy("Helper"), "text", 10),
    )

    def rows(self) -> QuerySet[MedicalWorker]:
        return (self.queryset.select_related("person", "member_unit", "org_unit")
                .prefetch_related("pairings__helper").order_by("number"))

    def row(self, w: MedicalWorker) -> dict[str, Any]:
        helper = next((p.helper.name for p in w.pairings.all()
                       if p.ended_on is None and p.primary), "")
        return {"number": w.number, "name": w.name, "id_number": w.person.id_number,
                "phone": w.phone, "hospital": w.hospital, "department": w.department,
                "deployment": w.get_deployment_display(),
                "deployed_from": w.deployed_from.isoformat() if w.deployed_from else "",
                "member_unit": str(w.member_unit), "unit_contact": w.unit_contact,
                "home": w.org_unit.name, "helper": helper}


class ServiceExporter(RegisterExporter):
    filename = gettext_lazy("Care services")
    person_path = "worker__person_id"
    columns = (
        Column("day", gettext_lazy("Date"), "text", 11),
        Column("worker", pgettext_lazy("care", "Worker"), "text", 14),
        Column("category", gettext_lazy("Kind of support"), "text", 16),
        Column("quantity", gettext_lazy("Quantity"), "decimal", 10),
        Column("unit", gettext_lazy("Unit"), "text", 6),
        Column("note", pgettext_lazy("care", "What was done"), "text", 30),
        Column("helper", gettext_lazy("Helper"), "text", 10),
    )

    def rows(self) -> QuerySet[ServiceLog]:
        return self.queryset.select_related("worker", "helper").order_by("day", "pk")

    def row(self, s: ServiceLog) -> dict[str, Any]:
        return {"day": s.day.isoformat(), "worker": f"{s.worker.number} {s.worker.name}",
                "category": s.get_category_display(), "quantity": s.quantity,
                "unit": s.unit, "note": s.note, "helper": s.helper.name if s.helper else ""}


@export_kind("care_workers", gettext_lazy("Frontline medical workers"), WorkerExporter)
def build_workers(user: Any, params: Mapping[str, Any], capability: str
                  ) -> tuple[QuerySet[MedicalWorker], str]:
    return MedicalWorker.objects.visible_to(user, capability), ""


@export_kind("care_services", gettext_lazy("Care services"), ServiceExporter)
def build_services(user: Any, params: Mapping[str, Any], capability: str
                   ) -> tuple[QuerySet[ServiceLog], str]:
    return ServiceLog.objects.visible_to(user, capability), ""
