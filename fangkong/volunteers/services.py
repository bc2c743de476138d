"""The only place volunteer records change. Each service authorises its actor and
writes under ``core.audit.acting_as`` in one transaction.

Who coordinates: territorial staff with ``edit`` above the record's unit, and the
member-unit liaison of the volunteers' organisation (``may_coordinate``). A volunteer
acts on their own assignments only (joining, confirming, checking in by QR, the duty
log). Sign-ups come from the public page without an account (``actor=None``).

Races: a sign-up locks its drive's row (the count and the moment it filled), joining a
shift locks the volunteer's row and then the shift's (overlaps and capacity), in that
order everywhere, so two requests cannot both take the last place or two overlapping
shifts; on SQLite every transaction is ``BEGIN IMMEDIATE`` (settings.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangkong.core.audit import acting_as
from fangkong.core.models import OrgUnit
from fangkong.core.models.accounts import Cap, Role
from fangkong.core.scoping import scope_for
from fangkong.core.services.notices import notify
from fangkong.core.services.people import clean_person_data, link_person
from fangkong.core.unique import get_or_create_unique
from fangkong.lib.identity import IdentityError, validate_contact_phone
from fangkong.volunteers.models import (
    ACTIVE,
    PLACED,
    Assignment,
    Certificate,
    Drive,
    DutyLog,
    Method,
    Political,
    Shift,
    Signup,
    SignupStatus,
    Site,
    Status,
    Task,
    Team,
    Volunteer,
)

#: A check-in left open is closed this long after its shift ended.
GRACE = timedelta(minutes=30)
#: A volunteer may check in this long before the shift starts.
EARLY = timedelta(minutes=60)
#: Under-staffed shifts are announced this long ahead.
AHEAD = timedelta(days=1)
SITE_SALT = "fangkong.volunteers.site"


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def _local(at: datetime) -> str:
    return timezone.localtime(at).strftime("%m-%d %H:%M")


# --- authorisation ---------------------------------------------------------------------

def may_coordinate(actor: Any, path: str, organisation_id: int | None = None,
                   capability: str = Cap.EDIT) -> bool:
    """Territorial staff with ``capability`` above ``path``, or the member-unit liaison
    of ``organisation_id``."""
    scope = scope_for(actor)
    if scope.covers(capability, path):
        return True
    return organisation_id is not None and any(
        g.role == Role.MEMBER_UNIT and g.organisation_id == organisation_id
        and capability in g.capabilities for g in scope.grants)


def may_coordinate_assignment(actor: Any, assignment: Assignment) -> bool:
    return may_coordinate(actor, assignment.shift.unit_path,
                          assignment.volunteer.organisation_id)


def _coordinator(actor: Any, path: str, organisation_id: int | None = None) -> None:
    if not may_coordinate(actor, path, organisation_id):
        raise PermissionDenied


def is_own(actor: Any, volunteer: Volunteer) -> bool:
    return actor is not None and volunteer.user_id is not None and volunteer.user_id == actor.pk


# --- drives and sign-ups ----------------------------------------------------------------

def create_drive(actor: Any, org_unit: OrgUnit, *, client_id: Any, title: str,
                 organisation: Any, target: int, opened_at: datetime,
                 closes_at: datetime | None = None, description: str = "",
                 team: Team | None = None) -> tuple[Drive, bool]:
    _coordinator(actor, org_unit.path, organisation.pk)
    errors: dict[str, list[str]] = {}
    title = _text(title, 80)
    if not title:
        errors["title"] = [_("Give the drive a title.")]
    if not target or int(target) < 1:
        errors["target"] = [_("Say how many volunteers are wanted (at least 1).")]
    if closes_at is not None and closes_at <= opened_at:
        errors["closes_at"] = [_("The drive must close after it opens.")]
    if team is not None and team.organisation_id not in (None, organisation.pk):
        errors["team"] = [_("This team belongs to another organisation.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        return Drive.create_keyed(client_id, same={
            "org_unit": org_unit, "title": title, "organisation": organisation,
            "target": int(target), "opened_at": opened_at, "closes_at": closes_at,
            "description": str(description or "").strip()[:2000], "team": team,
        }, defaults={"created_by": actor})


def drive_open(drive: Drive, now: datetime) -> str | None:
    """Why the drive takes no sign-ups now, or None."""
    if now < drive.opened_at:
        return _("This drive opens at %(at)s.") % {"at": _local(drive.opened_at)}
    if drive.closes_at is not None and now >= drive.closes_at:
        return _("This drive closed at %(at)s.") % {"at": _local(drive.closes_at)}
    return None


def _already(signup: Signup) -> ValidationError:
    return ValidationError({"id_number": [_(
        "This ID number already signed up to this drive (at %(at)s). There is no need to "
        "sign up again; the organisers will contact you.") % {"at": _local(signup.submitted_at)}]})


def sign_up(drive: Drive, *, client_id: Any, id_number: Any, name: Any, phone: Any,
            skills: str = "", political: str = Political.NONE, at: datetime | None = None,
            made_at: datetime | None = None) -> tuple[Signup, bool]:
    """A resident's sign-up from the public page: the ID number and contact phone are
    validated, the person linked to the registry (never changed there). The same
    person again is refused with a message saying so (a database constraint backs it);
    the same form sent again (its key) answers the first sign-up."""
    now = at or timezone.now()
    errors: dict[str, list[str]] = {}
    data = None
    try:
        data = clean_person_data(id_number=id_number, name=name)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        contact = validate_contact_phone(phone)
    except IdentityError as exc:
        errors["phone"] = [str(exc.message)]
    if political not in Political.values:
        errors["political"] = [_("Choose one.")]
    closed = drive_open(drive, now)
    if closed:
        errors.setdefault("__all__", []).append(closed)
    if errors:
        raise ValidationError(errors)
    assert data is not None
    done = Signup.objects.filter(client_id=client_id).first()
    if done is not None:  # the same form again: the first sign-up, unchanged
        done.check_same({"drive": drive, "name": data.name})
        return done, False
    with transaction.atomic():
        person = link_person(None, data, drive.org_unit)
        locked = Drive.objects.select_for_update().get(pk=drive.pk)
        earlier = Signup.objects.filter(drive=locked, person=person).first()
        if earlier is not None:
            raise _already(earlier)
        try:
            with transaction.atomic():
                signup, created = Signup.create_keyed(client_id, same={
                    "drive": locked, "person": person, "name": data.name,
                    "org_unit_id": locked.org_unit_id,
                }, defaults={"phone": contact, "skills": _text(skills, 120),
                             "political": political, "submitted_at": now,
                             "made_at": made_at})
        except IntegrityError:
            earlier = Signup.objects.filter(drive=locked, person=person).first()
            if earlier is None:
                raise
            raise _already(earlier) from None
        if created:
            locked.signup_count = F("signup_count") + 1
            locked.save(update_fields=["signup_count", "updated_at"])
            locked.refresh_from_db(fields=["signup_count"])
            if locked.filled_at is None and locked.signup_count >= locked.target:
                Drive.objects.filter(pk=locked.pk, filled_at__isnull=True).update(
                    filled_at=signup.submitted_at)
    return signup, created


def take_on(actor: Any, signup: Signup, *, user: Any = None) -> Volunteer:
    """Make a sign-up a volunteer of the drive's organisation and team (one profile per
    person: a person already volunteering keeps theirs)."""
    drive = signup.drive
    _coordinator(actor, drive.unit_path, drive.organisation_id)
    with acting_as(actor), transaction.atomic():
        volunteer, _created = get_or_create_unique(Volunteer.objects, {"person": signup.person}, {
            "name": signup.name, "phone": signup.phone[:11] if signup.phone[:1] == "1" else "",
            "org_unit_id": drive.org_unit_id, "organisation_id": drive.organisation_id,
            "team": drive.team, "political": signup.political, "skills": signup.skills,
            "user": user,
        })
        Signup.objects.filter(pk=signup.pk).update(status=SignupStatus.ACCEPTED,
                                                   volunteer=volunteer)
        signup.refresh_from_db()
        if signup.status != SignupStatus.ACCEPTED:  # pragma: no cover - audited update
            raise RuntimeError("sign-up not updated")
    return volunteer


def save_profile(actor: Any, volunteer: Volunteer, **fields: Any) -> Volunteer:
    """Change a profile (skills, availability, health declaration, team …): the
    coordinator, or the volunteer their own availability and health declaration."""
    own_fields = {"availability", "health_declared_on", "health_ok", "skills"}
    if not (may_coordinate(actor, volunteer.unit_path, volunteer.organisation_id)
            or (is_own(actor, volunteer) and set(fields) <= own_fields)):
        raise PermissionDenied
    moved = "organisation" in fields and _pk(fields["organisation"]) != volunteer.organisation_id
    if moved and fields["organisation"] is not None:
        # Into another organisation: only a coordinator of that one too.
        _coordinator(actor, volunteer.unit_path, fields["organisation"].pk)
    organisation_id = (_pk(fields["organisation"]) if "organisation" in fields
                       else volunteer.organisation_id)
    if "political" in fields and fields["political"] not in Political.values:
        raise ValidationError({"political": [_("Choose one.")]})
    team = fields.get("team", volunteer.team if moved else None)
    if team is not None and team.organisation_id not in (None, organisation_id):
        if "team" in fields:
            raise ValidationError({"team": [_("This team belongs to another organisation.")]})
        fields["team"] = None  # leaves the old organisation's team
    if fields.get("health_ok") and not fields.get("health_declared_on"):
        fields["health_declared_on"] = timezone.localdate()
    with acting_as(actor), transaction.atomic():
        for name, value in fields.items():
            setattr(volunteer, name, _text(value, 120) if isinstance(value, str) else value)
        volunteer.save()
        if "team" in fields and fields["team"] is None:
            for led in Team.objects.filter(leader=volunteer):
                led.leader = None
                led.save(update_fields=["leader", "updated_at"])
    return volunteer


def _pk(obj: Any) -> int | None:
    return None if obj is None else obj.pk


def enrol(actor: Any, org_unit: OrgUnit, *, id_number: Any, name: Any, phone: Any = "",
          organisation: Any = None, team: Team | None = None,
          political: str = Political.NONE, skills: str = "", availability: str = "",
          health_ok: bool = False, health_declared_on: date | None = None,
          user: Any = None, client_id: Any = None,
          phone_required: bool = False) -> tuple[Volunteer, bool]:
    """A volunteer taken on directly (an organisation's own staff, a community's party
    members): one profile per person; an existing profile is returned unchanged
    (``created`` is False: the page says the person is already a volunteer). From the
    page, ``client_id`` is the form's key: the same form sent again answers the profile
    it made."""
    _coordinator(actor, org_unit.path, organisation.pk if organisation else None)
    errors: dict[str, list[str]] = {}
    data = None
    try:
        data = clean_person_data(id_number=id_number, name=name, phone=phone,
                                 phone_required=phone_required)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if political not in Political.values:
        errors["political"] = [_("Choose one.")]
    if team is not None and team.organisation_id not in (None, _pk(organisation)):
        errors["team"] = [_("This team belongs to another organisation.")]
    if errors:
        raise ValidationError(errors)
    assert data is not None
    if client_id is not None:
        done = Volunteer.objects.filter(client_id=client_id).select_related("person").first()
        if done is not None:  # the same form again
            if done.person.id_number != data.id_number:
                from fangkong.core.models.scoped import KeyConflict

                raise KeyConflict.on_key()
            return done, False
    with acting_as(actor), transaction.atomic():
        person = link_person(actor, data, org_unit)
        return get_or_create_unique(Volunteer.objects, {"person": person}, {
            "name": data.name, "phone": data.phone, "org_unit": org_unit,
            "organisation": organisation, "team": team, "political": political,
            "skills": _text(skills, 120), "availability": _text(availability, 120),
            "health_ok": health_ok, "user": user, "client_id": client_id,
            "health_declared_on": (health_declared_on or timezone.localdate())
            if health_ok else None})


def pair(actor: Any, organisation: Any, community: OrgUnit, *,
         since: date | None = None) -> tuple[Any, bool]:
    """An organisation's paired community (包联社区): once per pair while it lasts
    (the page's ``record_pairing`` also checks the periods)."""
    from fangkong.volunteers.models import Pairing

    _coordinator(actor, community.path)
    with acting_as(actor):
        return get_or_create_unique(Pairing.objects, {"organisation": organisation,
                                                      "org_unit": community, "until": None},
                                    {"since": since})


def save_team(actor: Any, org_unit: OrgUnit, *, name: str,
              organisation: Any = None) -> tuple[Team, bool]:
    _coordinator(actor, org_unit.path, organisation.pk if organisation else None)
    name = _text(name, 60)
    if not name:
        raise ValidationError({"name": [_("Name the team.")]})
    with acting_as(actor):
        return get_or_create_unique(Team.objects, {"org_unit": org_unit, "name": name},
                                    {"organisation": organisation})


# --- sites and their QR codes --------------------------------------------------------------

def site_token(site: Site) -> str:
    """What a site's QR code carries: its id and code version, signed with the secret
    key. A photo of another site's code names that site; a changed one fails."""
    return signing.dumps([site.pk, site.qr_version], salt=SITE_SALT, compress=False)


def site_from_token(token: str) -> Site:
    bad = ValidationError({"code": [_(
        "This is not a valid site QR code of this platform. Scan the code posted at "
        "the site of your shift.")]})
    try:
        pk, version = signing.loads(str(token), salt=SITE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise bad from None
    site = Site.objects.filter(pk=pk).select_related("org_unit").first()
    if site is None:
        raise bad
    if site.qr_version != version:
        raise ValidationError({"code": [_(
            "This QR code of %(site)s was replaced by a new one. Scan the code now posted "
            "there.") % {"site": site.name}]})
    return site


def scan_url(site: Site) -> str:
    return reverse("volunteers:scan", args=[site_token(site)])


def save_site(actor: Any, org_unit: OrgUnit, *, name: str, kind: str,
              checkpoint: Any = None) -> tuple[Site, bool]:
    _coordinator(actor, org_unit.path)
    name = _text(name, 60)
    if not name:
        raise ValidationError({"name": [_("Name the site.")]})
    if checkpoint is not None and checkpoint.org_unit_id != org_unit.pk:
        raise ValidationError({"checkpoint": [_("The checkpoint is in another community.")]})
    with acting_as(actor):
        return get_or_create_unique(Site.objects, {"org_unit": org_unit, "name": name},
                                    {"kind": kind, "checkpoint": checkpoint})


def renew_site_code(actor: Any, site: Site) -> Site:
    """Retire every printed code of the site (a new version)."""
    _coordinator(actor, site.unit_path)
    with acting_as(actor), transaction.atomic():
        site.qr_version = F("qr_version") + 1
        site.save(update_fields=["qr_version", "updated_at"])
        site.refresh_from_db()
    return site


# --- shifts and the waiting list --------------------------------------------------------

def _window_errors(starts_at: datetime, ends_at: datetime,
                   earliest: datetime | None) -> dict[str, list[str]]:
    """What is wrong with a shift's time window. ``earliest`` (the pages give it: now,
    or on a copy of an old data set the start of its data day, ``core.dataday``) refuses
    a shift already over, or starting on an earlier day."""
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The shift must end after it starts.")]
    elif ends_at - starts_at > timedelta(hours=24):
        errors["ends_at"] = [_("A shift lasts at most 24 hours.")]
    if earliest is not None:
        if timezone.localdate(starts_at) < timezone.localdate(earliest):
            errors["starts_at"] = [_("A shift cannot start on a day before %(day)s.") % {
                "day": timezone.localdate(earliest).isoformat()}]
        elif ends_at <= earliest and "ends_at" not in errors:
            errors["ends_at"] = [_("This shift would already be over: give an end after "
                                   "%(at)s.") % {"at": _local(earliest)}]
    return errors


def create_shift(actor: Any, site: Site, *, client_id: Any, starts_at: datetime,
                 ends_at: datetime, capacity: int, tasks: str = "", requirements: str = "",
                 party_members_only: bool = False, made_at: datetime | None = None,
                 earliest: datetime | None = None) -> tuple[Shift, bool]:
    _coordinator(actor, site.unit_path)
    errors = _window_errors(starts_at, ends_at, earliest)
    if not capacity or int(capacity) < 1:
        errors["capacity"] = [_("A shift needs at least one volunteer.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        return Shift.create_keyed(client_id, same={
            "site": site, "org_unit_id": site.org_unit_id, "starts_at": starts_at,
            "ends_at": ends_at, "capacity": int(capacity), "tasks": _text(tasks, 120),
            "requirements": _text(requirements, 120),
            "party_members_only": bool(party_members_only),
        }, defaults={"created_by": actor, "made_at": made_at})


def edit_shift(actor: Any, shift: Shift, *, starts_at: datetime, ends_at: datetime,
               capacity: int, tasks: str | None = None, requirements: str | None = None,
               earliest: datetime | None = None, now: datetime | None = None) -> Shift:
    """Change a shift's window and capacity (and its tasks and requirements when given).
    Lowering the capacity below the places held (confirmed or offered) is refused with
    their number; raising it offers the new places to the waiting list in order. A new
    window is refused once someone has checked in (their credited time depends on it),
    and when it would put one of the shift's volunteers on two shifts at once."""
    now = now or timezone.now()
    _coordinator(actor, shift.unit_path)
    errors: dict[str, list[str]] = {}
    if not capacity or int(capacity) < 1:
        errors["capacity"] = [_("A shift needs at least one volunteer.")]
    moved = (starts_at, ends_at) != (shift.starts_at, shift.ends_at)
    if moved:
        errors.update(_window_errors(starts_at, ends_at, earliest))
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        locked = Shift.objects.select_for_update().get(pk=shift.pk)
        if locked.is_cancelled:
            raise ValidationError(_("This shift was cancelled: it cannot be changed."))
        held = Assignment.objects.filter(shift=locked, status__in=PLACED)
        placed = held.count()
        if int(capacity) < placed:
            errors["capacity"] = [ngettext(
                "%(n)d volunteer holds a place on this shift (confirmed or offered): the "
                "capacity cannot be lower. Cancel a place first.",
                "%(n)d volunteers hold a place on this shift (confirmed or offered): the "
                "capacity cannot be lower than that. Cancel places first.", placed) % {
                "n": placed}]
        if moved:
            if held.filter(check_in_at__isnull=False).exists():
                errors["starts_at"] = [_("A volunteer has checked in: the shift's times "
                                         "can no longer change.")]
            else:
                errors.update(_moved_clashes(locked, starts_at, ends_at))
        if errors:
            raise ValidationError(errors)
        locked.starts_at, locked.ends_at, locked.capacity = starts_at, ends_at, int(capacity)
        if tasks is not None:
            locked.tasks = _text(tasks, 120)
        if requirements is not None:
            locked.requirements = _text(requirements, 120)
        locked.save()
        while _promote(locked, now) is not None:
            pass
    shift.refresh_from_db()
    return shift


def _moved_clashes(shift: Shift, starts_at: datetime, ends_at: datetime) -> dict[str, list[str]]:
    """The shift's volunteers who would be on another shift at the new times (an
    overlap a coordinator allowed on joining stays allowed)."""
    rows = (Assignment.objects.filter(shift=shift, status__in=ACTIVE, override_reason="")
            .select_related("volunteer"))
    for a in rows:
        other = (Assignment.objects.filter(
            volunteer_id=a.volunteer_id, status__in=ACTIVE, shift__starts_at__lt=ends_at,
            shift__ends_at__gt=starts_at).exclude(shift=shift).select_related("shift__site")
            .first())
        if other is not None:
            return {"starts_at": [_(
                "%(name)s is on %(site)s %(start)s–%(end)s: at the new times they would be "
                "on two shifts at once.") % {
                "name": a.volunteer.masked_name, "site": other.shift.site.name,
                "start": _local(other.shift.starts_at),
                "end": timezone.localtime(other.shift.ends_at).strftime("%H:%M")}]}
    return {}


def cancel_shift(actor: Any, shift: Shift, *, reason: str,
                 now: datetime | None = None) -> Shift:
    """Cancel a shift, saying why: the shift is kept (cancelled, by whom, when, why), the
    places and the waiting list are cancelled with that reason, and each volunteer
    who held one is told by a notice. Refused once someone has checked in. A second
    cancellation changes nothing."""
    now = now or timezone.now()
    _coordinator(actor, shift.unit_path)
    reason = _text(reason, 200)
    if not reason:
        raise ValidationError({"reason": [_("Say why the shift is cancelled: the "
                                            "volunteers are told.")]})
    with acting_as(actor), transaction.atomic():
        locked = Shift.objects.select_for_update().select_related("site").get(pk=shift.pk)
        if locked.is_cancelled:
            shift.refresh_from_db()
            return shift
        if Assignment.objects.filter(shift=locked, check_in_at__isnull=False).exists():
            raise ValidationError({"reason": [_(
                "A volunteer has checked in: the shift can no longer be cancelled.")]})
        locked.cancelled_at, locked.cancelled_by, locked.cancel_reason = now, actor, reason
        locked.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason",
                                   "updated_at"])
        label = f"{locked.site.name} {_local(locked.starts_at)}"
        for a in (Assignment.objects.filter(shift=locked, status__in=ACTIVE)
                  .select_related("volunteer__user")):
            a.status, a.status_reason = Status.CANCELLED, _(
                "The shift was cancelled: %(reason)s") % {"reason": reason}
            a.save(update_fields=["status", "status_reason", "updated_at"])
            if a.volunteer.user_id:
                notify(a.volunteer.user, kind="volunteers.shift_cancelled",
                       key=f"volunteers.shift_cancelled:{a.pk}",
                       title=_("%(shift)s is cancelled") % {"shift": label},
                       body=_("Reason: %(reason)s") % {"reason": reason},
                       url=reverse("volunteers:mine"))
    shift.refresh_from_db()
    return shift


