"""Seed a fresh bench database: a community with 24 checkpoints, a duty user rostered on
all of them today with an API token, the person the minimal view inserts with, and the
3,000 registered residents most requests are about.
Prints the facts the bench needs as one JSON line. Run with the bench's environment:
``python -m bench.checkpoints_seed``."""

from __future__ import annotations

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.checkpoints_settings")

import django  # noqa: E402

django.setup()

from datetime import date  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from fangkong.checkpoints.models import Checkpoint, DutyRoster  # noqa: E402
from fangkong.core.models import ApiToken, Grant, OrgUnit, Person, Role  # noqa: E402
from fangkong.core.models.territory import Level  # noqa: E402
from fangkong.lib.identity import make_id_number  # noqa: E402

CHECKPOINTS = 24


def main() -> None:
    province = OrgUnit.objects.add_root(instance=OrgUnit(code="610000", name="陕西省",
                                                         level=Level.PROVINCE))
    city = OrgUnit.objects.add_child(province, instance=OrgUnit(code="610900", name="安康市",
                                                                level=Level.CITY))
    county = OrgUnit.objects.add_child(city, instance=OrgUnit(code="610902", name="汉滨区",
                                                              level=Level.COUNTY))
    town = OrgUnit.objects.add_child(county, instance=OrgUnit(code="610902002",
                                                              name="新城街道", level=Level.TOWN))
    community = OrgUnit.objects.add_child(town, instance=OrgUnit(
        code="610902002002", name="文昌社区", level=Level.COMMUNITY))
    user = get_user_model().objects.create_user("bench-gate", password=None)
    Grant.objects.create(user=user, role=Role.CHECKPOINT_DUTY, org_unit=community)
    checkpoints = [Checkpoint.objects.create(org_unit=community, name=f"卡点{i + 1:02d}")
                   for i in range(CHECKPOINTS)]
    baseline = Checkpoint.objects.create(org_unit=community, name="基线")
    today = timezone.localdate()
    for cp in checkpoints:
        DutyRoster.objects.create(checkpoint=cp, user=user, day=today, org_unit=community)
    person = Person.objects.create(
        id_number=make_id_number("610902", date(1980, 1, 1), 1), name="基线", sex="M",
        birth_date=date(1980, 1, 1), org_unit=community,
    )
    from bench.checkpoints_bench import resident_pool
    from fangkong.core.services.people import clean_person_data

    residents = []
    for id_number, name, phone in resident_pool():
        data = clean_person_data(id_number=id_number, name=name, phone=phone)
        residents.append(Person(id_number=data.id_number, name=data.name, sex=data.sex,
                                birth_date=data.birth_date, phone=data.phone,
                                org_unit=community, unit_path=community.path))
    Person.objects.bulk_create(residents, ignore_conflicts=True)
    _row, token = ApiToken.issue(user, name="bench")
    print(json.dumps({
        "token": token, "checkpoints": [cp.pk for cp in checkpoints],
        "baseline_checkpoint": baseline.pk, "person_id": person.pk,
        "unit_id": community.pk, "unit_path": community.path,
    }))


if __name__ == "__main__":
    main()
