"""Who may write what: the one place the care services authorise their actor."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model

from fangkong.care.access import CARE_ROLES
from fangkong.core.roles import Cap, Role
from fangkong.core.scoping import scope_for


def require_edit(actor: Any, record: Model) -> None:
    """``actor`` may change ``record`` (a care record, fetched in any scope): the record
    is among those its model opens to the actor for ``edit``; else PermissionDenied."""
    model = type(record)
    if not model.objects.visible_to(actor, Cap.EDIT).filter(pk=record.pk).exists():
        raise PermissionDenied


def require_coordinator(actor: Any, task_force: Any) -> None:
    """Task-force level work (registering families, pairing, payments): territorial staff
    whose area covers the task force, its coordinator, or one of its member units'
    liaisons. A helper logs services and help requests, nothing else."""
    scope = scope_for(actor)
    if scope.covers(Cap.EDIT, task_force.unit_path):
        return
    orgs = {g.organisation_id for g in scope.grants
            if g.role in (Role.TASK_FORCE, Role.MEMBER_UNIT) and g.organisation_id}
    if task_force.organisation_id in orgs or task_force.members.filter(
            organisation_id__in=orgs).exists():
        return
    raise PermissionDenied


def is_care_user(actor: Any) -> bool:
    scope = scope_for(actor)
    return bool(scope.paths(Cap.VIEW)) or scope.has_role(*CARE_ROLES)
