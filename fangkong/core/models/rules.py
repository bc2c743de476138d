"""Dated rules: a parameter and its values, each in force over a period of days.

A rule that HQ can change (the fever threshold, the watched provinces; later relief
amounts, water-quality limits, pass validity) is a ``Parameter`` with one
``ParameterValue`` per version. A version is in force from ``valid_from`` to
``valid_to`` inclusive (``valid_to`` empty: until further notice), cites the document
that set it and says who entered it and why. Periods of one parameter never overlap:
the database refuses it (an exclusion constraint on PostgreSQL, triggers on SQLite, both
created by migration ``core.0004``), so "the value on day D" has at most one answer.
Results computed with a rule store the version they used (a foreign key to
``ParameterValue``), so changing a rule never changes yesterday's results.

The lookups (``value_on``) and the declarations modules make live in ``core.rules``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ValueKind(models.TextChoices):
    DECIMAL = "decimal", _("Decimal number")
    INTEGER = "integer", _("Whole number")
    TEXT = "text", _("Text")
    LIST = "list", _("List of names")
    JSON = "json", _("Structured (JSON)")


class NoRuleInForce(LookupError):
    """No version of the parameter is in force on the day asked: the caller must say so
    (refuse, or show "no rule in force"); there is no silent default."""

    def __init__(self, code: str, day: date) -> None:
        super().__init__(f"no value of {code} is in force on {day.isoformat()}")
        self.code, self.day = code, day


def to_python(kind: str, stored: Any) -> Any:
    """The typed value of a stored JSON value: decimals are stored as strings so that
    37.3 stays exactly 37.3."""
    if stored is None:
        return None
    if kind == ValueKind.DECIMAL:
        try:
            return Decimal(str(stored))
        except InvalidOperation as exc:
            raise ValueError(f"not a decimal: {stored!r}") from exc
    if kind == ValueKind.INTEGER:
        return int(stored)
    if kind == ValueKind.TEXT:
        return str(stored)
    if kind == ValueKind.LIST:
        return tuple(str(item) for item in stored)
    return stored


def to_stored(kind: str, value: Any) -> Any:
    """The JSON form of a typed value (inverse of ``to_python``)."""
    if kind == ValueKind.DECIMAL:
        # Normalised: "37.3" followed by 400 zeros is stored (and shown) as 37.3.
        return format(Decimal(str(value)).normalize(), "f")
    if kind == ValueKind.INTEGER:
        return int(value)
    if kind == ValueKind.TEXT:
        return str(value)
    if kind == ValueKind.LIST:
        return [str(item) for item in value]
    return value


class Parameter(models.Model):
    """A rule with a number (or a list, or a text) that changes over time by document."""

    code = models.CharField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("value type"), max_length=8, choices=ValueKind.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    module = models.CharField(_("module"), max_length=40)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")
        ordering = ["module", "code"]

    def __str__(self) -> str:
        return str(self.name)


class ParameterValueQuerySet(models.QuerySet):
    def in_force_on(self, day: date) -> ParameterValueQuerySet:
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)

    def overlapping(self, parameter_id: int, valid_from: date,
                    valid_to: date | None) -> ParameterValueQuerySet:
        """Versions of ``parameter_id`` whose period meets [valid_from, valid_to]."""
        qs = self.filter(parameter_id=parameter_id).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        if valid_to is not None:
            qs = qs.filter(valid_from__lte=valid_to)
        return qs


class ParameterValue(models.Model):
    """One version of a parameter, in force from ``valid_from`` to ``valid_to`` (both
    included; no ``valid_to``: open-ended). Not edited once results refer to it: a
    change is a new version (``core.services.rules.add_value``)."""

    parameter = models.ForeignKey(
        Parameter, on_delete=models.PROTECT, related_name="values",
        verbose_name=_("parameter"),
    )
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until"), null=True, blank=True,
                                help_text=_("Empty: until further notice."))
    value = models.JSONField(_("value"), blank=True)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    document_title = models.CharField(_("document title"), max_length=200, blank=True)
    reason = models.CharField(_("reason for the change"), max_length=200, blank=True)
    client_id = models.UUIDField(_("client key"), null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    objects = ParameterValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("parameter value")
        verbose_name_plural = _("parameter values")
        ordering = ["parameter", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="parametervalue_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["parameter", "valid_from"])]

    def __str__(self) -> str:
        until = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.parameter} {self.valid_from.isoformat()}–{until}: {self.display}"

    @property
    def typed(self) -> Any:
        return to_python(self.parameter.kind, self.value)

    @property
    def display(self) -> str:
        value = self.typed
        if self.parameter.kind == ValueKind.JSON:
            from fangkong.core.rules import spec_for  # the declarations import this module

            spec = spec_for(self.parameter.code)
            if spec is not None and spec.format is not None:
                return spec.format(value)  # a table or a period, as its rule writes it
        if isinstance(value, tuple):
            return "、".join(value) or "—"
        return f"{value}"

    @property
    def document(self) -> str:
        return " ".join(p for p in (self.document_number, self.document_title) if p)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
