from __future__ import annotations

import tempfile
import uuid
from datetime import date
from typing import Any

from django.test import override_settings

from fangkong.core.services.people import clean_person_data
from fangkong.core.testing import FangkongTestCase, make_person
from fangkong.resumption.models import Enterprise
from fangkong.resumption.services import filing as filing_svc
from fangkong.resumption.services import workers as worker_svc

USCC = "91610924MA0000001D"
USCC_2 = "91610924MA00000575"
_tmp = tempfile.mkdtemp(prefix="fk-passkeys-")

FULL = {code: (f"{code} 已落实", 14 if code in filing_svc.NEEDS_DAYS else None)
        for code in filing_svc.ITEM_CODES}


@override_settings(VAR_DIR=_tmp)
class ResumptionTestCase(FangkongTestCase):
    def make_enterprise(self, *, uscc: str = USCC, unit: Any = None, org: Any = "liaison",
                   key: bool = True) -> Enterprise:
        e, _created = filing_svc.register_enterprise(
            self.hq, unit or self.town_b, client_id=uuid.uuid4(), name=f"企业{uscc[-4:]}",
            uscc=uscc, industry="construction", is_key_project=key, headcount=50,
            liaison_name="黄志明", liaison_phone="13912345678")
        if org == "liaison":
            e.organisation = self.enterprise_org
            e.save(update_fields=["organisation"])
        return e

    @property
    def enterprise_org(self) -> Any:
        return self.enterprise  # core.testing's organisation of qiye01

    def filed(self, e: Enterprise) -> Enterprise:
        filing_svc.save_checklist(self.enterprise_liaison, e,
                                  planned_start=date(2020, 3, 1),
                                  answers=FULL)
        filing_svc.submit_filing(self.enterprise_liaison, e)
        e.refresh_from_db()
        return e

    def worker(self, unit: Any = None, employer: Enterprise | None = None, **kw: Any) -> Any:
        unit = unit or self.community_b_unit
        person = make_person(unit, division="610924", **kw)
        w, _c = worker_svc.register_worker(
            self.hq, unit, client_id=uuid.uuid4(), person=clean_person_data(
                id_number=person.id_number, name=person.name, phone=person.phone), home="城关镇",
            skills="瓦工", employer=employer, destination="紫阳县")
        return w
