"""Venues, courses, sessions and their topics; the distanced seat plan."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from fangkong.core.audit import acting_as
from fangkong.core.models import OrgUnit
from fangkong.core.roles import Cap
from fangkong.core.scoping import require_capability
from fangkong.core.unique import get_or_create_unique
from fangkong.training.models import AttendMode, Course, Mode, Seat, Session, Topic, Venue

SEAT_MAP_CHARS = frozenset("S_x")


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def seat_plan(session: Session) -> list[Seat]:
    """The seats trainees may take, front to back, left to right: of the room's rows one
    in ``row_spacing``, of each row's places one in ``seat_spacing`` (so with 2 there is
    an empty seat between any two trainees), seats out of use left out."""
    if not session.in_room or session.venue is None:
        return []
    seats = []
    for row, line in enumerate(session.venue.grid(), start=1):
        if (row - 1) % session.row_spacing:
            continue
        for number, place in enumerate(line, start=1):
            if (number - 1) % session.seat_spacing == 0 and place == "S":
                seats.append(Seat(row, number))
    return seats


def capacity(session: Session) -> int | None:
    """Trainees the session can take: the distanced seats in the room, for an
    online-only session its online places (None: no limit)."""
    if session.in_room:
        return len(seat_plan(session))
    return session.online_limit


def online_places_left(session: Session, taken: int) -> int | None:
    if session.online_limit is None:
        return None
    return max(session.online_limit - taken, 0)


def save_venue(actor: Any, unit: OrgUnit, *, name: str, rows: int, seats_per_row: int,
               address: str = "", seat_map: str = "") -> tuple[Venue, bool]:
    """A room of ``unit`` (the same name again brings it to these values)."""
    require_capability(actor, Cap.EDIT, unit.path)
    errors: dict[str, list[str]] = {}
    name = _text(name, 100)
    if not name:
        errors["name"] = [_("Give the room a name.")]
    if not 1 <= rows <= 60:
        errors["rows"] = [_("A room has 1 to 60 rows.")]
    if not 1 <= seats_per_row <= 60:
        errors["seats_per_row"] = [_("A row has 1 to 60 seats.")]
    lines = [line.strip() for line in (seat_map or "").strip().splitlines() if line.strip()]
    if lines:
        if any(set(line) - SEAT_MAP_CHARS for line in lines):
            errors["seat_map"] = [_("Use only S (a seat), _ (no seat) and x (a seat out "
                                    "of use), one line per row.")]
        elif len(lines) > 60 or max(len(line) for line in lines) > 60:
            errors["seat_map"] = [_("A seat map has at most 60 rows of 60 places.")]
        elif not any("S" in line for line in lines):
            errors["seat_map"] = [_("The seat map has no seat.")]
        else:
            rows, seats_per_row = len(lines), max(len(line) for line in lines)
    if errors:
        raise ValidationError(errors)
    values = {"rows": rows, "seats_per_row": seats_per_row,
              "address": _text(address, 200), "seat_map": "\n".join(lines)}
    with acting_as(actor), transaction.atomic():
        venue, created = get_or_create_unique(Venue.objects, {"org_unit": unit, "name": name},
                                              values)
        if not created and any(getattr(venue, k) != v for k, v in values.items()):
            if venue.sessions.exists():
                raise ValidationError({"name": [_(
                    "This room already has sessions; give the changed room a new name.")]})
            for k, v in values.items():
                setattr(venue, k, v)
            venue.save()
        return venue, created


def create_course(actor: Any, unit: OrgUnit, *, client_id: uuid.UUID | str, title: str,
                  audience: str = "", description: str = "") -> tuple[Course, bool]:
    require_capability(actor, Cap.EDIT, unit.path)
    title = _text(title, 100)
    if not title:
        raise ValidationError({"title": [_("Give the course a title.")]})
    with acting_as(actor), transaction.atomic():
        return Course.create_keyed(client_id, same={
            "org_unit": unit, "title": title, "audience": _text(audience, 200),
            "description": str(description or "").strip()[:2000],
        }, defaults={"created_by": actor})


def create_session(actor: Any, course: Course, *, client_id: uuid.UUID | str,
                   starts_at: datetime, ends_at: datetime, mode: str,
                   venue: Venue | None = None, seat_spacing: int = 2, row_spacing: int = 1,
                   online_link: str = "", online_limit: int | None = None,
                   planned: int | None = None) -> tuple[Session, bool]:
    """A new sitting of ``course`` (numbered next). ``planned``: the trainees expected,
    refused when the distanced room (and the online places) cannot take them."""
    require_capability(actor, Cap.EDIT, course.unit_path)
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The session ends after it starts.")]
    if mode not in Mode.values:
        errors["mode"] = [_("Choose how the session is held.")]
    in_room = mode in (Mode.OFFLINE, Mode.BOTH)
    online = mode in (Mode.ONLINE, Mode.BOTH)
    if in_room and venue is None:
        errors["venue"] = [_("A session in a room needs its venue.")]
    if venue is not None and not course.unit_path.startswith(venue.unit_path) \
            and not venue.unit_path.startswith(course.unit_path):
        errors["venue"] = [_("Choose a venue of the course's area.")]
    if online and not online_link:
        errors["online_link"] = [_("A session online needs the link trainees join by.")]
    if not 1 <= seat_spacing <= 5:
        errors["seat_spacing"] = [_("Use one seat in 1 to 5.")]
    if not 1 <= row_spacing <= 5:
        errors["row_spacing"] = [_("Use one row in 1 to 5.")]
    if online_limit is not None and online_limit < 0:
        errors["online_limit"] = [_("Online places cannot be negative.")]
    probe = Session(course=course, mode=mode, venue=venue if in_room else None,
                    seat_spacing=seat_spacing, row_spacing=row_spacing,
                    online_limit=online_limit if online else None)
    if not errors and planned is not None:
        room = len(seat_plan(probe)) if in_room else 0
        remote = (online_limit if online_limit is not None else None) if online else 0
        if remote == 0 and planned > room:
            errors["planned"] = [_(
                "%(planned)d trainees do not fit: seated apart (one seat in %(n)d, one row "
                "in %(m)d) the room takes %(room)d. Use a larger room, add a session or hold "
                "it online as well.") % {"planned": planned, "n": seat_spacing,
                                         "m": row_spacing, "room": room}]
        elif remote is not None and planned > room + remote:
            errors["planned"] = [_(
                "%(planned)d trainees do not fit: seated apart (one seat in %(n)d, one row "
                "in %(m)d) the room takes %(room)d, online places %(remote)d. Use a larger "
                "room, add a session or add online places.") % {
                    "planned": planned, "n": seat_spacing, "m": row_spacing, "room": room,
                    "remote": remote}]
    if errors:
        raise ValidationError(errors)
    same = {"course": course, "org_unit_id": course.org_unit_id, "starts_at": starts_at,
            "ends_at": ends_at, "mode": mode, "venue": probe.venue,
            "seat_spacing": seat_spacing, "row_spacing": row_spacing,
            "online_link": online_link if online else "", "online_limit": probe.online_limit}
    for _attempt in range(3):
        existing = Session.objects.filter(client_id=client_id).first()
        if existing is not None:
            existing.check_same(same)
            return existing, False
        number = (Session.objects.filter(course=course).aggregate(n=Max("number"))["n"]
                  or 0) + 1
        try:
            with acting_as(actor), transaction.atomic():
                return Session.create_keyed(client_id, same=same, defaults={
                    "number": number, "created_by": actor})
        except IntegrityError:
            continue  # another session took the number: count again
    raise ValidationError({"starts_at": [_("The course was changed meanwhile; send again.")]})


def add_topic(actor: Any, session: Session, *, title: str, trainer: str,
              trainer_title: str = "", mode: str = AttendMode.OFFLINE) -> Topic:
    require_capability(actor, Cap.EDIT, session.unit_path)
    errors: dict[str, list[str]] = {}
    title, trainer = _text(title, 100), _text(trainer, 50)
    if not title:
        errors["title"] = [_("Give the topic.")]
    if not trainer:
        errors["trainer"] = [_("Name the trainer.")]
    if mode not in AttendMode.values:
        errors["mode"] = [_("Choose how the topic is given.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        order = (session.topics.aggregate(n=Max("order"))["n"] or 0) + 1
        topic, _created = get_or_create_unique(Topic.objects, {
            "session": session, "title": title}, {
                "order": order, "trainer": trainer,
                "trainer_title": _text(trainer_title, 100), "mode": mode})
        return topic
