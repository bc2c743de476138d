"""Checkpoints, a duty roster and helpers shared by this app's tests."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.utils import timezone

from fangkong.checkpoints.models import Checkpoint, DutyRoster
from fangkong.core.models import ApiToken
from fangkong.core.testing import FangkongTestCase
from fangkong.demo.checkpoints import OPENED_ON
from fangkong.lib.identity import make_id_number

ID_A = make_id_number("610902", timezone.datetime(1980, 5, 1).date(), 11)
ID_B = make_id_number("420102", timezone.datetime(1992, 3, 9).date(), 22)


def passage_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "client_id": str(uuid.uuid4()), "direction": "in", "name": "张伟",
        "id_number": ID_A, "phone": "13800001111", "temperature": 36.5, "plate": "陕G12345",
        "mask": True, "resident": True, "origin": "",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


class CheckpointTestCase(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.gate_a = Checkpoint.objects.create(org_unit=cls.community_a_unit, name="东门",
                                               opened_on=OPENED_ON)
        cls.gate_a2 = Checkpoint.objects.create(org_unit=cls.community_a_unit, name="西门",
                                                opened_on=OPENED_ON)
        cls.gate_b = Checkpoint.objects.create(org_unit=cls.community_b_unit, name="北门",
                                               opened_on=OPENED_ON)
        cls.gate_linjiang = Checkpoint.objects.create(org_unit=cls.community_a2_unit,
                                                      name="江堤路口", opened_on=OPENED_ON)
        cls.roster = DutyRoster.objects.create(
            checkpoint=cls.gate_a, user=cls.gate, day=timezone.localdate(),
            org_unit=cls.community_a_unit,
        )

    def token_for(self, user) -> str:
        return ApiToken.issue(user, name="test")[1]

    def post_passage(self, checkpoint: Checkpoint, body: Any, token: str | None = None,
                     **headers: Any):
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return self.client.post(
            f"/api/v1/checkpoints/{checkpoint.pk}/passages",
            data=body if isinstance(body, str | bytes) else json.dumps(body),
            content_type="application/json", **headers,
        )
