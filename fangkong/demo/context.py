"""What every demo step gets: a seeded random generator, look-ups and generated residents."""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from typing import Any, TextIO, TypeVar

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.functional import cached_property

from fangkong.core.audit import log_bulk_created
from fangkong.core.divisions import canonical_code
from fangkong.core.models import Organisation, OrgUnit, Person
from fangkong.core.models.territory import Level
from fangkong.demo import residents

DEMO_SEED = 20200228
DEMO_PASSWORD = "fangkong-demo"
CITY_CODE = "610900"
ACTOR_USERNAME = "demo-loader"
ACTOR_DISPLAY_NAME = "演示数据导入"
M = TypeVar("M", bound=models.Model)


class DemoContext:
    """Shared by the steps of one ``loaddemo`` run.

    ``rng`` is re-seeded with ``DEMO_SEED`` before every step (by the runner), so a step's
    data depends only on its own code, not on which steps ran before it. Look-ups are
    cached for the run. ``people_in`` does not use ``rng`` at all: its residents come from
    a generator seeded with the unit's code, so asking for the same unit from any step, in
    any order, gives the same people.
    """

    def __init__(self, stdout: TextIO | Any = None, seed: int = DEMO_SEED) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.stdout = stdout if stdout is not None else sys.stdout
        self.people_created = 0
        self._units: dict[str, OrgUnit] = {}
        self._orgs: dict[str, Organisation] = {}
        self._users: dict[str, Any] = {}
        self._people: dict[int, list[Person]] = {}

    # --- look-ups -------------------------------------------------------------------
    @property
    def city(self) -> OrgUnit:
        """安康市 (610900). Exists once the core step has run."""
        return self.unit(CITY_CODE)

    def unit(self, code: str) -> OrgUnit:
        """The org unit with this division code (any spelling ``canonical_code`` accepts)."""
        code = canonical_code(code)
        if code not in self._units:
            self._units[code] = OrgUnit.objects.get(code=code)
        return self._units[code]

    def org(self, code: str) -> Organisation:
        """The organisation with this stable code ('hq', 'rsj', 'sjj', …)."""
        if code not in self._orgs:
            self._orgs[code] = Organisation.objects.select_related("org_unit").get(code=code)
        return self._orgs[code]

    def user(self, username: str) -> Any:
        """A demo login ('hq', 'wenchang', …)."""
        if username not in self._users:
            self._users[username] = get_user_model().objects.get(username=username)
        return self._users[username]

    @cached_property
    def actor(self) -> Any:
        """The system user the demo's writes are audited under: no password, no grant."""
        user, created = get_user_model().objects.get_or_create(
            username=ACTOR_USERNAME,
            defaults={"first_name": ACTOR_DISPLAY_NAME, "is_active": False},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    def forget(self) -> None:
        """Drop cached rows (the runner calls this when a step's transaction rolled back)."""
        self._units.clear()
        self._orgs.clear()
        self._users.clear()
        self._people.clear()
        self.__dict__.pop("actor", None)

    # --- writing ----------------------------------------------------------------------
    def bulk(self, model: type[M], rows: Sequence[M], *, key: Sequence[str],
             batch_size: int = 1000) -> list[M]:
        """Insert ``rows`` with ``bulk_create`` and write their audit entries, as a
        service's ``save()`` would have (``bulk_create`` sends no signals), in the name of
        the demo actor. Returns the rows, with their primary keys.

        ``key`` names fields that tell the new rows apart (``("client_id",)``,
        ``("org_unit_id", "name")``): on a backend that returns no ids from a bulk insert
        the ids are read back by it. Rows the audit log does not keep (counters, the
        versions a submission keeps itself) need none of this: ``bulk_create`` them.
        """
        rows = list(rows)
        if not rows:
            return rows
        model._default_manager.bulk_create(rows, batch_size=batch_size)
        if rows[0].pk is None:
            self._read_back_ids(model, rows, key)
        log_bulk_created(rows, self.actor)
        return rows

    @staticmethod
    def _read_back_ids(model: type[M], rows: list[M], key: Sequence[str]) -> None:
        def values(obj: M) -> tuple[Any, ...]:
            return tuple(getattr(obj, name) for name in key)

        wanted = {values(obj) for obj in rows}
        found = model._default_manager.filter(
            **{f"{key[0]}__in": {v[0] for v in wanted}}).values_list("pk", *key)
        ids = {tuple(row[1:]): row[0] for row in found if tuple(row[1:]) in wanted}
        for obj in rows:
            obj.pk = ids[values(obj)]

    # --- residents ------------------------------------------------------------------
    def people_in(self, unit: OrgUnit, n: int) -> list[Person]:
        """The first ``n`` generated residents of ``unit``, created on first request.

        Deterministic: the residents of a unit are an endless sequence seeded by its code;
        this returns the first ``n`` of it, in order, so asking again (or for fewer) gives
        the same people. ID numbers carry the unit's county code; a generated number that
        already belongs to someone filed under another unit is passed over, so residents
        of two communities of one county never merge into one person.
        """
        cached = self._people.get(unit.pk, [])
        if len(cached) >= n:
            return cached[:n]
        people = self._generate_people(unit, n)
        self._people[unit.pk] = people
        return people

    def _generate_people(self, unit: OrgUnit, n: int) -> list[Person]:
        rng = random.Random(f"{self.seed}:{unit.code}")
        place = "".join(u.name for u in unit.ancestors_and_self() if u.level != Level.PROVINCE)
        village = unit.level == Level.COMMUNITY and unit.name.endswith("村")
        division = unit.code[:6]
        chosen: list[Person] = []
        seen: set[str] = set()
        fresh: list[Person] = []
        while len(chosen) < n:
            batch = []
            while len(batch) < n - len(chosen):
                spec = residents.resident(rng, division, place, village)
                if spec.id_number not in seen:
                    seen.add(spec.id_number)
                    batch.append(spec)
            existing = Person.objects.in_bulk([s.id_number for s in batch], field_name="id_number")
            for spec in batch:
                person = existing.get(spec.id_number)
                if person is None:
                    person = Person(
                        id_number=spec.id_number, name=spec.name, sex=spec.sex,
                        birth_date=spec.birth_date, phone=spec.phone, address=spec.address,
                        org_unit=unit, unit_path=unit.path,
                    )
                    fresh.append(person)
                elif person.org_unit_id != unit.pk:
                    continue  # someone else's number: draw another
                chosen.append(person)
        if fresh:
            self.bulk(Person, fresh, key=("id_number",), batch_size=500)
            self.people_created += len(fresh)
        return chosen
