"""Employees, migrant workers, employer demand and point-to-point transport batches."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.audit import acting_as
from fangkong.core.models import OrgUnit
from fangkong.core.roles import Cap
from fangkong.core.scoping import require_capability, scope_for
from fangkong.core.services.people import PersonData, link_person
from fangkong.resumption.models import (
    BatchStatus,
    Demand,
    Employee,
    Enterprise,
    HealthStatus,
    ManifestEntry,
    MigrantWorker,
    TransportBatch,
)
from fangkong.resumption.services.filing import may_file

FEVER = Decimal("37.3")


def record_employee(actor: Any, enterprise: Enterprise, *, client_id: uuid.UUID | str,
                    person: PersonData, came_from: str, whereabouts: str, returned_on: date,
                    health: str, observation_until: date | None) -> tuple[Employee, bool]:
    if not may_file(actor, enterprise):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if returned_on > timezone.localdate():
        errors["returned_on"] = [_("The day cannot be in the future.")]
    if health not in HealthStatus.values:
        errors["health"] = [_("Choose a health status.")]
    if observation_until and observation_until < returned_on:
        errors["observation_until"] = [_("Observation cannot end before the return.")]
    if not came_from.strip():
        errors["came_from"] = [_("Say where the employee came from.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        linked = link_person(actor, person, enterprise.org_unit)
        employee, created = Employee.create_keyed(client_id, same={
            "enterprise": enterprise, "org_unit": enterprise.org_unit, "person": linked,
            "came_from": came_from.strip(), "whereabouts": whereabouts.strip(),
            "returned_on": returned_on, "health": health,
            "observation_until": observation_until,
        }, defaults={"name": person.name, "phone": person.phone}, actor=actor)
        return employee, created


def register_worker(actor: Any, unit: OrgUnit, *, client_id: uuid.UUID | str,
                    person: PersonData, home: str, skills: str,
                    employer: Enterprise | None, destination: str,
                    registered_on: date | None = None) -> tuple[MigrantWorker, bool]:
    """Register a migrant worker in their home ``unit``; linked to the registered poor
    household (relief) the person is a member of, when there is one."""
    require_capability(actor, Cap.EDIT, unit.path)
    if not home.strip():
        raise ValidationError({"home": [_("Enter the home town.")]})
    with acting_as(actor), transaction.atomic():
        linked = link_person(actor, person, unit)
        existing = MigrantWorker.objects.filter(person=linked).exclude(client_id=client_id)
        if existing.exists():
            raise ValidationError({"id_number": [_(
                "This person is already registered as a migrant worker.")]})
        worker, created = MigrantWorker.create_keyed(client_id, same={
            "org_unit": unit, "person": linked, "home": home.strip(),
            "skills": skills.strip(), "employer": employer, "destination": destination.strip(),
        }, defaults={"name": person.name, "phone": person.phone,
                     "registered_on": registered_on or timezone.localdate(),
                     "poor_household": poor_household_of(linked)}, actor=actor)
        return worker, created


def poor_household_of(person: Any) -> Any:
    try:
        from fangkong.relief.models import PoorMember
    except ImportError:  # relief not installed
        return None
    member = PoorMember.objects.filter(person=person).select_related("household").first()
    return member.household if member else None


def add_demand(actor: Any, enterprise: Enterprise, *, client_id: uuid.UUID | str, skill: str,
               count: int, needed_by: date) -> tuple[Demand, bool]:
    if not may_file(actor, enterprise):
        raise PermissionDenied
    if count < 1:
        raise ValidationError({"count": [_("Enter 1 or more.")]})
    with acting_as(actor), transaction.atomic():
        return Demand.create_keyed(client_id, same={
            "enterprise": enterprise, "org_unit": enterprise.org_unit, "skill": skill.strip(),
            "count": count, "needed_by": needed_by}, actor=actor)


def plan_batch(actor: Any, unit: OrgUnit, *, client_id: uuid.UUID | str, direction: str,
               origin: str, destination: str, employer: Enterprise | None, plate: str,
               driver: str, departure_at: datetime,
               workers: list[MigrantWorker]) -> tuple[TransportBatch, bool]:
    """A batch and its manifest, all or nothing: a worker listed twice, or already on
    another batch that day, is refused with their name, and nothing is saved."""
    require_capability(actor, Cap.EDIT, unit.path)
    day = timezone.localtime(departure_at).date()
    errors: list[str] = []
    seen: set[int] = set()
    for w in workers:
        if w.pk in seen:
            errors.append(_("%(name)s is listed twice.") % {"name": w.masked_name})
        seen.add(w.pk)
    busy = (ManifestEntry.objects.filter(worker_id__in=seen, day=day)
            .exclude(batch__client_id=client_id).select_related("worker", "batch"))
    for entry in busy:
        errors.append(_("%(name)s is already on batch %(batch)s that day.") % {
            "name": entry.worker.masked_name, "batch": entry.batch})
    if not workers:
        errors.append(_("List at least one worker."))
    if errors:
        raise ValidationError({"workers": errors})
    with acting_as(actor), transaction.atomic():
        try:
            with transaction.atomic():
                batch, created = TransportBatch.create_keyed(client_id, same={
                    "org_unit": unit, "direction": direction, "origin": origin.strip(),
                    "destination": destination.strip(), "employer": employer,
                    "plate": plate.strip().upper(), "driver": driver.strip(),
                    "departure_at": departure_at, "day": day}, actor=actor)
                if created:
                    ManifestEntry.objects.bulk_create(
                        [ManifestEntry(batch=batch, worker=w, day=day) for w in workers])
        except IntegrityError:  # a concurrent batch took a worker first
            raise ValidationError({"workers": [_(
                "A worker was put on another batch that day meanwhile; check the list "
                "again.")]}) from None
        return batch, created


def _batch_editor(actor: Any, batch: TransportBatch) -> None:
    if not scope_for(actor).can(Cap.EDIT, batch.unit_path):
        raise PermissionDenied


def check_departure(actor: Any, batch: TransportBatch, *, temps: dict[int, Decimal],
                    departed_at: datetime) -> TransportBatch:
    """Temperatures at departure; a worker at or over 37.3 °C stays behind (removed)."""
    _batch_editor(actor, batch)
    with acting_as(actor), transaction.atomic():
        batch = TransportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != BatchStatus.PLANNED:
            return batch
        for entry in batch.manifest.all():
            if entry.pk not in temps:
                raise ValidationError({"__all__": [_("Enter every worker's temperature.")]})
            entry.departure_temp = temps[entry.pk]
            entry.departure_ok = temps[entry.pk] < FEVER
            entry.save(update_fields=["departure_temp", "departure_ok"])
        batch.departure_at, batch.status = departed_at, BatchStatus.DEPARTED
        batch.save(update_fields=["departure_at", "status", "updated_at"])
        return batch


def check_arrival(actor: Any, batch: TransportBatch, *, temps: dict[int, Decimal],
                  arrived_at: datetime) -> TransportBatch:
    _batch_editor(actor, batch)
    if arrived_at < batch.departure_at:
        raise ValidationError({"arrived_at": [_(
            "The arrival (%(a)s) cannot be before the departure (%(d)s).") % {
            "a": timezone.localtime(arrived_at).strftime("%Y-%m-%d %H:%M"),
            "d": timezone.localtime(batch.departure_at).strftime("%Y-%m-%d %H:%M")}]})
    with acting_as(actor), transaction.atomic():
        batch = TransportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != BatchStatus.DEPARTED:
            return batch
        for entry in batch.manifest.filter(departure_ok=True):
            if entry.pk not in temps:
                raise ValidationError({"__all__": [_("Enter every worker's temperature.")]})
            entry.arrival_temp = temps[entry.pk]
            entry.arrival_ok = temps[entry.pk] < FEVER
            entry.save(update_fields=["arrival_temp", "arrival_ok"])
        batch.arrival_at, batch.status = arrived_at, BatchStatus.ARRIVED
        batch.save(update_fields=["arrival_at", "status", "updated_at"])
        return batch


def hand_over(actor: Any, batch: TransportBatch, *, to: str, at: datetime) -> TransportBatch:
    allowed = scope_for(actor).can(Cap.EDIT, batch.unit_path) or (
        batch.employer is not None and may_file(actor, batch.employer))
    if not allowed:
        raise PermissionDenied
    if not to.strip():
        raise ValidationError({"to": [_("Name who received the workers.")]})
    with acting_as(actor), transaction.atomic():
        batch = TransportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != BatchStatus.ARRIVED:
            if batch.status == BatchStatus.HANDED_OVER:
                return batch
            raise ValidationError({"to": [_("The batch has not arrived yet.")]})
        if batch.arrival_at and at < batch.arrival_at:
            raise ValidationError({"to": [_("The hand-over cannot be before the arrival.")]})
        batch.handed_over_to, batch.handed_over_at = to.strip(), at
        batch.status = BatchStatus.HANDED_OVER
        batch.save(update_fields=["handed_over_to", "handed_over_at", "status", "updated_at"])
        return batch
