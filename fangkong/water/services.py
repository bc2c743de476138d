"""Water's rules: every write, authorised here, audited, in one transaction.

Who may write: territorial staff with ``EDIT`` over the record's unit, and the operators
of the record's utility (``Role.UTILITY_OPERATOR`` granted for that organisation). The
views, the API and the demo all come through these functions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import rules as core_rules
from fangkong.core.audit import acting_as
from fangkong.core.models import Organisation
from fangkong.core.roles import Cap, Role
from fangkong.core.scoping import scope_for
from fangkong.core.services.alerts import close_alert, open_alert, subject_of
from fangkong.core.unique import get_or_create_unique
from fangkong.lib.dates import check_record_day
from fangkong.lib.numbers import NumberError, read_decimal
from fangkong.water import alerts
from fangkong.water.models import (
    Exceedance,
    Fault,
    Handover,
    Patrol,
    Reading,
    SamplingPoint,
    Shift,
    Station,
)
from fangkong.water.quality import HYDRAULIC, NOT_DETECTED, SPECS, STATION_ONLY, Ind
from fangkong.water.rules import NoLimit, code_for, limit_for

OPERATOR_ROLES = (Role.UTILITY_OPERATOR,)
#: Words a sampler writes for "not detected" (the API's value is "not_detected").
ND_WORDS = frozenset({NOT_DETECTED, "nd", "n.d.", "未检出", "未检测出", "not detected", "<dl"})


# --- who may ---------------------------------------------------------------------------

def is_operator_of(user: Any, organisation_id: int | None, capability: str = Cap.EDIT) -> bool:
    scope = scope_for(user)
    return any(g.role == Role.UTILITY_OPERATOR and g.organisation_id == organisation_id
               and capability in g.capabilities for g in scope.grants)


def may(user: Any, record: Any, capability: str = Cap.EDIT) -> bool:
    """May ``user`` do ``capability`` on a record of a utility (anything with
    ``organisation_id`` and ``unit_path``)?"""
    return (scope_for(user).covers(capability, record.unit_path)
            or is_operator_of(user, record.organisation_id, capability))


def require(user: Any, record: Any, capability: str = Cap.EDIT) -> None:
    if not may(user, record, capability):
        raise PermissionDenied


def utilities_for(user: Any, capability: str = Cap.EDIT):
    """The utilities whose records ``user`` may write: its own as an operator, and those
    placed in its territory."""
    from django.db.models import Q

    from fangkong.core.models.territory import OrgKind
    from fangkong.core.scoping import subtrees_q

    scope = scope_for(user)
    own = {g.organisation_id for g in scope.grants
           if g.role == Role.UTILITY_OPERATOR and capability in g.capabilities}
    utilities = Organisation.objects.filter(kind=OrgKind.UTILITY, is_active=True)
    if scope.is_global(capability):
        return utilities.order_by("name")
    q = Q(pk__in=own)
    paths = scope.paths(capability)
    if paths:
        q |= subtrees_q(paths, "unit_path")
    return utilities.filter(q).order_by("name")


# --- stations and points ---------------------------------------------------------------

def save_station(actor: Any, utility: Organisation, unit: Any, *, name: str, kind: str,
                 address: str = "", capacity: int | None = None,
                 gate: Any = None) -> tuple[Station, bool]:
    probe = Station(organisation=utility, org_unit=unit, unit_path=unit.path)
    require(actor, probe)
    if utility.kind != "utility":
        raise ValidationError({"organisation": [_("Choose a water utility.")]})
    with acting_as(actor), transaction.atomic():
        return get_or_create_unique(
            Station.objects, {"organisation": utility, "name": name.strip()},
            {"org_unit": unit, "kind": kind, "address": address.strip(),
             "capacity": capacity, "gate": gate})


def save_point(actor: Any, station: Station, unit: Any, *, name: str, point_type: str,
               near_kind: str = "other", near_name: str = "", disinfectant: str = "chlorine",
               address: str = "") -> tuple[SamplingPoint, bool]:
    require(actor, station)
    probe = SamplingPoint(organisation_id=station.organisation_id, unit_path=unit.path)
    require(actor, probe)
    with acting_as(actor), transaction.atomic():
        return get_or_create_unique(
            SamplingPoint.objects, {"organisation_id": station.organisation_id,
                                    "name": name.strip()},
            {"station": station, "org_unit": unit, "point_type": point_type,
             "near_kind": near_kind, "near_name": near_name.strip(),
             "disinfectant": disinfectant, "address": address.strip()})


def may_manage(user: Any, utility: Organisation) -> bool:
    """May ``user`` add and edit the utility's stations and points from the pages? Its
    operators, and territorial staff with ``EDIT`` over the utility's whole unit (HQ)."""
    return (is_operator_of(user, utility.pk)
            or scope_for(user).covers(Cap.EDIT, utility.unit_path))


