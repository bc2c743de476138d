"""``{{ obj|masked:"field" }}``: a personal field as pages show it, masked as the model
declares in ``PII`` (``core.pii``), so no model writes ``masked_*`` properties and no
template picks a mask of its own. ``"person.id_number"`` follows the relation."""

from __future__ import annotations

from typing import Any

from django import template

from fangkong.core import pii

register = template.Library()


@register.filter
def masked(obj: Any, field: str) -> Any:
    return pii.value(obj, field)
