"""Relief's dated rules (``core.rules``): every number of the five measures of 白河县
(POLICIES.md "Relief") is a parameter with versions in force over periods, each citing
its policy document and who entered it. ``engine.read_parameters`` reads them for a day;
a day no version covers is the explicit result "no rule in force" (``NoRuleInForce``).

Tables (tiers, amounts per project type, periods) are JSON values written and read as
one line of text on the rule's history page (``/core/rules/<code>/``), for example
``10-19: 10000; 20-: 20000``. Their validators refuse overlapping or unordered tiers, so
two tiers can never both pay one entity.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core import rules
from fangkong.core.models.rules import ValueKind
from fangkong.core.roles import Cap
from fangkong.lib.numbers import NumberError, read_decimal

MODULE = "relief"
#: The rules are 白河县's (a county document, run by its poverty-alleviation office):
#: its staff with APPROVE over the county add versions, HQ keeps its power
#: (``core.rules.declare``'s ``owner_unit``; docs/decisions/kit-rules.md).
OWNER_COUNTY = "610929"
OWNED = {"owner_unit": OWNER_COUNTY, "owner_capability": Cap.APPROVE}
#: The county's document (the seed page) and the platform's own defaults.
COUNTY_DOCUMENT = ("", gettext_lazy(
    "白河县 measures, “白河优化资金使用战疫情促脱贫” (POLICIES.md)"))
PLATFORM_DEFAULT = ("", gettext_lazy(
    "Platform default: the county's page gives no figure; set the county's own"))

PERIOD = "relief.period"
EMPLOYMENT_WINDOW = "relief.employment.window"
EMPLOYMENT_MONTHS = "relief.employment.months_required"
EMPLOYMENT_PER_MEMBER = "relief.employment.per_member"
EMPLOYMENT_CAP = "relief.employment.household_cap"
ENTITY_TIERS = "relief.entity.tiers"
SUPPLIES_TIERS = "relief.supplies.tiers"
LOAN_MONTHS = "relief.loan.extension_months"
INDUSTRY_AMOUNTS = "relief.industry.amounts"

#: Household project types of measure 1 (POLICIES.md), in the order pages list them.
PROJECT_TYPES = {
    "planting": gettext_lazy("Planting (种植业)"),
    "breeding": gettext_lazy("Breeding (养殖业)"),
    "specialty": gettext_lazy("Specialty industry (特色产业)"),
    "courtyard": gettext_lazy("Courtyard economy (庭院经济)"),
    "startup": gettext_lazy("Own business (自主创业)"),
}
_PROJECT_ALIASES = {"种植业": "planting", "种植": "planting", "养殖业": "breeding",
                    "养殖": "breeding", "特色产业": "specialty", "庭院经济": "courtyard",
                    "自主创业": "startup"}

_SEPARATORS = re.compile(r"[;；\n]+")
_RANGE = re.compile(r"^\s*(\d+)\s*(?:[-–~～至到]\s*(\d+)?|\+|以上)?\s*$")


# --- periods ------------------------------------------------------------------------
def _parse_period(raw: str) -> dict[str, str]:
    parts = [p for p in re.split(r"[\s,，至到~～]+", (raw or "").strip()) if p]
    if len(parts) != 2:
        raise ValidationError(_("Give two dates, the first and the last day, "
                                "e.g. 2020-01-24 2020-06-30."))
    try:
        start, end = (date.fromisoformat(p) for p in parts)
    except ValueError:
        raise ValidationError(_("Give the dates as YYYY-MM-DD, e.g. 2020-01-24 2020-06-30.")
                              ) from None
    return {"start": start.isoformat(), "end": end.isoformat()}


def _ordered_period(value: dict[str, str]) -> None:
    if not isinstance(value, dict) or set(value) != {"start", "end"}:
        raise ValidationError(_("A period is a first and a last day."))
    if date.fromisoformat(value["end"]) < date.fromisoformat(value["start"]):
        raise ValidationError(_("The last day is before the first."))


def _format_period(value: dict[str, str]) -> str:
    return f"{value['start']} {value['end']}"


# --- tier tables ----------------------------------------------------------------------
def _parse_range(text: str) -> tuple[int, int | None]:
    match = _RANGE.match(text)
    if not match:
        raise ValidationError(_("“%(text)s” is not a range; write 10-19, or 20- for 20 "
                                "or more.") % {"text": text.strip()})
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else None
    # "10" alone is the single number 10; "20-", "20+", "20以上" are open-ended.
    if match.group(2) is None and not re.search(r"[-–~～至到+]|以上", text):
        high = low
    return low, high


def _split_rows(raw: str) -> list[tuple[str, str]]:
    rows = []
    for part in _SEPARATORS.split(raw or ""):
        if not part.strip():
            continue
        if ":" not in part and "：" not in part:
            raise ValidationError(_("Write each tier as range: value, e.g. 10-19: 10000."))
        left, right = re.split(r"[:：]", part, maxsplit=1)
        rows.append((left, right.strip()))
    if not rows:
        raise ValidationError(_("Give at least one tier."))
    return rows


def _parse_amount_tiers(raw: str) -> list[dict[str, Any]]:
    tiers = []
    for left, right in _split_rows(raw):
        low, high = _parse_range(left)
        try:
            amount = read_decimal(right)
        except NumberError as exc:
            raise ValidationError(str(exc)) from None
        tiers.append({"min": low, "max": high, "amount": format(amount, "f")})
    return tiers


def _parse_content_tiers(raw: str) -> list[dict[str, Any]]:
    tiers = []
    for left, right in _split_rows(raw):
        low, high = _parse_range(left)
        if not right:
            raise ValidationError(_("Say what each tier receives."))
        tiers.append({"min": low, "max": high, "content": right})
    return tiers


def check_tiers(value: Any) -> None:
    """Tiers ascend and never overlap: one count falls in at most one tier. Shared by
    the rule's form and the engine (a stored table is checked again when read)."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Give at least one tier."))
    previous_max: int | None = -1
    for i, tier in enumerate(value):
        low, high = tier.get("min"), tier.get("max")
        if not isinstance(low, int) or low < 0 or (high is not None and
                                                   (not isinstance(high, int) or high < low)):
            raise ValidationError(_("Tier %(n)d: the range is not a range of whole numbers.")
                                  % {"n": i + 1})
        if previous_max is None or low <= previous_max:
            raise ValidationError(_(
                "Tier %(n)d overlaps the tier before it: one count would fall in two tiers.")
                % {"n": i + 1})
        if "amount" in tier and Decimal(tier["amount"]) < 0:
            raise ValidationError(_("Tier %(n)d: an amount is not negative.") % {"n": i + 1})
        previous_max = high


