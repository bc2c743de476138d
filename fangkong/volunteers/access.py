"""Who besides territorial staff works with volunteers (kept free of models, so
``apps.py`` can name it): the liaisons of the volunteers' organisation, and the
volunteers themselves (their own profile and shifts)."""

from fangkong.core.roles import Role

#: A member unit's liaison runs its organisation's drives, teams and volunteers.
ORG_ROLES = (Role.MEMBER_UNIT,)
VOLUNTEER_ROLES = (Role.VOLUNTEER,)
