"""Roles, grants and API tokens.

A user holds one or more (role, org unit[, organisation]) grants. What a role may do is
a set of capabilities (``Role.capabilities``), checked in one place (``core.scoping``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Cap:
    """Capability names. A role grants a set of them over its grant's subtree."""

    VIEW = "view"  # read records in scope
    EDIT = "edit"  # create and change records in scope
    APPROVE = "approve"  # approve, return and reopen the work of the level below
    CONFIGURE = "configure"  # report forms, policies, territory, organisations
    REVEAL_PII = "reveal_pii"  # show a full ID number / phone / address (audited)
    EXPORT_PII = "export_pii"  # export personal data unmasked (audited)
    IMPORT = "import"  # bulk import from Excel
    VIEW_AUDIT = "view_audit"  # browse the audit and PII access logs
    MANAGE_USERS = "manage_users"  # grant roles
    REGISTER_PASSAGE = "register_passage"  # checkpoint duty
    REPORT = "report"  # fill in and submit daily reports for its unit


class Role(models.TextChoices):
    PROVINCE_VIEWER = "province_viewer", _("Provincial task-force viewer")
    HQ_STAFF = "hq_staff", _("HQ staff")
    TASK_FORCE = "task_force", _("Task-force coordinator")
    MEMBER_UNIT = "member_unit", _("Member-unit liaison")
    TERRITORY_STAFF = "territory_staff", _("County / town staff")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    CHECKPOINT_DUTY = "checkpoint_duty", _("Checkpoint duty")
    HELPER = "helper", _("Helper")
    ENTERPRISE_LIAISON = "enterprise_liaison", _("Enterprise liaison")
    UTILITY_OPERATOR = "utility_operator", _("Utility operator")
    VOLUNTEER = "volunteer", _("Volunteer")

    @classmethod
    def capabilities_of(cls, role: str) -> frozenset[str]:
        return ROLE_CAPABILITIES.get(role, frozenset())

    @classmethod
    def is_territorial(cls, role: str) -> bool:
        """Territorial roles see the whole subtree of their grant's unit."""
        return role in TERRITORIAL_ROLES


ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.PROVINCE_VIEWER: frozenset({Cap.VIEW}),
    Role.HQ_STAFF: frozenset({
        Cap.VIEW, Cap.EDIT, Cap.APPROVE, Cap.CONFIGURE, Cap.REVEAL_PII, Cap.EXPORT_PII,
        Cap.IMPORT, Cap.VIEW_AUDIT, Cap.MANAGE_USERS, Cap.REPORT, Cap.REGISTER_PASSAGE,
    }),
    Role.TASK_FORCE: frozenset({Cap.VIEW, Cap.EDIT, Cap.REPORT, Cap.REVEAL_PII}),
    Role.MEMBER_UNIT: frozenset({Cap.VIEW, Cap.EDIT, Cap.REPORT}),
    Role.TERRITORY_STAFF: frozenset({
        Cap.VIEW, Cap.EDIT, Cap.APPROVE, Cap.REVEAL_PII, Cap.EXPORT_PII, Cap.IMPORT,
        Cap.REPORT, Cap.REGISTER_PASSAGE,
    }),
    Role.COMMUNITY_WORKER: frozenset({
        Cap.VIEW, Cap.EDIT, Cap.REVEAL_PII, Cap.IMPORT, Cap.REPORT, Cap.REGISTER_PASSAGE,
    }),
    Role.CHECKPOINT_DUTY: frozenset({Cap.REGISTER_PASSAGE}),
    Role.HELPER: frozenset(),
    Role.ENTERPRISE_LIAISON: frozenset({Cap.REPORT}),
    Role.UTILITY_OPERATOR: frozenset({Cap.REPORT}),
    Role.VOLUNTEER: frozenset(),
}

# Roles whose grant opens the whole territorial subtree of its unit to the generic
# ``visible_to``. The others are scoped by their own module (a helper's families, a
# volunteer's shifts, a duty user's rostered checkpoints, a liaison's organisation).
TERRITORIAL_ROLES = frozenset({
    Role.PROVINCE_VIEWER, Role.HQ_STAFF, Role.TERRITORY_STAFF, Role.COMMUNITY_WORKER,
})


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
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


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
        """The active token ``raw``, with its user. ``get`` on the unique hash rather than
        ``first()``: no ORDER BY to build, a quarter of the lookup's cost on every API
        call (bench/checkpoints_profile.py)."""
        try:
            return cls.objects.active().select_related("user").get(key_hash=_hash_token(raw))
        except cls.DoesNotExist:
            return None
