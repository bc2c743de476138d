"""The registry: poor households and their members, entities, their poor workers, the
households they lead and their loans. Every write authorises its actor over the
record's unit and is audited."""

from __future__ import annotations

import hashlib
import json
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
    Payment,
    PaymentStatus,
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


def update_entity(actor: Any, entity: ReliefEntity, *, kind: str, account_number: str,
                  account_bank: str, resumed_on: date | None) -> bool:
    """Correct an entity's kind, account, bank and the day it resumed work (the import of
    a file naming an entity already registered). Answers whether anything changed."""
    require_capability(actor, Cap.EDIT, entity.unit_path)
    errors: dict[str, list[str]] = {}
    if kind not in EntityKind.values:
        errors["kind"] = [_("Choose the kind of entity.")]
    try:
        account_number = clean_account(account_number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    new = (kind, account_number, (account_bank or "").strip(), resumed_on)
    if new == (entity.kind, entity.account_number, entity.account_bank, entity.resumed_on):
        return False
    with acting_as(actor), transaction.atomic():
        entity.kind, entity.account_number, entity.account_bank, entity.resumed_on = new
        entity.save(update_fields=["kind", "account_number", "account_bank", "resumed_on"])
    return True


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


# --- corrections and removals ------------------------------------------------------------
def _household_state(household: PoorHousehold) -> list[str]:
    return [household.number, household.account_number, household.account_bank,
            household.registered_on.isoformat() if household.registered_on else ""]


def household_version(household: PoorHousehold) -> str:
    """What an edit form saw (a hidden field): an edit made on an older view of the
    household than the one stored is refused instead of overwriting a newer change."""
    return _version(_household_state(household))


def _version(state: list[str]) -> str:
    return hashlib.sha256(json.dumps(state, ensure_ascii=False).encode()).hexdigest()[:20]


def update_household(
    actor: Any, household: PoorHousehold, *, number: str, account_number: str,
    account_bank: str, registered_on: date | None, seen: str = "",
) -> PoorHousehold:
    """Correct a household's registration number, 一卡通 account, bank and registration
    day. An empty ``account_number`` keeps the stored one (the form shows it masked).
    ``seen``: the ``household_version`` the form was made from; if the household changed
    since (someone else's edit) and this edit would change it again, it is refused. The
    same edit sent twice changes nothing the second time. Audited (change history)."""
    require_capability(actor, Cap.EDIT, household.unit_path)
    errors: dict[str, list[str]] = {}
    number = " ".join((number or "").split())
    if not number:
        errors["number"] = [_("Enter the household's registration number.")]
    if (account_number or "").strip():
        try:
            account_number = clean_account(account_number)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not (account_bank or "").strip():
        errors["account_bank"] = [_("Enter the bank of the account.")]
    if number and PoorHousehold.objects.filter(number=number).exclude(
            pk=household.pk).exists():
        errors["number"] = [_("A household with this registration number is already "
                              "registered.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        current = PoorHousehold.objects.select_for_update().get(pk=household.pk)
        before = _household_state(current)
        current.number = number
        if (account_number or "").strip():
            current.account_number = account_number
        current.account_bank = account_bank.strip()
        current.registered_on = registered_on
        after = _household_state(current)
        if after == before:
            return current
        if seen and seen != _version(before):
            raise ValidationError(_(
                "Someone changed this household after you opened the form. The form now "
                "shows the current values; make your change again."), code="stale")
        if PoorHousehold.objects.filter(number=number).exclude(pk=current.pk).exists():
            raise ValidationError({"number": [_(
                "A household with this registration number is already registered.")]})
        try:
            with transaction.atomic():
                current.save(update_fields=["number", "account_number", "account_bank",
                                            "registered_on"])
        except IntegrityError:
            raise ValidationError({"number": [_(
                "A household with this registration number is already registered.")]}
            ) from None
    return current


def removal_refusal(household: PoorHousehold) -> str:
    """Why the household cannot be removed ("" if it can): a household with
    applications stays in the register, because its applications, frozen results and
    payments are the record of what was paid to whom."""
    applications = household.applications.all()
    if not applications.exists():
        return ""
    payment = (Payment.objects.filter(application__household=household)
               .exclude(status=PaymentStatus.RETURNED).select_related("batch")
               .order_by("batch__prepared_on", "pk").first())
    if payment is not None:
        return _("This household was paid by payment batch %(batch)s: it stays in the "
                 "register as the record of that payment.") % {"batch": payment.batch.number}
    return _("This household has %(n)d application(s): it stays in the register as their "
             "record. Reject the applications that were made by mistake instead.") % {
        "n": applications.count()}


def remove_household(actor: Any, household: PoorHousehold) -> None:
    """Remove a household registered by mistake (with its members and the links to
    entities that lead it or employ its members). Refused with the reason
    (``removal_refusal``) when it has applications. The removal and each member's are in
    the change history; the people stay in the registry."""
    require_capability(actor, Cap.EDIT, household.unit_path)
    with acting_as(actor), transaction.atomic():
        current = PoorHousehold.objects.select_for_update().filter(pk=household.pk).first()
        if current is None:  # removed meanwhile (sent twice)
            return
        refusal = removal_refusal(current)
        if refusal:
            raise ValidationError(refusal, code="has_applications")
        for worker in EntityWorker.objects.filter(member__household=current):
            worker.delete()
        for member in current.members.all():
            member.delete()
        current.led_by.clear()
        current.delete()


def update_member(actor: Any, member: PoorMember, *, relation: str,
                  away_from: date | None, away_to: date | None) -> PoorMember:
    """Correct a member's relation to the head and months away (measure 2). The name
    and ID number are the person's, corrected in the person registry. Audited."""
    require_capability(actor, Cap.EDIT, member.household.unit_path)
    if away_to is not None and away_from is None:
        raise ValidationError({"away_from": [_("Give the day of departure too.")]})
    if away_to is not None and away_to < away_from:
        raise ValidationError({"away_to": [_("The return is before the departure.")]})
    relation = (relation or "").strip()
    if len(relation) > PoorMember._meta.get_field("relation").max_length:
        raise ValidationError({"relation": [_("At most %(n)d characters.") % {
            "n": PoorMember._meta.get_field("relation").max_length}]})
    with acting_as(actor), transaction.atomic():
        member.relation, member.away_from, member.away_to = relation, away_from, away_to
        member.save(update_fields=["relation", "away_from", "away_to"])
    return member


def remove_member(actor: Any, member: PoorMember) -> list[str]:
    """Take a member off the household (moved out, died, listed by mistake): the names
    of the entities where they were counted as a registered poor worker, whose worker
    rows go with them. Results already frozen keep the member as counted then (the
    facts are stored by value). The head is not removed: the household is theirs.
    Audited; the person stays in the registry."""
    require_capability(actor, Cap.EDIT, member.household.unit_path)
    if member.person_id == member.household.head_id:
        raise ValidationError(_("The head of household cannot be removed from it. If the "
                                "household was registered by mistake, remove the "
                                "household."), code="head")
    with acting_as(actor), transaction.atomic():
        current = PoorMember.objects.select_for_update().filter(pk=member.pk).first()
        if current is None:  # removed meanwhile (sent twice)
            return []
        entities = []
        for worker in current.jobs.select_related("entity"):
            entities.append(worker.entity.name)
            worker.delete()
        current.delete()
    return entities
