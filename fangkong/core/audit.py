"""Audit: change history (django-auditlog) and the personal-data access log.

Services run their writes inside ``acting_as(actor)`` so that history rows name the
actor also when there is no request (API token calls, commands, the demo loader).
Revealing or exporting personal data goes through ``reveal`` / ``log_export``, which
check the capability and write ``PiiAccess``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from auditlog.context import set_actor
from auditlog.registry import auditlog
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from fangkong.core.models.accounts import Cap

PII_FIELDS = ("id_number", "phone", "address", "bank_card")


def mask_fully(value: str) -> str:
    """How masked fields appear in the change history: that they changed, nothing more."""
    return "******" if value else value


def register_core_models() -> None:
    from fangkong.core.models import Alert, Grant, Organisation, OrgUnit, Person

    auditlog.register(OrgUnit, exclude_fields=["path", "depth", "numchild"])
    auditlog.register(Organisation, exclude_fields=["unit_path", "updated_at"])
    auditlog.register(Person, exclude_fields=["unit_path", "updated_at"], mask_fields=[
        "id_number", "phone", "address",
    ])
    auditlog.register(Grant)
    auditlog.register(Alert, exclude_fields=["unit_path", "updated_at"])


def register(model: type[models.Model], **kwargs: Any) -> None:
    """Modules register their models here; ``unit_path`` and timestamps are noise."""
    exclude = list(kwargs.pop("exclude_fields", [])) + ["unit_path", "updated_at"]
    auditlog.register(model, exclude_fields=exclude, **kwargs)


@contextlib.contextmanager
def acting_as(actor: Any, remote_addr: str | None = None) -> Iterator[None]:
    if actor is not None and getattr(actor, "is_authenticated", False):
        with set_actor(actor, remote_addr=remote_addr):
            yield
    else:
        yield


def _client_ip(request: Any) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR")


def clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": [_("Give the reason for viewing personal data.")]})
    return reason[:300]


def reveal(
    user: Any, obj: models.Model, fields: list[str] | tuple[str, ...], reason: str,
    request: Any = None,
) -> dict[str, str]:
    """Return the full values of ``fields`` of ``obj`` and log who saw them and why.

    The caller has already fetched ``obj`` through ``get_for_user``; here we check the
    reveal capability over the record's unit.
    """
    from fangkong.core.models import PiiAccess
    from fangkong.core.scoping import scope_for

    path = getattr(obj, "unit_path", None)
    if not scope_for(user).can(Cap.REVEAL_PII, path):
        raise PermissionDenied
    reason = clean_reason(reason)
    values = {f: str(getattr(obj, f) or "") for f in fields}
    PiiAccess.objects.create(
        actor=user, action="reveal", subject_type=obj._meta.label,
        subject_id=str(obj.pk), subject_label=str(obj)[:200], fields=",".join(fields),
        reason=reason, remote_addr=_client_ip(request),
    )
    return values


def log_export(
    user: Any, model: type[models.Model], fields: list[str] | tuple[str, ...], rows: int,
    reason: str, request: Any = None, label: str = "",
) -> None:
    """Record an unmasked export of personal data. Checked by the caller's capability."""
    from fangkong.core.models import PiiAccess
    from fangkong.core.scoping import scope_for

    if not scope_for(user).can(Cap.EXPORT_PII):
        raise PermissionDenied
    PiiAccess.objects.create(
        actor=user, action="export", subject_type=model._meta.label, subject_id="",
        subject_label=label[:200], fields=",".join(fields), row_count=rows,
        reason=clean_reason(reason), remote_addr=_client_ip(request),
    )
