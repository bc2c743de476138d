"""Who works in one-to-one support besides territorial staff (kept free of models, so
``apps.py`` can name it): the task force's coordinators, its member units' liaisons and
the helpers themselves."""

from fangkong.core.roles import Cap, Role

CARE_ROLES = (Role.TASK_FORCE, Role.MEMBER_UNIT, Role.HELPER)
#: What each role's grant opens here (``CareQuerySet.scoped_roles``).
CARE_SCOPED_ROLES = {
    Role.TASK_FORCE: frozenset({Cap.VIEW, Cap.EDIT, Cap.REVEAL_PII}),
    Role.MEMBER_UNIT: frozenset({Cap.VIEW, Cap.EDIT}),
    Role.HELPER: frozenset({Cap.VIEW, Cap.EDIT}),
}