def overlapping(volunteer: Volunteer, shift: Shift) -> list[Assignment]:
    return list(Assignment.objects.filter(
        volunteer=volunteer, status__in=ACTIVE, shift__starts_at__lt=shift.ends_at,
        shift__ends_at__gt=shift.starts_at).exclude(shift=shift).select_related("shift__site"))


def join(actor: Any, shift: Shift, volunteer: Volunteer, *, override_reason: str = "",
         now: datetime | None = None) -> tuple[Assignment, bool]:
    """Put a volunteer on a shift (their own choice, or the coordinator's): a place if
    one is free, else the waiting list. Once per shift (a database constraint); a shift
    overlapping one of theirs is refused, unless a coordinator gives a reason."""
    now = now or timezone.now()
    coordinator = may_coordinate(actor, shift.unit_path, volunteer.organisation_id)
    if not coordinator and not is_own(actor, volunteer):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if shift.is_cancelled:
        errors["shift"] = [_("This shift was cancelled.")]
    elif shift.ends_at <= now:
        errors["shift"] = [_("This shift is over.")]
    if shift.party_members_only and volunteer.political != Political.PARTY:
        errors["volunteer"] = [_("This shift is for party members only.")]
    if not volunteer.health_ok:
        errors["volunteer"] = [_("The volunteer has not declared their health yet: no "
                                 "fever, no contact with a case in the last 14 days.")]
    if errors:
        raise ValidationError(errors)
    reason = _text(override_reason, 200)
    with acting_as(actor), transaction.atomic():
        Volunteer.objects.select_for_update().filter(pk=volunteer.pk).first()
        locked = Shift.objects.select_for_update().get(pk=shift.pk)
        existing = Assignment.objects.filter(shift=locked, volunteer=volunteer).first()
        if existing is not None and existing.status in ACTIVE:
            return existing, False
        if locked.is_cancelled:
            raise ValidationError({"shift": [_("This shift was cancelled.")]})
        clash = overlapping(volunteer, locked)
        if clash and not (coordinator and reason):
            other = clash[0].shift
            message = _("%(name)s is already on %(site)s %(start)s–%(end)s at that time: "
                        "one volunteer cannot be on two shifts at once.") % {
                "name": volunteer.masked_name, "site": other.site.name,
                "start": _local(other.starts_at), "end": timezone.localtime(other.ends_at)
                .strftime("%H:%M")}
            if coordinator:
                message += " " + _("To put them on both anyway, give the reason.")
            raise ValidationError({"override_reason" if coordinator else "shift": [message]})
        placed = Assignment.objects.filter(shift=locked, status__in=PLACED).count()
        status = Status.CONFIRMED if placed < locked.capacity else Status.WAITING
        values = {"status": status, "queued_at": now, "org_unit_id": locked.org_unit_id,
                  "override_reason": reason if clash else "",
                  "override_by": actor if clash else None, "offered_at": None,
                  "offer_expires_at": None, "status_reason": ""}
        if existing is not None:  # cancelled before: back again, at the end of the queue
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save()
            return existing, True
        return get_or_create_unique(Assignment.objects,
                                    {"shift": locked, "volunteer": volunteer}, values)


