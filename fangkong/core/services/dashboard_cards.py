"""Key numbers for the home page of any user, read from the indicator registry.

Each card is an indicator declared with ``home_card=True``, computed over the user's home
unit for the data's day (``core.dataday``: today, or an old data set's last day); modules
choose their two or three figures without the home page importing them. Cards follow the
modules' order (core first: people registered, open alerts), then each module's order of
declaration. A figure a module cannot give for the unit (None) is left out.

A card is shown only to the viewers it is relevant to (``registries.indicator``):

- ``home_roles``: the viewer holds one of the roles it serves (none declared: everyone);
- ``home_if(unit)``: asked for a home unit below the city, so that a community worker of
  文昌社区 does not see 白河县's relief figures; the city (HQ, the province) sees every
  card its roles allow, whatever the records. The answer is cached per (predicate, unit)
  in the process for ``RELEVANCE_SECONDS``, and forgotten at once when a record of a model
  a ``has_records`` predicate reads is saved or deleted in this process (a receiver on
  those models only, ``registries.has_records``; another process's save shows within
  ``RELEVANCE_SECONDS``). A predicate that fails counts as
  relevant (logged): a broken module must not hide its figure silently.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from fangkong.core import registries
from fangkong.core.dataday import data_day
from fangkong.core.modules import modules
from fangkong.core.scoping import home_unit, scope_for

log = logging.getLogger(__name__)
RELEVANCE_SECONDS = 300
#: Levels whose home page is the city-wide set: ``home_if`` is not asked there.
CITY_WIDE_LEVELS = frozenset({"province", "city"})

_relevance: dict[tuple[Callable[[Any], bool], str], tuple[float, bool]] = {}
_lock = threading.Lock()


def clear_relevance() -> None:
    """Forget every cached ``home_if`` answer (a record was saved; tests)."""
    with _lock:
        _relevance.clear()



def relevant(ind: registries.Indicator, unit: Any) -> bool:
    """``ind.home_if(unit)``, cached; True where it is not asked (see the docstring)."""
    if ind.home_if is None or unit.level in CITY_WIDE_LEVELS:
        return True
    key = (ind.home_if, unit.path)
    now = time.monotonic()
    hit = _relevance.get(key)
    if hit is not None and now - hit[0] < RELEVANCE_SECONDS:
        return hit[1]
    try:
        answer = bool(ind.home_if(unit))
    except Exception:  # noqa: BLE001 - see the module docstring
        log.exception("home card relevance of %s failed for %s", ind.code, unit)
        return True
    with _lock:
        _relevance[key] = (now, answer)
    return answer


def home_card_indicators() -> list[registries.Indicator]:
    """The ``home_card`` indicators, by module (INSTALLED_APPS order), then declaration
    (``sorted`` is stable)."""
    rank = {m.label: n for n, m in enumerate(modules())}
    return sorted(registries.home_cards(), key=lambda i: rank.get(i.module, len(rank)))


def cards_for(user: Any, day: date | None = None) -> list[dict[str, Any]]:
    """The cards relevant to ``user`` for ``day`` (default: ``core.dataday.data_day``,
    today on live data). Each says what it counts: the day (``day``), up to the day
    (``cumulative``) or the present state (``current``)."""
    unit = home_unit(user)
    if unit is None:
        return []
    scope = scope_for(user)
    day = day or data_day()
    cards = []
    for ind in home_card_indicators():
        if not ind.serves(scope) or not relevant(ind, unit):
            continue
        value = ind.value(unit, day)
        if value is not None:
            period = "current" if ind.current else "cumulative" if ind.cumulative else "day"
            cards.append({"code": ind.code, "name": ind.name, "unit": ind.unit, "value": value,
                          "period": period})
    return cards
