"""Pairing helpers to families: one active primary helper per family (the database's
partial unique indexes are the rule; these functions say it in words first)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.care.models import Elderly, Helper, MedicalWorker, Pairing
from fangkong.care.services.access import require_coordinator
from fangkong.core.audit import acting_as
from fangkong.core.unique import save_unique


def pair(actor: Any, helper: Helper, *, worker: MedicalWorker | None = None,
         elderly: Elderly | None = None, started_on: date, reassign: bool = False,
         reason: str = "") -> tuple[Pairing, bool]:
    """Pair ``helper`` to a family as its primary helper. The family's active pairing
    with the same helper is returned as it is (a retry); another helper's is refused
    unless ``reassign``, which ends it on ``started_on`` with ``reason`` (history kept)."""
    family = worker or elderly
    if (worker is None) == (elderly is None):
        raise ValidationError(_("Pair a helper to one family."))
    require_coordinator(actor, family.task_force)
    if not helper.is_active:
        raise ValidationError({"helper": [_("This helper is no longer active.")]})
    if helper.task_force_id != family.task_force_id:
        raise ValidationError({"helper": [_("This helper works for another task force.")]})
    key = {"worker": worker} if worker else {"elderly": elderly}
    with acting_as(actor), transaction.atomic():
        current = (Pairing.objects.select_for_update().filter(
            ended_on__isnull=True, primary=True, **key).select_related("helper").first())
        if current is not None:
            if current.helper_id == helper.pk:
                return current, False
            if not reassign:
                raise ValidationError({"helper": [_(
                    "This family already has an active helper (%(name)s). Reassign it to "
                    "change helpers.") % {"name": current.helper.name}]})
            if started_on < current.started_on:
                raise ValidationError({"started_on": [_(
                    "The new pairing starts before the current one (%(day)s).")
                    % {"day": current.started_on}]})
            current.ended_on = started_on
            current.end_reason = " ".join(str(reason or "").split())[:200] or _("Reassigned")
            current.save(update_fields=["ended_on", "end_reason", "updated_at"])
        pairing = Pairing(org_unit=family.org_unit, task_force=family.task_force,
                          member_unit=helper.organisation, helper=helper,
                          started_on=started_on, **key)
        return save_unique(pairing), True


def unpair(actor: Any, pairing: Pairing, *, ended_on: date, reason: str) -> Pairing:
    """End a pairing (the family has no helper until another is paired)."""
    require_coordinator(actor, pairing.task_force)
    if pairing.ended_on is not None:
        return pairing
    if ended_on < pairing.started_on:
        raise ValidationError({"ended_on": [_("The end is before the start.")]})
    with acting_as(actor), transaction.atomic():
        pairing.ended_on = ended_on
        pairing.end_reason = " ".join(str(reason or "").split())[:200]
        pairing.save(update_fields=["ended_on", "end_reason", "updated_at"])
    return pairing
