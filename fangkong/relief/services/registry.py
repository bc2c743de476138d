"""The registry: poor households and their members, entities, their poor workers, the
households they lead and their loans. Every write authorises its actor over the
record's unit and is audited."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fangkong.core.audit import acting_as
from fangkong.core.models import OrgUnit
from fangkong.core.roles import Cap
from fangkong.core.scoping import require_capability
from fangkong.core.services.people import PersonData, link_person
from fangkong.relief.models import (
    EntityKind,
    EntityWorker,
    Loan,
    PoorHousehold,
    PoorMember,
    ReliefEntity,
)

_ACCOUNT = re.compile(r"^\d{12,25}$")


def clean_account(raw: Any, field: str = "account_number") -> str:
    value = re.sub(r"[\s-]", "", str(raw or ""))
    if not _ACCOUNT.match(value):
        raise ValidationError({field: [_("An account number is 12 to 25 digits.")]})
    return value


def register_household(
    actor: Any, village: OrgUnit, *, client_id: uuid.UUID, number: str, head: PersonData,
    account_number: str, account_bank: str, registered_on: date | None = None,
) -> tuple[PoorHousehold, bool]:
    """Register a poor household with its head as first member."""
    require_capability(actor, Cap.EDIT, village.path)
    errors: dict[str, list[str]] = {}
    number = (number or "").strip()
    if not number:
        errors["number"] = [_("Enter the household's registration number.")]
    try:
        account_number = clean_account(account_number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not (account_bank or "").strip():
        errors["account_bank"] = [_("Enter the bank of the account.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        if PoorHousehold.objects.filter(number=number).exclude(client_id=client_id).exists():
            raise ValidationError({"number": [_(
                "A household with this registration number is already registered.")]})
        person = link_person(actor, head, village)
        household, created = PoorHousehold.create_keyed(client_id, same={
            "org_unit": village, "number": number, "head_name": head.name,
            "account_number": account_number, "account_bank": account_bank.strip(),
        }, defaults={"head": person, "registered_on": registered_on, "created_by": actor})
        if created:
            member = PoorMember(household=household, person=person, relation=_("head"))
            member.typed_from(head)
            member.save()
    return household, created


def add_member(
    actor: Any, household: PoorHousehold, data: PersonData, *, relation: str = "",
    away_from: date | None = None, away_to: date | None = None,
) -> PoorMember:
    """Add a member (a person of the registry, linked by ID number, never overwritten)."""
    require_capability(actor, Cap.EDIT, household.unit_path)
    if away_to is not None and (away_from is None or away_to < away_from):
        raise ValidationError({"away_to": [_("The return is before the departure.")]})
    with acting_as(actor), transaction.atomic():
        person = link_person(actor, data, household.org_unit)
        if household.members.filter(person=person).exists():
            raise ValidationError({"id_number": [_("This person is already a member.")]})
        member = PoorMember(household=household, person=person, relation=relation.strip(),
                            away_from=away_from, away_to=away_to)
        member.typed_from(data)
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:
            raise ValidationError({"id_number": [_("This person is already a member.")]}
                                  ) from None
    return member


def record_work_away(actor: Any, member: PoorMember, *, away_from: date | None,
                     away_to: date | None) -> PoorMember:
    """Record the months a member worked away from home (measure 2)."""
    require_capability(actor, Cap.EDIT, member.household.unit_path)
    if away_from is None or away_to is None:
        raise ValidationError({"away_from": [_("Give the day of departure and of return.")]})
    if away_to < away_from:
        raise ValidationError({"away_to": [_("The return is before the departure.")]})
    with acting_as(actor):
        member.away_from, member.away_to = away_from, away_to
        member.save(update_fields=["away_from", "away_to"])
    return member


def register_entity(
    actor: Any, unit: OrgUnit, *, client_id: uuid.UUID, name: str, kind: str,
    account_number: str, account_bank: str, resumed_on: date | None = None,
) -> tuple[ReliefEntity, bool]:
    require_capability(actor, Cap.EDIT, unit.path)
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("Enter the entity's name.")]
    if kind not in EntityKind.values:
        errors["kind"] = [_("Choose the kind of entity.")]
    try:
        account_number = clean_account(account_number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        if ReliefEntity.objects.filter(org_unit=unit, name=name).exclude(
                client_id=client_id).exists():
            raise ValidationError({"name": [_("An entity of this name is already registered "
                                              "here.")]})
        return ReliefEntity.create_keyed(client_id, same={
            "org_unit": unit, "name": name, "kind": kind, "account_number": account_number,
            "account_bank": (account_bank or "").strip(),
        }, defaults={"resumed_on": resumed_on, "created_by": actor})


def set_resumed(actor: Any, entity: ReliefEntity, resumed_on: date | None) -> ReliefEntity:
    require_capability(actor, Cap.EDIT, entity.unit_path)
    with acting_as(actor):
        entity.resumed_on = resumed_on
        entity.save(update_fields=["resumed_on"])
    return entity


def add_worker(actor: Any, entity: ReliefEntity, member: PoorMember, since: date
               ) -> tuple[EntityWorker, bool]:
    """A registered poor worker at the entity (the member's household must be one the
    actor may see too: a worker from another county is added by someone covering both)."""
    require_capability(actor, Cap.EDIT, entity.unit_path)
    require_capability(actor, Cap.VIEW, member.household.unit_path)
    with acting_as(actor), transaction.atomic():
        return EntityWorker.objects.get_or_create(entity=entity, member=member,
                                                  defaults={"since": since})


def lead_household(actor: Any, entity: ReliefEntity, household: PoorHousehold) -> None:
    require_capability(actor, Cap.EDIT, entity.unit_path)
    require_capability(actor, Cap.VIEW, household.unit_path)
    with acting_as(actor):
        entity.led_households.add(household)


def add_loan(
    actor: Any, entity: ReliefEntity, *, contract_number: str, bank: str, principal: Decimal,
    annual_rate: Decimal, due_date: date, for_production: bool = True,
) -> tuple[Loan, bool]:
    require_capability(actor, Cap.EDIT, entity.unit_path)
    errors: dict[str, list[str]] = {}
    if principal is None or principal <= 0:
        errors["principal"] = [_("The principal is a positive amount of yuan.")]
    if annual_rate is None or not 0 <= annual_rate <= 1:
        errors["annual_rate"] = [_("Give the annual rate as a fraction, e.g. 0.0435.")]
    if not (contract_number or "").strip():
        errors["contract_number"] = [_("Enter the loan contract's number.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        return Loan.objects.get_or_create(
            entity=entity, contract_number=contract_number.strip(), defaults={
                "bank": bank.strip(), "principal": principal, "annual_rate": annual_rate,
                "due_date": due_date, "for_production": for_production})
