"""Door-to-door screening, inspections, patrols and residents' tips."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.checkpoints import alerts
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
from fangkong.core.audit import acting_as
from fangkong.core.models import Alert, OrgUnit
from fangkong.core.models.accounts import Cap
from fangkong.core.registries import Severity
from fangkong.core.scoping import require_capability, scope_for
from fangkong.core.services.alerts import close_alert, open_alert
from fangkong.core.services.people import PersonData, link_person
from fangkong.core.unique import get_or_create_unique, save_unique
from fangkong.lib.dates import check_record_day
from fangkong.lib.identity import IdentityError, validate_contact_phone


def save_household(
    actor: Any, community: OrgUnit, *, number: str, address: str, phone: str = "",
    notes: str = "", new_only: bool = False, client_id: uuid.UUID | None = None,
) -> tuple[Household, bool]:
    """Create the household with this number, or update its address and phone (the
    import's way); ``new_only`` (the "new household" page) refuses a number in use
    instead of overwriting that household's address. The page sends its ``client_id``:
    the same form sent again (back, then send) answers the household it created."""
    require_capability(actor, Cap.EDIT, community.path)
    number, address, errors = _clean_household(number, address, notes)
    if phone:
        try:
            phone = validate_contact_phone(phone)
        except IdentityError as exc:
            errors["phone"] = [str(exc.message)]
    same = {"org_unit": community, "number": number, "address": address, "phone": phone,
            "notes": notes or ""}
    if client_id is not None and not errors:
        sent_before = Household.objects.filter(client_id=client_id).first()
        if sent_before is not None:
            sent_before.check_same(same)
            return sent_before, False
    if new_only and number:
        in_use = Household.objects.filter(org_unit=community, number=number).first()
        if in_use is not None and client_id is not None and in_use.client_id == client_id \
                and not errors:  # the same form, sent twice at once: its twin won
            in_use.check_same(same)
            return in_use, False
        if in_use is not None:
            errors["number"] = _number_in_use(number).messages
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        household, created = get_or_create_unique(
            Household.objects, {"org_unit": community, "number": number},
            {"address": address, "phone": phone, "notes": notes or "",
             **({"client_id": client_id} if client_id else {})},
        )
        if not created and client_id is not None and household.client_id == client_id:
            return household, False  # the same form, sent twice at once
        if not created and new_only:  # registered by a concurrent request meanwhile
            raise ValidationError({"number": _number_in_use(number)})
        if not created:
            changed = {k: v for k, v in (("address", address), ("phone", phone),
                                         ("notes", notes)) if v and getattr(household, k) != v}
            if changed:
                for key, value in changed.items():
                    setattr(household, key, value)
                household.save(update_fields=[*changed, "updated_at"])
    return household, created


def _clean_household(number: str, address: str, notes: str) -> tuple[str, str, dict]:
    number = " ".join((number or "").split())
    address = (address or "").strip()
    errors: dict[str, list[str]] = {}
    if not number:
        errors["number"] = [_("Give the household number.")]
    if not address:
        errors["address"] = [_("Give the address.")]
    for name, value in (("number", number), ("address", address), ("notes", notes or "")):
        limit = Household._meta.get_field(name).max_length
        if len(value) > limit and name not in errors:
            errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
    return number, address, errors


def edit_household(
    actor: Any, household: Household, *, number: str, address: str, phone: str = "",
    notes: str = "", assigned_to: Any = None,
) -> Household:
    """Correct a household: its number, address, contact phone, notes and the worker it
    is assigned to (one who may edit its community). Audited like every change."""
    require_capability(actor, Cap.EDIT, household.unit_path)
    number, address, errors = _clean_household(number, address, notes)
    if phone:
        try:
            phone = validate_contact_phone(phone)
        except IdentityError as exc:
            errors["phone"] = [str(exc.message)]
    if number and number != household.number and Household.objects.filter(
            org_unit_id=household.org_unit_id, number=number).exclude(pk=household.pk).exists():
        errors["number"] = _number_in_use(number).messages
    if assigned_to is not None and not scope_for(assigned_to).can(Cap.EDIT,
                                                                  household.unit_path):
        errors["assigned_to"] = [_("Choose a worker of this community.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        household.number, household.address, household.phone = number, address, phone
        household.notes, household.assigned_to = notes or "", assigned_to
        try:
            save_unique(household)
        except ValidationError:
            raise ValidationError({"number": _number_in_use(number)}) from None
    return household


def _number_in_use(number: str) -> ValidationError:
    return ValidationError(_("Household %(number)s is already registered here.") % {
        "number": number})


def add_member(
    actor: Any, household: Household, person: PersonData, *, relation: str, permanent: bool,
    client_id: uuid.UUID | None = None,
) -> tuple[HouseholdMember, bool]:
    """Add a person to a household; a person already counted in this community elsewhere
    is refused (one person, one place in the population). The same person sent again
    (the form sent twice) updates the member instead of adding one."""
    require_capability(actor, Cap.EDIT, household.unit_path)
    with acting_as(actor), transaction.atomic():
        who = link_person(actor, person, household.org_unit)
        member, created = get_or_create_unique(
            HouseholdMember.objects.select_related("household"),
            {"org_unit_id": household.org_unit_id, "person": who},
            {"household": household, "name": person.name, "phone": person.phone,
             "relation": relation, "permanent": permanent,
             **({"client_id": client_id} if client_id else {})},
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


def remove_member(actor: Any, member: HouseholdMember) -> None:
    """Take a person off a household (moved away, listed by mistake). The removal is in
    the change history; the person stays in the registry."""
    require_capability(actor, Cap.EDIT, member.unit_path)
    with acting_as(actor), transaction.atomic():
        if HouseholdMember.objects.filter(pk=member.pk).exists():  # not removed meanwhile
            member.delete()


def record_visit(
    actor: Any, household: Household, *, visited_on: date, client_id: uuid.UUID | None = None,
    people_present: int = 0, from_hubei: bool = False, hubei_vehicle: bool = False,
    symptoms: bool = False, contact: bool = False, notes: str = "",
    made_at: datetime | None = None,
) -> tuple[ScreeningVisit, bool]:
    """Record a visit. Every visit is kept (a second one the same day is a second
    record); the form's ``client_id`` makes the same form sent twice (a retry, the
    back button, the phone's queue) one visit, and the same key with other content a
    ``KeyConflict`` (a caller without one, e.g. an import, records a new visit each
    time).

    ``made_at`` is when the visit was made on the phone (``core.capture``): a visit
    queued offline that arrives after its day was reported is kept in its day, flagged
    ``arrived_late`` and announced (``KeyedModel.create_keyed`` does both).

    A visit that found something (fever or cough, someone from Hubei, a Hubei plate, a
    contact with a case) opens the household's follow-up: an alert of kind
    ``visit_finding`` in the community, one open per household, closed by
    ``follow_up_household``."""
    require_capability(actor, Cap.EDIT, household.unit_path)
    check_record_day(visited_on, "visited_on")
    same = {
        "household": household, "visited_on": visited_on, "people_present": people_present,
        "from_hubei": from_hubei, "hubei_vehicle": hubei_vehicle, "symptoms": symptoms,
        "contact": contact, "notes": (notes or "").strip(),
        "org_unit_id": household.org_unit_id,
    }
    with acting_as(actor), transaction.atomic():
        visit, created = ScreeningVisit.create_keyed(
            client_id or uuid.uuid4(), same=same,
            defaults={"visited_by": actor, "made_at": made_at}, actor=actor)
        if visit.flagged:
            open_follow_up(actor, household, visit)
    return visit, created


def follow_up_subject(household: Household | int) -> str:
    """The follow-up alert's subject: ``checkpoints.household:<pk>`` (as ``subject_of``)."""
    return f"{Household._meta.label_lower}:{getattr(household, 'pk', household)}"


def open_follow_up(actor: Any, household: Household, visit: ScreeningVisit, *,
                   at: datetime | None = None) -> Alert:
    """Open (or find, one per household) the follow-up of what ``visit`` found."""
    findings = "、".join(visit.flag_labels())
    severity = Severity.CRITICAL if visit.symptoms or visit.contact else None
    return open_alert(
        kind=alerts.VISIT_FINDING, org_unit=household.org_unit, actor=actor, opened_at=at,
        subject=follow_up_subject(household), severity=severity,
        title=_("Household %(number)s: %(findings)s") % {
            "number": household.number, "findings": findings},
        detail=_("Door-to-door visit on %(day)s found: %(findings)s. Follow the household "
                 "up and record what was done.") % {
            "day": visit.visited_on.isoformat(), "findings": findings},
    )


def follow_ups(households) -> Any:
    """The follow-up alerts of these households (a queryset of them), newest first."""
    subjects = [follow_up_subject(pk) for pk in households.values_list("pk", flat=True)]
    return Alert.objects.filter(kind=alerts.VISIT_FINDING.code, subject__in=subjects)


def follow_up_household(actor: Any, household: Household, alert: Alert, *,
                        outcome: str) -> Alert:
    """Record the follow-up of a household's finding: closes its alert with what was
    done (``core.services.alerts.close_alert`` authorises and audits)."""
    require_capability(actor, Cap.EDIT, household.unit_path)
    if alert.kind != alerts.VISIT_FINDING.code or alert.subject != follow_up_subject(household):
        raise Http404
    return close_alert(alert, actor=actor, outcome=outcome)


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
            caller_phone = validate_contact_phone(caller_phone)
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
