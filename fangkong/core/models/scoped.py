"""Scoping, enforced once: every scoped record carries its org unit's path."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def path_filter(paths: list[str] | tuple[str, ...], field: str = "unit_path") -> Q:
    """OR of prefix matches; an empty list matches nothing."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser, capability: str = "view"):
        """Records under the territorial grants of ``user`` that carry ``capability``."""
        from fangkong.core.scoping import scope_for

        scope = scope_for(user)
        if scope.is_global(capability):
            return self
        return self.filter(path_filter(scope.paths(capability)))

    def under(self, unit_or_path: Any):
        path = unit_or_path if isinstance(unit_or_path, str) else unit_or_path.path
        return self.filter(unit_path__startswith=path)


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
