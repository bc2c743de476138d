"""The facts each measure reads, and the one check of them shared by the API, the
calculator page and the applications: which facts a measure needs, which it does not
use, and the members of measure 2. Values arrive typed (DRF fields, form fields);
``build`` assembles the facts the engine takes or raises ``ValidationError`` with every
field's message at once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fangkong.relief.engine import MEASURES
from fangkong.relief.rules import PROJECT_TYPES

REQUIRED: dict[str, tuple[str, ...]] = {
    "industry": ("project_type", "accepted"),
    "employment": ("members",),
    "entity": ("resumed", "poor_workers"),
    "supplies": ("resumed", "households_led"),
    "loan_interest": ("resumed", "for_production", "principal", "annual_rate", "due_date"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "industry": (), "employment": (), "entity": ("resumed_on",),
    "supplies": ("resumed_on",), "loan_interest": ("resumed_on",),
}
ALL_FACTS = tuple(dict.fromkeys(f for m in MEASURES for f in REQUIRED[m] + OPTIONAL[m]))
MAX_MEMBERS = 30
MAX_MONTHS = 240


def check_presence(measure: Any, given: Mapping[str, Any]) -> dict[str, list[str]]:
    """Errors for facts the measure needs and were not given, and for facts it does not
    use (a misspelt or misplaced fact is not silently ignored)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(measure, str) or measure not in MEASURES:
        return errors  # the measure's own field says so
    for name in REQUIRED[measure]:
        if given.get(name) is None:
            errors[name] = [_("This measure needs this fact.")]
    used = set(REQUIRED[measure]) | set(OPTIONAL[measure])
    for name in ALL_FACTS:
        if name not in used and given.get(name) not in (None, ""):
            errors[name] = [_("The measure “%(measure)s” does not use this fact.")
                            % {"measure": MEASURES[measure]}]
    return errors


def _member_errors(members: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Members of measure 2 as the engine takes them: each ``{"months_away": n}`` or
    ``{"away_from": day, "away_to": day}`` (with an optional ``name``)."""
    if not isinstance(members, list) or not members:
        return [], [_("Give the household's members as a list, e.g. "
                      "[{\"months_away\": 6}].")]
    if len(members) > MAX_MEMBERS:
        return [], [_("A household has at most %(n)d members here.") % {"n": MAX_MEMBERS}]
    out, errors = [], []
    for i, raw in enumerate(members, start=1):
        if not isinstance(raw, Mapping):
            errors.append(_("Member %(n)d: give months_away, or away_from and away_to.")
                          % {"n": i})
            continue
        unknown = set(raw) - {"months_away", "away_from", "away_to", "name"}
        if unknown:
            errors.append(_("Member %(n)d: unknown field %(fields)s.") % {
                "n": i, "fields": "、".join(sorted(str(k) for k in unknown))})
            continue
        member: dict[str, Any] = {}
        if raw.get("name") is not None:
            if not isinstance(raw["name"], str) or len(raw["name"]) > 50:
                errors.append(_("Member %(n)d: the name is text of at most 50 characters.")
                              % {"n": i})
                continue
            member["name"] = raw["name"]
        if "months_away" in raw:
            months = raw["months_away"]
            if isinstance(months, str) and months.strip().isdigit():
                months = int(months.strip())
            if isinstance(months, bool) or not isinstance(months, int):
                errors.append(_("Member %(n)d: months away is a whole number of months, "
                                "e.g. 6.") % {"n": i})
                continue
            if not 0 <= months <= MAX_MONTHS:
                errors.append(_("Member %(n)d: months away is from 0 to %(max)d.")
                              % {"n": i, "max": MAX_MONTHS})
                continue
            if "away_from" in raw or "away_to" in raw:
                errors.append(_("Member %(n)d: give months_away or the dates, not both.")
                              % {"n": i})
                continue
            member["months_away"] = months
        else:
            days = {}
            for key in ("away_from", "away_to"):
                value = raw.get(key)
                try:
                    days[key] = value if isinstance(value, date) else date.fromisoformat(
                        str(value))
                except ValueError:
                    days[key] = None
            if days["away_from"] is None or days["away_to"] is None:
                errors.append(_("Member %(n)d: give months_away, or away_from and away_to as "
                                "real dates (YYYY-MM-DD).") % {"n": i})
                continue
            if days["away_to"] < days["away_from"]:
                errors.append(_("Member %(n)d: the return is before the departure.")
                              % {"n": i})
                continue
            member.update(days)
        out.append(member)
    return out, errors


def build(measure: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The facts of ``measure`` from typed ``values``; ``ValidationError`` by field."""
    errors = check_presence(measure, values)
    facts: dict[str, Any] = {}
    if measure == "employment" and values.get("members") is not None:
        members, member_errors = _member_errors(values["members"])
        if member_errors:
            errors["members"] = member_errors
        facts["members"] = members
    if measure == "industry" and values.get("project_type") not in (None, *PROJECT_TYPES):
        errors["project_type"] = [_("Choose one of the project types.")]
    if errors:
        raise ValidationError(errors)
    for name in REQUIRED[measure] + OPTIONAL[measure]:
        if name != "members":
            facts[name] = values.get(name)
    return facts
