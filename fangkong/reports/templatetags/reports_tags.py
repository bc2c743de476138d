"""Small template helpers of the reports pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from fangkong.reports.figures import display

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def figure(value: int | Decimal | None) -> str:
    """A figure as the reports show it: whole numbers plain, decimals as stored, — if none."""
    return display(value)


@register.filter
def rate_class(rate: int) -> str:
    return "low" if rate < 60 else "mid" if rate < 100 else ""
