"""Task forces, their member units and helpers, edited from the pages (issue #13).

Who may do what (each function authorises its actor; every write is audited through
``acting_as``, the three models being in ``CareConfig.audited``):

- create a task force: territorial staff with ``edit`` over its unit (HQ for the city);
- edit it: the same, or its coordinator (a ``task_force`` grant for the lead
  organisation);
- add, edit, remove a member unit: the coordinator or territorial staff; a member unit's
  liaison edits its own row's leader and contact only;
- register and edit helpers: the coordinator or territorial staff for any member unit,
  a member unit's liaison for its own unit only.

Creating is keyed by the form's ``client_id`` (a form sent twice finds the first row);
editing carries the ``version`` of the row the form was made from, so an edit made on
an older view than the one stored is refused instead of overwriting a newer change.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from fangkong.care.models import (
    Elderly,
    Helper,
    MedicalWorker,
    Pairing,
    TaskForce,
    TaskForceMember,
)
from fangkong.care.services.cleaning import phone as _phone
from fangkong.care.services.cleaning import text as _text
from fangkong.core.audit import acting_as
from fangkong.core.models import Organisation, OrgUnit
from fangkong.core.models.scoped import KeyConflict
from fangkong.core.roles import Cap, Role
from fangkong.core.scoping import scope_for
from fangkong.core.unique import get_or_create_unique

NAME_TAKEN = "name_taken"
STALE = "stale"


# --- who -----------------------------------------------------------------------------------

def _grant_orgs(actor: Any, role: str) -> set[int]:
    return {g.organisation_id for g in scope_for(actor).grants
            if g.role == role and g.organisation_id}


def may_create(actor: Any, unit: OrgUnit | None = None) -> bool:
    """Territorial staff with ``edit`` over ``unit`` (anywhere, if None)."""
    scope = scope_for(actor)
    if unit is None:
        return scope.superuser or bool(scope.paths(Cap.EDIT))
    return scope.covers(Cap.EDIT, unit.path)


def is_lead(actor: Any, task_force: TaskForce) -> bool:
    """Territorial staff whose area covers the task force, or its coordinator."""
    return (scope_for(actor).covers(Cap.EDIT, task_force.unit_path)
            or task_force.organisation_id in _grant_orgs(actor, Role.TASK_FORCE))


def liaison_units(actor: Any, task_force: TaskForce) -> set[int]:
    """The member units of ``task_force`` whose liaison ``actor`` is."""
    orgs = _grant_orgs(actor, Role.MEMBER_UNIT)
    if not orgs:
        return set()
    return set(task_force.members.filter(organisation_id__in=orgs)
               .values_list("organisation_id", flat=True))


def require_lead(actor: Any, task_force: TaskForce) -> None:
    if not is_lead(actor, task_force):
        raise PermissionDenied


def may_edit_member(actor: Any, member: TaskForceMember) -> bool:
    return (is_lead(actor, member.task_force)
            or member.organisation_id in liaison_units(actor, member.task_force))


def helper_units(actor: Any, task_force: TaskForce) -> Any:
    """The organisations ``actor`` may register helpers of: every member unit (and the
    lead organisation) for the coordinator, its own unit for a member unit's liaison."""
    if is_lead(actor, task_force):
        ids = set(task_force.members.values_list("organisation_id", flat=True))
        ids.add(task_force.organisation_id)
    else:
        ids = liaison_units(actor, task_force)
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def may_register_helpers(actor: Any, task_force: TaskForce) -> bool:
    return is_lead(actor, task_force) or bool(liaison_units(actor, task_force))


def may_edit_helper(actor: Any, helper: Helper) -> bool:
    return (is_lead(actor, helper.task_force)
            or helper.organisation_id in liaison_units(actor, helper.task_force))


# --- cleaning --------------------------------------------------------------------------------


def _kept_phone(values: dict[str, Any], field: str, current: Any) -> None:
    """On an edit form the stored number is shown masked: an empty field keeps it."""
    if not values[field]:
        values[field] = getattr(current, field)


def _required(values: dict[str, Any], messages: dict[str, str],
              errors: dict[str, list[str]]) -> None:
    for field, message in messages.items():
        if not values.get(field):
            errors.setdefault(field, [message])


def version(record: Any, fields: tuple[str, ...]) -> str:
    """What an edit form saw (a hidden field), as ``relief``'s households do."""
    state = [str(getattr(record, f)) for f in fields]
    return hashlib.sha256(json.dumps(state, ensure_ascii=False).encode()).hexdigest()[:20]


def _stale() -> ValidationError:
    return ValidationError(_("Someone changed this after you opened the form. The form now "
                             "shows the current values; make your change again."), code=STALE)