def offer_deadline(shift: Shift, now: datetime) -> datetime:
    """Until when a place offered now can be confirmed: the hours of the rule
    ``volunteers.offer_hours`` in force today (``volunteers.rules``), never beyond the
    shift's start; a place offered once the shift has started, until its end. With no
    version of the rule in force, until the shift starts."""
    from fangkong.core import rules
    from fangkong.volunteers.rules import OFFER_HOURS_CODE

    limit = shift.starts_at if shift.starts_at > now else shift.ends_at
    try:
        hours = rules.value_on(OFFER_HOURS_CODE, timezone.localdate(now)).typed
    except rules.NoRuleInForce:
        return limit
    return min(now + timedelta(hours=int(hours)), limit)


def _promote(shift: Shift, now: datetime) -> Assignment | None:
    """Offer a freed place to the first on the waiting list (the shift's row is locked
    by the caller); the volunteer is asked to confirm by ``offer_deadline``. A
    cancelled or finished shift offers nothing."""
    if shift.is_cancelled or shift.ends_at <= now:
        return None
    placed = Assignment.objects.filter(shift=shift, status__in=PLACED).count()
    if placed >= shift.capacity:
        return None
    first = (Assignment.objects.filter(shift=shift, status=Status.WAITING)
             .select_related("volunteer__user", "shift__site").order_by("queued_at", "pk")
             .first())
    if first is None:
        return None
    first.status, first.offered_at = Status.OFFERED, now
    first.offer_expires_at = offer_deadline(shift, now)
    first.save(update_fields=["status", "offered_at", "offer_expires_at", "updated_at"])
    if first.volunteer.user_id:
        notify(first.volunteer.user, kind="volunteers.offer",
               key=f"volunteers.offer:{first.pk}:{now.timestamp():.0f}",
               title=_("A place on %(shift)s is free for you: please confirm by %(by)s") % {
                   "shift": f"{shift.site.name} {_local(shift.starts_at)}",
                   "by": _local(first.offer_expires_at)},
               body=_("You were on the waiting list. Confirm that you will come, or "
                      "decline so that the next one gets the place. Not confirmed by "
                      "%(by)s, the place goes to the next one waiting.") % {
                   "by": _local(first.offer_expires_at)},
               url=reverse("volunteers:mine"))
    return first


