"""The drinking-water limits as dated rules (``core.rules``), one per indicator, seeded
from GB 5749-2022 (POLICIES.md, "drinking water").

A rule's value says, per sampling-point type ("*" for every type), the lower and upper
bound or that the indicator must not be detected, with the clause it comes from; a
disinfectant residual also names the disinfectant it applies to::

    {"clause": "GB 5749-2022 表2", "disinfectant": "chlorine",
     "limits": {"outlet": {"min": "0.3", "max": "2"}, "network": {"min": "0.05"}}}

The lab systems this replaces hold one range per indicator, which passes plant-outlet
water at 0.1 mg/L of free chlorine: here the outlet needs ≥ 0.3 and only the network end
may go down to 0.05. A reading keeps the version it was judged by (``Reading.limit_rule``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core import rules
from fangkong.core.models.rules import ValueKind
from fangkong.water.quality import SPECS, Ind

PREFIX = "water.limit."
GB = ("GB 5749-2022", "生活饮用水卫生标准")
#: The point types as the rules name them (``PointType`` values, in words without
#: underscores: a rule's text is shown to people on the rules pages and in the audit log).
RULE_KEYS = {"outlet": "outlet", "network_end": "network", "secondary": "secondary"}
POINT_TYPES = tuple(RULE_KEYS.values())
DISINFECTANTS = ("chlorine", "chloramine")


def code_for(indicator: str) -> str:
    return f"{PREFIX}{indicator}"


def _decimal(raw: Any, where: str) -> Decimal:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(where)s: “%(raw)s” is not a number.")
                              % {"where": where, "raw": raw}) from None
    if not value.is_finite() or value < 0:
        raise ValidationError(_("%(where)s: give a number of 0 or more.") % {"where": where})
    return value


def validate_limits(value: Any) -> None:
    """A limit rule's value must say, for known point types, a min and/or a max (min not
    above max) or "absent", and cite its clause."""
    if not isinstance(value, dict) or not str(value.get("clause", "")).strip():
        raise ValidationError(_("Give the clause the limit comes from (\"clause\")."))
    disinfectant = value.get("disinfectant")
    if disinfectant is not None and disinfectant not in DISINFECTANTS:
        raise ValidationError(_("Unknown disinfectant: %(d)s.") % {"d": disinfectant})
    limits = value.get("limits")
    if not isinstance(limits, dict) or not limits:
        raise ValidationError(_("Give the limits per point type (\"limits\")."))
    for key, limit in limits.items():
        if key != "*" and key not in POINT_TYPES:
            raise ValidationError(_("Unknown point type: %(t)s.") % {"t": key})
        if not isinstance(limit, dict) or not (
                {"min", "max"} & limit.keys() or limit.get("absent") is True):
            raise ValidationError(_("%(t)s: give \"min\", \"max\" or \"absent\": true.")
                                  % {"t": key})
        low = _decimal(limit["min"], key) if "min" in limit else None
        high = _decimal(limit["max"], key) if "max" in limit else None
        if low is not None and high is not None and low > high:
            raise ValidationError(_("%(t)s: the minimum is above the maximum.") % {"t": key})


@dataclass(frozen=True)
class Limit:
    """The limit that applies to one reading."""

    low: Decimal | None
    high: Decimal | None
    not_detected: bool
    clause: str
    unit: str

    def judge(self, value: Decimal | None, not_detected: bool) -> bool:
        if not_detected:
            return self.low is None or self.low <= 0
        assert value is not None
        if self.not_detected and value > 0:
            return False
        if self.low is not None and value < self.low:
            return False
        return not (self.high is not None and value > self.high)

    def text(self, value: Decimal | None = None, not_detected: bool = False) -> str:
        """"≥ 0.3 mg/L (GB 5749-2022 表2)": the bound a reading broke, or the whole
        limit when it is within (or none is given)."""
        unit = f" {self.unit}" if self.unit else ""

        def n(d: Decimal) -> str:
            return f"{d.normalize():f}"

        if self.not_detected:
            body = _("not detected")
        else:
            below = self.low is not None and (not_detected or (
                value is not None and value < self.low))
            above = self.high is not None and value is not None and value > self.high
            if below or (self.high is None and self.low is not None):
                body = f"≥ {n(self.low)}{unit}"
            elif above or self.low is None:
                body = f"≤ {n(self.high)}{unit}"
            else:
                body = f"{n(self.low)}–{n(self.high)}{unit}"
        return f"{body} ({self.clause})"


class NoLimit(Exception):
    """No limit applies (pressure, flow; a residual of another disinfectant)."""


def limit_for(rule_value: dict[str, Any], indicator: str, point_type: str,
              disinfectant: str) -> Limit:
    applies = rule_value.get("disinfectant")
    if applies and applies != disinfectant:
        raise NoLimit
    limits = rule_value["limits"]
    entry = limits.get(RULE_KEYS.get(point_type, point_type)) or limits.get("*")
    if entry is None:
        raise NoLimit
    return Limit(
        low=Decimal(str(entry["min"])) if "min" in entry else None,
        high=Decimal(str(entry["max"])) if "max" in entry else None,
        not_detected=bool(entry.get("absent")), clause=str(rule_value["clause"]),
        unit=SPECS[indicator].unit)


def _every(limit: dict[str, Any], clause: str = "GB 5749-2022 表1") -> dict[str, Any]:
    return {"clause": clause, "limits": {"*": limit}}


#: The shipped versions (POLICIES.md). Turbidity: ≤ 1 NTU; the standard's ≤ 3 for small
#: supplies whose source or treatment is limited is not the city utility's case.
DEFAULTS: dict[str, dict[str, Any]] = {
    Ind.TURBIDITY: _every({"max": "1"}),
    Ind.COLOUR: _every({"max": "15"}),
    Ind.PH: _every({"min": "6.5", "max": "8.5"}),
    Ind.FREE_CHLORINE: {
        "clause": "GB 5749-2022 表2", "disinfectant": "chlorine",
        "limits": {"outlet": {"min": "0.3", "max": "2"}, "network": {"min": "0.05"},
                   "secondary": {"min": "0.05"}}},
    Ind.TOTAL_CHLORINE: {
        "clause": "GB 5749-2022 表2", "disinfectant": "chloramine",
        "limits": {"outlet": {"min": "0.5", "max": "3"}, "network": {"min": "0.05"},
                   "secondary": {"min": "0.05"}}},
    Ind.COLIFORMS: _every({"absent": True}),
    Ind.E_COLI: _every({"absent": True}),
    Ind.COLONY_COUNT: _every({"max": "100"}),
    Ind.AMMONIA: _every({"max": "0.5"}),
    Ind.PERMANGANATE: _every({"max": "3"}),
}

#: The supply's own limits (not GB 5749): the minimum service pressure at any point of
#: the network. 0.14 MPa is the pressure the network's far end must keep (the figure the
#: service codes give for the end of the network, CJJ 207-2013; see
#: docs/decisions/water.md on its source); a plant or pressure-station outlet below it
#: leaves the whole network below it, so it applies to every point type. Flow has no
#: limit that holds for every station: it is recorded, not judged.
SUPPLY = ("CJJ 207-2013", "城镇供水管网运行、维护及安全技术规程")
SUPPLY_DEFAULTS: dict[str, dict[str, Any]] = {
    Ind.PRESSURE: _every({"min": "0.14"}, clause="CJJ 207-2013"),
}

#: How a limit reads on the rules pages and in their form, e.g.
#: ``出厂水 0.3-2; 末梢水 >=0.05; 二次供水 >=0.05 | GB 5749-2022 表2 | 氯``.
KEY_LABELS = {"outlet": "出厂水", "network": "末梢水", "secondary": "二次供水", "*": "全部"}
DISINFECTANT_LABELS = {"chlorine": "氯", "chloramine": "氯胺"}
ABSENT = "不得检出"


def as_text(value: dict[str, Any]) -> str:
    parts = []
    for key, limit in value.get("limits", {}).items():
        if limit.get("absent"):
            bound = ABSENT
        elif "min" in limit and "max" in limit:
            bound = f"{limit['min']}-{limit['max']}"
        elif "min" in limit:
            bound = f">={limit['min']}"
        else:
            bound = f"<={limit.get('max')}"
        parts.append(f"{KEY_LABELS.get(key, key)} {bound}")
    text = f"{'; '.join(parts)} | {value.get('clause', '')}"
    if value.get("disinfectant"):
        text += f" | {DISINFECTANT_LABELS.get(value['disinfectant'], value['disinfectant'])}"
    return text


def from_text(raw: str) -> dict[str, Any]:
    """The rule's value from its text (``as_text``); English keys are accepted too."""
    keys = {**{v: k for k, v in KEY_LABELS.items()}, **{k: k for k in KEY_LABELS}}
    disinfectants = {**{v: k for k, v in DISINFECTANT_LABELS.items()},
                     **{k: k for k in DISINFECTANT_LABELS}}
    pieces = [p.strip() for p in (raw or "").replace("｜", "|").split("|")]
    if len(pieces) not in (2, 3) or not pieces[0] or not pieces[1]:
        raise ValidationError(_("Write the limits, then | and the clause (and | the "
                                "disinfectant), e.g. 出厂水 0.3-2; 末梢水 >=0.05 | GB 5749-2022 "
                                "表2 | 氯."))
    limits: dict[str, Any] = {}
    for entry in re.split(r"[;；]", pieces[0]):
        if not entry.strip():
            continue
        label, _sep, bound = entry.strip().partition(" ")
        key, bound = keys.get(label), bound.strip().replace(" ", "")
        if key is None:
            raise ValidationError(_("Unknown point type: %(t)s.") % {"t": label})
        if bound in (ABSENT, "absent"):
            limits[key] = {"absent": True}
        elif bound[:2] in (">=",) or bound[:1] == "≥":
            limits[key] = {"min": bound.lstrip(">=≥")}
        elif bound[:2] in ("<=",) or bound[:1] == "≤":
            limits[key] = {"max": bound.lstrip("<=≤")}
        elif re.fullmatch(r"[\d.]+[-–~][\d.]+", bound):
            low, high = re.split(r"[-–~]", bound)
            limits[key] = {"min": low, "max": high}
        else:
            raise ValidationError(_("%(t)s: write a range (0.3-2), >=0.05, <=1 or 不得检出.")
                                  % {"t": label})
    value: dict[str, Any] = {"clause": pieces[1], "limits": limits}
    if len(pieces) == 3:
        if pieces[2] not in disinfectants:
            raise ValidationError(_("Unknown disinfectant: %(d)s.") % {"d": pieces[2]})
        value["disinfectant"] = disinfectants[pieces[2]]
    return value


