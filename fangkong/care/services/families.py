"""Task forces, helpers and the families under support."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.care.models import (
    Deployment,
    Elderly,
    ElderlyKind,
    FamilyMember,
    Helper,
    MedicalWorker,
    TaskForce,
    TaskForceMember,
)
from fangkong.care.services import registry
from fangkong.care.services.access import require_coordinator, require_edit
from fangkong.care.services.cleaning import phone as _phone
from fangkong.care.services.cleaning import text as _text
from fangkong.core.audit import acting_as
from fangkong.core.models import Organisation, OrgUnit
from fangkong.core.roles import Cap
from fangkong.core.scoping import require_capability
from fangkong.core.services.people import PersonData, link_person
from fangkong.core.unique import get_or_create_unique


def save_task_force(actor: Any, unit: OrgUnit, *, name: str, organisation: Organisation,
                    leader: str, contact_name: str, contact_phone: str = "",
                    members: list[dict[str, Any]] = ()) -> tuple[TaskForce, bool]:
    """A task force and its member units (found again by lead organisation and name)."""
    require_capability(actor, Cap.CONFIGURE, unit.path)
    errors: dict[str, list[str]] = {}
    phone = _phone(contact_phone, "contact_phone", errors)
    if not _text(name, 100):
        errors["name"] = [_("Name the task force.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        task_force, created = get_or_create_unique(
            TaskForce.objects, {"organisation": organisation, "name": _text(name, 100)},
            {"org_unit": unit, "leader": _text(leader, 50),
             "contact_name": _text(contact_name, 50), "contact_phone": phone})
        for m in members:
            member_errors: dict[str, list[str]] = {}
            get_or_create_unique(
                TaskForceMember.objects,
                {"task_force": task_force, "organisation": m["organisation"]},
                {"leader": _text(m.get("leader"), 50),
                 "contact_name": _text(m.get("contact_name"), 50),
                 "contact_phone": _phone(m.get("contact_phone"), "contact_phone",
                                         member_errors)})
            if member_errors:
                raise ValidationError(member_errors)
        return task_force, created


def save_helper(actor: Any, task_force: TaskForce, *, code: str, name: str,
                organisation: Organisation, phone: str = "", user: Any = None
                ) -> tuple[Helper, bool]:
    """A helper of a member unit (found again by their number in the task force)."""
    require_coordinator(actor, task_force)
    errors: dict[str, list[str]] = {}
    clean_phone = _phone(phone, "phone", errors)
    if not _text(name, 50):
        errors["name"] = [_("Enter the helper's name.")]
    if not task_force.members.filter(organisation=organisation).exists() and (
            organisation.pk != task_force.organisation_id):
        errors["organisation"] = [_("This unit is not a member of the task force.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        return get_or_create_unique(
            Helper.objects, {"task_force": task_force, "code": _text(code, 20)},
            {"org_unit": task_force.org_unit, "organisation": organisation,
             "name": _text(name, 50), "phone": clean_phone, "user": user})


def register_worker(actor: Any, task_force: TaskForce, home: OrgUnit, *, number: str,
                    person: PersonData, member_unit: Organisation, hospital: str,
                    department: str = "", deployment: str = Deployment.LOCAL,
                    deployed_from: date | None = None, deployed_until: date | None = None,
                    unit_contact: str = "", unit_contact_phone: str = "",
                    registered_on: date) -> tuple[MedicalWorker, bool]:
    """A frontline medical worker under support, found again by their number (the
    import's way; the page registers one with ``registry.create_worker``). Checked as
    the page checks it (``registry.clean_worker``): a worker sent to Hubei needs the
    dates and a named contact in the member unit; a person already registered in the
    task force under another number is refused."""
    require_coordinator(actor, task_force)
    errors: dict[str, list[str]] = {}
    number = _text(number, 20)
    if not number:
        errors["number"] = [_("Give the worker's number.")]
    elif (existing := registry.registered_worker(task_force, person.id_number)) is not None \
            and existing.number != number:
        errors["id_number"] = [_(
            "This person is already registered in this task force (number %(number)s)."
        ) % {"number": existing.number}]
    try:
        fields = registry.clean_worker(
            task_force, member_unit=member_unit, hospital=hospital, department=department,
            deployment=deployment, deployed_from=deployed_from,
            deployed_until=deployed_until, unit_contact=unit_contact,
            unit_contact_phone=unit_contact_phone, registered_on=registered_on,
            errors=errors)
    except ValidationError:
        raise ValidationError(errors) from None
    with acting_as(actor), transaction.atomic():
        linked = link_person(actor, person, home)
        worker, created = get_or_create_unique(
            MedicalWorker.objects, {"task_force": task_force, "number": number},
            {"org_unit": home, "person": linked, "name": person.name, "phone": person.phone,
             **fields})
        if created:
            require_edit(actor, worker)  # a member unit registers its own workers only
        return worker, created


def add_family_member(actor: Any, worker: MedicalWorker, *, person: PersonData,
                      relationship: str, address: str = "", needs: str = ""
                      ) -> tuple[FamilyMember, bool]:
    """A member of the worker's family, found again by person (the demo's way; the page
    adds one with ``registry.add_family``). Task-force work, like registering."""
    require_coordinator(actor, worker.task_force)
    require_edit(actor, worker)
    errors: dict[str, list[str]] = {}
    fields = registry.clean_family(relationship=relationship, needs=needs, errors=errors)
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        linked = link_person(actor, person, worker.org_unit)
        return get_or_create_unique(
            FamilyMember.objects, {"worker": worker, "person": linked},
            {"name": person.name, "phone": person.phone,
             "address": _text(address or person.address, 200), **fields})


def register_elderly(actor: Any, task_force: TaskForce, home: OrgUnit, *,
                     person: PersonData, member_unit: Organisation,
                     kind: str = ElderlyKind.ELDERLY, address: str = "", needs: str = "",
                     registered_on: date) -> tuple[Elderly, bool]:
    require_coordinator(actor, task_force)
    fields = registry.clean_elderly(task_force, member_unit=member_unit, kind=kind,
                                    needs=needs, registered_on=registered_on)
    with acting_as(actor), transaction.atomic():
        linked = link_person(actor, person, home)
        elderly, created = get_or_create_unique(
            Elderly.objects, {"task_force": task_force, "person": linked},
            {"org_unit": home, "name": person.name, "phone": person.phone,
             "address": _text(address or person.address, 200), **fields})
        if created:
            require_edit(actor, elderly)
        return elderly, created