def _expire(a: Assignment, now: datetime) -> None:
    """An offer not confirmed in time (the shift's row is locked by the caller)."""
    a.status = Status.EXPIRED
    a.status_reason = _("Not confirmed by %(by)s") % {"by": _local(a.confirm_by or now)}
    a.save(update_fields=["status", "status_reason", "updated_at"])


def _due_offers(now: datetime) -> Any:
    return Assignment.objects.filter(
        Q(offer_expires_at__lte=now)
        | Q(offer_expires_at__isnull=True, shift__starts_at__lte=now),
        status=Status.OFFERED)


def expire_offers(now: datetime | None = None) -> int:
    """Offers past their deadline expire (the reason kept on the assignment and in its
    history) and the place is offered to the next one waiting. Idempotent: an expired
    offer is not touched again, and the next offer has a deadline of its own."""
    now = now or timezone.now()
    expired = 0
    for shift_id in set(_due_offers(now).values_list("shift_id", flat=True)):
        with transaction.atomic():
            shift = Shift.objects.select_for_update().select_related("site").get(pk=shift_id)
            due = list(_due_offers(now).filter(shift=shift).select_related(
                "volunteer__user", "shift"))
            for a in due:
                _expire(a, now)
                if a.volunteer.user_id:
                    notify(a.volunteer.user, kind="volunteers.offer_expired",
                           key=f"volunteers.offer_expired:{a.pk}:"
                               f"{(a.offered_at or now).timestamp():.0f}",
                           title=_("The place on %(shift)s was not confirmed in time") % {
                               "shift": f"{shift.site.name} {_local(shift.starts_at)}"},
                           body=a.status_reason, url=reverse("volunteers:mine"))
                expired += 1
            while _promote(shift, now) is not None:
                pass
    return expired