def _check_same(found: Any, same: dict[str, Any]) -> None:
    for name, value in same.items():
        stored = getattr(found, f"{name}_id" if hasattr(value, "pk") else name)
        if stored != (value.pk if hasattr(value, "pk") else value):
            raise KeyConflict.on_key()


TASK_FORCE_FIELDS = ("name", "leader", "contact_name", "contact_phone")
MEMBER_FIELDS = ("organisation_id", "leader", "contact_name", "contact_phone")
HELPER_FIELDS = ("name", "phone", "organisation_id", "user_id", "is_active")


# --- task forces -----------------------------------------------------------------------------

def _name_taken(name: str, organisation: Organisation, unit: OrgUnit,
                exclude: int | None = None) -> str:
    same = TaskForce.objects.filter(name=name).exclude(pk=exclude)
    if same.filter(organisation=organisation).exists() or same.filter(org_unit=unit).exists():
        return _("A task force named %(name)s already exists in %(unit)s; choose another "
                 "name or open that one.") % {"name": name, "unit": unit.name}
    return ""


def create_task_force(actor: Any, unit: OrgUnit, *, client_id: Any, name: str,
                      organisation: Organisation | None, leader: str, contact_name: str,
                      contact_phone: str = "") -> tuple[TaskForce, bool]:
    """A new task force led by ``organisation``, in ``unit``; once per form key."""
    if not may_create(actor, unit):
        raise PermissionDenied
    found = TaskForce.objects.filter(client_id=client_id).first()
    values = {"name": _text(name, 100), "leader": _text(leader, 50),
              "contact_name": _text(contact_name, 50)}
    errors: dict[str, list[str]] = {}
    values["contact_phone"] = _phone(contact_phone, "contact_phone", errors)
    if found is not None:
        _check_same(found, {"name": values["name"], "organisation": organisation})
        return found, False
    _required({**values, "organisation": organisation}, {
        "name": _("Name the task force."),
        "organisation": _("Choose the organisation that leads the task force."),
        "leader": _("Name the responsible leader."),
        "contact_name": _("Name the contact.")}, errors)
    if values["name"] and organisation is not None and "name" not in errors:
        taken = _name_taken(values["name"], organisation, unit)
        if taken:
            errors["name"] = [taken]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        try:
            return get_or_create_unique(
                TaskForce.objects, {"client_id": client_id},
                {**values, "organisation": organisation, "org_unit": unit})
        except IntegrityError:  # the name was taken in between
            raise ValidationError({"name": [_name_taken(values["name"], organisation, unit)]},
                                  code=NAME_TAKEN) from None


def update_task_force(actor: Any, task_force: TaskForce, *, name: str, leader: str,
                      contact_name: str, contact_phone: str = "", seen: str = ""
                      ) -> TaskForce:
    """Edit the name, responsible leader and contact (an empty phone keeps the stored
    one). ``seen``: the ``version`` the form was made from."""
    require_lead(actor, task_force)
    errors: dict[str, list[str]] = {}
    values = {"name": _text(name, 100), "leader": _text(leader, 50),
              "contact_name": _text(contact_name, 50)}
    values["contact_phone"] = _phone(contact_phone, "contact_phone", errors)
    _required(values, {"name": _("Name the task force."),
                       "leader": _("Name the responsible leader."),
                       "contact_name": _("Name the contact.")}, errors)
    if values["name"] and "name" not in errors:
        taken = _name_taken(values["name"], task_force.organisation, task_force.org_unit,
                            exclude=task_force.pk)
        if taken:
            errors["name"] = [taken]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        current = TaskForce.objects.select_for_update().get(pk=task_force.pk)
        before = version(current, TASK_FORCE_FIELDS)
        _kept_phone(values, "contact_phone", current)
        for field, value in values.items():
            setattr(current, field, value)
        if version(current, TASK_FORCE_FIELDS) == before:
            return current
        if seen and seen != before:
            raise _stale()
        try:
            with transaction.atomic():
                current.save(update_fields=[*values, "updated_at"])
        except IntegrityError:
            raise ValidationError({"name": [_name_taken(
                values["name"], current.organisation, current.org_unit, exclude=current.pk)]}
            ) from None
    return current


# --- member units ----------------------------------------------------------------------------

def remains(task_force: TaskForce, organisation_id: int) -> dict[str, int]:
    """What a member unit still answers for in the task force: its helpers, the workers
    and the elderly it is responsible for."""
    return {
        "helpers": Helper.objects.filter(task_force=task_force,
                                         organisation_id=organisation_id).count(),
        "workers": MedicalWorker.objects.filter(task_force=task_force,
                                                member_unit_id=organisation_id).count(),
        "elderly": Elderly.objects.filter(task_force=task_force,
                                          member_unit_id=organisation_id).count(),
    }


