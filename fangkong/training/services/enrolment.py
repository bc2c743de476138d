"""Enrolment: a person of a business in a session, once, on a distanced seat."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.audit import acting_as
from fangkong.core.models import KeyConflict
from fangkong.core.roles import Cap
from fangkong.core.scoping import require_capability
from fangkong.core.services.people import PersonData, link_person
from fangkong.core.unique import get_or_create_unique
from fangkong.training.models import (
    AttendMode,
    Business,
    BusinessKind,
    Enrolment,
    Session,
    Source,
)
from fangkong.training.services.courses import seat_plan


class SessionFull(ValidationError):
    """No distanced seat (or online place) is left; the message says how many there are."""


def _business(session: Session, name: str, kind: str) -> Business:
    business, _created = get_or_create_unique(
        Business.objects, {"org_unit": session.org_unit, "name": name}, {"kind": kind})
    return business


def _same(existing: Enrolment, session: Session, data: PersonData, attend_mode: str) -> None:
    if (existing.session_id != session.pk or existing.person.id_number != data.id_number
            or existing.attend_mode != attend_mode):
        raise KeyConflict.on_key()


def enrol(actor: Any, session: Session, *, client_id: uuid.UUID | str, person: PersonData,
          business_name: str, business_kind: str, attend_mode: str,
          role_at_business: str = "", source: str = Source.STAFF,
          now: Any = None) -> tuple[Enrolment, bool]:
    """Enrol ``person`` (already validated: ``core.services.people.clean_person_data``)
    of the business ``business_name`` in ``session``; ``(enrolment, created)``.

    ``actor`` None is the public enrolment page (anyone with the session's link).
    In the room the trainee gets the first free seat of the distanced plan; a full
    session, a person already enrolled, a session that is over are refused with a
    message on the field concerned, and nothing is saved. The same ``client_id`` again
    (a retry, a double tap) answers the first enrolment."""
    if actor is not None:
        require_capability(actor, Cap.EDIT, session.unit_path)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    business_name = " ".join(str(business_name or "").split())[:100]
    if not business_name:
        errors["business_name"] = [_("Give the name of the hotel, restaurant or business.")]
    if business_kind not in BusinessKind.values:
        errors["business_kind"] = [_("Choose the type of business.")]
    allowed = ([AttendMode.OFFLINE] if session.in_room else []) + (
        [AttendMode.ONLINE] if session.online else [])
    if attend_mode not in allowed:
        errors["attend_mode"] = [_("This session is held %(mode)s only.") % {
            "mode": session.get_mode_display()}]
    if now >= session.ends_at:
        errors["__all__"] = [_("This session is over; enrolment has closed.")]
    if errors:
        raise ValidationError(errors)

    existing = Enrolment.objects.filter(client_id=client_id).select_related("person").first()
    if existing is not None:
        _same(existing, session, data=person, attend_mode=attend_mode)
        return existing, False
    try:
        with acting_as(actor), transaction.atomic():
            return _enrol(actor, session, client_id, person, business_name,
                          business_kind, attend_mode, role_at_business, source, now)
    except IntegrityError:
        # A racing submission of the same key, or of the same person, won.
        existing = (Enrolment.objects.filter(client_id=client_id).select_related("person")
                    .first())
        if existing is not None:
            _same(existing, session, data=person, attend_mode=attend_mode)
            return existing, False
        if Enrolment.objects.filter(session=session, person__id_number=person.id_number
                                    ).exists():
            raise _already(session) from None
        raise


def _already(session: Session) -> ValidationError:
    return ValidationError({"id_number": [_(
        "This ID card number is already enrolled in this session.")]})


def _enrol(actor: Any, session: Session, client_id: Any, data: PersonData, business_name: str,
           business_kind: str, attend_mode: str, role_at_business: str,
           source: str, now: Any) -> tuple[Enrolment, bool]:
    # The lock orders the enrolments of one session: the seats counted below are the
    # seats taken when this one is written.
    locked = (Session.objects.select_for_update(of=("self",)).select_related("venue", "org_unit")
              .get(pk=session.pk))
    # The same submission may have been written while this one waited for the lock.
    same = Enrolment.objects.filter(client_id=client_id).select_related("person").first()
    if same is not None:
        _same(same, locked, data=data, attend_mode=attend_mode)
        return same, False
    if Enrolment.objects.filter(session=locked, person__id_number=data.id_number).exists():
        raise _already(locked)
    seat = None
    if attend_mode == AttendMode.OFFLINE:
        taken = set(locked.enrolments.filter(attend_mode=AttendMode.OFFLINE)
                    .values_list("seat_row", "seat_number"))
        plan = seat_plan(locked)
        free = [s for s in plan if (s.row, s.number) not in taken]
        if not free:
            message = _("The session is full: seated apart (one seat in %(n)d, one row in "
                        "%(m)d) the room takes %(capacity)d trainees.") % {
                "n": locked.seat_spacing, "m": locked.row_spacing, "capacity": len(plan)}
            if locked.online:
                message += " " + _("Enrol to follow it online instead.")
            raise SessionFull({"attend_mode": [message]})
        seat = free[0]
    elif locked.online_limit is not None:
        online = locked.enrolments.filter(attend_mode=AttendMode.ONLINE).count()
        if online >= locked.online_limit:
            raise SessionFull({"attend_mode": [_(
                "The %(n)d online places of this session are taken.") % {
                    "n": locked.online_limit}]})
    person = link_person(actor, data, locked.org_unit)
    business = _business(locked, business_name, business_kind)
    enrolment = Enrolment(
        client_id=client_id, org_unit_id=locked.org_unit_id, session=locked, person=person,
        business=business, role_at_business=" ".join(role_at_business.split())[:30],
        attend_mode=attend_mode, seat_row=seat.row if seat else None,
        seat_number=seat.number if seat else None, source=source,
        enrolled_by=actor, name=data.name, phone=data.phone, created_at=now)
    enrolment.save()
    return enrolment, True
