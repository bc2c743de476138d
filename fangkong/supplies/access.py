"""Who runs a store besides territorial staff (kept free of models, so ``apps.py`` can
name it): the liaisons of the warehouse's organisation."""

from fangkong.core.roles import Role

STORE_ROLES = (Role.MEMBER_UNIT, Role.TASK_FORCE)
