"""Checkpoints and duty rosters (the screening rule: ``services.screening``)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fangkong.checkpoints.models import Checkpoint, DutyRoster
from fangkong.core.audit import acting_as
from fangkong.core.models import Grant, OrgUnit
from fangkong.core.models.accounts import Cap, Role
from fangkong.core.models.territory import Level
from fangkong.core.scoping import require_capability
from fangkong.core.unique import get_or_create_unique, save_unique
from fangkong.lib.dates import check_record_day

#: The message for a name another checkpoint of the community has.
NAME_IN_USE = gettext_noop("This community already has a checkpoint with this name.")


def create_checkpoint(
    actor: Any, community: OrgUnit, *, name: str, kind: str, location: str = "",
    opened_on: date | None = None, client_id: uuid.UUID | None = None,
) -> Checkpoint:
    """A new checkpoint. The page's form sends its ``client_id``: the same form sent
    again (back, then send) answers the checkpoint it created, not "name in use"."""
    require_capability(actor, Cap.EDIT, community.path)
    if community.level != Level.COMMUNITY:
        raise ValidationError({"org_unit": [_("Checkpoints belong to a village or community.")]})
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [_("Give the checkpoint a name.")]})
    opened_on = opened_on or timezone.localdate()
    check_record_day(opened_on, "opened_on")
    location = (location or "").strip()
    if client_id is not None:
        sent_before = Checkpoint.objects.filter(client_id=client_id).first()
        if sent_before is not None:
            sent_before.check_same({"org_unit": community, "name": name, "kind": kind,
                                    "location": location})
            return sent_before
    with acting_as(actor), transaction.atomic():
        checkpoint, created = get_or_create_unique(
            Checkpoint.objects, {"org_unit": community, "name": name},
            {"kind": kind, "location": location, "opened_on": opened_on,
             **({"client_id": client_id} if client_id else {})},
        )
        if not created and (client_id is None or checkpoint.client_id != client_id):
            raise ValidationError({"name": [_(NAME_IN_USE)]})
        return checkpoint  # new, or the same form sent twice at once


def edit_checkpoint(
    actor: Any, checkpoint: Checkpoint, *, name: str, kind: str, location: str = "",
    opened_on: date | None = None,
) -> Checkpoint:
    """Correct a checkpoint's name, kind, location or first day (its community stays:
    its passages and roster are that community's). Audited."""
    require_capability(actor, Cap.EDIT, checkpoint.unit_path)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [_("Give the checkpoint a name.")]})
    opened_on = opened_on or checkpoint.opened_on
    if opened_on != checkpoint.opened_on:
        check_record_day(opened_on, "opened_on")
    if checkpoint.closed_on and opened_on >= checkpoint.closed_on:
        raise ValidationError({"opened_on": [_("A checkpoint closes after the day it opened.")]})
    if Checkpoint.objects.filter(org_unit_id=checkpoint.org_unit_id, name=name).exclude(
            pk=checkpoint.pk).exists():
        raise ValidationError({"name": [_(NAME_IN_USE)]})
    with acting_as(actor), transaction.atomic():
        checkpoint = Checkpoint.objects.select_for_update().get(pk=checkpoint.pk)
        checkpoint.name, checkpoint.kind = name, kind
        checkpoint.location, checkpoint.opened_on = (location or "").strip(), opened_on
        try:
            save_unique(checkpoint)
        except ValidationError:
            raise ValidationError({"name": [_(NAME_IN_USE)]}) from None
    return checkpoint


def close_checkpoint(actor: Any, checkpoint: Checkpoint, *, day: date | None = None
                     ) -> Checkpoint:
    """Lift a checkpoint (the last day it ran is the day before ``day``): it stops taking
    registrations and counts only for the days it was in operation."""
    require_capability(actor, Cap.EDIT, checkpoint.unit_path)
    day = day or timezone.localdate()
    check_record_day(day, "closed_on")
    if day <= checkpoint.opened_on:
        raise ValidationError({"closed_on": [_("A checkpoint closes after the day it opened.")]})
    with acting_as(actor), transaction.atomic():
        checkpoint = Checkpoint.objects.select_for_update().get(pk=checkpoint.pk)
        if not checkpoint.is_active:
            return checkpoint
        checkpoint.is_active = False
        checkpoint.closed_on = day
        checkpoint.save(update_fields=["is_active", "closed_on", "updated_at"])
    return checkpoint


ROSTER_AHEAD_DAYS = 60


def roster(actor: Any, checkpoint: Checkpoint, user: Any, day: date) -> tuple[DutyRoster, bool]:
    """Put a checkpoint-duty user on a checkpoint for a day (idempotent): today or up to
    ``ROSTER_AHEAD_DAYS`` ahead (past entries are not shown and could not be removed)."""
    require_capability(actor, Cap.EDIT, checkpoint.unit_path)
    if day < timezone.localdate():
        raise ValidationError({"day": [_("Roster today or a later day.")]})
    check_record_day(day, "day", ahead=ROSTER_AHEAD_DAYS)
    holds_duty = Grant.objects.filter(
        user=user, role=Role.CHECKPOINT_DUTY,
    ).select_related("org_unit")
    if not any(checkpoint.unit_path.startswith(g.org_unit.path) for g in holds_duty):
        raise ValidationError({"user": [_(
            "This user holds no checkpoint-duty role in this community."
        )]})
    with acting_as(actor), transaction.atomic():
        return get_or_create_unique(
            DutyRoster.objects, {"checkpoint": checkpoint, "user": user, "day": day},
            {"org_unit_id": checkpoint.org_unit_id, "unit_path": checkpoint.unit_path,
             "created_by": actor},
        )


def unroster(actor: Any, entry: DutyRoster) -> None:
    require_capability(actor, Cap.EDIT, entry.unit_path)
    with acting_as(actor), transaction.atomic():
        entry.delete()
