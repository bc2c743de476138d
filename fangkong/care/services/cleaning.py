"""The small cleaning steps every care service applies to what a page or a file sends."""

from __future__ import annotations

from typing import Any

from fangkong.lib.identity import IdentityError, validate_phone


def text(value: Any, limit: int) -> str:
    """``value`` as one line of text with single spaces, at most ``limit`` characters."""
    return " ".join(str(value or "").split())[:limit]


def phone(value: Any, field: str, errors: dict[str, list[str]]) -> str:
    """A Chinese mobile number, or "" when none is given; a wrong one is put on
    ``errors[field]`` (and "" returned)."""
    raw = str(value or "").strip()
    if not raw:
        return ""
    try:
        return validate_phone(raw)
    except IdentityError as exc:
        errors[field] = [str(exc.message)]
        return ""
