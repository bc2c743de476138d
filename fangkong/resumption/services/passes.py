"""Issuing, revoking and checking passes; the signing keys and their rotation."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.audit import acting_as
from fangkong.core.roles import Cap
from fangkong.core.scoping import scope_for
from fangkong.core.unique import get_or_create_unique
from fangkong.resumption import passes as crypto
from fangkong.resumption.models import (
    MigrantWorker,
    Pass,
    PassEvent,
    PassKind,
    SigningKey,
    TransportBatch,
)
from fangkong.resumption.services.filing import is_liaison_of

MAX_DAYS = 30
ISSUER = "安康市疫情防控指挥部"


def active_key(actor: Any = None) -> SigningKey:
    """The key passes are signed with now; the first one is made on first use."""
    key = SigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at").first()
    if key is None:
        key = _new_key(actor, reason="first key")
    return key


def rotate_key(actor: Any, *, reason: str, client_id: Any = None) -> SigningKey:
    """Make a new signing key and retire the current one: passes it signed stay valid
    (its public key stays published) until they expire."""
    if actor is not None and not scope_for(actor).can(Cap.CONFIGURE):
        raise PermissionDenied
    if client_id is not None:
        done = SigningKey.objects.filter(client_id=client_id).first()
        if done is not None:  # the same request sent again: rotated once
            return done
    return _new_key(actor, reason=reason, client_id=client_id)


def _new_key(actor: Any, *, reason: str, client_id: Any = None) -> SigningKey:
    kid, public = crypto.new_keypair()
    with acting_as(actor), transaction.atomic():
        now = timezone.now()
        SigningKey.objects.filter(retired_at__isnull=True).update(retired_at=now)
        return SigningKey.objects.create(kid=kid, public_key=public, created_at=now,
                                         created_by=actor, reason=reason[:200],
                                         client_id=client_id)


def surname(name: str) -> str:
    """The minimum a pass shows of a name: the surname and a mask (孙*)."""
    name = (name or "").strip()
    return f"{name[:1]}*" if name else "*"


def published_keys() -> dict[str, str]:
    return dict(SigningKey.objects.values_list("kid", "public_key"))


def revocation_list() -> set[str]:
    return {str(j) for j in Pass.objects.filter(revoked_at__isnull=False)
            .values_list("jti", flat=True)}


def check(token: str, *, kind: str | None = None,
          now: datetime | None = None) -> crypto.Verification:
    return crypto.verify(token, published_keys(), revocation_list(), kind=kind, now=now)


def _authorise(actor: Any, unit_path: str, enterprise: Any) -> None:
    if scope_for(actor).can(Cap.EDIT, unit_path):
        return
    if enterprise is not None and is_liaison_of(actor, enterprise):
        return
    raise ValidationError({"__all__": [_(
        "You may issue passes only for your own enterprise's workers and batches.")]})


def issue(actor: Any, kind: str, *, client_id: uuid.UUID | str,
          worker: MigrantWorker | None = None, batch: TransportBatch | None = None,
          plate: str = "", driver: str = "", scope_text: str = "", days: int = 14,
          now: datetime | None = None) -> tuple[Pass, bool]:
    """Issue a pass. A worker's pass goes to the worker's employer; a vehicle or batch pass
    to the batch's. A liaison issuing for another enterprise is refused, nothing saved."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = [_("A pass is valid for 1 to %(n)d days.") % {"n": MAX_DAYS}]
    if kind == PassKind.WORKER and worker is None:
        errors["worker"] = [_("Choose the worker.")]
    if kind in (PassKind.VEHICLE, PassKind.BATCH) and batch is None:
        errors["batch"] = [_("Choose the batch.")]
    if kind not in PassKind.values:
        errors["kind"] = [_("Choose the kind of pass.")]
    if errors:
        raise ValidationError(errors)
    if kind == PassKind.WORKER:
        enterprise, unit = worker.employer, worker.org_unit
        holder, last4 = surname(worker.name), worker.person.id_number[-4:]
        scope_text = scope_text or _("Return to work: %(home)s → %(to)s") % {
            "home": worker.home, "to": worker.employer or worker.destination}
    else:
        enterprise, unit = batch.employer, batch.org_unit
        holder = surname(driver or batch.driver) if kind == PassKind.VEHICLE \
            else str(batch.plate)
        last4 = ""
        plate = plate or batch.plate
        scope_text = scope_text or _("Point-to-point transport %(o)s → %(d)s, vehicle "
                                     "%(p)s") % {"o": batch.origin, "d": batch.destination,
                                                 "p": plate}
    _authorise(actor, unit.path, enterprise)
    existing = Pass.objects.filter(client_id=client_id).first()
    if existing is not None:
        return existing, False
    key = active_key(actor)
    jti = uuid.uuid4()
    until = now + timedelta(days=days)
    claims = {"jti": str(jti), "pur": crypto.PURPOSE, "knd": kind, "hld": holder,
              "id4": last4, "scp": scope_text[:120], "iss": ISSUER,
              "iat": int(now.timestamp()), "nbf": int(now.timestamp()),
              "exp": int(until.timestamp())}
    token = crypto.sign(key.kid, claims)
    with acting_as(actor), transaction.atomic():
        record, created = get_or_create_unique(Pass.objects, {"client_id": client_id}, {
            "kind": kind, "jti": jti, "enterprise": enterprise, "worker": worker,
            "batch": batch, "holder": holder, "id_last4": last4, "scope": scope_text[:120],
            "issuer": ISSUER, "key": key, "token": token, "valid_from": now,
            "valid_until": until, "issued_by": actor, "org_unit": unit})
        if created:
            PassEvent.objects.create(pass_record=record, status="issued",
                                     rule="resumption.pass_issued", actor=actor, at=now,
                                     reason=_("Valid for %(n)d days") % {"n": days})
        return record, created


def revoke(actor: Any, record: Pass, *, reason: str) -> Pass:
    if not (scope_for(actor).can(Cap.APPROVE, record.unit_path)
            or scope_for(actor).can(Cap.EDIT, record.unit_path)):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for revoking the pass.")]})
    with acting_as(actor), transaction.atomic():
        record = Pass.objects.select_for_update().get(pk=record.pk)
        if record.revoked_at:
            return record
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at", "updated_at"])
        PassEvent.objects.create(pass_record=record, status="revoked",
                                 rule="resumption.pass_revoked", actor=actor,
                                 at=record.revoked_at, reason=reason.strip())
        return record
