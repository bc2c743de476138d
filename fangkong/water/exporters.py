"""The monthly water-quality bulletin (水质公告), in the layout utilities publish: one row
per sampling point with its type, the number of samples and, per indicator, the month's
range of results (or 未检出), its pass rate and conclusion; the first row states the
GB 5749-2022 limit of each indicator for the reader.

Written through the kit's export flow (``core.exports``): a registered kind, the same
file from the page and from a job. Nothing personal is in it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import CharField, QuerySet, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from fangkong.core import rules as core_rules
from fangkong.core.exports import RegisterExporter
from fangkong.core.models import Organisation
from fangkong.core.registries import export_kind
from fangkong.lib.tabular import Column
from fangkong.water.models import PointType, Reading, SamplingPoint
from fangkong.water.quality import BULLETIN, SPECS, Ind
from fangkong.water.rules import NoLimit, code_for, limit_for


def parse_month(raw: str | None) -> date:
    try:
        year, month = (int(p) for p in str(raw or "").split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        raise ValidationError({"month": [_("Give the month as YYYY-MM.")]}) from None


def month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _n(d: Decimal) -> str:
    return f"{d.normalize():f}"


def _cell(results: list[tuple[Decimal | None, bool]]) -> str:
    if not results:
        return "—"
    numbers = [v for v, nd in results if not nd]
    if not numbers:
        return _("not detected")
    low, high = min(numbers), max(numbers)
    text = _n(low) if low == high else f"{_n(low)}~{_n(high)}"
    if len(numbers) < len(results):
        text = _("not detected") + f"~{_n(high)}"
    return text


class BulletinExporter(RegisterExporter):
    filename = gettext_lazy("Water-quality bulletin")
    person_path = "pk"

    def __init__(self, queryset: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(queryset, **kwargs)
        # The month travels on the rows (``build_bulletin`` annotates it), so a job
        # rebuilding the file from the stored filters makes the same one.
        first = queryset.values_list("bulletin_month", flat=True).first()
        self.month = parse_month(first) if first else date.today().replace(day=1)
        self.columns = (
            Column("point", gettext_lazy("Sampling point"), "text", 24),
            Column("type", gettext_lazy("Water sample"), "text", 12),
            Column("near", gettext_lazy("Near"), "text", 18),
            Column("samples", gettext_lazy("Results"), None, 8),
            *(Column(code, f"{Ind(code).label}（{SPECS[code].unit}）"
                     if SPECS[code].unit else str(Ind(code).label), "text", 14)
              for code in BULLETIN),
            Column("rate", gettext_lazy("Pass rate (%)"), "text", 10),
            Column("conclusion", gettext_lazy("Conclusion"), "text", 10),
        )

    def people(self) -> Iterator[int]:
        return iter(())

    def iterate_rows(self) -> Iterator[list[Any]]:
        yield self._limit_row()
        yield from super().iterate_rows()

    def _limit_row(self) -> list[Any]:
        row: dict[str, Any] = {"point": _("Limit (GB 5749-2022)"), "type": "", "near": "",
                               "samples": None, "rate": "", "conclusion": ""}
        for code in BULLETIN:
            try:
                rule = core_rules.value_on(code_for(code), month_end(self.month)).typed
            except core_rules.NoRuleInForce:
                row[code] = "—"
                continue
            texts: dict[str, str] = {}
            for point_type in ("outlet", "network_end"):
                try:
                    limit = limit_for(rule, code, point_type, rule.get("disinfectant")
                                      or "chlorine")
                except NoLimit:
                    continue
                texts[point_type] = limit.text().rsplit(" (", 1)[0]
            if len(set(texts.values())) > 1:  # 出厂水 0.3–2 mg/L；末梢水 ≥ 0.05 mg/L
                row[code] = "；".join(f"{PointType(t).label} {text}"
                                     for t, text in texts.items())
            else:
                row[code] = next(iter(texts.values()), "—")
        return [row.get(c.key) for c in self.columns]

    def prepare(self, objs: list[Any]) -> list[Any]:
        results: dict[int, dict[str, list[tuple[Decimal | None, bool]]]] = defaultdict(
            lambda: defaultdict(list))
        judged: dict[int, list[bool]] = defaultdict(list)
        readings = Reading.objects.filter(
            point__in=objs, day__gte=self.month, day__lte=month_end(self.month),
            indicator__in=BULLETIN).values_list("point_id", "indicator", "value",
                                                "not_detected", "within_limits")
        for point_id, code, value, nd, within in readings:
            results[point_id][code].append((value, nd))
            if within is not None:
                judged[point_id].append(within)
        for p in objs:
            p.cells = {code: _cell(results[p.pk][code]) for code in BULLETIN}
            p.count = sum(len(v) for v in results[p.pk].values())
            ok = judged[p.pk]
            p.rate = f"{Decimal(100) * sum(ok) / len(ok):.1f}" if ok else "—"
            p.conclusion = ("—" if not ok else pgettext("water quality", "Pass") if all(ok) else
                            _("Exceeded (re-tested)"))
        return objs

    def row(self, obj: SamplingPoint) -> dict[str, Any]:
        near = obj.near_name or ""
        return {"point": obj.name, "type": obj.get_point_type_display(), "near": near,
                "samples": obj.count, **obj.cells, "rate": obj.rate,
                "conclusion": obj.conclusion}


@export_kind("water_bulletin", gettext_lazy("Water-quality bulletin"), BulletinExporter)
def build_bulletin(user: Any, params: Any, capability: str):
    month = parse_month(params.get("month"))
    utility = Organisation.objects.filter(pk=params.get("utility") or 0).first()
    points = SamplingPoint.objects.visible_to(user, capability)
    if utility is not None:
        points = points.filter(organisation=utility)
    name = f"{utility.name if utility else ''}{_('Water-quality bulletin')}{month:%Y-%m}"
    points = points.annotate(bulletin_month=Value(f"{month:%Y-%m}", output_field=CharField()))
    return points.order_by("point_type", "name"), name