def removal_refusal(member: TaskForceMember) -> str:
    """Why the member unit cannot be removed ("" if it can)."""
    left = remains(member.task_force, member.organisation_id)
    parts = []
    if left["helpers"]:
        parts.append(ngettext("%(n)d helper", "%(n)d helpers", left["helpers"])
                     % {"n": left["helpers"]})
    if left["workers"]:
        parts.append(ngettext("%(n)d frontline medical worker",
                              "%(n)d frontline medical workers", left["workers"])
                     % {"n": left["workers"]})
    if left["elderly"]:
        parts.append(ngettext("%(n)d elderly resident", "%(n)d elderly residents",
                              left["elderly"]) % {"n": left["elderly"]})
    if not parts:
        return ""
    what = pgettext("care list separator", ", ").join(parts)
    return _("%(unit)s still has %(what)s in this task force: move them to another member "
             "unit first.") % {"unit": member, "what": what}


def add_member(actor: Any, task_force: TaskForce, *, client_id: Any,
               organisation: Organisation | None, leader: str, contact_name: str,
               contact_phone: str = "") -> tuple[TaskForceMember, bool]:
    """A member unit with its responsible leader and contact; once per form key. The lead
    organisation may be a member too (its own staff help families, as in the demo)."""
    require_lead(actor, task_force)
    found = TaskForceMember.objects.filter(client_id=client_id).first()
    if found is not None:
        _check_same(found, {"task_force": task_force, "organisation": organisation})
        return found, False
    errors: dict[str, list[str]] = {}
    values = {"leader": _text(leader, 50), "contact_name": _text(contact_name, 50)}
    values["contact_phone"] = _phone(contact_phone, "contact_phone", errors)
    _required({**values, "organisation": organisation}, {
        "organisation": _("Choose the member unit."),
        "leader": _("Name the responsible leader."),
        "contact_name": _("Name the contact.")}, errors)
    already = _("%(unit)s is already a member of this task force.")
    if organisation is not None and task_force.members.filter(
            organisation=organisation).exists():
        errors["organisation"] = [already % {"unit": organisation}]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        try:
            return get_or_create_unique(
                TaskForceMember.objects, {"client_id": client_id},
                {**values, "task_force": task_force, "organisation": organisation})
        except IntegrityError:
            raise ValidationError({"organisation": [already % {"unit": organisation}]}
                                  ) from None


def update_member(actor: Any, member: TaskForceMember, *, leader: str, contact_name: str,
                  contact_phone: str = "", seen: str = "") -> TaskForceMember:
    """Edit a member unit's responsible leader and contact (the coordinator, territorial
    staff, or that unit's own liaison). An empty phone keeps the stored one."""
    if not may_edit_member(actor, member):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    values = {"leader": _text(leader, 50), "contact_name": _text(contact_name, 50)}
    values["contact_phone"] = _phone(contact_phone, "contact_phone", errors)
    _required(values, {"leader": _("Name the responsible leader."),
                       "contact_name": _("Name the contact.")}, errors)
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        current = TaskForceMember.objects.select_for_update().get(pk=member.pk)
        before = version(current, MEMBER_FIELDS)
        _kept_phone(values, "contact_phone", current)
        for field, value in values.items():
            setattr(current, field, value)
        if version(current, MEMBER_FIELDS) == before:
            return current
        if seen and seen != before:
            raise _stale()
        current.save(update_fields=list(values))
    return current


def remove_member(actor: Any, member: TaskForceMember) -> None:
    """Remove a member unit added by mistake or gone from the task force; refused, naming
    what remains, while it has helpers, workers or elderly in the task force."""
    require_lead(actor, member.task_force)
    with acting_as(actor), transaction.atomic():
        current = (TaskForceMember.objects.select_for_update().filter(pk=member.pk)
                   .select_related("task_force", "organisation").first())
        if current is None:  # removed meanwhile (sent twice)
            return
        refusal = removal_refusal(current)
        if refusal:
            raise ValidationError(refusal, code="remains")
        current.delete()


# --- helpers ---------------------------------------------------------------------------------

CODE = re.compile(r"^BF(\d+)$")


def next_code(task_force: TaskForce) -> str:
    """The next helper number, as the demo numbers them (BF0001, BF0002, …)."""
    top = 0
    for code in Helper.objects.filter(task_force=task_force, code__startswith="BF"
                                      ).values_list("code", flat=True):
        match = CODE.match(code)
        if match:
            top = max(top, int(match.group(1)))
    return f"BF{top + 1:04d}"


