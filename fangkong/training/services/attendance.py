"""Attendance: the QR code at the door (signed per session), the online join, the staff
check-in; one attendance per enrolment, only while the session's door is open."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fangkong.core.audit import acting_as
from fangkong.core.roles import Cap
from fangkong.core.scoping import require_capability
from fangkong.core.unique import get_or_create_unique
from fangkong.lib.identity import IdentityError, validate_id_number, validate_phone
from fangkong.training.models import Attendance, AttendMode, Enrolment, Method, Session

#: The door opens this long before the session starts (people queue, seated apart).
OPENS_BEFORE = timedelta(minutes=30)
SALT = "fangkong.training.checkin"


class CheckinClosed(ValidationError):
    """The session has not opened its door yet, or is over."""


def checkin_window(session: Session) -> tuple[datetime, datetime]:
    return session.starts_at - OPENS_BEFORE, session.ends_at


def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _require_open(session: Session, now: datetime, field: str = "__all__") -> None:
    opens, closes = checkin_window(session)
    if now < opens:
        raise CheckinClosed({field: [_(
            "Check-in for this session has not started: it opens at %(opens)s (the "
            "session starts at %(starts)s).") % {"opens": _local(opens),
                                                  "starts": _local(session.starts_at)}]})
    if now > closes:
        raise CheckinClosed({field: [_(
            "This session ended at %(ends)s; check-in is closed.") % {
                "ends": _local(closes)}]})


def checkin_token(session: Session) -> str:
    """The code in a session's door QR: the session's id signed with the site's key and
    the session's own key, so it names this session only and cannot be made for another
    by changing a number."""
    return signing.Signer(salt=SALT).sign(f"{session.pk}.{session.public_key}")


def session_for_token(token: str) -> Session | None:
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    pk, _sep, key = value.partition(".")
    if not pk.isdigit():
        return None
    return (Session.objects.select_related("course", "venue", "org_unit")
            .filter(pk=int(pk), public_key=key).first())


def check_in(actor: Any, enrolment: Enrolment, *, method: str, mask_worn: bool | None,
             now: datetime | None = None) -> tuple[Attendance, bool]:
    """Record that ``enrolment``'s trainee is here (or joined online); the first check-in
    stands, a second answers it with ``created`` false."""
    if actor is not None:
        require_capability(actor, Cap.EDIT, enrolment.unit_path)
    now = now or timezone.now()
    session = enrolment.session
    _require_open(session, now)
    if method == Method.ONLINE:
        if enrolment.attend_mode != AttendMode.ONLINE:
            raise ValidationError({"__all__": [_(
                "This trainee is enrolled to attend in the room, not online.")]})
        mask_worn = None
    else:
        if enrolment.attend_mode != AttendMode.OFFLINE:
            raise ValidationError({"__all__": [_(
                "This trainee is enrolled to follow the session online.")]})
        if not mask_worn:
            raise ValidationError({"mask_worn": [_(
                "Trainees in the room wear a mask: put one on, then check in.")]})
    with acting_as(actor):
        return get_or_create_unique(Attendance.objects, {"enrolment": enrolment}, {
            "session": session, "method": method, "mask_worn": mask_worn,
            "checked_in_at": now, "recorded_by": actor})


def check_in_at_door(session: Session, *, id_number: str, phone: str, mask_worn: bool,
                     now: datetime | None = None) -> tuple[Attendance, bool]:
    """The trainee scanned the session's door code: find their enrolment by ID card
    number and mobile number (both as enrolled) and check them in."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    number = clean_phone = ""
    try:
        number = validate_id_number(str(id_number or "")).number
    except IdentityError as exc:
        errors["id_number"] = [str(exc.message)]
    try:
        clean_phone = validate_phone(str(phone or ""))
    except IdentityError as exc:
        errors["phone"] = [str(exc.message)]
    if errors:
        raise ValidationError(errors)
    _require_open(session, now)
    enrolment = (Enrolment.objects.select_related("session", "session__course")
                 .filter(session=session, person__id_number=number).first())
    if enrolment is None or enrolment.phone != clean_phone:
        other = (Enrolment.objects.select_related("session", "session__course")
                 .filter(person__id_number=number, phone=clean_phone)
                 .exclude(session=session).order_by("-session__starts_at").first())
        if other is not None:
            raise ValidationError({"id_number": [_(
                "You are enrolled in %(session)s (%(starts)s), not in this session. Check "
                "in at that session's door.") % {"session": other.session,
                                                 "starts": _local(other.session.starts_at)}]})
        raise ValidationError({"id_number": [_(
            "No enrolment in this session has this ID card number and mobile number. "
            "Ask the staff at the door.")]})
    return check_in(None, enrolment, method=Method.QR, mask_worn=mask_worn, now=now)


def join_online(enrolment: Enrolment, now: datetime | None = None) -> tuple[Attendance, bool]:
    """A trainee enrolled online opens their join link while the session runs."""
    return check_in(None, enrolment, method=Method.ONLINE, mask_worn=None, now=now)