def cancel(actor: Any, assignment: Assignment, *, now: datetime | None = None) -> Assignment:
    now = now or timezone.now()
    if not (is_own(actor, assignment.volunteer) or may_coordinate_assignment(actor, assignment)):
        raise PermissionDenied
    if assignment.check_in_at is not None:
        raise ValidationError(_("The volunteer has checked in: the shift cannot be cancelled."))
    with acting_as(actor), transaction.atomic():
        shift = Shift.objects.select_for_update().get(pk=assignment.shift_id)
        assignment.refresh_from_db()
        if assignment.status not in ACTIVE:  # cancelled, or an offer that expired
            return assignment
        assignment.status = Status.CANCELLED
        assignment.save(update_fields=["status", "updated_at"])
        _promote(shift, now)
    return assignment


def confirm(actor: Any, assignment: Assignment, *, now: datetime | None = None) -> Assignment:
    """The volunteer takes the place offered to them, before its deadline. Confirming
    twice is one confirmation; too late, the offer expires there and then (the place
    goes to the next one waiting) and the volunteer is told until when it was open."""
    now = now or timezone.now()
    if not is_own(actor, assignment.volunteer):
        raise PermissionDenied
    late = None
    with acting_as(actor), transaction.atomic():
        shift = Shift.objects.select_for_update().get(pk=assignment.shift_id)
        a = Assignment.objects.select_related("shift").get(pk=assignment.pk)
        if a.status == Status.OFFERED and a.confirm_by <= now:
            late = a.confirm_by
            _expire(a, now)
            while _promote(shift, now) is not None:
                pass
        elif a.status == Status.OFFERED:
            a.status = Status.CONFIRMED
            a.save(update_fields=["status", "updated_at"])
    assignment.refresh_from_db()
    if late is not None or assignment.status == Status.EXPIRED:
        raise ValidationError(_(
            "Too late: the place had to be confirmed by %(by)s, and went to the next one "
            "on the waiting list. Join the shift again to wait for another place.") % {
            "by": _local(late or assignment.offer_expires_at or shift.starts_at)})
    if assignment.status != Status.CONFIRMED:
        raise ValidationError(_("There is no place waiting for your confirmation."))
    return assignment


# --- check-in and check-out ----------------------------------------------------------------

