"""The person registry's one way in: validate, then look up or create by ID number."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fangkong.core.audit import acting_as
from fangkong.core.models import OrgUnit, Person, PersonRegistration
from fangkong.core.roles import Cap
from fangkong.core.scoping import scope_for
from fangkong.lib.identity import IdentityError, validate_id_number, validate_phone

NAME_MAX = 50
#: Django's own rule for form fields; JSON bodies need it said (PostgreSQL cannot store
#: NUL in text, which made a 500 of it).
NULL_CHARACTERS = ProhibitNullCharactersValidator()


@dataclass
class PersonData:
    id_number: str
    name: str
    sex: str
    birth_date: Any
    phone: str = ""
    address: str = ""
    warnings: list[str] = field(default_factory=list)


def clean_person_data(
    *, id_number: Any, name: Any, phone: Any = "", address: Any = "", phone_required: bool = False,
) -> PersonData:
    """Validate the identity fields together; raises ValidationError with every field error."""
    errors: dict[str, list[str]] = {}
    info = None
    try:
        info = validate_id_number(str(id_number or ""))
    except IdentityError as exc:
        errors["id_number"] = [str(exc.message)]
    # A JSON body may carry any type; only text is a name or an address (a dict or a list
    # would otherwise be stored as its Python repr).
    text_given = name is None or isinstance(name, str)
    name = " ".join(str(name or "").split()) if text_given else ""
    if not text_given:
        errors["name"] = [_("Enter the name as text.")]
    elif "\x00" in name:
        errors["name"] = [NULL_CHARACTERS.message]
    elif not name:
        errors["name"] = [_("Enter the person's name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("A name has at most %(n)d characters.") % {"n": NAME_MAX}]
    clean_phone = ""
    raw_phone = str(phone or "").strip()
    if raw_phone:
        try:
            clean_phone = validate_phone(raw_phone)
        except IdentityError as exc:
            errors["phone"] = [str(exc.message)]
    elif phone_required:
        errors["phone"] = [_("Enter a mobile phone number.")]
    if address is not None and not isinstance(address, str):
        errors["address"] = [_("Enter the address as text.")]
        address = ""
    address = str(address or "").strip()
    if "\x00" in address:
        errors["address"] = [NULL_CHARACTERS.message]
    elif len(address) > 200:
        errors["address"] = [_("An address has at most 200 characters.")]
    if errors:
        raise ValidationError(errors)
    assert info is not None
    return PersonData(
        id_number=info.number, name=name, sex=info.sex, birth_date=info.birth_date,
        phone=clean_phone, address=address, warnings=[str(w) for w in info.warnings],
    )


def link_person(actor: Any, data: PersonData, org_unit: OrgUnit) -> Person:
    """The registry row a register's record links to: the one with ``data.id_number``,
    or a new one made from what was typed (in ``org_unit``, the registering unit).

    A register never changes an existing row, whoever registers: typed contact details
    stay on the record that was submitted (``PersonRecord``), so an anonymous
    self-registration or a worker in another county cannot fill in or overwrite a
    registered person's phone, address or name. Only the registry's own paths
    (``lookup_or_create_person``, for users who may edit the person) change a person.
    Safe under races: a concurrent insert of the same number resolves to the winner.
    """
    person = Person.objects.filter(id_number=data.id_number).first()
    if person is not None:
        return person
    with acting_as(actor):
        return _create(data, org_unit)[0]


def _create(data: PersonData, org_unit: OrgUnit) -> tuple[Person, bool]:
    """Insert the person, or the row a concurrent insert of the same number made."""
    try:
        with transaction.atomic():
            return Person.objects.create(
                id_number=data.id_number, name=data.name, sex=data.sex,
                birth_date=data.birth_date, phone=data.phone, address=data.address,
                org_unit=org_unit,
            ), True
    except IntegrityError:
        return Person.objects.get(id_number=data.id_number), False


def lookup_or_create_person(
    actor: Any, data: PersonData, org_unit: OrgUnit, *, update: bool = False,
) -> tuple[Person, bool]:
    """The registry's own way in (the people API and import): the one person for
    ``data.id_number``, created if new.

    An existing row is changed only by an actor who may edit it where it is
    (``Cap.EDIT`` over its unit; ``PermissionDenied`` otherwise, before anything is
    written): a missing phone or address is filled in, and with ``update`` the given
    values replace the stored ones (a correction by staff). The name is changed only
    with ``update``. Safe under races, as ``link_person``.
    """
    with acting_as(actor), transaction.atomic():
        person = Person.objects.filter(id_number=data.id_number).first()
        created = False
        if person is None:
            person, created = _create(data, org_unit)
        if created:
            return person, True
        changed = [attr for attr in ("phone", "address", "name")
                   if (new := getattr(data, attr)) and getattr(person, attr) != new
                   and (update or (attr != "name" and not getattr(person, attr)))]
        if changed:
            if not scope_for(actor).can(Cap.EDIT, person.unit_path):
                raise PermissionDenied
            for attr in changed:
                setattr(person, attr, getattr(data, attr))
            person.save(update_fields=[*changed, "updated_at"])
    return person, created


def register_person(
    actor: Any, data: PersonData, org_unit: OrgUnit, *, update: bool = False,
) -> tuple[Person, bool]:
    """Register a person in ``org_unit`` (the people API and import; ``actor`` may edit
    there): ``(person as the actor sees them, created)``.

    A new ID number makes a registry row; one the actor may edit is found (and filled
    in or, with ``update``, corrected: ``lookup_or_create_person``). A number whose row
    belongs to another area is registered here as a ``PersonRegistration`` holding what
    was typed, and answered exactly like a new person (created the first time), shown as
    registered here: the answer tells nothing of the row elsewhere, not even that it
    exists (docs/decisions/security-registry.md).
    """
    scope = scope_for(actor)
    person = Person.objects.filter(id_number=data.id_number).first()
    if person is None or scope.can(Cap.EDIT, person.unit_path):
        try:
            person, created = lookup_or_create_person(actor, data, org_unit, update=update)
        except PermissionDenied:  # lost a race to a registration in another area
            person, created = Person.objects.get(id_number=data.id_number), False
        if created or scope.can(Cap.EDIT, person.unit_path):
            return person, created
    typed = {"name": data.name, "phone": data.phone, "address": data.address}
    with acting_as(actor), transaction.atomic():
        registration, created = PersonRegistration.objects.get_or_create(
            person=person, org_unit=org_unit,
            defaults={**typed, "registered_by": actor if actor and actor.pk else None},
        )
        if not created:
            changed = [attr for attr, new in typed.items()
                       if new and getattr(registration, attr) != new
                       and (update or not getattr(registration, attr))]
            for attr in changed:
                setattr(registration, attr, typed[attr])
            if changed:
                registration.save(update_fields=[*changed, "updated_at"])
    return registration.as_person(person), created


def as_seen_by(user: Any, people: Iterable[Person], capability: str = Cap.VIEW) -> list[Person]:
    """``people`` (found through ``Person.objects.visible_to(user, capability)``) as
    ``user`` may see them: the registry's row where the user's scope covers the person's
    unit; elsewhere the person as the user's area registered them
    (``PersonRegistration.as_person``: its name, phone, address and unit, never the
    registry's). One query for a page or an export chunk."""
    people = list(people)
    scope = scope_for(user)
    # Once per unit, not per person: the people of an export chunk share a few units.
    covered = {path: scope.covers(capability, path) for path in {p.unit_path for p in people}}
    outside = {p.pk for p in people if not covered[p.unit_path]}
    if not outside:
        return people
    registrations: dict[int, PersonRegistration] = {}
    for registration in (PersonRegistration.objects.visible_to(user, capability)
                         .filter(person_id__in=outside).select_related("org_unit")
                         .order_by("unit_path", "pk")):
        registrations.setdefault(registration.person_id, registration)
    return [registrations[p.pk].as_person(p) if p.pk in outside else p
            for p in people if p.pk not in outside or p.pk in registrations]
