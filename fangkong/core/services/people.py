"""The person registry's one way in: validate, then look up or create by ID number."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fangkong.core.audit import acting_as
from fangkong.core.models import OrgUnit, Person
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


def lookup_or_create_person(
    actor: Any, data: PersonData, org_unit: OrgUnit, *, update: bool = False,
) -> tuple[Person, bool]:
    """The one person for ``data.id_number``: created if new, else the existing row.

    A phone or address missing on the existing row is filled in; with ``update`` the
    given values replace the stored ones (a correction by staff). Safe under races: a
    concurrent insert of the same number resolves to the row that won.
    """
    with acting_as(actor), transaction.atomic():
        person = Person.objects.filter(id_number=data.id_number).first()
        created = False
        if person is None:
            try:
                with transaction.atomic():
                    person = Person.objects.create(
                        id_number=data.id_number, name=data.name, sex=data.sex,
                        birth_date=data.birth_date, phone=data.phone, address=data.address,
                        org_unit=org_unit,
                    )
                    created = True
            except IntegrityError:
                person = Person.objects.get(id_number=data.id_number)
        if not created:
            changed = []
            for attr in ("phone", "address", "name"):
                new = getattr(data, attr)
                if new and (update or not getattr(person, attr)) and getattr(person, attr) != new:
                    setattr(person, attr, new)
                    changed.append(attr)
            if changed:
                person.save(update_fields=[*changed, "updated_at"])
    return person, created
