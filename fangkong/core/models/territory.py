"""The territorial tree (province → community) and the organisations placed in it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager

from fangkong.core.models.scoped import ScopedModel, ScopedQuerySet


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County / district")
    TOWN = "town", _("Town / street")
    COMMUNITY = "community", _("Village / community")


class OrgUnit(MP_Node):
    """A territorial unit. The materialised path makes a subtree one indexed prefix query.

    ``path`` is also copied onto every scoped record (``unit_path``), so that scoping a
    table needs no join: ``unit_path LIKE '<grant path>%'``.
    """

    # 4 characters a level in base 36: 1.6 M children per node, 5 levels = 20 characters.
    steplen = 4
    code = models.CharField(
        _("division code"), max_length=12, unique=True,
        help_text=_("GB/T 2260 code down to county, 9/12-digit statistical code below."),
    )
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)

    objects = MP_NodeManager()

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def subtree(self) -> models.QuerySet[OrgUnit]:
        """This unit and everything under it, one indexed prefix query."""
        from fangkong.core.scoping import subtree_q

        return OrgUnit.objects.filter(subtree_q("path", self.path))

    def ancestors_and_self(self) -> list[OrgUnit]:
        paths = [self.path[:i] for i in range(self.steplen, len(self.path) + 1, self.steplen)]
        return list(OrgUnit.objects.filter(path__in=paths).order_by("path"))

    def contains(self, other: OrgUnit | str) -> bool:
        path = other if isinstance(other, str) else other.path
        return path.startswith(self.path)


class OrgKind(models.TextChoices):
    HQ = "hq", _("Headquarters")
    DEPARTMENT = "department", _("Department / member unit")
    HOSPITAL = "hospital", _("Hospital")
    ENTERPRISE = "enterprise", _("Enterprise")
    PROJECT = "project", _("Key project")
    UTILITY = "utility", _("Utility")
    SOCIAL = "social", _("Social organisation")


class OrganisationQuerySet(ScopedQuerySet):
    pass


class Organisation(ScopedModel):
    """A department, member unit, hospital, enterprise or utility, placed in the tree."""

    code = models.SlugField(
        _("code"), max_length=32, unique=True,
        help_text=_("Stable short code used in the API and imports, e.g. 'rsj' for 市人社局."),
    )
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    is_member_unit = models.BooleanField(
        _("member unit of the HQ"), default=False,
        help_text=_("Member units report daily to the HQ and may be assigned task-force work."),
    )
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, db_index=True,
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=11, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["unit_path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="org_unique_name_per_unit"),
        ]

    def __str__(self) -> str:
        return self.name
