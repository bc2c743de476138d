"""Key numbers for the home page of any user, read from the indicator registry.

Each card is an indicator declared with ``home_card=True``, computed over the user's home
unit for today; modules choose their two or three figures without the home page
importing them. Cards follow the modules' order (core first: people registered, open
alerts), then each module's order of declaration. A figure a module cannot give for the
unit (None) is left out.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fangkong.core import registries
from fangkong.core.modules import modules
from fangkong.core.scoping import home_unit


def home_card_indicators() -> list[registries.Indicator]:
    """The ``home_card`` indicators, by module (INSTALLED_APPS order), then declaration."""
    rank = {m.label: n for n, m in enumerate(modules())}
    return sorted(registries.home_cards(), key=lambda i: rank.get(i.module, len(rank)))


def cards_for(user: Any) -> list[dict[str, Any]]:
    unit = home_unit(user)
    if unit is None:
        return []
    today = timezone.localdate()
    cards = []
    for ind in home_card_indicators():
        value = ind.value(unit, today)
        if value is not None:
            cards.append({"code": ind.code, "name": ind.name, "unit": ind.unit, "value": value})
    return cards
