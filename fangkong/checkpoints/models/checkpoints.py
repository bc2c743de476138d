"""Checkpoints and who is on duty at them (the screening rule: ``services.screening``)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.checkpoints.models.keys import submission_key
from fangkong.core.models import KeyedModel, ScopedModel, ScopedQuerySet
from fangkong.core.models.accounts import Cap, Role
from fangkong.core.scoping import subtrees_q


def new_public_key() -> str:
    """The token in a checkpoint's QR code: unguessable, so nobody can enumerate the
    self-registration pages of a city's checkpoints by counting ids."""
    return secrets.token_urlsafe(12)


class CheckpointKind(models.TextChoices):
    GATE = "gate", _("Estate gate")
    ROAD = "road", _("Road checkpoint")
    OTHER = "other", _("Other")


#: The non-territorial roles checkpoint pages serve (``Scope.can(..., roles=DUTY_ROLES)``).
DUTY_ROLES = (Role.CHECKPOINT_DUTY,)


class CheckpointQuerySet(ScopedQuerySet):
    #: Checkpoint duty sees (and registers at) the checkpoints it is rostered on today.
    scoped_roles = {Role.CHECKPOINT_DUTY: frozenset({Cap.VIEW, Cap.REGISTER_PASSAGE})}

    def extra_visibility(self, user: Any, scope: Any, capability: str) -> Q | None:
        """A duty user sees the checkpoints it is rostered on today (local date), inside
        its grant's unit, and nothing else."""
        if capability not in (Cap.VIEW, Cap.REGISTER_PASSAGE):
            return None
        duty_paths = [g.path for g in scope.grants if g.role == Role.CHECKPOINT_DUTY]
        if not duty_paths:
            return None
        rostered = DutyRoster.objects.filter(
            user_id=user.pk, day=timezone.localdate(),
        ).values("checkpoint_id")
        return Q(pk__in=rostered) & subtrees_q(duty_paths)

    def active(self):
        return self.filter(is_active=True)

    def running_on(self, day: date):
        """Checkpoints in operation on ``day``: opened by then and not yet closed."""
        return self.filter(Q(opened_on__lte=day) & (
            Q(closed_on__gt=day) | Q(closed_on__isnull=True, is_active=True)))


class Checkpoint(KeyedModel):
    """A registration point at an estate gate or on a road, in one community."""

    client_id = submission_key()

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(
        _("kind"), max_length=8, choices=CheckpointKind.choices, default=CheckpointKind.GATE,
    )
    location = models.CharField(_("location"), max_length=120, blank=True)
    is_active = models.BooleanField(_("in operation"), default=True)
    opened_on = models.DateField(_("in operation since"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    public_key = models.CharField(
        _("QR code key"), max_length=24, unique=True, default=new_public_key, editable=False,
    )

    objects = CheckpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["unit_path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="checkpoint_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def may_register(scope: Any, unit_path: str, rostered_today: bool) -> bool:
        """``CheckpointQuerySet.visible_to(user, "register_passage")`` for one checkpoint,
        decided from the user's scope: a territorial grant with the capability over it,
        or a checkpoint-duty grant over it and today's roster entry. The checkpoint page
        uses this for its duty-screen link; tests/test_hot_path.py checks both agree."""
        if scope.covers(Cap.REGISTER_PASSAGE, unit_path):
            return True
        return rostered_today and any(
            g.role == Role.CHECKPOINT_DUTY and unit_path.startswith(g.path)
            for g in scope.grants
        )


class DutyRoster(ScopedModel):
    """Who is on duty at which checkpoint on which day; a duty user sees only these."""

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.CASCADE, related_name="roster",
        verbose_name=_("checkpoint"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_roster",
        verbose_name=_("user"),
    )
    day = models.DateField(_("date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("rostered by"),
    )

    class Meta:
        verbose_name = _("duty roster entry")
        verbose_name_plural = _("duty roster")
        ordering = ["-day", "checkpoint__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "user", "day"], name="roster_unique_user_day",
            ),
        ]
        indexes = [models.Index(fields=["user", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.checkpoint} {self.user}"
