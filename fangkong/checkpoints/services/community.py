"""Door-to-door screening, inspections, patrols and residents' tips."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.checkpoints.models import (
    Household,
    HouseholdMember,
    Inspection,
    PatrolLog,
    ScreeningVisit,
    Tip,
    TipChannel,
    TipStatus,
)
from fangkong.core import capture
from fangkong.core.audit import acting_as
from fangkong.core.models import KeyConflict, OrgUnit
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import require_capability
from fangkong.core.services.people import PersonData, link_person
from fangkong.core.unique import get_or_create_unique
from fangkong.lib.dates import check_record_day
from fangkong.lib.identity import IdentityError, validate_phone


def save_household(
    actor: Any, community: OrgUnit, *, number: str, address: str, phone: str = "",
    notes: str = "", new_only: bool = False,
) -> tuple[Household, bool]:
    """Create the household with this number, or update its address and phone (the
    import's way); ``new_only`` (the "new household" page) refuses a number in use
    instead of overwriting that household's address."""
    require_capability(actor, Cap.EDIT, community.path)
    number = " ".join((number or "").split())
    errors: dict[str, list[str]] = {}
    if not number:
        errors["number"] = [_("Give the household number.")]
    if not (address or "").strip():
        errors["address"] = [_("Give the address.")]
    for name, value in (("number", number), ("address", (address or "").strip()),
                        ("notes", notes or "")):
        limit = Household._meta.get_field(name).max_length
        if len(value) > limit and name not in errors:
            errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
    if new_only and number and Household.objects.filter(org_unit=community,
                                                        number=number).exists():
        errors["number"] = _number_in_use(number).messages
    if phone:
        try:
            phone = validate_phone(phone)
        except IdentityError as exc:
            errors["phone"] = [str(exc.message)]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        household, created = get_or_create_unique(
            Household.objects, {"org_unit": community, "number": number},
            {"address": address.strip(), "phone": phone, "notes": notes},
        )
        if not created and new_only:  # registered by a concurrent request meanwhile
            raise ValidationError({"number": _number_in_use(number)})
        if not created:
            changed = {k: v for k, v in (("address", address.strip()), ("phone", phone),
                                         ("notes", notes)) if v and getattr(household, k) != v}
            if changed:
                for key, value in changed.items():
                    setattr(household, key, value)
                household.save(update_fields=[*changed, "updated_at"])
    return household, created


def _number_in_use(number: str) -> ValidationError:
    return ValidationError(_("Household %(number)s is already registered here.") % {
        "number": number})


def add_member(
    actor: Any, household: Household, person: PersonData, *, relation: str, permanent: bool,
) -> tuple[HouseholdMember, bool]:
    """Add a person to a household; a person already counted in this community elsewhere
    is refused (one person, one place in the population)."""
    require_capability(actor, Cap.EDIT, household.unit_path)
    with acting_as(actor), transaction.atomic():
        who = link_person(actor, person, household.org_unit)
        member, created = get_or_create_unique(
            HouseholdMember.objects.select_related("household"),
            {"org_unit_id": household.org_unit_id, "person": who},
            {"household": household, "name": person.name, "phone": person.phone,
             "relation": relation, "permanent": permanent},
        )
        if member.household_id != household.pk:
            raise ValidationError({"id_number": [_(
                "This person is already a member of household %(number)s."
            ) % {"number": member.household.number}]})
        if not created:
            typed = (person.name, person.phone or member.phone)
            if (member.relation, member.permanent, member.name, member.phone) != (
                    relation, permanent, *typed):
                member.relation, member.permanent = relation, permanent
                member.name, member.phone = typed
                member.save(update_fields=["relation", "permanent", "name", "phone",
                                           "updated_at"])
    return member, created


def record_visit(
    actor: Any, household: Household, *, visited_on: date, people_present: int = 0,
    from_hubei: bool = False, hubei_vehicle: bool = False, symptoms: bool = False,
    contact: bool = False, notes: str = "", client_id: uuid.UUID | None = None,
    made_at: datetime | None = None,
) -> tuple[ScreeningVisit, bool]:
    """One visit per household and day: a second one that day updates the first.

    The form's key (``client_id``) makes a resent visit (a retry, the phone's queue)
    find the visit it made instead of writing it again; the same key with other
    content is a ``KeyConflict``."""
    require_capability(actor, Cap.EDIT, household.unit_path)
    check_record_day(visited_on, "visited_on")
    values = {
        "people_present": people_present, "from_hubei": from_hubei,
        "hubei_vehicle": hubei_vehicle, "symptoms": symptoms, "contact": contact,
        "notes": (notes or "").strip(),
    }
    client_id = client_id or uuid.uuid4()
    with acting_as(actor), transaction.atomic():
        sent = ScreeningVisit.objects.filter(client_id=client_id).first()
        if sent is not None:
            if sent.household_id != household.pk:
                raise KeyConflict.on_key()
            sent.check_same({"visited_on": visited_on, **values})
            return sent, False
        visit = ScreeningVisit(household=household, visited_on=visited_on, made_at=made_at,
                               org_unit_id=household.org_unit_id,
                               unit_path=household.unit_path)
        late = capture.is_late(visit)
        visit, created = ScreeningVisit.objects.update_or_create(
            household=household, visited_on=visited_on, defaults={
                **values, "visited_by": actor, "org_unit_id": household.org_unit_id,
                "client_id": client_id, "made_at": made_at, "arrived_late": late},
        )
    if late:
        capture.announce_late(visit, actor)
    return visit, created


def record_inspection(
    actor: Any, community: OrgUnit, *, client_id: uuid.UUID, kind: str, place: str,
    day: date, venue_type: str = "other", found_open: bool = False, action: str = "",
    made_at: datetime | None = None,
) -> tuple[Inspection, bool]:
    require_capability(actor, Cap.EDIT, community.path)
    check_record_day(day, "day")
    if not (place or "").strip():
        raise ValidationError({"place": [_("Name the place.")]})
    with acting_as(actor), transaction.atomic():
        return Inspection.create_keyed(client_id, same={
            "org_unit": community, "kind": kind, "venue_type": venue_type,
            "place": place.strip(), "day": day, "found_open": found_open,
            "action": (action or "").strip(),
        }, defaults={"inspected_by": actor, "made_at": made_at})


def record_patrol(
    actor: Any, community: OrgUnit, *, client_id: uuid.UUID, day: date, area: str,
    gatherings_dispersed: int = 0, people_persuaded: int = 0, notes: str = "",
    made_at: datetime | None = None,
) -> tuple[PatrolLog, bool]:
    require_capability(actor, Cap.EDIT, community.path)
    check_record_day(day, "day")
    if gatherings_dispersed < 0 or people_persuaded < 0:
        raise ValidationError(_("Counts cannot be negative."))
    with acting_as(actor), transaction.atomic():
        return PatrolLog.create_keyed(client_id, same={
            "org_unit": community, "day": day, "area": (area or "").strip(),
            "gatherings_dispersed": gatherings_dispersed, "people_persuaded": people_persuaded,
            "notes": (notes or "").strip(),
        }, defaults={"recorded_by": actor, "made_at": made_at})


def record_tip(
    actor: Any, community: OrgUnit, *, client_id: uuid.UUID, channel: str, category: str,
    content: str, caller_name: str = "", caller_phone: str = "",
    received_at: datetime | None = None, made_at: datetime | None = None,
) -> tuple[Tip, bool]:
    """A tip taken by staff (``actor``) or sent by a resident from the public form.
    Without a time typed in, the tip was received when it was made on the phone
    (``made_at``, core.capture), which a queued tip sent later keeps."""
    if actor is not None or channel != TipChannel.ONLINE:  # the public form sends None
        require_capability(actor, Cap.EDIT, community.path)
    errors: dict[str, list[str]] = {}
    content = (content or "").strip()
    if not content:
        errors["content"] = [_("Say what is being reported.")]
    if caller_phone:
        try:
            caller_phone = validate_phone(caller_phone)
        except IdentityError as exc:
            errors["caller_phone"] = [str(exc.message)]
    received_at = received_at or made_at
    given_time = received_at is not None
    received_at = received_at or timezone.now()
    if received_at > timezone.now():
        errors["received_at"] = [_("The time is in the future.")]
    else:
        try:
            check_record_day(timezone.localdate(received_at), "received_at")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    same = {
        "org_unit": community, "channel": channel, "category": category,
        "content": content[:1000], "caller_name": (caller_name or "").strip()[:50],
        "caller_phone": caller_phone,
    }
    defaults = {
        "received_at": received_at,
        "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
        "made_at": made_at,
    }
    if given_time:  # a retry without a time is received "now" again: only a given one counts
        same["received_at"] = defaults.pop("received_at")
    with acting_as(actor), transaction.atomic():
        return Tip.create_keyed(client_id, same=same, defaults=defaults)


def dispatch_tip(actor: Any, tip: Tip, *, dispatched_to: str, at: datetime | None = None) -> Tip:
    require_capability(actor, Cap.EDIT, tip.unit_path)
    dispatched_to = (dispatched_to or "").strip()
    if not dispatched_to:
        raise ValidationError({"dispatched_to": [_("Say who was sent.")]})
    with acting_as(actor), transaction.atomic():
        tip = Tip.objects.select_for_update().get(pk=tip.pk)
        if tip.status != TipStatus.NEW:
            raise ValidationError(_("This tip was already dispatched."))
        tip.status = TipStatus.DISPATCHED
        tip.dispatched_to = dispatched_to[:100]
        tip.dispatched_at = max(at or timezone.now(), tip.received_at)
        tip.save(update_fields=["status", "dispatched_to", "dispatched_at", "updated_at"])
    return tip


def resolve_tip(actor: Any, tip: Tip, *, outcome: str, at: datetime | None = None) -> Tip:
    require_capability(actor, Cap.EDIT, tip.unit_path)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": [_("Say what was found and done.")]})
    with acting_as(actor), transaction.atomic():
        tip = Tip.objects.select_for_update().get(pk=tip.pk)
        if tip.status == TipStatus.RESOLVED:
            raise ValidationError(_("This tip is already resolved."))
        now = max(at or timezone.now(), tip.received_at)
        if tip.dispatched_at is None:
            tip.dispatched_at = now
        tip.status = TipStatus.RESOLVED
        tip.outcome = outcome[:300]
        tip.resolved_at = now
        tip.save(update_fields=["status", "outcome", "dispatched_at", "resolved_at",
                                "updated_at"])
    return tip
