"""Scoping, enforced once: every scoped record carries its org unit's path."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.core.models.accounts import Cap
from fangkong.core.unique import get_or_create_unique

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


class OrganisationScopedQuerySet(ScopedQuerySet):
    """Records of an organisation, which its liaisons see (a liaison's own organisation).

    ``organisation_field`` names the record's organisation; ``scoped_roles`` which roles
    and capabilities the organisation's grants carry here (a module declares it).
    """

    organisation_field = "organisation_id"

    def extra_visibility(self, user: Any, scope: Scope, capability: str) -> Q | None:
        org_ids = {g.organisation_id for g in scope.grants
                   if g.organisation_id and capability in self.scoped_roles.get(g.role, ())}
        return Q(**{f"{self.organisation_field}__in": org_ids}) if org_ids else None


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


class KeyConflict(ValidationError):
    """The same submission key came back with different content: answered 409 by the API
    (``core.api.errors``), shown as a form error by the pages (``core.forms.KeyedForm``)."""

    @classmethod
    def on_key(cls) -> KeyConflict:
        return cls({"client_id": [_(
            "This client_id was already used for a record with other content; make a new "
            "key for each record."
        )]})


class KeyedModel(ScopedModel):
    """A scoped record created once per submission key (``client_id``).

    The submitting device, or the page's form (``core.forms.KeyedForm``), makes the key
    once per record, so a retry after a timeout or a double tap finds the first record
    instead of adding a second; ``create_keyed`` is the one way to create such a record.
    """

    client_id = models.UUIDField(_("submission key"), unique=True)
    # Time truth (``core.capture``): when the record was made by the submitting phone's
    # clock (empty: made when it arrived, ``created_at``), and whether it arrived, from
    # a phone's queue, after its day had been reported.
    made_at = models.DateTimeField(_("made at (on the device)"), null=True, blank=True)
    arrived_late = models.BooleanField(
        _("arrived after its day was reported"), default=False,
        help_text=_("Counted in its day; the day's report was sent before it arrived."))

    #: The field holding the record's day (``core.capture.is_late``).
    RECORD_DAY = "day"

    class Meta:
        abstract = True

    @classmethod
    def create_keyed(
        cls, client_id: uuid.UUID | str, *, same: Mapping[str, Any],
        defaults: Mapping[str, Any] | None = None, actor: Any = None,
    ) -> tuple[Self, bool]:
        """``(record, created)``: the record with this key, created from ``same`` and
        ``defaults`` if the key is new.

        ``same`` is the submission's content: a retry must carry the same values, or
        ``KeyConflict`` (a ``ValidationError`` on ``client_id``) says the key was reused
        for something else, rather than answering with a record that is not what was
        sent. ``defaults`` are what a retry may differ in (who sent it, when it was
        received). Two identical submissions racing both get the one that won:
        ``core.unique.get_or_create_unique`` re-reads when the unique key refuses the
        second insert (in a savepoint, so a caller's transaction survives; it raises the
        IntegrityError only when the re-read finds nothing, i.e. another constraint
        refused the row).

        A record made on a phone well before it arrived (``made_at``), whose day was
        already reported, is kept in its day with ``arrived_late`` and announced
        (``core.capture.announce_late``, with ``actor`` as who sent it)."""
        from fangkong.core import capture

        values = {**same, **(defaults or {})}
        probe = cls(**values)
        late = capture.is_late(probe)
        if late:
            values["arrived_late"] = True
        record, created = get_or_create_unique(cls.objects, {"client_id": client_id}, values)
        if not created:
            record.check_same(same)
        elif late:
            capture.announce_late(record, actor)
        return record, created

    def check_same(self, same: Mapping[str, Any]) -> None:
        """Raise ``KeyConflict`` unless this record holds the values of ``same`` (field
        names or attnames; a related record counts by its primary key)."""
        differ = []
        for name, value in same.items():
            field = self._meta.get_field(name)
            stored = getattr(self, field.attname)
            if isinstance(value, models.Model):
                value = value.pk
            elif not field.is_relation:
                try:
                    value = field.to_python(value)
                except ValidationError:
                    pass
            if stored != value:
                differ.append(name)
        if differ:
            raise KeyConflict.on_key()
