"""The one reading of JSON that a user sent: ``loads``, with a depth limit.

Python's decoder raises ``RecursionError`` (not ``ValueError``) for text nested about a
thousand levels deep, and a value nested a few hundred levels deep that it did read can
still overflow the stack later, when code that recurses (a serializer, ``json.dumps``
in the audit log) walks it from deeper in the request's stack. Nothing this application
reads nests more than a few levels, so anything nested deeper than ``MAX_DEPTH`` is
refused like malformed JSON, as are ``NaN`` and ``Infinity`` (not JSON, though Python
reads them). Every refusal is a ``JSONError``, a ``ValueError`` whose text is the
user's message (docs/decisions/security-inputs.md).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

#: Arrays and objects inside one another: a request body, a rule's value.
MAX_DEPTH = 32


class JSONError(ValueError):
    """Not JSON this application reads (malformed, not UTF-8, or nested too deeply)."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` whose every refusal is a ``JSONError``."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise JSONError(_("The request body is nested too deeply.")) from None
    except (ValueError, UnicodeDecodeError):
        raise JSONError(_("The request body is not valid JSON.")) from None
    if depth(value) > max_depth:
        raise JSONError(_("The request body is nested too deeply."))
    return value


def depth(value: Any) -> int:
    """How many arrays and objects are nested in ``value`` (0 for a scalar), without
    recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children
                     if isinstance(child, dict | list))
    return deepest