def credited_minutes(shift: Shift, check_in: datetime, check_out: datetime) -> int:
    """The shift's window intersected with the time actually there."""
    start, end = max(shift.starts_at, check_in), min(shift.ends_at, check_out)
    return max(0, int((end - start).total_seconds() // 60))


def _scan_or_coordinator(actor: Any, assignment: Assignment, token: str | None,
                         at: datetime | None) -> tuple[str, datetime]:
    if token is not None:
        if not is_own(actor, assignment.volunteer):
            raise PermissionDenied
        site = site_from_token(token)
        if site.pk != assignment.shift.site_id:
            raise ValidationError({"code": [_(
                "This is the QR code of %(scanned)s; your shift is at %(site)s. Scan the "
                "code posted there.") % {"scanned": site.name,
                                         "site": assignment.shift.site.name}]})
        return Method.QR, timezone.now()
    if not may_coordinate_assignment(actor, assignment):
        raise PermissionDenied
    return Method.COORDINATOR, at or timezone.now()


def check_in(actor: Any, assignment: Assignment, *, token: str | None = None,
             at: datetime | None = None) -> Assignment:
    """By the volunteer scanning the site's code (``token``), or by the coordinator
    (``at`` may be given, for a paper record)."""
    method, when = _scan_or_coordinator(actor, assignment, token, at)
    shift = assignment.shift
    if assignment.status != Status.CONFIRMED:
        raise ValidationError({"code": [_("Only a confirmed place can be checked in.")]})
    if when < shift.starts_at - EARLY or when > shift.ends_at:
        raise ValidationError({"at": [_(
            "The shift runs %(start)s–%(end)s: check in from an hour before it starts "
            "until it ends.") % {"start": _local(shift.starts_at),
                                 "end": timezone.localtime(shift.ends_at).strftime("%H:%M")}]})
    with acting_as(actor), transaction.atomic():
        Assignment.objects.filter(pk=assignment.pk, check_in_at__isnull=True).update(
            check_in_at=when, check_in_method=method, updated_at=timezone.now())
        assignment.refresh_from_db()
    return assignment


def check_out(actor: Any, assignment: Assignment, *, token: str | None = None,
              at: datetime | None = None) -> Assignment:
    method, when = _scan_or_coordinator(actor, assignment, token, at)
    if assignment.check_in_at is None:
        raise ValidationError({"at": [_("Check in first: there is no check-in to close.")]})
    if when < assignment.check_in_at:
        raise ValidationError({"at": [_("The check-out time %(out)s is before the check-in "
                                        "at %(in)s.") % {"out": _local(when),
                                                         "in": _local(assignment.check_in_at)}]})
    with acting_as(actor), transaction.atomic():
        Assignment.objects.filter(pk=assignment.pk, check_out_at__isnull=True).update(
            check_out_at=when, check_out_method=method, updated_at=timezone.now(),
            credited_minutes=credited_minutes(assignment.shift, assignment.check_in_at, when))
        assignment.refresh_from_db()
    return assignment


def approve(actor: Any, assignment: Assignment) -> Assignment:
    """The coordinator approves the credited time (once; a second approval is none)."""
    if not may_coordinate_assignment(actor, assignment):
        raise PermissionDenied
    if assignment.check_out_at is None:
        raise ValidationError(_("The volunteer has not checked out yet."))
    with acting_as(actor), transaction.atomic():
        Assignment.objects.filter(pk=assignment.pk, approved_at__isnull=True).update(
            approved_at=timezone.now(), approved_by=actor, updated_at=timezone.now())
        assignment.refresh_from_db()
    return assignment


def close_left_open(now: datetime | None = None) -> int:
    """Close check-ins left open past their shift's end plus ``GRACE``, at the shift's
    end, flagged (``auto_closed``) for the coordinator. Idempotent: a closed one is
    not touched again."""
    now = now or timezone.now()
    closed = 0
    due = (Assignment.objects.filter(check_in_at__isnull=False, check_out_at__isnull=True,
                                     shift__ends_at__lt=now - GRACE)
           .select_related("shift__site", "shift__org_unit", "volunteer"))
    for a in due:
        out = max(a.shift.ends_at, a.check_in_at)
        with transaction.atomic():
            done = Assignment.objects.filter(pk=a.pk, check_out_at__isnull=True).update(
                check_out_at=out, check_out_method=Method.AUTO, auto_closed=True,
                credited_minutes=credited_minutes(a.shift, a.check_in_at, out),
                updated_at=now)
            if done:
                from fangkong.core.services.alerts import open_alert, subject_of
                from fangkong.volunteers.alerts import LEFT_OPEN

                open_alert(kind=LEFT_OPEN, org_unit=a.shift.org_unit, subject=subject_of(a),
                           title=_("%(name)s did not check out of %(shift)s: closed at the "
                                   "shift's end, check before approving") % {
                               "name": a.volunteer.masked_name, "shift": str(a.shift)},
                           opened_at=now)
                closed += 1
    return closed


def warn_understaffed(now: datetime | None = None) -> int:
    """Shifts starting within ``AHEAD`` with fewer placed volunteers than needed: an
    alert for the community and a notice to the shift's coordinator, once each."""
    from fangkong.core.services.alerts import open_alert, subject_of
    from fangkong.volunteers.alerts import UNDERSTAFFED

    now = now or timezone.now()
    shifts = (Shift.objects.filter(starts_at__gt=now, starts_at__lte=now + AHEAD,
                                   cancelled_at__isnull=True)
              .annotate(placed=Count("assignments", filter=Q(assignments__status__in=PLACED)))
              .filter(placed__lt=F("capacity")).select_related("site", "org_unit", "created_by"))
    n = 0
    for shift in shifts:
        title = _("%(shift)s has %(placed)d of %(capacity)d volunteers") % {
            "shift": str(shift), "placed": shift.placed, "capacity": shift.capacity}
        open_alert(kind=UNDERSTAFFED, org_unit=shift.org_unit, subject=subject_of(shift),
                   title=title, opened_at=now)
        if shift.created_by_id:
            notify(shift.created_by, kind="volunteers.understaffed", title=title,
                   key=f"volunteers.understaffed:{shift.pk}",
                   url=reverse("volunteers:shift", args=[shift.pk]))
        n += 1
    return n


# --- duty log ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Delivery:
    """Supplies a duty-log delivery draws from a warehouse (an issue)."""

    warehouse: Any
    lines: Sequence[Any]  # supplies.services.Line
    recipient_label: str


def log_duty(actor: Any, assignment: Assignment, *, client_id: Any, task: str,
             count: int | None = None, note: str = "", delivery: Delivery | None = None,
             made_at: datetime | None = None) -> tuple[DutyLog, bool]:
    """What was done on a shift, by the volunteer or their coordinator. A delivery may
    draw from a warehouse: the issue goes through the supplies services in the same
    transaction, with this entry as its recipient (so the stock and the log agree)."""
    if not (is_own(actor, assignment.volunteer) or may_coordinate_assignment(actor, assignment)):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if task not in Task.values:
        errors["task"] = [_("Choose what was done.")]
    if count is not None and int(count) < 0:
        errors["count"] = [_("Enter zero or more.")]
    if assignment.check_in_at is None:
        errors["__all__"] = [_("Check in to the shift before logging what was done.")]
    if delivery is not None and task != Task.DELIVERY:
        errors["task"] = [_("Only a delivery draws from stock.")]
    if errors:
        raise ValidationError(errors)
    day = timezone.localdate(assignment.check_in_at)
    with acting_as(actor), transaction.atomic():
        log, created = DutyLog.create_keyed(client_id, same={
            "assignment": assignment, "task": task, "count": count,
            "note": _text(note, 200), "day": day, "org_unit_id": assignment.org_unit_id,
        }, defaults={"recorded_by": actor, "made_at": made_at}, actor=actor)
        if created and delivery is not None:
            from fangkong.supplies import services as supplies

            movement, _new = supplies.issue(
                actor, delivery.warehouse,
                client_id=uuid.uuid5(uuid.UUID(str(client_id)), "supplies-issue"), day=day,
                lines=delivery.lines, recipient_kind="team",
                recipient_label=delivery.recipient_label, recipient=log,
                reason=_("Volunteers' delivery: %(note)s") % {"note": log.note or str(
                    assignment.shift.site)})
            log.movement = movement
            log.save(update_fields=["movement", "updated_at"])
    return log, created


# --- certificates and totals ------------------------------------------------------------------

def approved(qs: Any = None) -> Any:
    qs = Assignment.objects.all() if qs is None else qs
    return qs.filter(approved_at__isnull=False, credited_minutes__isnull=False)


def _day_range(first: date, last: date) -> tuple[datetime, datetime]:
    return (timezone.make_aware(datetime.combine(first, time.min)),
            timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min)))