def units_for(user: Any, utility: Organisation):
    """Where the utility's stations and points may be placed by ``user``: the towns and
    communities under the utility's unit (and under the user's own, for territorial
    staff who are not its operators)."""
    from fangkong.core.models import OrgUnit
    from fangkong.core.models.territory import Level

    units = OrgUnit.objects.filter(level__in=(Level.TOWN, Level.COMMUNITY))
    if utility.org_unit_id:
        units = units.filter(path__startswith=utility.unit_path)
    if not is_operator_of(user, utility.pk):
        q = scope_for(user).q(Cap.EDIT, field="path")
        if q is not None:
            units = units.filter(q)
    return units.order_by("path")


def _site_errors(model: type, organisation_id: int, name: str, unit: Any, actor: Any,
                 utility: Organisation, exclude: int | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give a name.")]
    elif model.objects.filter(organisation_id=organisation_id, name=name).exclude(
            pk=exclude).exists():
        errors["name"] = [_("The utility already has one of this name.")]
    if unit is None or not units_for(actor, utility).filter(pk=unit.pk).exists():
        errors["unit"] = [_("Choose a town or community served by the utility.")]
    return errors


def _create_keyed_site(model: type, client_id: Any, same: dict[str, Any],
                       defaults: dict[str, Any]) -> tuple[Any, bool]:
    from django.db import IntegrityError

    from fangkong.core.models.scoped import KeyConflict

    found = model.objects.filter(client_id=client_id).first()
    if found is None:
        try:
            return get_or_create_unique(model.objects, {"client_id": client_id},
                                        {**same, **defaults})
        except IntegrityError:  # the name was taken in between
            raise ValidationError({"name": [_(
                "The utility already has one of this name.")]}) from None
    if any(getattr(found, k if not hasattr(v, "pk") else f"{k}_id")
           != (v.pk if hasattr(v, "pk") else v) for k, v in same.items()):
        raise KeyConflict.on_key()
    return found, False


def create_station(actor: Any, utility: Organisation, unit: Any, *, client_id: Any,
                   name: str, kind: str, address: str = "",
                   capacity: int | None = None) -> tuple[Station, bool]:
    """A station added from the page: once per form key (a form sent again finds it)."""
    if not may_manage(actor, utility):
        raise PermissionDenied
    name = name.strip()
    found = Station.objects.filter(client_id=client_id).first()
    if found is None:
        errors = _site_errors(Station, utility.pk, name, unit, actor, utility)
        if errors:
            raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        return _create_keyed_site(
            Station, client_id, {"organisation": utility, "name": name},
            {"org_unit": unit, "unit_path": unit.path, "kind": kind,
             "address": address.strip(), "capacity": capacity})


def update_station(actor: Any, station: Station, unit: Any, *, name: str, kind: str,
                   address: str, capacity: int | None, is_active: bool) -> Station:
    """Edit a station (the change history names the actor)."""
    require(actor, station)
    name = name.strip()
    errors = _site_errors(Station, station.organisation_id, name, unit, actor,
                          station.organisation, exclude=station.pk)
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        station = Station.objects.select_for_update().get(pk=station.pk)
        station.name, station.kind, station.address = name, kind, address.strip()
        station.capacity, station.is_active = capacity, is_active
        station.org_unit, station.unit_path = unit, unit.path
        station.save()
    return station


def _point_errors(actor: Any, station: Any, utility: Organisation) -> dict[str, list[str]]:
    if (station is None or station.organisation_id != utility.pk
            or not Station.objects.visible_to(actor).filter(pk=station.pk).exists()):
        return {"station": [_("Choose one of the utility's stations.")]}
    return {}


def create_point(actor: Any, utility: Organisation, station: Any, unit: Any, *,
                 client_id: Any, name: str, point_type: str, disinfectant: str,
                 near_kind: str = "other", near_name: str = "",
                 address: str = "") -> tuple[SamplingPoint, bool]:
    """A sampling point added from the page: once per form key."""
    if not may_manage(actor, utility):
        raise PermissionDenied
    name = name.strip()
    found = SamplingPoint.objects.filter(client_id=client_id).first()
    if found is None:
        errors = {**_site_errors(SamplingPoint, utility.pk, name, unit, actor, utility),
                  **_point_errors(actor, station, utility)}
        if errors:
            raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        return _create_keyed_site(
            SamplingPoint, client_id, {"organisation": utility, "name": name},
            {"station": station, "org_unit": unit, "unit_path": unit.path,
             "point_type": point_type, "disinfectant": disinfectant,
             "near_kind": near_kind, "near_name": near_name.strip(),
             "address": address.strip()})


def update_point(actor: Any, point: SamplingPoint, station: Any, unit: Any, *, name: str,
                 point_type: str, disinfectant: str, near_kind: str, near_name: str,
                 address: str, is_active: bool) -> SamplingPoint:
    """Edit a sampling point. Readings keep the limit they were judged by."""
    require(actor, point)
    name = name.strip()
    utility = point.organisation
    errors = {**_site_errors(SamplingPoint, utility.pk, name, unit, actor, utility,
                             exclude=point.pk),
              **_point_errors(actor, station, utility)}
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        point = SamplingPoint.objects.select_for_update().get(pk=point.pk)
        point.name, point.station, point.point_type = name, station, point_type
        point.disinfectant, point.near_kind = disinfectant, near_kind
        point.near_name, point.address, point.is_active = (near_name.strip(),
                                                           address.strip(), is_active)
        point.org_unit, point.unit_path = unit, unit.path
        point.save()
    return point


# --- duty roster, handovers, gaps in cover ---------------------------------------------

def add_shift(actor: Any, station: Station, *, person_name: str, starts_at: datetime,
              ends_at: datetime, user: Any = None) -> tuple[Shift, bool]:
    require(actor, station)
    errors: dict[str, list[str]] = {}
    if not person_name.strip():
        errors["person_name"] = [_("Name who is on duty.")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The shift ends before it starts.")]
    elif ends_at - starts_at > timedelta(hours=24):
        errors["ends_at"] = [_("A shift lasts at most 24 hours.")]
    if errors:
        raise ValidationError(errors)
    check_record_day(timezone.localtime(starts_at).date(), "starts_at", ahead=31)
    with acting_as(actor), transaction.atomic():
        return get_or_create_unique(
            Shift.objects, {"station": station, "starts_at": starts_at,
                            "person_name": person_name.strip()},
            {"organisation_id": station.organisation_id, "org_unit_id": station.org_unit_id,
             "unit_path": station.unit_path, "ends_at": ends_at, "user": user})


def cover_gaps(station: Station, start: datetime, end: datetime) -> list[tuple[datetime,
                                                                               datetime]]:
    """The stretches of ``start``–``end`` with nobody on duty at ``station``."""
    shifts = (Shift.objects.filter(station=station, starts_at__lt=end, ends_at__gt=start)
              .order_by("starts_at").values_list("starts_at", "ends_at"))
    gaps, covered_to = [], start
    for s, e in shifts:
        if s > covered_to:
            gaps.append((covered_to, s))
        covered_to = max(covered_to, e)
    if covered_to < end:
        gaps.append((covered_to, end))
    return gaps


def alert_cover_gaps(start: datetime, end: datetime) -> int:
    """Open an alert for each gap in cover at an active station between ``start`` and
    ``end`` (one open alert per station and gap start: safe to run again)."""
    opened = 0
    for station in Station.objects.filter(is_active=True).select_related("org_unit"):
        for gap_start, gap_end in cover_gaps(station, start, end):
            local = timezone.localtime(gap_start)
            open_alert(
                kind=alerts.COVER_GAP, org_unit=station.org_unit,
                title=_("%(station)s: nobody on duty %(start)s–%(end)s") % {
                    "station": station.name, "start": local.strftime("%m-%d %H:%M"),
                    "end": timezone.localtime(gap_end).strftime("%m-%d %H:%M")},
                subject=f"{subject_of(station)}:{local:%Y%m%d%H%M}",
                opened_at=min(timezone.now(), gap_start))
            opened += 1
    return opened


def record_handover(actor: Any, station: Station, *, client_id: uuid.UUID | str,
                    at: datetime, outgoing: str, incoming: str, note: str,
                    outgoing_signature: str, incoming_signature: str,
                    made_at: datetime | None = None) -> tuple[Handover, bool]:
    """A handover note: both the outgoing and the incoming person sign (their names as
    on the roster); one signature alone saves nothing."""
    require(actor, station)
    outgoing, incoming = outgoing.strip(), incoming.strip()
    errors: dict[str, list[str]] = {}
    if not note.strip():
        errors["note"] = [_("Write what is handed over.")]
    for field, name, signed in (("outgoing_signature", outgoing, outgoing_signature),
                                ("incoming_signature", incoming, incoming_signature)):
        signed = (signed or "").strip()
        if not signed:
            errors[field] = [_("Both must sign: this signature is missing.")]
        elif signed != name:
            errors[field] = [_("The signature must be the name %(name)s.") % {"name": name}]
    if outgoing and outgoing == incoming:
        errors["incoming"] = [_("The incoming person is the outgoing one.")]
    if not outgoing:
        errors["outgoing"] = [_("Name the outgoing person.")]
    if not incoming:
        errors["incoming"] = [_("Name the incoming person.")]
    if at > timezone.now() + timedelta(minutes=5):
        errors["at"] = [_("The time is in the future.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        return Handover.create_keyed(client_id, same={
            "station": station, "organisation_id": station.organisation_id,
            "org_unit_id": station.org_unit_id, "at": at,
            "day": timezone.localtime(at).date(), "outgoing": outgoing, "incoming": incoming,
            "note": note.strip(), "outgoing_signature": outgoing_signature.strip(),
            "incoming_signature": incoming_signature.strip()},
            defaults={"recorded_by": actor, "made_at": made_at}, actor=actor)


# --- readings --------------------------------------------------------------------------

@dataclass
class Judged:
    rule: Any
    text: str
    within: bool | None


def parse_value(indicator: str, raw: Any, unit: str = "") -> tuple[Decimal | None, bool]:
    """``(value, not_detected)`` from what was typed or sent; ``ValidationError`` on the
    ``value`` or ``unit`` field for a wrong unit or a value no instrument shows."""
    s = SPECS[indicator]
    if not s.unit_ok(unit):
        raise ValidationError({"unit": [_("%(indicator)s is given in %(unit)s, not in "
                                          "“%(given)s”.") % {
            "indicator": s.label, "unit": s.unit or _("pH units"), "given": unit}]})
    text = str(raw if raw is not None else "").strip()
    if text.lower() in ND_WORDS:
        if not s.not_detected:
            raise ValidationError({"value": [always_a_number(s)]})
        return None, True
    if not text:
        raise ValidationError({"value": [enter_the_result()]})
    try:
        value = read_decimal(text, comma="decimal")
    except NumberError as exc:
        raise ValidationError({"value": [str(exc)]}) from None
    if not s.low <= value <= s.high:
        raise ValidationError({"value": [out_of_range(s, f"{value:f}")]})
    if -value.as_tuple().exponent > 4:  # type: ignore[operator]
        raise ValidationError({"value": [at_most_4_places()]})
    return value, False


# The messages of ``parse_value``, also checked on the phone when a reading is made
# offline (``phone_checks``): the same words either way.

def enter_the_result() -> str:
    return _("Enter the result.")


def at_most_4_places() -> str:
    return _("Give at most 4 decimal places.")


def always_a_number(s: Any) -> str:
    return _("%(indicator)s is always a number; “not detected” is no result for it.") % {
        "indicator": s.label}


def out_of_range(s: Any, value: str) -> str:
    return _("%(indicator)s cannot be %(value)s: an instrument shows %(low)s to %(high)s "
             "%(unit)s. Check the value and its unit.") % {
        "indicator": s.label, "value": value, "low": f"{s.low:f}", "high": f"{s.high:f}",
        "unit": s.unit}


def phone_checks() -> str:
    """JSON for the reading form's ``data-phone-checks`` (``static/water/reading.js``):
    per indicator its physical range and whether "not detected" is a result, with the
    server's own messages (``%(value)s`` filled in on the phone)."""
    import json

    from django import forms as dj_forms

    return json.dumps({
        "nd_words": sorted(ND_WORDS),
        "required": str(dj_forms.Field.default_error_messages["required"]),
        "result": enter_the_result(), "number": _("Enter a number."),
        "places": at_most_4_places(),
        "future": _("The time is in the future."),
        "indicators": {code: {"low": f"{s.low:f}", "high": f"{s.high:f}",
                              "nd": s.not_detected, "always": always_a_number(s),
                              "range": out_of_range(s, "%(value)s")}
                       for code, s in SPECS.items()},
    }, ensure_ascii=False)


def judge(point: SamplingPoint, indicator: str, value: Decimal | None, not_detected: bool,
          day: Any) -> Judged:
    """The limit in force on ``day`` for this point's type and disinfectant, and whether
    the result is within it (None: no limit applies, e.g. pressure)."""
    if indicator not in DEFAULTS_WITH_RULES:
        return Judged(None, "", None)
    try:
        rule = core_rules.value_on(code_for(indicator), day)
    except core_rules.NoRuleInForce:
        return Judged(None, "", None)
    try:
        limit = limit_for(rule.typed, indicator, point.point_type, point.disinfectant)
    except NoLimit:
        return Judged(rule, "", None)
    within = limit.judge(value, not_detected)
    return Judged(rule, limit.text(value, not_detected), within)


def _rule_codes() -> frozenset[str]:
    from fangkong.water.rules import DEFAULTS, SUPPLY_DEFAULTS

    return frozenset(DEFAULTS) | frozenset(SUPPLY_DEFAULTS)


DEFAULTS_WITH_RULES = _rule_codes()


def record_reading(actor: Any, point: SamplingPoint, *, client_id: uuid.UUID | str,
                   indicator: str, value: Any, taken_at: datetime, sampler: str,
                   instrument: str = "", unit: str = "", retest_of: Reading | None = None,
                   made_at: datetime | None = None) -> tuple[Reading, bool]:
    """Record a reading, judged by the limit in force on its day; a result outside it
    opens an exceedance (and its alert) asking for a re-test. A re-test of an exceedance
    is recorded against it (``retest_of``)."""
    require(actor, point)
    errors: dict[str, list[str]] = {}
    if indicator not in SPECS:
        raise ValidationError({"indicator": [_("Unknown indicator.")]})
    if indicator in STATION_ONLY and point.point_type != "outlet":
        errors["indicator"] = [_("Flow is measured at a station's outlet.")]
    if not (sampler or "").strip():
        errors["sampler"] = [_("Name who took the sample.")]
    if taken_at > timezone.now() + timedelta(minutes=5):
        errors["taken_at"] = [_("The time is in the future.")]
    if retest_of is not None and (retest_of.point_id != point.pk
                                  or retest_of.indicator != indicator):
        errors["retest_of"] = [_("A re-test is of the same indicator at the same point.")]
    try:
        number, nd = parse_value(indicator, value, unit)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        number, nd = None, False
    if errors:
        raise ValidationError(errors)
    day = timezone.localtime(taken_at).date()
    check_record_day(day, "taken_at")
    judged = judge(point, indicator, number, nd, day)
    with acting_as(actor), transaction.atomic():
        reading, created = Reading.create_keyed(client_id, same={
            "point": point, "organisation_id": point.organisation_id,
            "org_unit_id": point.org_unit_id, "indicator": indicator, "value": number,
            "not_detected": nd, "taken_at": taken_at, "day": day,
            "retest_of": retest_of,
        }, defaults={
            "unit": SPECS[indicator].unit, "sampler": sampler.strip(),
            "instrument": instrument.strip(), "recorded_by": actor, "made_at": made_at,
            "limit_rule": judged.rule, "limit_text": judged.text,
            "within_limits": judged.within,
        }, actor=actor)
        if created:
            _after_reading(actor, reading)
    return reading, created


def _after_reading(actor: Any, reading: Reading) -> None:
    """An exceedance for a result outside its limit (its alert: water quality, or low
    pressure for the supply's figures); a re-test noted on the exceedance it answers."""
    if reading.retest_of_id:
        exc = Exceedance.objects.select_for_update().filter(
            reading_id=reading.retest_of_id).first()
        # A re-test within the limit answers the exceedance; one outside it leaves the
        # exceedance asking for another.
        if exc is not None and exc.retest_id is None and reading.within_limits is not False:
            exc.retest = reading
            exc.save(update_fields=["retest", "updated_at"])
    if reading.within_limits is not False:
        return
    point = reading.point
    if reading.retest_of_id and Exceedance.objects.filter(
            reading_id=reading.retest_of_id, closed_at__isnull=True).exists():
        return  # the re-test failed too: the first exceedance's alert stays open
    exceedance = Exceedance(reading=reading, organisation_id=reading.organisation_id,
                            org_unit_id=reading.org_unit_id)
    local = timezone.localtime(reading.taken_at)
    title = _("%(point)s: %(indicator)s %(value)s (limit %(limit)s)") % {
        "point": point.name, "indicator": reading.get_indicator_display(),
        "value": reading.shown, "limit": reading.limit_text}
    detail = _("Sampled %(at)s by %(sampler)s. Re-test the point, then close with a note.") % {
        "at": local.strftime("%Y-%m-%d %H:%M"), "sampler": reading.sampler}
    kind = alerts.PRESSURE if reading.indicator in HYDRAULIC else alerts.WATER_QUALITY
    exceedance.alert = open_alert(
        kind=kind, org_unit=point.org_unit, title=title, detail=detail,
        subject=f"water.reading:{reading.pk}", actor=actor, opened_at=reading.taken_at)
    exceedance.save()


def close_exceedance(actor: Any, exceedance: Exceedance, note: str,
                     at: datetime | None = None) -> Exceedance:
    """Close an exceedance with a note, once a re-test within the limit is recorded."""
    require(actor, exceedance)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Write what was found and done.")]})
    if exceedance.retest_id is None:
        raise ValidationError({"note": [_("Record a re-test within the limit first.")]})
    with acting_as(actor), transaction.atomic():
        exceedance = Exceedance.objects.select_for_update().get(pk=exceedance.pk)
        if exceedance.closed_at is not None:
            return exceedance
        exceedance.closed_at = min(at or timezone.now(), timezone.now())
        exceedance.closed_by = actor
        exceedance.note = note[:300]
        exceedance.save()
        close_alert(exceedance.alert, actor=actor, outcome=note, roles=OPERATOR_ROLES)
    return exceedance


# --- patrols and faults ----------------------------------------------------------------

def record_patrol(actor: Any, utility: Organisation, unit: Any, *, client_id: Any,
                  day: Any, route: str, patroller: str, points: list[SamplingPoint],
                  findings: str = "", made_at: datetime | None = None) -> tuple[Patrol, bool]:
    probe = Patrol(organisation=utility, org_unit=unit, unit_path=unit.path)
    require(actor, probe)
    errors: dict[str, list[str]] = {}
    if not route.strip():
        errors["route"] = [_("Describe the route.")]
    if not patroller.strip():
        errors["patroller"] = [_("Name who patrolled.")]
    if any(p.organisation_id != utility.pk for p in points):
        errors["points"] = [_("Choose points of this utility.")]
    if errors:
        raise ValidationError(errors)
    check_record_day(day, "day")
    with acting_as(actor), transaction.atomic():
        patrol, created = Patrol.create_keyed(client_id, same={
            "organisation": utility, "org_unit": unit, "day": day, "route": route.strip(),
            "patroller": patroller.strip(), "findings": findings.strip()},
            defaults={"recorded_by": actor, "made_at": made_at}, actor=actor)
        if created:
            patrol.points.set(points)
    return patrol, created


def report_fault(actor: Any, utility: Organisation, unit: Any, *, client_id: Any,
                 location: str, kind: str, reported_by: str, reported_at: datetime,
                 point: SamplingPoint | None = None, description: str = "",
                 hospital: bool = False, made_at: datetime | None = None) -> tuple[Fault, bool]:
    probe = Fault(organisation=utility, org_unit=unit, unit_path=unit.path)
    require(actor, probe)
    errors: dict[str, list[str]] = {}
    if not location.strip():
        errors["location"] = [_("Say where the fault is.")]
    if not reported_by.strip():
        errors["reported_by"] = [_("Name who reported it.")]
    if point is not None and point.organisation_id != utility.pk:
        errors["point"] = [_("Choose a point of this utility.")]
    if reported_at > timezone.now() + timedelta(minutes=5):
        errors["reported_at"] = [_("The time is in the future.")]
    if errors:
        raise ValidationError(errors)
    day = timezone.localtime(reported_at).date()
    check_record_day(day, "reported_at")
    hospital = hospital or bool(point and point.priority)
    with acting_as(actor), transaction.atomic():
        return Fault.create_keyed(client_id, same={
            "organisation": utility, "org_unit": unit, "location": location.strip(),
            "kind": kind, "reported_by": reported_by.strip(), "reported_at": reported_at,
            "day": day, "point": point, "description": description.strip(),
            "hospital": hospital}, defaults={"recorded_by": actor, "made_at": made_at},
            actor=actor)


def dispatch_fault(actor: Any, fault: Fault, *, crew: str, at: datetime) -> Fault:
    require(actor, fault)
    if not crew.strip():
        raise ValidationError({"crew": [_("Name the repair crew.")]})
    if at < fault.reported_at:
        raise ValidationError({"dispatched_at": [_("Dispatched before it was reported.")]})
    with acting_as(actor), transaction.atomic():
        fault = Fault.objects.select_for_update().get(pk=fault.pk)
        if fault.dispatched_at is None:
            fault.dispatched_at, fault.crew = at, crew.strip()
            fault.save()
    return fault


def repair_fault(actor: Any, fault: Fault, *, at: datetime, note: str) -> Fault:
    require(actor, fault)
    errors: dict[str, list[str]] = {}
    if at < fault.reported_at:
        errors["repaired_at"] = [_("Repaired before it was reported.")]
    if at > timezone.now() + timedelta(minutes=5):
        errors["repaired_at"] = [_("The time is in the future.")]
    if not note.strip():
        errors["repair_note"] = [_("Say what was repaired.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        fault = Fault.objects.select_for_update().get(pk=fault.pk)
        if fault.repaired_at is None:
            fault.dispatched_at = fault.dispatched_at or at
            fault.repaired_at, fault.repair_note = at, note.strip()[:300]
            fault.save()
    return fault


def indicator_choices(point: SamplingPoint | None = None) -> list[tuple[str, str]]:
    out = []
    for code, label in Ind.choices:
        if code in STATION_ONLY and point is not None and point.point_type != "outlet":
            continue
        unit = SPECS[code].unit
        out.append((code, f"{label}（{unit}）" if unit else str(label)))
    return out
