"""Key numbers for the home page of any user, read from the indicator registry.

Each card is an indicator computed over the user's home unit for today; modules make
the home page richer by registering indicators, without the home page importing them.
Core's own indicators (people registered, open alerts) come first, so that they stay on
the page however many indicators the modules register; the rest follow by code.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fangkong.core import registries
from fangkong.core.models import OrgUnit
from fangkong.core.scoping import scope_for

HOME_CARDS_LIMIT = 8


def cards_for(user: Any) -> list[dict[str, Any]]:
    scope = scope_for(user)
    home = scope.home_path()
    if not home or not scope.paths():
        return []
    unit = OrgUnit.objects.filter(path=home).first()
    if unit is None:
        return []
    today = timezone.localdate()
    cards = []
    ordered = sorted(registries.indicators().values(), key=lambda i: (i.module != "core", i.code))
    for ind in ordered:
        value = ind.value(unit, today)
        if value is not None:
            cards.append({"code": ind.code, "name": ind.name, "unit": ind.unit, "value": value})
        if len(cards) == HOME_CARDS_LIMIT:
            break
    return cards