def posted_key(value: Any) -> uuid.UUID | None:
    """A form's submission key as sent, if it is one."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def linkable_users(task_force: TaskForce, helper: Helper | None = None,
                   client_id: Any = None) -> Any:
    """Accounts a helper may be linked to: those holding a helper grant and not linked
    to another helper (in any task force). ``client_id``: the form sent again links the
    helper it created to its account already."""
    from django.contrib.auth import get_user_model

    linked = Helper.objects.filter(user__isnull=False)
    if helper is not None:
        linked = linked.exclude(pk=helper.pk)
    key = posted_key(client_id)
    if key is not None:
        linked = linked.exclude(client_id=key)
    return (get_user_model().objects.filter(is_active=True, grants__role=Role.HELPER)
            .exclude(pk__in=linked.values("user_id")).distinct().order_by("username"))


def _helper_errors(actor: Any, task_force: TaskForce, values: dict[str, Any],
                   organisation: Organisation | None, user: Any, helper: Helper | None
                   ) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    _required({**values, "organisation": organisation}, {
        "name": _("Enter the helper's name."),
        "organisation": _("Choose the helper's member unit.")}, errors)
    if organisation is not None and not helper_units(actor, task_force).filter(
            pk=organisation.pk).exists():
        errors["organisation"] = [_("Choose one of the task force's member units you "
                                    "answer for.")]
    if user is not None and not linkable_users(task_force, helper).filter(
            pk=user.pk).exists():
        errors["user"] = [_("This account is already linked to another helper, or is not "
                            "a helper's account.")]
    return errors


def register_helper(actor: Any, task_force: TaskForce, *, client_id: Any, name: str,
                    organisation: Organisation | None, phone: str = "", user: Any = None
                    ) -> tuple[Helper, bool]:
    """A new helper of a member unit, numbered after the last one; once per form key."""
    if not may_register_helpers(actor, task_force):
        raise PermissionDenied
    found = Helper.objects.filter(client_id=client_id).first()
    values = {"name": _text(name, 50)}
    errors: dict[str, list[str]] = {}
    values["phone"] = _phone(phone, "phone", errors)
    if found is not None:
        _check_same(found, {"task_force": task_force, "name": values["name"],
                            "organisation": organisation})
        return found, False
    errors.update({k: v for k, v in _helper_errors(actor, task_force, values, organisation,
                                                   user, None).items() if k not in errors})
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    return get_or_create_unique(
                        Helper.objects, {"client_id": client_id},
                        {**values, "task_force": task_force, "organisation": organisation,
                         "user": user, "code": next_code(task_force),
                         "org_unit": task_force.org_unit})
            except IntegrityError:
                if user is not None and Helper.objects.filter(user=user).exists():
                    raise ValidationError({"user": [_(
                        "This account is already linked to another helper.")]}) from None
                # another helper took the number meanwhile: number again
        raise ValidationError(_("The helper could not be numbered; send the form again."))


def update_helper(actor: Any, helper: Helper, *, name: str,
                  organisation: Organisation | None, phone: str = "", user: Any = None,
                  is_active: bool = True, seen: str = "") -> Helper:
    """Edit a helper. A member unit's liaison edits its own unit's helpers and cannot move
    them elsewhere. A helper with active pairings stays active: their families are
    reassigned first. An empty phone keeps the stored one."""
    if not may_edit_helper(actor, helper):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {"name": _text(name, 50)}
    values["phone"] = _phone(phone, "phone", errors)
    errors.update({k: v for k, v in _helper_errors(actor, helper.task_force, values,
                                                   organisation, user, helper).items()
                   if k not in errors})
    active = Pairing.objects.active().filter(helper=helper)
    if not is_active and active.exists():
        errors["is_active"] = [ngettext(
            "%(n)d family is paired to this helper: reassign it to another helper first.",
            "%(n)d families are paired to this helper: reassign them to other helpers "
            "first.", active.count()) % {"n": active.count()}]
    elif organisation is not None and organisation.pk != helper.organisation_id and (
            active.exists()):
        errors["organisation"] = [_("This helper has families paired: reassign them "
                                    "before moving the helper to another unit.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        current = Helper.objects.select_for_update().get(pk=helper.pk)
        before = version(current, HELPER_FIELDS)
        _kept_phone(values, "phone", current)
        current.name, current.phone = values["name"], values["phone"]
        current.organisation, current.user, current.is_active = organisation, user, is_active
        if version(current, HELPER_FIELDS) == before:
            return current
        if seen and seen != before:
            raise _stale()
        if not is_active and Pairing.objects.active().filter(helper=current).exists():
            raise ValidationError({"is_active": [_(
                "Families are paired to this helper: reassign them first.")]})
        try:
            with transaction.atomic():
                current.save(update_fields=["name", "phone", "organisation", "user",
                                            "is_active", "updated_at"])
        except IntegrityError:
            raise ValidationError({"user": [_(
                "This account is already linked to another helper.")]}) from None
    return current
