"""The outsider register: 14 days of observation, two temperature checks a day, release."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.checkpoints import alerts
from fangkong.checkpoints.models import (
    Outsider,
    OutsiderStatus,
    Slot,
    TemperatureCheck,
)
from fangkong.checkpoints.services.screening import no_rule_error, screening_rule
from fangkong.core.audit import acting_as
from fangkong.core.models import Alert, OrgUnit
from fangkong.core.models.accounts import Cap
from fangkong.core.rules import NoRuleInForce
from fangkong.core.scoping import require_capability
from fangkong.core.services.alerts import open_alert, subject_of
from fangkong.core.services.people import PersonData, link_person
from fangkong.core.unique import get_or_create_unique
from fangkong.lib.dates import check_record_day

#: A slot's check is missed once this local time has passed without one.
SLOT_DEADLINES = {Slot.MORNING: time(12, 0), Slot.EVENING: time(22, 0)}


def register_outsider(
    actor: Any, community: OrgUnit, person: PersonData, *, arrived_on: date, origin: str,
    host_address: str, from_watched_area: bool = False, reason: str = "",
    client_id: uuid.UUID | None = None,
) -> tuple[Outsider, bool]:
    """Start a 14-day observation; a second registration of someone already under
    observation here returns the open one. The page's ``client_id`` is the record's
    submission key (the same form sent again finds it by the person anyway)."""
    require_capability(actor, Cap.EDIT, community.path)
    errors: dict[str, list[str]] = {}
    try:
        check_record_day(arrived_on, "arrived_on")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not (origin or "").strip():
        errors["origin"] = [_("Say where the person came from.")]
    if not (host_address or "").strip():
        errors["host_address"] = [_("Say where the person is staying.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        who = link_person(actor, person, community)
        return get_or_create_unique(
            Outsider.objects,
            {"person": who, "org_unit": community, "status": OutsiderStatus.OBSERVING},
            {"name": person.name, "phone": person.phone, "arrived_on": arrived_on,
             "origin": origin.strip(), "host_address": host_address.strip(),
             "from_watched_area": from_watched_area, "reason": (reason or "").strip(),
             "registered_by": actor, **({"client_id": client_id} if client_id else {})},
        )


def record_temperature(
    actor: Any, outsider: Outsider, *, day: date, slot: str, temperature: Decimal,
) -> tuple[TemperatureCheck, bool]:
    """One of the two daily checks; a fever opens an alert. Recording the same value
    again (a retried form) returns the first check. After the 14th day checks go on only
    while a fever alert holds the release: the person is still observed then."""
    require_capability(actor, Cap.EDIT, outsider.unit_path)
    if outsider.status != OutsiderStatus.OBSERVING:
        raise ValidationError(_("This person has been released from observation."))
    last = outsider.last_observation_day if not _fever_alert_open(outsider) else day
    if not outsider.arrived_on <= day <= min(last, timezone.localdate()):
        raise ValidationError({"day": [_("The date is outside this person's observation.")]})
    try:
        rule = screening_rule(day)
    except NoRuleInForce as exc:
        raise no_rule_error(exc) from None
    with acting_as(actor), transaction.atomic():
        check, created = get_or_create_unique(
            TemperatureCheck.objects, {"outsider": outsider, "day": day, "slot": slot},
            {"temperature": temperature, "fever": rule.is_fever(temperature),
             "fever_rule": rule.fever, "checked_by": actor},
        )
        if not created and check.temperature != temperature:
            raise ValidationError({"slot": [_(
                "This check was already recorded (%(t)s °C)."
            ) % {"t": check.temperature}]})
        if created and check.fever:
            open_alert(
                kind=alerts.FEVER, org_unit=outsider.org_unit,
                title=_("Fever %(t)s °C of an outsider under observation") % {"t": temperature},
                detail=f"{outsider.who} · {day} {check.get_slot_display()}",
                subject=subject_of(check), actor=actor,
            )
    return check, created


def _fever_alert_open(outsider: Outsider) -> bool:
    subjects = [subject_of(c) for c in outsider.checks.filter(fever=True)]
    return bool(subjects) and Alert.objects.filter(subject__in=subjects, status="open").exists()


def release_outsider(
    actor: Any, outsider: Outsider, *, note: str = "", today: date | None = None,
) -> Outsider:
    """End the observation, from the 15th day on, when no fever alert is open."""
    require_capability(actor, Cap.EDIT, outsider.unit_path)
    today = today or timezone.localdate()
    with acting_as(actor), transaction.atomic():
        outsider = Outsider.objects.select_for_update().get(pk=outsider.pk)
        if outsider.status != OutsiderStatus.OBSERVING:
            raise ValidationError(_("This person has already been released."))
        if today < outsider.release_from:
            raise ValidationError(_(
                "The 14-day observation ends on %(day)s; release is possible from %(from)s."
            ) % {"day": outsider.last_observation_day, "from": outsider.release_from})
        if _fever_alert_open(outsider):
            raise ValidationError(_("A fever alert of this person is still open."))
        outsider.status = OutsiderStatus.RELEASED
        outsider.released_on = today
        outsider.released_by = actor
        outsider.release_note = (note or "").strip()[:200]
        outsider.save(update_fields=[
            "status", "released_on", "released_by", "release_note", "updated_at",
        ])
    return outsider


def missed_checks(outsider: Outsider, now: datetime | None = None) -> list[tuple[date, str]]:
    """The (day, slot) checks whose deadline passed without a temperature recorded."""
    now = timezone.localtime(now or timezone.now())
    last = outsider.last_observation_day
    if outsider.released_on:
        last = min(last, outsider.released_on)
    done = {(c.day, c.slot) for c in outsider.checks.all()}
    registered = timezone.localtime(outsider.created_at) if outsider.created_at else None
    missed = []
    day = outsider.arrived_on
    while day <= last and day <= now.date():
        for slot, deadline in SLOT_DEADLINES.items():
            due = timezone.make_aware(datetime.combine(day, deadline))
            if due > now or (day, slot) in done:
                continue
            if registered and registered.date() == day and registered > due:
                continue  # registered after this slot's deadline on the day of arrival
            missed.append((day, slot))
        day += timedelta(days=1)
    return missed
