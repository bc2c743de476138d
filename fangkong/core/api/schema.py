"""The documented error responses, once, for every endpoint's ``extend_schema``.

Every error has the one shape of ``core.api.errors`` (``ErrorSerializer``: ``error`` and
``fields``). An endpoint lists the statuses it can answer, with its own words where the
generic ones say too little (a 409 means something different per endpoint)::

    @extend_schema(responses={200: PassagePageSerializer, **errors(400, 401, 404)})
    @extend_schema(responses={201: ..., 200: ...,
                              **errors(400, 401, 404, conflict=_("Checkpoint closed"))})
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse

from fangkong.core.api.serializers import ErrorSerializer

DESCRIPTIONS = {
    400: "Invalid input: every field at fault is named in 'fields'",
    401: "Not authenticated (no, a wrong, an expired or a revoked token)",
    403: "Not allowed: the caller lacks the permission",
    404: "Not found, or not in your area",
    409: "Conflict with the stored state",
    429: "Too many attempts; try again later",
}

ERRORS = {code: OpenApiResponse(ErrorSerializer, description=text)
          for code, text in DESCRIPTIONS.items()}


def errors(*codes: int, conflict: str | None = None,
           **described: str) -> dict[int, OpenApiResponse]:
    """The error responses ``codes`` for ``extend_schema(responses=…)``; ``conflict``
    describes this endpoint's 409 (and adds it), ``described`` others by name
    (``not_found="…"``)."""
    names = {"invalid": 400, "unauthenticated": 401, "forbidden": 403, "not_found": 404,
             "too_many": 429}
    out = {code: ERRORS[code] for code in codes}
    custom = {names[name]: text for name, text in described.items()}
    if conflict is not None:
        custom[409] = conflict
    for code, text in custom.items():
        out[code] = OpenApiResponse(ErrorSerializer, description=text)
    return out