def _format_range(tier: dict[str, Any]) -> str:
    if tier["max"] is None:
        return f"{tier['min']}-"
    if tier["max"] == tier["min"]:
        return str(tier["min"])
    return f"{tier['min']}-{tier['max']}"


def _format_amount_tiers(value: list[dict[str, Any]]) -> str:
    return "; ".join(f"{_format_range(t)}: {t['amount']}" for t in value)


def _format_content_tiers(value: list[dict[str, Any]]) -> str:
    return "; ".join(f"{_format_range(t)}: {t['content']}" for t in value)


# --- amounts per project type ------------------------------------------------------------
def _parse_industry(raw: str) -> dict[str, str]:
    amounts: dict[str, str] = {}
    for left, right in _split_rows(raw):
        key = left.strip()
        key = _PROJECT_ALIASES.get(key, key)
        if key not in PROJECT_TYPES:
            raise ValidationError(_("Unknown project type “%(key)s”; use 种植业, 养殖业, "
                                    "特色产业, 庭院经济 or 自主创业.") % {"key": left.strip()})
        try:
            amounts[key] = format(read_decimal(right), "f")
        except NumberError as exc:
            raise ValidationError(str(exc)) from None
    return amounts


def _check_industry(value: Any) -> None:
    if not isinstance(value, dict) or not value:
        raise ValidationError(_("Give an amount for at least one project type."))
    for key, amount in value.items():
        if key not in PROJECT_TYPES or Decimal(amount) < 0:
            raise ValidationError(_("Give a non-negative amount per known project type."))


def _format_industry(value: dict[str, str]) -> str:
    names = {v: k for k, v in _PROJECT_ALIASES.items() if k.endswith(("业", "济", "创业"))}
    return "; ".join(f"{names.get(k, k)}: {v}" for k, v in value.items())


# --- plain numbers ----------------------------------------------------------------------
def _positive_money(value: Decimal) -> None:
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("Give an amount of yuan, not negative, at most two decimals."))


def _months(value: int) -> None:
    if not 1 <= value <= 24:
        raise ValidationError(_("Give a number of months from 1 to 24."))


