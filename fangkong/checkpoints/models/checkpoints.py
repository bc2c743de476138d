"""Checkpoints, who is on duty at them, and the screening rule (fever threshold, plates)."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import ScopedModel, ScopedQuerySet
from fangkong.core.models.accounts import Cap, Role
from fangkong.core.models.scoped import path_filter
from fangkong.lib.identity import PLATE_PROVINCES


def new_public_key() -> str:
    """The token in a checkpoint's QR code: unguessable, so nobody can enumerate the
    self-registration pages of a city's checkpoints by counting ids."""
    return secrets.token_urlsafe(12)


class CheckpointKind(models.TextChoices):
    GATE = "gate", _("Estate gate")
    ROAD = "road", _("Road checkpoint")
    OTHER = "other", _("Other")


class CheckpointQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any, capability: str = Cap.VIEW):
        """Territorial grants see their subtree; checkpoint duty sees the checkpoints it
        is rostered on today (local date), inside its grant's unit, and nothing else."""
        from fangkong.core.scoping import scope_for

        scope = scope_for(user)
        if scope.is_global(capability):
            return self
        q = path_filter(scope.paths(capability))
        if capability in (Cap.VIEW, Cap.REGISTER_PASSAGE):
            duty_paths = [g.path for g in scope.grants if g.role == Role.CHECKPOINT_DUTY]
            if duty_paths:
                rostered = DutyRoster.objects.filter(
                    user_id=user.pk, day=timezone.localdate(),
                ).values("checkpoint_id")
                q |= Q(pk__in=rostered) & path_filter(duty_paths)
        return self.filter(q)

    def active(self):
        return self.filter(is_active=True)

    def running_on(self, day: date):
        """Checkpoints in operation on ``day``: opened by then and not yet closed."""
        return self.filter(Q(opened_on__lte=day) & (
            Q(closed_on__gt=day) | Q(closed_on__isnull=True, is_active=True)))


class Checkpoint(ScopedModel):
    """A registration point at an estate gate or on a road, in one community."""

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
        if scope.superuser:
            return True
        if any(unit_path.startswith(p) for p in scope.paths(Cap.REGISTER_PASSAGE)):
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


provinces_validator = RegexValidator(
    rf"^[{PLATE_PROVINCES}]*$",
    _("Use plate province abbreviations only, such as 鄂 or 鄂豫."),
)


class ScreeningRule(models.Model):
    """The numbers a passage is judged by (POLICIES.md, "Fever"; PRODUCT.md §4).

    Versioned: HQ changes it by adding a new row; each passage keeps the version it was
    judged with, so yesterday's flags do not change when today's rule does.
    """

    DEFAULT_FEVER = Decimal("37.3")
    DEFAULT_PROVINCES = "鄂"

    version = models.PositiveIntegerField(_("version"), unique=True)
    fever_threshold = models.DecimalField(
        _("fever threshold (°C)"), max_digits=3, decimal_places=1, default=DEFAULT_FEVER,
        validators=[MinValueValidator(Decimal("36.0")), MaxValueValidator(Decimal("39.0"))],
        help_text=_("A temperature at or above this opens a fever alert."),
    )
    watched_provinces = models.CharField(
        _("watched provinces"), max_length=40, blank=True, default=DEFAULT_PROVINCES,
        validators=[provinces_validator],
        help_text=_("Plate province abbreviations whose vehicles are flagged for screening."),
    )
    note = models.CharField(_("reason for the change"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("screening rule")
        verbose_name_plural = _("screening rules")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}: ≥{self.fever_threshold}°C, {self.watched_provinces or '-'}"

    @classmethod
    def current(cls) -> ScreeningRule:
        """The rule in force: the latest version, or the shipped default (version 0)."""
        rule = cls.objects.order_by("-version").first()
        return rule or cls(version=0)

    def is_fever(self, temperature: Decimal | None) -> bool:
        return temperature is not None and temperature >= self.fever_threshold

    def is_watched(self, province: str) -> bool:
        return bool(province) and province in self.watched_provinces
