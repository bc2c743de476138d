"""``<id:pk>``: the one path converter for a record's id in every urls.py.

Django's ``<id:pk>`` matches any run of digits, so ``/people/99999999999999999999/``
reached the view with a number no database column holds: the ORM answers such a
lookup as empty, but a hand-written query (the passages' hot path) or any arithmetic on
it did not. ``id`` matches 1 to 2**63 - 1 (a bigint) and nothing else: a larger id is
the same 404 as an id that does not exist, answered by the URL resolver before any view
(docs/decisions/security-inputs.md). Registered once, in ``CoreConfig.ready``.
"""

from __future__ import annotations

#: The largest id any table has: PostgreSQL's bigint and SQLite's INTEGER.
ID_MAX = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise ValueError(value)  # the resolver then tries the next pattern: a 404
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


#: The OpenAPI schema of an ``<id:…>`` path parameter (drf-spectacular's
#: ``PATH_CONVERTER_OVERRIDES``), so clients and the API fuzz test know the range.
ID_SCHEMA = {"type": "integer", "format": "int64", "minimum": 1, "maximum": ID_MAX}
