"""Personal data, declared once per model and read everywhere it is shown or stored.

A model lists its personal fields and how each is masked in a class attribute::

    class Outsider(ScopedModel):
        PII = {"host_address": masking.mask_address}

Everything else reads that declaration instead of keeping its own list: the change
history stores these fields masked (``core.audit.register``), pages show them through the
``masked`` template filter (``{{ outsider|masked:"host_address" }}``), exports mask their
columns (``core.exports.RegisterExporter``), the API payloads call ``value``, and a
reveal logs the declared fields. A field added to ``PII`` is then masked in all of them;
one left out is shown in full in all of them, which a review sees in one place.

Paths may cross foreign keys (``"person.id_number"``): a passage's ID number is the
person's, masked as ``Person.PII`` says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models

Mask = Callable[[object], Any]


def pii_fields(model: type[models.Model] | models.Model) -> dict[str, Mask]:
    """The model's personal fields and their masks, in declaration order ({} if none)."""
    return dict(getattr(model, "PII", None) or {})


def mask_for(model: type[models.Model], path: str) -> Mask:
    """The mask of ``path`` (``"field"`` or ``"relation.field"``) starting from ``model``.

    Raises ``ImproperlyConfigured`` when the field is not declared personal: an exporter
    or page that names it means to mask it, and a typo must not silently show it in full.
    """
    *relations, name = path.split(".")
    target: Any = model
    for relation in relations:
        target = target._meta.get_field(relation).related_model
    mask = pii_fields(target).get(name)
    if mask is None:
        raise ImproperlyConfigured(f"{target.__name__}.{name} is not declared in its PII")
    return mask


def _resolve(obj: Any, path: str) -> tuple[Any, str]:
    *relations, name = path.split(".")
    for relation in relations:
        obj = getattr(obj, relation)
        if obj is None:
            break
    return obj, name


def value(obj: Any, field: str, *, masked: bool = True) -> Any:
    """``obj.field`` (a path such as ``"person.phone"`` is followed), masked as declared
    unless ``masked`` is false. A field that is not declared personal is returned as is."""
    owner, name = _resolve(obj, field)
    raw = getattr(owner, name, None) if owner is not None else None
    if not masked or owner is None:
        return raw
    mask = pii_fields(type(owner)).get(name)
    return mask(raw) if mask is not None else raw


def mask_row(obj: Any, fields: Iterable[str] | None = None, *,
             masked: bool = True) -> dict[str, Any]:
    """``{field: value(obj, field)}`` for ``fields`` (default: the model's declared ones)."""
    names = pii_fields(type(obj)) if fields is None else fields
    return {name: value(obj, name, masked=masked) for name in names}


def all_field_names() -> set[str]:
    """Every field name declared personal by some installed model: what the audit pages
    hide for an entry whose model is gone and so cannot be asked."""
    return {name for model in apps.get_models() for name in pii_fields(model)}
