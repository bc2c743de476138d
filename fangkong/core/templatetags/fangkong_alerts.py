"""``{{ alert.kind|alert_kind }}``: the label of an alert's kind, from the modules'
declarations (``registries.AlertKind``), so no page shows a raw code like ``report_missing``."""

from __future__ import annotations

from typing import Any

from django import template

from fangkong.core import registries

register = template.Library()


@register.filter
def alert_kind(code: str) -> Any:
    return registries.alert_kind_label(code)
