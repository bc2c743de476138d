"""The registries modules plug into, so that reports and the dashboard never import them.

- Indicators: ``register_indicator(code, name, unit, compute)``, ``compute(org_unit, date)``
  returns a number for the unit's subtree on that day (or cumulative up to it).
- Briefing sentences: ``register_sentence(order, render)``, ``render(org_unit, date)``
  returns a Chinese sentence or None; the daily briefing is their concatenation.

Modules register in their ``AppConfig.ready``. Callers read them through
``Indicator.value`` and ``render_sentences``, which log a module's failure and leave its
figure or sentence out: one broken module must not take the daily report, the briefing or
the dashboard down with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

Number = int | Decimal | float
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Any  # lazy translatable string
    unit: str
    compute: Callable[[Any, date], Number | None]
    module: str = ""
    cumulative: bool = False

    def value(self, org_unit: Any, day: date) -> Number | None:
        """``compute(org_unit, day)``, or None (logged) if the module fails."""
        try:
            return self.compute(org_unit, day)
        except Exception:  # noqa: BLE001 - see the module docstring
            log.exception("indicator %s failed for %s on %s", self.code, org_unit, day)
            return None


@dataclass(frozen=True)
class Sentence:
    order: int
    key: str
    render: Callable[[Any, date], str | None]


_indicators: dict[str, Indicator] = {}
_sentences: dict[str, Sentence] = {}


def register_indicator(
    code: str, name: Any, unit: str, compute: Callable[[Any, date], Number | None], *,
    module: str = "", cumulative: bool = False,
) -> Indicator:
    if code in _indicators and _indicators[code].compute is not compute:
        raise ValueError(f"indicator {code!r} is already registered")
    ind = Indicator(code, name, unit, compute, module, cumulative)
    _indicators[code] = ind
    return ind


def indicators() -> dict[str, Indicator]:
    return dict(sorted(_indicators.items()))


def get_indicator(code: str) -> Indicator | None:
    return _indicators.get(code)


def register_sentence(order: int, key: str, render: Callable[[Any, date], str | None]) -> None:
    _sentences[key] = Sentence(order, key, render)


def sentences() -> list[Sentence]:
    return sorted(_sentences.values(), key=lambda s: (s.order, s.key))


def render_sentences(org_unit: Any, day: date) -> list[str]:
    out = []
    for s in sentences():
        try:
            text = s.render(org_unit, day)
        except Exception:  # noqa: BLE001 - see the module docstring
            log.exception("briefing sentence %s failed for %s on %s", s.key, org_unit, day)
            continue
        if text:
            out.append(text)
    return out
