"""The one JSON reading of a request body, for DRF views and the plain passage view.

Python's decoder raises ``RecursionError`` (not ``ValueError``) for a body nested about
a thousand levels deep, which DRF's ``JSONParser`` does not catch: ``[[[[…]]]]`` was a
500. No request of the API nests more than a few levels, so a deep body is a 400 like
any other malformed one.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers


class BodyError(ValueError):
    """The body is not JSON the API reads (malformed, or nested too deep)."""


def loads(data: bytes | str) -> Any:
    """``json.loads`` whose every refusal is a ``BodyError`` (a ``ValueError``)."""
    try:
        return json.loads(data)
    except RecursionError:
        raise BodyError(str(_("The request body is nested too deeply."))) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BodyError(str(exc)) from None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with ``loads``: a body nested too deep is a 400, not a 500."""

    def parse(self, stream: Any, media_type: str | None = None,
              parser_context: dict[str, Any] | None = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("The request body is nested too deeply.")) from None