def issue_certificate(actor: Any, volunteer: Volunteer, *, period_from: date,
                      period_until: date, now: datetime | None = None) -> tuple[Certificate, bool]:
    """A certificate of the approved hours of shifts in the period, as they are now."""
    _coordinator(actor, volunteer.unit_path, volunteer.organisation_id)
    if period_until < period_from:
        raise ValidationError({"period_until": [_("The period must end after it starts.")]})
    start, end = _day_range(period_from, period_until)
    rows = approved(volunteer.assignments.filter(shift__starts_at__gte=start,
                                                 shift__starts_at__lt=end))
    total = rows.aggregate(m=Sum("credited_minutes"), n=Count("pk"))
    if not total["m"]:
        raise ValidationError({"period_from": [_(
            "%(name)s has no approved hours in this period.") % {"name": volunteer.masked_name}]})
    with acting_as(actor), transaction.atomic():
        return get_or_create_unique(Certificate.objects, {
            "volunteer": volunteer, "period_from": period_from, "period_until": period_until,
            "minutes": total["m"]}, {"shifts": total["n"], "issued_at": now or timezone.now(),
                                     "issued_by": actor, "org_unit_id": volunteer.org_unit_id})


GROUPS = {
    "volunteer": ("volunteer_id", "volunteer__name"),
    "team": ("volunteer__team_id", "volunteer__team__name"),
    "organisation": ("volunteer__organisation_id", "volunteer__organisation__name"),
    "community": ("shift__org_unit_id", "shift__org_unit__name"),
}


def totals(assignments: Any, by: str, *, until: date | None = None) -> list[dict[str, Any]]:
    """Approved hours and shifts per volunteer, team, organisation or community."""
    key, label = GROUPS[by]
    qs = approved(assignments)
    if until is not None:
        qs = qs.filter(shift__starts_at__lt=_day_range(until, until)[1])
    rows = (qs.values(key, label).annotate(minutes=Sum("credited_minutes"),
                                           shifts=Count("pk"),
                                           people=Count("volunteer_id", distinct=True))
            .order_by("-minutes", label))
    return [{"key": r[key], "label": r[label] or _("(none)"), "minutes": r["minutes"],
             "hours": round(r["minutes"] / 60, 1), "shifts": r["shifts"],
             "people": r["people"]} for r in rows]


# --- the coordinator's pages: teams, paired communities, sites ------------------------------
# (``save_team``, ``pair`` and ``save_site`` above stay for the demo and imports: they find
# a record by its natural key. The pages create through these, once per form key, and
# refuse a name or a pairing already there with a message under its field.)

def _member_errors(team_org_id: int | None, unit_path: str, leader: Volunteer | None,
                   members: Sequence[Volunteer]) -> dict[str, list[str]]:
    """A team's members (and leader) must be its organisation's volunteers (a team of no
    organisation: volunteers of its unit)."""
    def outsider(v: Volunteer) -> bool:
        if team_org_id is not None:
            return v.organisation_id != team_org_id
        return not v.unit_path.startswith(unit_path)

    errors: dict[str, list[str]] = {}
    wrong = [v for v in members if outsider(v)]
    if wrong:
        errors["members"] = [_(
            "%(names)s: not a volunteer of the team's organisation. A team's members come "
            "from its own organisation.") % {"names": "、".join(v.masked_name for v in wrong)}]
    if leader is not None and outsider(leader):
        errors["leader"] = [_("%(name)s is not a volunteer of the team's organisation.") % {
            "name": leader.masked_name}]
    return errors


def _team_name_errors(name: str, organisation_id: int | None, org_unit_id: int,
                      exclude: int | None = None) -> dict[str, list[str]]:
    if not name:
        return {"name": [_("Name the team.")]}
    same = Team.objects.filter(name=name).exclude(pk=exclude)
    if organisation_id is not None and same.filter(organisation_id=organisation_id).exists():
        return {"name": [_("The organisation already has a team of this name.")]}
    if same.filter(org_unit_id=org_unit_id).exists():
        return {"name": [_("There is already a team of this name here.")]}
    return {}


def _set_members(team: Team, leader: Volunteer | None, members: Sequence[Volunteer]) -> None:
    """The team's members become exactly ``members`` (and the leader): one who joins
    leaves their former team; one left out leaves this one. Saved one by one, so the
    change history names each volunteer."""
    wanted = {v.pk for v in members} | ({leader.pk} if leader is not None else set())
    for v in Volunteer.objects.filter(team=team).exclude(pk__in=wanted):
        v.team = None
        v.save(update_fields=["team", "updated_at"])
    for v in Volunteer.objects.filter(pk__in=wanted).exclude(team=team):
        for led in Team.objects.filter(leader=v).exclude(pk=team.pk):  # led their old team
            led.leader = None
            led.save(update_fields=["leader", "updated_at"])
        v.team = team
        v.save(update_fields=["team", "updated_at"])
    if team.leader_id != (leader.pk if leader else None):
        team.leader = leader
        team.save(update_fields=["leader", "updated_at"])


def create_team(actor: Any, org_unit: OrgUnit, *, client_id: Any, name: str,
                organisation: Any = None, leader: Volunteer | None = None,
                members: Sequence[Volunteer] = ()) -> tuple[Team, bool]:
    """A team made on the page, once per form key, with its leader and members."""
    _coordinator(actor, org_unit.path, _pk(organisation))
    name = _text(name, 60)
    done = Team.objects.filter(client_id=client_id).first()
    if done is not None:  # the same form again
        if done.name != name or done.organisation_id != _pk(organisation):
            from fangkong.core.models.scoped import KeyConflict

            raise KeyConflict.on_key()
        return done, False
    errors = {**_team_name_errors(name, _pk(organisation), org_unit.pk),
              **_member_errors(_pk(organisation), org_unit.path, leader, members)}
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        try:
            with transaction.atomic():
                team, created = get_or_create_unique(Team.objects, {"client_id": client_id}, {
                    "org_unit": org_unit, "name": name, "organisation": organisation})
        except IntegrityError:  # the name was taken in between
            raise ValidationError({"name": [_(
                "The organisation already has a team of this name.")]}) from None
        if created:
            _set_members(team, leader, members)
    return team, created


def edit_team(actor: Any, team: Team, *, name: str, leader: Volunteer | None,
              members: Sequence[Volunteer]) -> Team:
    _coordinator(actor, team.unit_path, team.organisation_id)
    name = _text(name, 60)
    errors = {**_team_name_errors(name, team.organisation_id, team.org_unit_id,
                                  exclude=team.pk),
              **_member_errors(team.organisation_id, team.unit_path, leader, members)}
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        locked.name = name
        try:
            with transaction.atomic():
                locked.save(update_fields=["name", "updated_at"])
        except IntegrityError:
            raise ValidationError({"name": [_(
                "The organisation already has a team of this name.")]}) from None
        _set_members(locked, leader, members)
    return locked


