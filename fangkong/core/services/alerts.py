"""Opening and closing alerts: the one way any module raises one.

An alert's kind is one a module declares (``FangkongModule.alert_kinds``): an undeclared
kind is a programming error, refused here, so that the inbox can list and label every
alert it holds.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import registries
from fangkong.core.audit import acting_as
from fangkong.core.models import Alert, OrgUnit
from fangkong.core.models.accounts import Cap
from fangkong.core.models.alerts import AlertStatus
from fangkong.core.scoping import require_capability
from fangkong.core.unique import get_or_create_unique


def subject_of(obj: Any) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def declared_kind(kind: registries.AlertKind | str) -> registries.AlertKind:
    """The registered kind for ``kind`` (a declared ``AlertKind`` or its code)."""
    code = kind.code if isinstance(kind, registries.AlertKind) else kind
    declared = registries.get_alert_kind(code)
    if declared is None:
        raise ValueError(f"alert kind {code!r} is not declared by any module")
    return declared


def open_alert(
    *, kind: registries.AlertKind | str, org_unit: OrgUnit, title: str, detail: str = "",
    subject: str = "", severity: str | None = None, actor: Any = None, opened_at=None,
) -> Alert:
    """Open an alert; at most one open alert per (kind, subject), so retries are safe.
    ``severity`` defaults to the kind's."""
    declared = declared_kind(kind)
    kind, severity = declared.code, severity or declared.severity
    values = {"org_unit": org_unit, "title": title[:200], "detail": detail,
              "severity": severity, "opened_at": opened_at or timezone.now()}
    with acting_as(actor), transaction.atomic():
        if not subject:
            return Alert.objects.create(kind=kind, subject=subject, **values)
        alert, _created = get_or_create_unique(
            Alert.objects, {"kind": kind, "subject": subject, "status": AlertStatus.OPEN},
            values,
        )
        return alert


def close_alert(alert: Alert, *, actor: Any, outcome: str, roles: tuple[str, ...] = ()) -> Alert:
    """Close ``alert`` with how it was resolved. ``roles``: non-territorial roles the
    calling module has already authorised for this alert (a utility operator closing its
    own water-quality alert through the water module)."""
    require_capability(actor, Cap.EDIT, alert.unit_path, roles=roles)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": [_("Say how the alert was resolved.")]})
    with acting_as(actor), transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.status == AlertStatus.CLOSED:
            if alert.closed_by_id == getattr(actor, "pk", None) and alert.outcome == outcome[:300]:
                return alert  # the same close sent twice (a double tap, a retry)
            raise ValidationError({"outcome": [_("This alert is already closed.")]})
        alert.status = AlertStatus.CLOSED
        alert.closed_at = timezone.now()
        alert.closed_by = actor
        alert.outcome = outcome[:300]
        alert.save()
    return alert
