"""Scoping, enforced once: every scoped record carries its org unit's path."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.core.models.accounts import Cap

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from fangkong.core.scoping import Scope


class ScopedQuerySet(models.QuerySet):
    """Records that belong to a territorial unit, filtered by the user's scope.

    ``visible_to`` is the territorial filter (``Scope.q``) OR the model's own
    ``extra_visibility``: the one hook where a model lets a non-territorial role see its
    records (a duty user's rostered checkpoints, a helper's paired families, a
    volunteer's shifts, a liaison's organisation). ``scoped_roles`` names the roles and
    capabilities the hook serves, so pages and the contract test know about them.
    """

    #: role -> capabilities that ``extra_visibility`` honours for grants of that role.
    scoped_roles: dict[str, frozenset[str]] = {}

    def extra_visibility(self, user: Any, scope: Scope, capability: str) -> Q | None:
        """Records a non-territorial grant opens to ``user``; None for none."""
        return None

    def visible_to(self, user: AbstractBaseUser | AnonymousUser, capability: str = Cap.VIEW):
        """Records under the territorial grants of ``user`` carrying ``capability``, plus
        whatever the model's ``extra_visibility`` opens."""
        from fangkong.core.scoping import scope_for

        scope = scope_for(user)
        q = scope.q(capability)
        if q is None:
            return self
        extra = self.extra_visibility(user, scope, capability)
        return self.filter(q if extra is None else q | extra)

    def under(self, unit_or_path: Any):
        """Records in the subtree of a unit (or path), index-friendly on each database."""
        from fangkong.core.scoping import subtree_q

        path = unit_or_path if isinstance(unit_or_path, str) else unit_or_path.path
        return self.filter(subtree_q("unit_path", path))


class ScopedModel(models.Model):
    """A record that belongs to a territorial unit.

    ``unit_path`` is denormalised from ``org_unit`` on save so scoping needs no join.
    """

    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, verbose_name=_("org unit"), related_name="+",
    )
    unit_path = models.CharField(max_length=64, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.org_unit_id and (
            not self.unit_path or getattr(self.org_unit, "path", None) != self.unit_path
        ):
            self.unit_path = self.org_unit.path
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "unit_path"}
        super().save(*args, **kwargs)
