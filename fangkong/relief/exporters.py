"""The bank file of a payment batch (.xlsx on core's export flow): one row per account,
then a total row whose count and sum reconcile with the batch. Accounts are masked
unless the export is unmasked (``Cap.EXPORT_PII``, a reason, logged), which is the file
the bank needs; a large batch is made by a background job like any export."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.exports import RegisterExporter
from fangkong.core.registries import export_kind
from fangkong.core.roles import Cap
from fangkong.core.scoping import get_for_user
from fangkong.lib.tabular import Column
from fangkong.relief.models import Payment, PaymentBatch


class BankFileExporter(RegisterExporter):
    filename = gettext_lazy("Relief bank file")
    pii_columns = {"account_number": "account_number"}
    person_path = "payee_person_id"
    columns = (
        Column("seq", gettext_lazy("No."), "text", 6),
        Column("payee", gettext_lazy("Account holder"), "text", 16),
        Column("account_number", gettext_lazy("Account"), "text", 24),
        Column("account_bank", gettext_lazy("Bank"), "text", 16),
        Column("amount", gettext_lazy("Amount (yuan)"), "decimal", 12),
        Column("measure", gettext_lazy("Measure"), "text", 24),
        Column("unit", gettext_lazy("Village / town"), "text", 12),
        Column("batch", gettext_lazy("Batch"), "text", 22),
        Column("status", gettext_lazy("Status"), "text", 10),
    )

    def rows(self) -> QuerySet[Payment]:
        return self.queryset.select_related("batch", "org_unit", "application__org_unit"
                                            ).order_by("pk")

    def row(self, p: Payment) -> dict[str, Any]:
        self._seq = getattr(self, "_seq", 0) + 1
        return {"seq": str(self._seq), "payee": p.payee, "account_number": p.account_number,
                "account_bank": p.account_bank, "amount": p.amount,
                "measure": p.get_measure_display(), "unit": p.application.org_unit.name,
                "batch": p.batch.number, "status": p.get_status_display()}

    def iterate_rows(self) -> Iterator[Mapping[str, Any]]:
        yield from super().iterate_rows()
        qs = self.rows()
        total = qs.aggregate(t=Sum("amount"))["t"] or Decimal("0.00")
        yield {"seq": _("Total"), "payee": _("%(n)d accounts") % {"n": qs.count()},
               "amount": total}


@export_kind("relief_bank_file", gettext_lazy("Relief bank file"), BankFileExporter)
def build_bank_file(user: Any, params: Mapping[str, Any], capability: str
                    ) -> tuple[QuerySet[Payment], str]:
    raw = str(params.get("batch", ""))
    if not raw.isdigit():
        raise ValidationError({"batch": [_("Choose a payment batch.")]})
    batch = get_for_user(PaymentBatch, user, Cap.VIEW, pk=int(raw))
    if batch is None:  # pragma: no cover - get_for_user raises Http404
        raise Http404
    rows = Payment.objects.visible_to(user, capability).filter(batch=batch)
    return rows, f"{_('Relief bank file')} {batch.number}"
