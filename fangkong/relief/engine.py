"""The evaluation engine of the five relief measures (POLICIES.md "Relief").

Each measure is a pure function ``(facts, parameters) -> Result``: the facts are plain
values already checked (``facts.py``), the parameters the dated versions read for the
day asked (``read_parameters``), and nothing else is consulted (no database, no
clock). A result carries

- ``amount`` (``Decimal``, two places; ``tier`` for measure 4, which gives goods),
- ``explanation``: a readable sentence in the active language (Chinese by default),
- ``trace``: the rule, each fact used, each parameter's value with the day it was read
  for and the version (id, period, document, who entered it), and the steps taken,

and a ``status``: ``ok`` (including 0.00 / tier 0 for a case the rules do not cover, the
explanation saying why), ``no_rule`` (no version of a parameter is in force on the day:
nothing is computed, never a silent default) or ``conflict`` (two tiers of a table would
both pay: refused and flagged, never resolved silently).

``quote(measure, facts, as_of)`` reads the parameters and evaluates; the API, the
calculator page and the applications (which freeze the result with its inputs) all call
it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.models.rules import NoRuleInForce
from fangkong.core.rules import spec_for, values_on
from fangkong.relief import rules as R
from fangkong.relief.months import full_months

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ENGINE_VERSION = 1

MEASURES = {
    "industry": gettext_lazy("Industry direct subsidy (产业发展直补到户)"),
    "employment": gettext_lazy("Employment living subsidy (外出务工一次性生活补贴)"),
    "entity": gettext_lazy("Production subsidy to entities (带贫主体一次性生产补贴)"),
    "supplies": gettext_lazy("Production supplies by tier (生产物资分级发放)"),
    "loan_interest": gettext_lazy("Loan interest subsidy extension (扶贫贷款贴息延长)"),
}
#: Measures paid in money to an account (measure 4 gives supplies).
MONEY_MEASURES = ("industry", "employment", "entity", "loan_interest")


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    """1000 → "1,000.00 元" (the explanation's way of writing money)."""
    return _("%(amount)s yuan") % {"amount": f"{money(value):,.2f}"}


@dataclass(frozen=True)
class Read:
    """A parameter's value as read for a day, with the version it came from."""

    code: str
    value: Any
    read_for: date
    version: int | None
    valid_from: date | None = None
    valid_to: date | None = None
    document_number: str = ""
    document_title: str = ""
    changed_by: str = ""

    def as_trace(self) -> dict[str, Any]:
        spec = spec_for(self.code)
        shown = spec.as_text(self.value) if spec else str(self.value)
        return {
            "code": self.code, "name": str(spec.name) if spec else self.code,
            "value": _jsonable(self.value), "shown": shown, "unit": spec.unit if spec else "",
            "read_for": self.read_for.isoformat(), "version": self.version,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "document_number": self.document_number, "document_title": self.document_title,
            "changed_by": self.changed_by,
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


@dataclass
class Result:
    measure: str
    status: str  # "ok", "no_rule", "conflict"
    amount: Decimal | None
    explanation: str
    tier: int | None = None
    content: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    reads: list[Read] = field(default_factory=list)
    as_of: date | None = None
    missing: dict[str, Any] | None = None

    @property
    def versions(self) -> list[int]:
        return [r.version for r in self.reads if r.version is not None]

    @property
    def trace(self) -> dict[str, Any]:
        return {
            "engine": ENGINE_VERSION,
            "rule": {"measure": self.measure, "name": str(MEASURES[self.measure]),
                     "policy": "POLICIES.md, Relief"},
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "status": self.status,
            "facts": _jsonable(self.facts),
            "parameters": [r.as_trace() for r in self.reads],
            "steps": _jsonable(self.steps),
            "no_rule_in_force": self.missing,
            "result": {"amount": None if self.amount is None else format(self.amount, "f"),
                       "tier": self.tier, "content": self.content},
        }

    def payload(self) -> dict[str, Any]:
        """The API's answer (money as a string with two places)."""
        data: dict[str, Any] = {
            "measure": self.measure, "status": self.status,
            "amount": None if self.amount is None else format(self.amount, "f"),
            "explanation": self.explanation, "trace": self.trace,
        }
        if self.measure == "supplies":
            data["tier"] = self.tier
            data["content"] = self.content
        return data


def _ok(measure: str, facts: dict[str, Any], reads: list[Read], steps: list[dict[str, Any]],
        amount: Decimal, explanation: str, **extra: Any) -> Result:
    return Result(measure=measure, status="ok", amount=money(amount), explanation=explanation,
                  steps=steps, facts=facts, reads=reads, **extra)


def _in_period(day: date, period: Mapping[str, str]) -> bool:
    return date.fromisoformat(period["start"]) <= day <= date.fromisoformat(period["end"])


def _period_text(period: Mapping[str, str]) -> str:
    return _("%(start)s to %(end)s") % {"start": period["start"], "end": period["end"]}


def tier_of(count: int, tiers: list[dict[str, Any]]) -> tuple[int, dict[str, Any] | None]:
    """``(tier number, tier)`` of ``count`` (``(0, None)`` below every tier). Two tiers
    matching raises ``TierConflict`` (the table's validator refuses such a table; a
    stored one is checked again here rather than picking one)."""
    matches = [(i + 1, t) for i, t in enumerate(tiers)
               if t["min"] <= count and (t["max"] is None or count <= t["max"])]
    if len(matches) > 1:
        raise TierConflict([n for n, _t in matches])
    return matches[0] if matches else (0, None)


class TierConflict(Exception):
    def __init__(self, tiers: list[int]) -> None:
        super().__init__(tiers)
        self.tiers = tiers


def _conflict(measure: str, facts: dict[str, Any], reads: list[Read],
              exc: TierConflict, code: str) -> Result:
    return Result(
        measure=measure, status="conflict", amount=None, facts=facts, reads=reads,
        explanation=_("Refused: tiers %(tiers)s of the rule “%(rule)s” would both apply; "
                      "the rule must be corrected before anything is paid.") % {
            "tiers": "、".join(str(t) for t in exc.tiers), "rule": spec_for(code).name},
        steps=[{"step": "conflict", "tiers": exc.tiers}])


# --- the five measures, pure ------------------------------------------------------------
def industry(facts: dict[str, Any], p: Mapping[str, Read]) -> Result:
    """Measure 1: the configured amount for the project type, once accepted."""
    reads = [p[R.INDUSTRY_AMOUNTS]]
    kind = facts["project_type"]
    label = R.PROJECT_TYPES[kind]
    if not facts["accepted"]:
        return _ok("industry", facts, reads, [{"step": "accepted", "value": False}], ZERO, _(
            "0.00 yuan: the industry subsidy is paid only after the project (%(type)s) has "
            "been accepted (验收).") % {"type": label})
    amounts = p[R.INDUSTRY_AMOUNTS].value
    if kind not in amounts:
        return _ok("industry", facts, reads, [{"step": "type_configured", "value": False}],
                   ZERO, _("0.00 yuan: the rule in force sets no amount for %(type)s.")
                   % {"type": label})
    amount = money(Decimal(amounts[kind]))
    return _ok("industry", facts, reads, [{"step": "amount_for_type", "type": kind,
                                           "amount": amount}], amount,
               _("%(amount)s: accepted household project of type %(type)s; the rule in force "
                 "sets %(amount)s for this type.") % {"amount": yuan(amount), "type": label})


def employment(facts: dict[str, Any], p: Mapping[str, Read]) -> Result:
    """Measure 2: per member away ``months_required`` months or more (以上 includes the
    number), the household capped."""
    reads = [p[R.EMPLOYMENT_WINDOW], p[R.EMPLOYMENT_MONTHS], p[R.EMPLOYMENT_PER_MEMBER],
             p[R.EMPLOYMENT_CAP]]
    window = p[R.EMPLOYMENT_WINDOW].value
    required = p[R.EMPLOYMENT_MONTHS].value
    per_member = money(p[R.EMPLOYMENT_PER_MEMBER].value)
    cap = money(p[R.EMPLOYMENT_CAP].value)
    steps: list[dict[str, Any]] = []
    qualifying = 0
    for i, member in enumerate(facts["members"], start=1):
        step: dict[str, Any] = {"step": "member", "n": i}
        if "name" in member:
            step["name"] = member["name"]
        if member.get("away_from") is not None:
            start = max(member["away_from"], date.fromisoformat(window["start"]))
            end = min(member["away_to"], date.fromisoformat(window["end"]))
            months = full_months(start, end)
            step.update({"counted_from": start, "counted_to": end})
        else:
            months = member["months_away"]
        step["months_away"] = months
        step["qualifies"] = months >= required
        qualifying += step["qualifies"]
        steps.append(step)
    uncapped = per_member * qualifying
    amount = min(uncapped, cap)
    steps.append({"step": "total", "qualifying": qualifying, "uncapped": uncapped,
                  "cap": cap, "capped": uncapped > cap})
    if qualifying == 0:
        text = _("0.00 yuan: no member of the household worked away %(months)d months or more "
                 "(counted from %(window)s).") % {"months": required,
                                                   "window": _period_text(window)}
    elif uncapped > cap:
        text = _("%(amount)s: %(n)d members worked away %(months)d months or more, "
                 "%(per)s each would be %(uncapped)s; one household gets at most "
                 "%(cap)s.") % {"amount": yuan(amount), "n": qualifying, "months": required,
                                "per": yuan(per_member), "uncapped": yuan(uncapped),
                                "cap": yuan(cap)}
    else:
        text = _("%(amount)s: %(n)d member(s) worked away %(months)d months or more, "
                 "%(per)s each (household cap %(cap)s).") % {
            "amount": yuan(amount), "n": qualifying, "months": required,
            "per": yuan(per_member), "cap": yuan(cap)}
    return _ok("employment", facts, reads, steps, amount, text)


def _not_resumed(measure: str, facts: dict[str, Any], reads: list[Read],
                 period: Mapping[str, str], **extra: Any) -> Result | None:
    if not facts["resumed"]:
        return _ok(measure, facts, reads, [{"step": "resumed", "value": False}], ZERO, _(
            "0.00: the entity has not resumed work; the measure applies only to entities "
            "that resumed during the epidemic."), **extra)
    resumed_on = facts.get("resumed_on")
    if resumed_on is not None and not _in_period(resumed_on, period):
        return _ok(measure, facts, reads, [{"step": "resumed_in_period", "value": False}],
                   ZERO, _("0.00: the entity resumed on %(day)s, outside the measure's period "
                           "(%(period)s).") % {"day": resumed_on.isoformat(),
                                               "period": _period_text(period)}, **extra)
    return None


def entity(facts: dict[str, Any], p: Mapping[str, Read]) -> Result:
    """Measure 3: the amount of the tier of registered poor workers employed."""
    reads = [p[R.PERIOD], p[R.ENTITY_TIERS]]
    period = p[R.PERIOD].value
    refused = _not_resumed("entity", facts, reads, period)
    if refused:
        return refused
    workers = facts["poor_workers"]
    try:
        number, tier = tier_of(workers, p[R.ENTITY_TIERS].value)
    except TierConflict as exc:
        return _conflict("entity", facts, reads, exc, R.ENTITY_TIERS)
    if tier is None:
        lowest = p[R.ENTITY_TIERS].value[0]["min"]
        return _ok("entity", facts, reads, [{"step": "tier", "tier": 0}], ZERO, _(
            "0.00 yuan: %(n)d registered poor workers; the subsidy starts at %(min)d.")
            % {"n": workers, "min": lowest})
    amount = money(Decimal(tier["amount"]))
    return _ok("entity", facts, reads, [{"step": "tier", "tier": number, "range":
                                         R._format_range(tier), "amount": amount}], amount,
               _("%(amount)s: the entity resumed work and employs %(n)d registered poor "
                 "workers, in the range %(range)s of the rule in force.") % {
                   "amount": yuan(amount), "n": workers, "range": R._format_range(tier)})


def supplies(facts: dict[str, Any], p: Mapping[str, Read]) -> Result:
    """Measure 4: the tier of households led (goods, amount 0.00)."""
    reads = [p[R.PERIOD], p[R.SUPPLIES_TIERS]]
    period = p[R.PERIOD].value
    refused = _not_resumed("supplies", facts, reads, period, tier=0)
    if refused:
        return refused
    led = facts["households_led"]
    try:
        number, tier = tier_of(led, p[R.SUPPLIES_TIERS].value)
    except TierConflict as exc:
        return _conflict("supplies", facts, reads, exc, R.SUPPLIES_TIERS)
    if tier is None:
        lowest = p[R.SUPPLIES_TIERS].value[0]["min"]
        return _ok("supplies", facts, reads, [{"step": "tier", "tier": 0}], ZERO, _(
            "Tier 0: the entity leads %(n)d poor households; supplies start at %(min)d.")
            % {"n": led, "min": lowest}, tier=0)
    return _ok("supplies", facts, reads, [{"step": "tier", "tier": number,
                                           "range": R._format_range(tier)}], ZERO,
               _("Tier %(tier)d (%(content)s): the entity resumed work and leads %(n)d poor "
                 "households, in the range %(range)s.") % {
                   "tier": number, "content": tier["content"], "n": led,
                   "range": R._format_range(tier)},
               tier=number, content=tier["content"])


def loan_interest(facts: dict[str, Any], p: Mapping[str, Read]) -> Result:
    """Measure 5: principal × subsidised annual rate × months / 12, to the fen."""
    reads = [p[R.PERIOD], p[R.LOAN_MONTHS]]
    period = p[R.PERIOD].value
    refused = _not_resumed("loan_interest", facts, reads, period)
    if refused:
        return refused
    if not facts["for_production"]:
        return _ok("loan_interest", facts, reads, [{"step": "for_production", "value": False}],
                   ZERO, _("0.00 yuan: the loan was not used for production."))
    due = facts["due_date"]
    if not _in_period(due, period):
        return _ok("loan_interest", facts, reads, [{"step": "due_in_period", "value": False}],
                   ZERO, _("0.00 yuan: the loan falls due on %(day)s, outside the epidemic "
                           "period (%(period)s).") % {"day": due.isoformat(),
                                                      "period": _period_text(period)})
    months = p[R.LOAN_MONTHS].value
    exact = facts["principal"] * facts["annual_rate"] * months / 12
    amount = money(exact)
    return _ok("loan_interest", facts, reads, [{"step": "interest", "exact": exact,
                                                "rounded": amount}], amount,
               _("%(amount)s: %(principal)s × %(rate)s a year × %(months)d/12 months, rounded "
                 "to the fen; the loan falls due on %(day)s, within the epidemic period.") % {
                   "amount": yuan(amount), "principal": yuan(facts["principal"]),
                   "rate": format(facts["annual_rate"], "f"), "months": months,
                   "day": due.isoformat()})


FUNCTIONS: dict[str, Callable[[dict[str, Any], Mapping[str, Read]], Result]] = {
    "industry": industry, "employment": employment, "entity": entity,
    "supplies": supplies, "loan_interest": loan_interest,
}


# --- reading the rules and evaluating ---------------------------------------------------
def read_parameters(measure: str, day: date) -> dict[str, Read]:
    """The parameters of ``measure`` in force on ``day``; ``NoRuleInForce`` for the first
    one without a version that day."""
    found = values_on(R.MEASURE_PARAMETERS[measure], day)
    reads = {}
    for code, version in found.items():
        by = version.created_by
        reads[code] = Read(
            code=code, value=version.typed, read_for=day, version=version.pk,
            valid_from=version.valid_from, valid_to=version.valid_to,
            document_number=version.document_number,
            document_title=version.document_title,
            changed_by=(by.get_full_name() or by.username) if by else "",
        )
    return reads


def no_rule(measure: str, facts: dict[str, Any], exc: NoRuleInForce) -> Result:
    spec = spec_for(exc.code)
    return Result(
        measure=measure, status="no_rule", amount=None, facts=facts, as_of=exc.day,
        missing={"code": exc.code, "day": exc.day.isoformat()},
        explanation=_("No rule in force on %(day)s: “%(rule)s” has no version covering that "
                      "day, so nothing is computed.") % {
            "day": exc.day.isoformat(), "rule": spec.name if spec else exc.code})


def evaluate(measure: str, facts: dict[str, Any], params: Mapping[str, Read],
             as_of: date) -> Result:
    """The pure evaluation with parameters already read (a table whose tiers overlap
    gives a ``conflict`` result: ``tier_of``)."""
    result = FUNCTIONS[measure](facts, params)
    result.as_of = as_of
    return result


def quote(measure: str, facts: dict[str, Any], as_of: date) -> Result:
    """Read the rules in force on ``as_of`` and evaluate ``measure`` on ``facts``."""
    try:
        params = read_parameters(measure, as_of)
    except NoRuleInForce as exc:
        return no_rule(measure, facts, exc)
    return evaluate(measure, facts, params, as_of)
