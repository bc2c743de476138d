"""The baseline: a minimal Django view that inserts the same passage row.

No authentication, no validation beyond JSON parsing, no person lookup, no idempotency,
no audit entry, no counters: parse, one INSERT, answer 201. It goes through the same
middleware and the same server as the real endpoint, so the difference between the
two is what the real endpoint does.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from fangkong.checkpoints.models import Passage

PERSON_ID = int(os.environ.get("FANGKONG_BENCH_PERSON_ID", "1"))
UNIT_ID = int(os.environ.get("FANGKONG_BENCH_UNIT_ID", "1"))
UNIT_PATH = os.environ.get("FANGKONG_BENCH_UNIT_PATH", "")


@csrf_exempt
def minimal_passage(request: HttpRequest, pk: int) -> JsonResponse:
    data = json.loads(request.body)
    now = timezone.now()
    row = Passage(
        checkpoint_id=pk, org_unit_id=UNIT_ID, unit_path=UNIT_PATH,
        client_id=data["client_id"], direction=data["direction"], occurred_at=now,
        day=timezone.localdate(now), person_id=PERSON_ID, resident=data.get("resident", True),
        origin=data.get("origin", ""), temperature=Decimal(str(data["temperature"])),
        mask=data.get("mask"), plate=data.get("plate", ""), channel="staff",
        status="confirmed",
    )
    Passage.objects.bulk_create([row])  # one INSERT, no signals (so no audit entry)
    return JsonResponse({"id": row.pk}, status=201)