def _overlap_message(other: Any) -> str:
    if other.until is None:
        return _("%(org)s is already paired with %(unit)s since %(since)s. End that pairing "
                 "first.") % {"org": other.organisation, "unit": other.org_unit.name,
                              "since": other.since or "—"}
    return _("%(org)s was paired with %(unit)s from %(since)s until %(until)s: the periods "
             "overlap.") % {"org": other.organisation, "unit": other.org_unit.name,
                            "since": other.since or "—", "until": other.until}


def record_pairing(actor: Any, organisation: Any, community: OrgUnit, *, client_id: Any,
                   since: date, until: date | None = None) -> tuple[Any, bool]:
    """An organisation's paired community (包联社区) recorded on the page: a community
    only, never two pairings of the same organisation and community at once (the
    organisation's row is locked while the periods are compared)."""
    from fangkong.core.models import Level, Organisation
    from fangkong.core.models.scoped import KeyConflict
    from fangkong.volunteers.models import Pairing

    _coordinator(actor, community.path)
    done = Pairing.objects.filter(client_id=client_id).first()
    if done is not None:  # the same form again
        if (done.organisation_id, done.org_unit_id, done.since) != (
                organisation.pk, community.pk, since):
            raise KeyConflict.on_key()
        return done, False
    errors: dict[str, list[str]] = {}
    if community.level != Level.COMMUNITY:
        errors["community"] = [_(
            "%(unit)s is not a community: an organisation is paired with a village or "
            "community.") % {"unit": community.name}]
    if since is None:
        errors["since"] = [_("Say since when.")]
    elif until is not None and until < since:
        errors["until"] = [_("The pairing must end on or after the day it starts.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        clash = (Pairing.objects.filter(organisation=organisation, org_unit=community)
                 .filter(Q(until__isnull=True) | Q(until__gte=since))
                 .select_related("organisation", "org_unit"))
        if until is not None:
            clash = clash.filter(Q(since__isnull=True) | Q(since__lte=until))
        other = clash.first()
        if other is not None:
            raise ValidationError({"community": [_overlap_message(other)]})
        try:
            with transaction.atomic():
                return get_or_create_unique(Pairing.objects, {"client_id": client_id}, {
                    "organisation": organisation, "org_unit": community, "since": since,
                    "until": until})
        except IntegrityError:  # an open pairing made in between
            other = Pairing.objects.filter(organisation=organisation, org_unit=community,
                                           until__isnull=True).first()
            if other is None:
                raise
            raise ValidationError({"community": [_overlap_message(other)]}) from None


def end_pairing(actor: Any, pairing: Any, *, until: date) -> Any:
    """End a pairing on ``until`` (its last day); it stays in the history."""
    _coordinator(actor, pairing.unit_path)
    if until is None:
        raise ValidationError({"until": [_("Say the last day of the pairing.")]})
    if pairing.since is not None and until < pairing.since:
        raise ValidationError({"until": [_(
            "The pairing started on %(since)s: it cannot end before.") % {
                "since": pairing.since}]})
    with acting_as(actor), transaction.atomic():
        pairing.until = until
        pairing.save(update_fields=["until", "updated_at"])
    return pairing


def _site_errors(org_unit: OrgUnit, name: str, kind: str, checkpoint: Any,
                 exclude: int | None = None) -> dict[str, list[str]]:
    from fangkong.core.models import Level
    from fangkong.volunteers.models import SiteKind

    errors: dict[str, list[str]] = {}
    if org_unit.level != Level.COMMUNITY:
        errors["community"] = [_("A site is in a village or community.")]
    if kind not in SiteKind.values:
        errors["kind"] = [_("Choose one.")]
    elif kind == SiteKind.CHECKPOINT and checkpoint is None:
        errors["checkpoint"] = [_("Choose the checkpoint.")]
    elif kind == SiteKind.COMMUNITY and checkpoint is not None:
        errors["checkpoint"] = [_("A site for the whole community names no checkpoint.")]
    if checkpoint is not None and "checkpoint" not in errors:
        if checkpoint.org_unit_id != org_unit.pk:
            errors["checkpoint"] = [_("The checkpoint is in another community.")]
        else:
            taken = Site.objects.filter(checkpoint=checkpoint).exclude(pk=exclude).first()
            if taken is not None:
                errors["checkpoint"] = [_("This checkpoint is already the site %(site)s.") % {
                    "site": taken.name}]
    if not name:
        if "checkpoint" not in errors:  # a checkpoint, once chosen, names the site
            errors["name"] = [_("Name the site.")]
    elif Site.objects.filter(org_unit=org_unit, name=name).exclude(pk=exclude).exists():
        errors["name"] = [_("The community already has a site of this name.")]
    return errors


def create_site(actor: Any, org_unit: OrgUnit, *, client_id: Any, name: str, kind: str,
                checkpoint: Any = None) -> tuple[Site, bool]:
    """A site made on the page, once per form key (a checkpoint's site is named after
    it unless given a name)."""
    from fangkong.core.models.scoped import KeyConflict

    _coordinator(actor, org_unit.path)
    name = _text(name or (checkpoint.name if checkpoint is not None else ""), 60)
    done = Site.objects.filter(client_id=client_id).first()
    if done is not None:  # the same form again
        if (done.org_unit_id, done.name) != (org_unit.pk, name):
            raise KeyConflict.on_key()
        return done, False
    errors = _site_errors(org_unit, name, kind, checkpoint)
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        try:
            with transaction.atomic():
                return get_or_create_unique(Site.objects, {"client_id": client_id}, {
                    "org_unit": org_unit, "name": name, "kind": kind,
                    "checkpoint": checkpoint})
        except IntegrityError:  # the name or the checkpoint was taken in between
            raise ValidationError(_site_errors(org_unit, name, kind, checkpoint)
                                  or {"name": [_("The community already has a site of "
                                                 "this name.")]}) from None


def edit_site(actor: Any, site: Site, *, name: str, kind: str, checkpoint: Any = None) -> Site:
    _coordinator(actor, site.unit_path)
    name = _text(name or (checkpoint.name if checkpoint is not None else ""), 60)
    errors = _site_errors(site.org_unit, name, kind, checkpoint, exclude=site.pk)
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        locked = Site.objects.select_for_update().get(pk=site.pk)
        locked.name, locked.kind, locked.checkpoint = name, kind, checkpoint
        try:
            with transaction.atomic():
                locked.save(update_fields=["name", "kind", "checkpoint", "updated_at"])
        except IntegrityError:
            raise ValidationError(_site_errors(site.org_unit, name, kind, checkpoint,
                                               exclude=site.pk)
                                  or {"name": [_("The community already has a site of "
                                                 "this name.")]}) from None
    return locked
