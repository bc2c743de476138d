"""Capabilities and roles: what a grant lets its holder do (checked in ``core.scoping``).

Kept free of models so that a module's ``AppConfig`` can name them in its declarations
(``NavEntry(..., Cap.VIEW, roles=(Role.CHECKPOINT_DUTY,))``) before the models load.
``core.models.accounts`` re-exports them.
"""

from __future__ import annotations

from django.db import models
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
    # Only over what a module's hook opens to them (care: the families paired to them).
    Role.HELPER: frozenset({Cap.VIEW, Cap.EDIT}),
    Role.ENTERPRISE_LIAISON: frozenset({Cap.REPORT}),
    # VIEW and EDIT count only where a page or model names the role (``Scope.can(...,
    # roles=)``, a queryset's ``scoped_roles``): the water module, for its utility's records.
    Role.UTILITY_OPERATOR: frozenset({Cap.VIEW, Cap.EDIT, Cap.REPORT}),
    Role.VOLUNTEER: frozenset(),
}

# Roles whose grant opens the whole territorial subtree of its unit to the generic
# ``visible_to``. The others are scoped by their own module (a helper's families, a
# volunteer's shifts, a duty user's rostered checkpoints, a liaison's organisation).
TERRITORIAL_ROLES = frozenset({
    Role.PROVINCE_VIEWER, Role.HQ_STAFF, Role.TERRITORY_STAFF, Role.COMMUNITY_WORKER,
})

# Roles granted for an organisation (``Grant.organisation``): what they may do applies to
# their organisation's own records, through each model's ``extra_visibility``.
ORGANISATION_ROLES = frozenset({
    Role.TASK_FORCE, Role.MEMBER_UNIT, Role.ENTERPRISE_LIAISON, Role.UTILITY_OPERATOR,
})
