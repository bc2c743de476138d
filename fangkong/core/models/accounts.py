"""Roles, grants and API tokens.

A user holds one or more (role, org unit[, organisation]) grants. What a role may do is
a set of capabilities (``Role.capabilities``), checked in one place (``core.scoping``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core.roles import ORGANISATION_ROLES, ROLE_CAPABILITIES, TERRITORIAL_ROLES, Cap, Role

# Capabilities and roles live in ``core.roles`` (no models), so that AppConfigs can name
# them in their navigation entries; they are re-exported here, where callers import them.
__all__ = ["ORGANISATION_ROLES", "ROLE_CAPABILITIES", "TERRITORIAL_ROLES", "ApiToken", "Cap",
           "Grant", "Role"]


class Grant(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="grants",
        verbose_name=_("org unit"),
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="grants", verbose_name=_("organisation"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org_unit"], name="grant_unique_role_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org_unit}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Tokens not revoked, not expired and not idle (``ApiToken.is_usable`` for one row)."""
        now = timezone.now()
        tokens = self.filter(revoked_at__isnull=True, expires_at__gt=now)
        idle_cutoff = ApiToken.idle_cutoff(now)
        if idle_cutoff is None:
            return tokens
        return tokens.filter(
            models.Q(last_used_at__gt=idle_cutoff)
            | models.Q(last_used_at__isnull=True, created_at__gt=idle_cutoff)
        )


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored: a leaked table leaks no credential."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
        """Create a token; returns the row and the raw key, which is shown only once."""
        raw = "fk_" + secrets.token_urlsafe(32)
        days = days if days is not None else settings.API_TOKEN_DAYS
        token = cls.objects.create(
            user=user, key_hash=_hash_token(raw), prefix=raw[:10], name=name,
            expires_at=timezone.now() + timedelta(days=days),
        )
        return token, raw

    @classmethod
    def lookup(cls, raw: str) -> ApiToken | None:
        """The active token ``raw``, with its user. The rows with the (unique) hash are
        iterated, not read with ``first()`` (an ORDER BY to build) or ``get()`` (a limit
        and a clone), and the revocation and expiry are checked on the row found
        (``is_usable``, the rule of ``active()``) rather than as two more conditions for
        the ORM to build: together half of the lookup's cost on every API call
        (bench/checkpoints_profile.py). Read on every call, never cached: a revoked
        token stops working at once."""
        for token in cls.objects.select_related("user").filter(key_hash=_hash_token(raw)):
            return token if token.is_usable else None
        return None

    @staticmethod
    def idle_cutoff(now: datetime) -> datetime | None:
        """A token last used (or, never used, created) at or before this is idle and
        refused; None when ``API_TOKEN_IDLE_DAYS`` is 0 (no idle expiry)."""
        days = settings.API_TOKEN_IDLE_DAYS
        return now - timedelta(days=days) if days else None

    @property
    def is_usable(self) -> bool:
        """Not revoked, not expired, and used within ``API_TOKEN_IDLE_DAYS``
        (``ApiTokenQuerySet.active`` in Python). Read from the row the lookup fetched:
        ``last_used_at`` is refreshed at most every five minutes (``core.api.auth``),
        far finer than days, so the idle check costs no query and no write."""
        now = timezone.now()
        if self.revoked_at is not None or self.expires_at <= now:
            return False
        cutoff = self.idle_cutoff(now)
        return cutoff is None or (self.last_used_at or self.created_at) > cutoff