for _indicator, _value in DEFAULTS.items():
    rules.declare(
        code_for(_indicator),
        name=format_lazy("{}{}", gettext_lazy("Drinking-water limit: "),
                         Ind(_indicator).label),
        kind=ValueKind.JSON, unit=SPECS[_indicator].unit, module="water", default=_value,
        default_document=GB,
        description=gettext_lazy(
            "Per sampling-point type (outlet: plant outlet, network: network end, secondary: "
            "secondary supply, or * for all): min, max, or absent (must not be detected), "
            "with the clause; a disinfectant residual names its disinfectant."),
        help_text=gettext_lazy("e.g. 出厂水 0.3-2; 末梢水 >=0.05 | GB 5749-2022 表2 | 氯, or "
                               "全部 <=1 | GB 5749-2022 表1, or 全部 不得检出 | …"),
        parse=from_text, format=as_text, validators=[validate_limits],
    )

for _indicator, _value in SUPPLY_DEFAULTS.items():
    rules.declare(
        code_for(_indicator),
        name=format_lazy("{}{}", gettext_lazy("Supply limit: "), Ind(_indicator).label),
        kind=ValueKind.JSON, unit=SPECS[_indicator].unit, module="water", default=_value,
        default_document=SUPPLY,
        description=gettext_lazy(
            "The lowest pressure a sampling point may show (outlet, network, secondary, or "
            "* for all), with the clause: a reading below it opens a low-pressure "
            "exceedance and its alert."),
        help_text=gettext_lazy("e.g. 全部 >=0.14 | CJJ 207-2013"),
        parse=from_text, format=as_text, validators=[validate_limits],
    )