PERIOD_RULE = rules.declare(
    PERIOD, name=gettext_lazy("Relief: period of the epidemic measures"),
    kind=ValueKind.JSON, module=MODULE, **OWNED,
    default={"start": "2020-01-24", "end": "2020-06-30"}, default_document=COUNTY_DOCUMENT,
    description=gettext_lazy("Entities must have resumed work, and loans fall due, within "
                             "this period (first and last day included)."),
    help_text=gettext_lazy("First and last day, e.g. 2020-01-24 2020-06-30."),
    parse=_parse_period, format=_format_period, validators=[_ordered_period],
)
EMPLOYMENT_WINDOW_RULE = rules.declare(
    EMPLOYMENT_WINDOW, name=gettext_lazy("Relief: months away counted within"),
    kind=ValueKind.JSON, module=MODULE, **OWNED,
    default={"start": "2020-01-01", "end": "2020-12-31"}, default_document=PLATFORM_DEFAULT,
    description=gettext_lazy("Measure 2: months worked away from home are counted within "
                             "this window (the epidemic period alone is shorter than six "
                             "months)."),
    help_text=gettext_lazy("First and last day, e.g. 2020-01-01 2020-12-31."),
    parse=_parse_period, format=_format_period, validators=[_ordered_period],
)
EMPLOYMENT_MONTHS_RULE = rules.declare(
    EMPLOYMENT_MONTHS, name=gettext_lazy("Relief: months away required (以上)"),
    kind=ValueKind.INTEGER, unit="月", module=MODULE, **OWNED, default=6,
    default_document=COUNTY_DOCUMENT, validators=[_months],
    description=gettext_lazy("Measure 2: a member away this many months or more qualifies."),
)
EMPLOYMENT_PER_MEMBER_RULE = rules.declare(
    EMPLOYMENT_PER_MEMBER, name=gettext_lazy("Relief: living subsidy per member"),
    kind=ValueKind.DECIMAL, unit="元", module=MODULE, **OWNED, default=Decimal("500"),
    default_document=COUNTY_DOCUMENT, validators=[_positive_money],
)
EMPLOYMENT_CAP_RULE = rules.declare(
    EMPLOYMENT_CAP, name=gettext_lazy("Relief: living subsidy cap per household"),
    kind=ValueKind.DECIMAL, unit="元", module=MODULE, **OWNED, default=Decimal("1000"),
    default_document=COUNTY_DOCUMENT, validators=[_positive_money],
)
ENTITY_TIERS_RULE = rules.declare(
    ENTITY_TIERS, name=gettext_lazy("Relief: production subsidy by poor workers"),
    kind=ValueKind.JSON, unit="元", module=MODULE, **OWNED,
    default=[{"min": 10, "max": 19, "amount": "10000"},
             {"min": 20, "max": None, "amount": "20000"}],
    default_document=COUNTY_DOCUMENT,
    description=gettext_lazy("Measure 3: amount by registered poor workers employed; "
                             "below the first tier nothing."),
    help_text=gettext_lazy("Ranges of workers and amounts, e.g. 10-19: 10000; 20-: 20000."),
    parse=_parse_amount_tiers, format=_format_amount_tiers, validators=[check_tiers],
)
SUPPLIES_TIERS_RULE = rules.declare(
    SUPPLIES_TIERS, name=gettext_lazy("Relief: production supplies by households led"),
    kind=ValueKind.JSON, module=MODULE, **OWNED,
    default=[{"min": 5, "max": 19, "content": "化肥 1 吨、种苗 500 株"},
             {"min": 20, "max": 49, "content": "化肥 3 吨、种苗 2000 株"},
             {"min": 50, "max": None, "content": "化肥 6 吨、种苗 5000 株、农机 1 台"}],
    default_document=COUNTY_DOCUMENT,
    description=gettext_lazy("Measure 4: tiers by households led (5–19, 20–49, 50 or more) "
                             "and what each receives; below the first tier nothing."),
    help_text=gettext_lazy("Ranges of households and contents, e.g. 5-19: 化肥 1 吨; "
                           "20-49: 化肥 3 吨; 50-: 化肥 6 吨."),
    parse=_parse_content_tiers, format=_format_content_tiers, validators=[check_tiers],
)
LOAN_MONTHS_RULE = rules.declare(
    LOAN_MONTHS, name=gettext_lazy("Relief: loan interest subsidy extension"),
    kind=ValueKind.INTEGER, unit="月", module=MODULE, **OWNED, default=6,
    default_document=COUNTY_DOCUMENT, validators=[_months],
    description=gettext_lazy("Measure 5: extra subsidy = principal × subsidised annual "
                             "rate × months / 12, rounded to the fen."),
)
INDUSTRY_AMOUNTS_RULE = rules.declare(
    INDUSTRY_AMOUNTS, name=gettext_lazy("Relief: industry subsidy per project type"),
    kind=ValueKind.JSON, unit="元", module=MODULE, **OWNED,
    default={"planting": "1000", "breeding": "1500", "specialty": "1500",
             "courtyard": "800", "startup": "2000"},
    default_document=PLATFORM_DEFAULT,
    description=gettext_lazy("Measure 1: amount per accepted household project, by type."),
    help_text=gettext_lazy("Type and amount, e.g. 种植业: 1000; 养殖业: 1500; 特色产业: 1500; "
                           "庭院经济: 800; 自主创业: 2000."),
    parse=_parse_industry, format=_format_industry, validators=[_check_industry],
)

#: The parameters each measure reads.
MEASURE_PARAMETERS = {
    "industry": (INDUSTRY_AMOUNTS,),
    "employment": (EMPLOYMENT_WINDOW, EMPLOYMENT_MONTHS, EMPLOYMENT_PER_MEMBER,
                   EMPLOYMENT_CAP),
    "entity": (PERIOD, ENTITY_TIERS),
    "supplies": (PERIOD, SUPPLIES_TIERS),
    "loan_interest": (PERIOD, LOAN_MONTHS),
}
