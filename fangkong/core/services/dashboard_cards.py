"""Key numbers for the home page of any user, read from the indicator registry.

Each card is an indicator declared with ``home_card=True``, computed over the user's home
unit for the data's day (``core.dataday``: today, or an old data set's last day); modules
choose their two or three figures without the home page importing them. Cards follow the
modules' order (core first: people registered, open alerts), then each module's order of
declaration. A figure a module cannot give for the
unit (None) is left out.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fangkong.core import registries
from fangkong.core.dataday import data_day
from fangkong.core.modules import modules
from fangkong.core.scoping import home_unit


def home_card_indicators() -> list[registries.Indicator]:
    """The ``home_card`` indicators, by module (INSTALLED_APPS order), then declaration."""
    rank = {m.label: n for n, m in enumerate(modules())}
    return sorted(registries.home_cards(), key=lambda i: rank.get(i.module, len(rank)))


def cards_for(user: Any, day: date | None = None) -> list[dict[str, Any]]:
    """The cards for ``day`` (default: ``core.dataday.data_day``, today on live data).
    Each says what it counts: the day (``day``), up to the day (``cumulative``) or the
    present state (``current``)."""
    unit = home_unit(user)
    if unit is None:
        return []
    day = day or data_day()
    cards = []
    for ind in home_card_indicators():
        value = ind.value(unit, day)
        if value is not None:
            period = "current" if ind.current else "cumulative" if ind.cumulative else "day"
            cards.append({"code": ind.code, "name": ind.name, "unit": ind.unit, "value": value,
                          "period": period})
    return cards
