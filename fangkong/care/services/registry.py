"""Registering the families one at a time, and correcting them: a frontline medical
worker, a member of their family, an elderly resident.

The Excel import (``care.importers``) and ``services.register_worker`` check a worker
with the same functions as the pages (``clean_worker``, ``member_units``,
``registered_worker``), so a row and a form are refused for the same reasons, in the same
words. A person is found in (or added to) the core registry by ID number with the
registry's own validation (``core.services.people.clean_person_data``, the project's ID
number check, not python-stdnum's ``cn.ric``, which refuses valid older numbers) and
linked without ever changing the registry's row (``link_person``).

Who: the task force's coordinators, its member units' liaisons for their own unit's
families, and territorial staff above the task force (``access.require_coordinator``);
a helper logs services and help requests, and does not change the register
(docs/decisions/care.md, "Who writes what"). Each change is in the change history.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fangkong.care.models import (
    Deployment,
    Elderly,
    ElderlyKind,
    FamilyMember,
    MedicalWorker,
    TaskForce,
)
from fangkong.care.services.access import require_coordinator, require_edit
from fangkong.care.services.cleaning import phone as _phone
from fangkong.core.audit import acting_as
from fangkong.core.models import Organisation, OrgUnit
from fangkong.core.models.scoped import KeyConflict
from fangkong.core.roles import Cap, Role
from fangkong.core.scoping import scope_for
from fangkong.core.services.people import PersonData, clean_person_data, link_person
from fangkong.lib.dates import check_record_day

#: A worker may be registered as leaving for Hubei this many days ahead.
DEPARTURE_AHEAD_DAYS = 7
NUMBER_PREFIX = "YH"


class AlreadyRegistered(ValidationError):
    """The person is already registered in this task force (``record``): the page links
    to it instead of registering them twice."""

    def __init__(self, record: Any, message: str) -> None:
        super().__init__({"id_number": [message]})
        self.record = record


def _limit(errors: dict[str, list[str]], field: str, value: Any, limit: int) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > limit and field not in errors:
        errors[field] = [_("At most %(n)d characters.") % {"n": limit}]
    return text[:limit]


def _person(errors: dict[str, list[str]], **identity: Any) -> PersonData | None:
    try:
        return clean_person_data(**identity)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None


# --- where the actor may register ------------------------------------------------------

def coordinated_task_forces(actor: Any) -> QuerySet[TaskForce]:
    """The task forces ``actor`` may register families in (as their coordinator, a member
    unit's liaison, or territorial staff above them)."""
    from django.core.exceptions import PermissionDenied

    allowed = []
    for tf in TaskForce.objects.visible_to(actor).order_by("name"):
        try:
            require_coordinator(actor, tf)
        except PermissionDenied:
            continue
        allowed.append(tf.pk)
    return TaskForce.objects.filter(pk__in=allowed).order_by("name")


def member_units(task_force: TaskForce) -> QuerySet[Organisation]:
    """The units responsible for families of the task force: its lead organisation and
    its member units."""
    ids = [task_force.organisation_id,
           *task_force.members.values_list("organisation_id", flat=True)]
    return Organisation.objects.filter(pk__in=ids).order_by("code")


def member_unit_labels(task_force: TaskForce) -> dict[str, Organisation]:
    """The task force's units by name, short name and code (the import's column)."""
    labels: dict[str, Organisation] = {}
    for org in member_units(task_force):
        for label in (org.name, org.short_name, org.code):
            if label:
                labels[label] = org
    return labels


def member_units_for(actor: Any, task_force: TaskForce) -> QuerySet[Organisation]:
    """The units ``actor`` may make responsible for a family: all of the task force's for
    its coordinator and territorial staff above it, a liaison's own unit for a liaison."""
    units = member_units(task_force)
    scope = scope_for(actor)
    if scope.covers(Cap.EDIT, task_force.unit_path) or any(
            g.role == Role.TASK_FORCE and g.organisation_id == task_force.organisation_id
            for g in scope.grants):
        return units
    own = {g.organisation_id for g in scope.grants
           if g.role == Role.MEMBER_UNIT and g.organisation_id}
    return units.filter(pk__in=own)


def registered_worker(task_force: TaskForce, id_number: str) -> MedicalWorker | None:
    """The worker already registered in the task force with this ID number."""
    return (MedicalWorker.objects.filter(task_force=task_force, person__id_number=id_number)
            .first())


def registered_elderly(task_force: TaskForce, id_number: str) -> Elderly | None:
    return Elderly.objects.filter(task_force=task_force, person__id_number=id_number).first()


def next_number(task_force: TaskForce) -> str:
    """The next free worker number of the task force (YH0001, YH0002 …)."""
    highest = 0
    for number in MedicalWorker.objects.filter(
            task_force=task_force, number__startswith=NUMBER_PREFIX).values_list(
            "number", flat=True):
        tail = number[len(NUMBER_PREFIX):]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{NUMBER_PREFIX}{highest + 1:04d}"


# --- the checks the import and the pages share ---------------------------------------

def clean_worker(task_force: TaskForce, *, member_unit: Organisation | None, hospital: Any,
                 department: Any = "", deployment: Any, deployed_from: date | None = None,
                 deployed_until: date | None = None, unit_contact: Any = "",
                 unit_contact_phone: Any = "", registered_on: date | None,
                 units: QuerySet[Organisation] | None = None,
                 errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """A worker's fields checked together: the values to store, or ``ValidationError``
    with every field's message. ``units``: the member units allowed (default: all of the
    task force's). A worker sent to Hubei has the day they left and a named contact in
    the member unit (the database's CHECK, said here first)."""
    errors = {} if errors is None else errors
    contact_phone = _phone(unit_contact_phone, "unit_contact_phone", errors)
    hospital = _limit(errors, "hospital", hospital, 100)
    department = _limit(errors, "department", department, 50)
    unit_contact = _limit(errors, "unit_contact", unit_contact, 50)
    if deployment not in Deployment.values:
        errors["deployment"] = [_("Choose the deployment.")]
    if not hospital:
        errors["hospital"] = [_("Name the hospital.")]
    if deployment == Deployment.HUBEI:
        if deployed_from is None:
            errors["deployed_from"] = [_("Give the day the worker left for Hubei.")]
        if not unit_contact:
            errors["unit_contact"] = [_(
                "A worker sent to Hubei has a named contact in the member unit.")]
    if deployed_from is not None and "deployed_from" not in errors:
        try:
            check_record_day(deployed_from, "deployed_from", ahead=DEPARTURE_AHEAD_DAYS)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if deployed_until and deployed_from and deployed_until < deployed_from:
        errors["deployed_until"] = [pgettext("care deployment",
                                             "The return is before the departure.")]
    if deployed_until and not deployed_from and "deployed_from" not in errors:
        errors["deployed_from"] = [_("Give the day the deployment began.")]
    _support(task_force, member_unit, registered_on, units, errors)
    if errors:
        raise ValidationError(errors)
    return {"member_unit": member_unit, "hospital": hospital, "department": department,
            "deployment": deployment, "deployed_from": deployed_from,
            "deployed_until": deployed_until, "unit_contact": unit_contact,
            "unit_contact_phone": contact_phone, "registered_on": registered_on}


def _support(task_force: TaskForce, member_unit: Organisation | None,
             registered_on: date | None, units: QuerySet[Organisation] | None,
             errors: dict[str, list[str]]) -> None:
    """What a worker and an elderly resident share: the day the support began (not in
    the future) and the responsible member unit, one of ``units`` (default: all of the
    task force's; a liaison's own unit only)."""
    if registered_on is None:
        errors["registered_on"] = [_("Give the day the support began.")]
    else:
        try:
            check_record_day(registered_on, "registered_on")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    allowed = member_units(task_force) if units is None else units
    if member_unit is None:
        errors.setdefault("member_unit", [_("Choose the responsible member unit.")])
    elif not allowed.filter(pk=member_unit.pk).exists():
        errors["member_unit"] = [
            _("This unit is not a member of the task force.")
            if units is None or not member_units(task_force).filter(pk=member_unit.pk).exists()
            else _("Choose a unit you work for.")]


def clean_family(*, relationship: Any, needs: Any, errors: dict[str, list[str]]
                 ) -> dict[str, str]:
    relationship = _limit(errors, "relationship", relationship, 20)
    if not relationship:
        errors["relationship"] = [_("Say how they are related.")]
    return {"relationship": relationship, "needs": _limit(errors, "needs", needs, 300)}


def clean_elderly(task_force: TaskForce, *, member_unit: Organisation | None, kind: Any,
                  needs: Any, registered_on: date | None,
                  units: QuerySet[Organisation] | None = None,
                  errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    errors = {} if errors is None else errors
    if kind not in ElderlyKind.values:
        errors["kind"] = [_("Choose elderly resident or retired cadre.")]
    _support(task_force, member_unit, registered_on, units, errors)
    needs = _limit(errors, "needs", needs, 300)
    if errors:
        raise ValidationError(errors)
    return {"member_unit": member_unit, "kind": kind, "needs": needs,
            "registered_on": registered_on}


def _home_error(task_force: TaskForce, home: OrgUnit | None,
                errors: dict[str, list[str]]) -> None:
    if home is None:
        errors["home"] = [_("Choose where the family lives.")]
    elif not home.path.startswith(task_force.unit_path):
        errors["home"] = [_("Choose a place in the task force's area.")]


# --- versions: an edit made on an older view is refused ----------------------------------

def _version(state: list[Any]) -> str:
    return hashlib.sha256(json.dumps([str(v) for v in state], ensure_ascii=False)
                          .encode()).hexdigest()[:20]


def _worker_state(w: MedicalWorker) -> list[Any]:
    return [w.name, w.phone, w.org_unit_id, w.member_unit_id, w.hospital, w.department,
            w.deployment, w.deployed_from, w.deployed_until, w.unit_contact,
            w.unit_contact_phone, w.registered_on, w.number]


def _family_state(m: FamilyMember) -> list[Any]:
    return [m.name, m.phone, m.relationship, m.address, m.needs]


def _elderly_state(e: Elderly) -> list[Any]:
    return [e.name, e.phone, e.org_unit_id, e.member_unit_id, e.kind, e.address, e.needs,
            e.registered_on]


def version(record: Any) -> str:
    """What an edit form saw (its hidden ``seen``): an edit made on an older view of the
    record than the one stored is refused instead of overwriting a newer change (the
    relief households' way)."""
    state = {MedicalWorker: _worker_state, FamilyMember: _family_state,
             Elderly: _elderly_state}[type(record)]
    return _version(state(record))


def _stale(what: str) -> ValidationError:
    return ValidationError(_(
        "Someone changed this %(what)s after you opened the form. The form now shows the "
        "current values; make your change again.") % {"what": what}, code="stale")


def _check_key(record: Any, same: dict[str, Any]) -> None:
    """The record a submission key made holds what was sent again, or ``KeyConflict``."""
    for name, value in same.items():
        stored = getattr(record, record._meta.get_field(name).attname)
        if hasattr(value, "pk"):
            value = value.pk
        if stored != value:
            raise KeyConflict.on_key()


# --- frontline medical workers ----------------------------------------------------------

def create_worker(actor: Any, task_force: TaskForce, home: OrgUnit | None, *,
                  client_id: uuid.UUID | str, id_number: Any, name: Any, phone: Any = "",
                  number: Any = "", member_unit: Organisation | None, hospital: Any,
                  department: Any = "", deployment: Any,
                  deployed_from: date | None = None, deployed_until: date | None = None,
                  unit_contact: Any = "", unit_contact_phone: Any = "",
                  registered_on: date | None) -> tuple[MedicalWorker, bool]:
    """Register one worker (the page). The same form sent again (``client_id``) answers
    the worker it registered; the same person registered again in the task force is
    refused with the record (``AlreadyRegistered``). A blank ``number`` takes the next
    free one."""
    require_coordinator(actor, task_force)
    errors: dict[str, list[str]] = {}
    person = _person(errors, id_number=id_number, name=name, phone=phone)
    number = _limit(errors, "number", number, 20)
    _home_error(task_force, home, errors)
    try:
        fields = clean_worker(
            task_force, member_unit=member_unit, hospital=hospital, department=department,
            deployment=deployment, deployed_from=deployed_from,
            deployed_until=deployed_until, unit_contact=unit_contact,
            unit_contact_phone=unit_contact_phone, registered_on=registered_on,
            units=member_units_for(actor, task_force), errors=errors)
    except ValidationError:
        raise ValidationError(errors) from None
    assert person is not None and home is not None
    same = {"task_force": task_force, "org_unit": home, **{
        k: v for k, v in fields.items() if k != "unit_contact_phone"}}
    with acting_as(actor), transaction.atomic():
        sent = MedicalWorker.objects.filter(client_id=client_id).select_related(
            "person").first()
        if sent is not None:
            if sent.person.id_number != person.id_number:
                raise KeyConflict.on_key()
            _check_key(sent, same)
            return sent, False
        existing = registered_worker(task_force, person.id_number)
        if existing is not None:
            raise AlreadyRegistered(existing, _(
                "This person is already registered in this task force (number %(number)s)."
            ) % {"number": existing.number})
        if number and MedicalWorker.objects.filter(task_force=task_force,
                                                   number=number).exists():
            raise ValidationError({"number": [_(
                "Number %(number)s is already in use in this task force.") % {
                "number": number}]})
        linked = link_person(actor, person, home)
        values = {**same, "person": linked, "name": person.name, "phone": person.phone,
                  "unit_contact_phone": fields["unit_contact_phone"]}
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    worker, created = MedicalWorker.objects.get_or_create(
                        client_id=client_id,
                        defaults={**values, "number": number or next_number(task_force)})
            except IntegrityError:
                if number:
                    raise ValidationError({"number": [_(
                        "Number %(number)s is already in use in this task force.") % {
                        "number": number}]}) from None
                existing = registered_worker(task_force, person.id_number)
                if existing is not None:  # registered by someone else meanwhile
                    raise AlreadyRegistered(existing, _(
                        "This person is already registered in this task force (number "
                        "%(number)s).") % {"number": existing.number}) from None
                continue  # another registration took the next number: take the one after
            break
        else:
            raise ValidationError({"number": [_("Give the worker's number.")]})
        if created:
            require_edit(actor, worker)  # a member unit registers its own workers only
        return worker, created


def update_worker(actor: Any, worker: MedicalWorker, *, seen: str = "", name: Any,
                  phone: Any = "", home: OrgUnit | None, member_unit: Organisation | None,
                  hospital: Any, department: Any = "", deployment: Any,
                  deployed_from: date | None = None, deployed_until: date | None = None,
                  unit_contact: Any = "", unit_contact_phone: Any = "",
                  registered_on: date | None) -> MedicalWorker:
    """Correct a worker: everything but the person (their ID number) and the task force.
    An empty ``phone`` or ``unit_contact_phone`` keeps the stored one (the form shows it
    masked). ``seen``: the ``version`` the form was made from; a change on an older view
    is refused. Audited."""
    require_coordinator(actor, worker.task_force)
    require_edit(actor, worker)
    errors: dict[str, list[str]] = {}
    task_force = worker.task_force
    person = _person(errors, id_number=worker.person.id_number, name=name, phone=phone)
    _home_error(task_force, home, errors)
    try:
        fields = clean_worker(
            task_force, member_unit=member_unit, hospital=hospital, department=department,
            deployment=deployment, deployed_from=deployed_from,
            deployed_until=deployed_until,
            unit_contact=unit_contact, unit_contact_phone=unit_contact_phone,
            registered_on=registered_on, units=member_units_for(actor, task_force),
            errors=errors)
    except ValidationError:
        raise ValidationError(errors) from None
    assert person is not None
    with acting_as(actor), transaction.atomic():
        current = MedicalWorker.objects.select_for_update().get(pk=worker.pk)
        before = _worker_state(current)
        current.name = person.name
        current.phone = person.phone or current.phone
        current.org_unit = home
        for key, value in fields.items():
            if key == "unit_contact_phone":
                value = value or current.unit_contact_phone
            setattr(current, key, value)
        if _worker_state(current) == before:
            return current
        if seen and seen != _version(before):
            raise _stale(pgettext("care", "worker"))
        current.save()
        require_edit(actor, current)  # still theirs (a liaison keeps to their own unit)
    return current


# --- their families ---------------------------------------------------------------------

def _require_family_writer(actor: Any, worker: MedicalWorker) -> None:
    require_coordinator(actor, worker.task_force)
    require_edit(actor, worker)


def add_family(actor: Any, worker: MedicalWorker, *, client_id: uuid.UUID | str,
               id_number: Any, name: Any, phone: Any = "", relationship: Any,
               address: Any = "", needs: Any = "") -> tuple[FamilyMember, bool]:
    """Add a member to the worker's family, found in the registry by ID number (as the
    import and every register: a child has one from birth registration). The same form
    sent again answers the member it added; the same person twice is refused."""
    _require_family_writer(actor, worker)
    errors: dict[str, list[str]] = {}
    person = _person(errors, id_number=id_number, name=name, phone=phone, address=address)
    fields = clean_family(relationship=relationship, needs=needs, errors=errors)
    if person is not None and person.id_number == worker.person.id_number:
        errors["id_number"] = [_("This is the worker's own ID number.")]
    if errors:
        raise ValidationError(errors)
    assert person is not None
    with acting_as(actor), transaction.atomic():
        sent = FamilyMember.objects.filter(client_id=client_id).select_related(
            "person").first()
        if sent is not None:
            if sent.person.id_number != person.id_number:
                raise KeyConflict.on_key()
            _check_key(sent, {"worker": worker, **fields})
            return sent, False
        linked = link_person(actor, person, worker.org_unit)
        twice = ValidationError({"id_number": [_(
            "This person is already a member of this family.")]})
        if worker.family.filter(person=linked).exists():
            raise twice
        try:
            with transaction.atomic():
                return FamilyMember.objects.get_or_create(client_id=client_id, defaults={
                    "worker": worker, "person": linked, "name": person.name,
                    "phone": person.phone, "address": person.address, **fields})
        except IntegrityError:
            raise twice from None


def update_family(actor: Any, member: FamilyMember, *, seen: str = "", name: Any,
                  phone: Any = "", relationship: Any, address: Any = "", needs: Any = ""
                  ) -> FamilyMember:
    """Correct a family member (not their ID number). An empty ``phone`` or ``address``
    keeps the stored one (the form shows them masked). Audited."""
    _require_family_writer(actor, member.worker)
    errors: dict[str, list[str]] = {}
    person = _person(errors, id_number=member.person.id_number, name=name, phone=phone,
                     address=address)
    fields = clean_family(relationship=relationship, needs=needs, errors=errors)
    if errors:
        raise ValidationError(errors)
    assert person is not None
    with acting_as(actor), transaction.atomic():
        current = FamilyMember.objects.select_for_update().get(pk=member.pk)
        before = _family_state(current)
        current.name = person.name
        current.phone = person.phone or current.phone
        current.address = person.address or current.address
        current.relationship, current.needs = fields["relationship"], fields["needs"]
        if _family_state(current) == before:
            return current
        if seen and seen != _version(before):
            raise _stale(_("family member"))
        current.save()
    return current


def remove_family(actor: Any, member: FamilyMember) -> None:
    """Take a member off the worker's family (listed by mistake, moved away). The removal
    is in the change history, with the worker (``FamilyMember.get_additional_data``);
    the person stays in the registry. Sent twice: nothing more happens."""
    _require_family_writer(actor, member.worker)
    with acting_as(actor), transaction.atomic():
        current = FamilyMember.objects.select_for_update().filter(pk=member.pk).first()
        if current is not None:
            current.delete()


# --- elderly residents ------------------------------------------------------------------

def create_elderly(actor: Any, task_force: TaskForce, home: OrgUnit | None, *,
                   client_id: uuid.UUID | str, id_number: Any, name: Any, phone: Any = "",
                   member_unit: Organisation | None, kind: Any, address: Any = "",
                   needs: Any = "", registered_on: date | None) -> tuple[Elderly, bool]:
    """Register one elderly resident or retired cadre (the page); as ``create_worker``."""
    require_coordinator(actor, task_force)
    errors: dict[str, list[str]] = {}
    person = _person(errors, id_number=id_number, name=name, phone=phone, address=address)
    _home_error(task_force, home, errors)
    try:
        fields = clean_elderly(task_force, member_unit=member_unit, kind=kind, needs=needs,
                               registered_on=registered_on,
                               units=member_units_for(actor, task_force), errors=errors)
    except ValidationError:
        raise ValidationError(errors) from None
    assert person is not None and home is not None
    same = {"task_force": task_force, "org_unit": home, **fields}
    with acting_as(actor), transaction.atomic():
        sent = Elderly.objects.filter(client_id=client_id).select_related("person").first()
        if sent is not None:
            if sent.person.id_number != person.id_number:
                raise KeyConflict.on_key()
            _check_key(sent, same)
            return sent, False
        twice = _("This person is already registered in this task force.")
        existing = registered_elderly(task_force, person.id_number)
        if existing is not None:
            raise AlreadyRegistered(existing, twice)
        linked = link_person(actor, person, home)
        try:
            with transaction.atomic():
                elderly, created = Elderly.objects.get_or_create(client_id=client_id, defaults={
                    **same, "person": linked, "name": person.name, "phone": person.phone,
                    "address": person.address})
        except IntegrityError:
            raise AlreadyRegistered(registered_elderly(task_force, person.id_number),
                                    twice) from None
        if created:
            require_edit(actor, elderly)
        return elderly, created


def update_elderly(actor: Any, elderly: Elderly, *, seen: str = "", name: Any,
                   phone: Any = "", home: OrgUnit | None, member_unit: Organisation | None,
                   kind: Any, address: Any = "", needs: Any = "",
                   registered_on: date | None) -> Elderly:
    """Correct an elderly resident (not their ID number nor the task force); empty
    ``phone``/``address`` keep the stored ones. Audited."""
    require_coordinator(actor, elderly.task_force)
    require_edit(actor, elderly)
    errors: dict[str, list[str]] = {}
    task_force = elderly.task_force
    person = _person(errors, id_number=elderly.person.id_number, name=name, phone=phone,
                     address=address)
    _home_error(task_force, home, errors)
    try:
        fields = clean_elderly(task_force, member_unit=member_unit, kind=kind, needs=needs,
                               registered_on=registered_on,
                               units=member_units_for(actor, task_force), errors=errors)
    except ValidationError:
        raise ValidationError(errors) from None
    assert person is not None
    with acting_as(actor), transaction.atomic():
        current = Elderly.objects.select_for_update().get(pk=elderly.pk)
        before = _elderly_state(current)
        current.name = person.name
        current.phone = person.phone or current.phone
        current.address = person.address or current.address
        current.org_unit = home
        for key, value in fields.items():
            setattr(current, key, value)
        if _elderly_state(current) == before:
            return current
        if seen and seen != _version(before):
            raise _stale(_("elderly resident"))
        current.save()
        require_edit(actor, current)
    return current
