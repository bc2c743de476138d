"""The one JSON reading of a request body, for DRF views and the plain passage view:
``lib.jsontext.loads`` (malformed, ``NaN``, or nested deeper than ``MAX_DEPTH``: a 400,
never a 500)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

from fangkong.lib.jsontext import JSONError as BodyError
from fangkong.lib.jsontext import loads

__all__ = ["BodyError", "BodyParseError", "JSONParser", "loads"]


class BodyParseError(exceptions.ParseError):
    """A refused body, with ``loads``'s message in the caller's language."""


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser reading through ``loads``."""

    def parse(self, stream: Any, media_type: str | None = None,
              parser_context: dict[str, Any] | None = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            return loads(stream.read().decode(encoding))
        except (BodyError, UnicodeDecodeError) as exc:
            message = str(exc) if isinstance(exc, BodyError) else str(
                BodyError(_("The request body is not valid JSON.")))
            raise BodyParseError(message) from None
