"""The answer of a create that may be a retry: 201 the first time, 200 after.

A keyed create (``KeyedModel.create_keyed`` by ``client_id``, a person by ID number, a
report by form, unit and day) tells the client whether this request made the record. The
body is the same record both times, so a client that retries after a timeout need not
care which it got; a key reused for other content is not answered here but refused
(``KeyConflict`` → 409 by ``core.api.errors``).
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from rest_framework.utils.encoders import JSONEncoder


def created_response(payload: Any, created: bool) -> JsonResponse:
    """A plain ``JsonResponse``, encoded as DRF encodes, so DRF views and the plain
    passage view answer alike."""
    return JsonResponse(payload, status=201 if created else 200, encoder=JSONEncoder,
                        safe=False, json_dumps_params={"ensure_ascii": False})
