"""Audit: change history (django-auditlog) and the personal-data access log.

Services run their writes inside ``acting_as(actor)`` so that history rows name the
actor also when there is no request (API token calls, commands, the demo loader).
Revealing or exporting personal data goes through ``reveal`` / ``log_export``, which
check the capability and write ``PiiAccess``; a refused attempt is written too, with
``refused`` saying why (``log_refused``, and ``refusals_logged`` / ``logs_refusals`` for
the refusals that happen before them: no permission at all, a record out of scope).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from functools import cache, wraps
from typing import Any
from uuid import UUID

from auditlog.cid import get_cid
from auditlog.context import auditlog_value, set_actor
from auditlog.diff import get_field_value, get_fields_in_model, get_mask_function
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.encoding import smart_str
from django.utils.translation import gettext as _

from fangkong.core.models.accounts import Cap


def mask_fully(value: str) -> str:
    """How masked fields appear in the change history: that they changed, nothing more."""
    return "******" if value else value


def register(model: type[models.Model], **kwargs: Any) -> None:
    """Modules register their models here; ``unit_path`` and timestamps are noise.

    The fields the model declares personal (``model.PII``, see ``core.pii``) are stored
    masked in the change history and never shown on the audit pages."""
    from fangkong.core import pii

    exclude = list(kwargs.pop("exclude_fields", [])) + ["unit_path", "updated_at"]
    masked = list(pii.pii_fields(model))
    unknown = set(masked) - {f.name for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__}.PII names no fields {sorted(unknown)}")
    auditlog.register(model, exclude_fields=exclude, mask_fields=masked, **kwargs)


@contextlib.contextmanager
def acting_as(actor: Any, remote_addr: str | None = None) -> Iterator[None]:
    """Name ``actor`` on the audit entries written inside, keeping the request's address
    (from the audit middleware) unless ``remote_addr`` is given. auditlog's ``set_actor``
    replaces its context and leaves it replaced on exit: the request's address would be
    lost, and the middleware's receiver would no longer recognise the context for the
    rest of the request. The outer context is put back afterwards."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        yield
        return
    outer = auditlog_value.get(None)
    remote_port = None
    if remote_addr is None and outer:
        remote_addr, remote_port = outer.get("remote_addr"), outer.get("remote_port")
    token = auditlog_value.set(outer)  # its reset restores the state before, even "unset"
    try:
        with set_actor(actor, remote_addr=remote_addr, remote_port=remote_port):
            yield
    finally:
        auditlog_value.reset(token)


def _client_ip(request: Any) -> str | None:
    from fangkong.core.clients import client_address

    return client_address(request)


def clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": [_("Give the reason for viewing personal data.")]})
    return reason[:300]


def log_refused(
    user: Any, action: str, subject_type: str, why: str, *, subject_id: Any = "",
    label: str = "", fields: Sequence[str] = (), reason: str | None = "", rows: int = 0,
    request: Any = None,
) -> None:
    """Record a refused attempt to reveal or export personal data (``PiiAccess`` with
    ``refused``: ``PiiRefusal``). Nothing was shown; the attempt itself is worth seeing
    (someone probing records outside their area, or for data they may not see).
    Anonymous callers are not logged: they never reach personal data (login first)."""
    from fangkong.core.models import PiiAccess

    if not getattr(user, "is_authenticated", False):
        return
    PiiAccess.objects.create(
        actor=user, action=action, subject_type=subject_type[:100],
        subject_id=str(subject_id or "")[:64], subject_label=(label or "")[:200],
        fields=",".join(fields)[:200], row_count=rows, reason=(reason or "").strip()[:300],
        remote_addr=_client_ip(request), refused=why,
    )


def already_logged(exc: Exception) -> Exception:
    """Mark an exception whose refusal is already logged, so an outer
    ``refusals_logged`` does not log it twice."""
    exc.fangkong_pii_logged = True  # type: ignore[attr-defined]
    return exc


@contextlib.contextmanager
def refusals_logged(
    user: Any, action: str, subject_type: str, *, subject_id: Any = "", reason: str | None = "",
    request: Any = None,
) -> Iterator[None]:
    """Log the refusal of whatever is refused inside: ``PermissionDenied`` (no
    permission), ``Http404`` (outside the user's area, or no such record: the two are
    not told apart, to the user or in the log), a ``ValidationError`` on the reason."""
    from django.http import Http404

    from fangkong.core.models.audit import PiiRefusal

    def refuse(exc: Exception, why: str) -> None:
        if not getattr(exc, "fangkong_pii_logged", False):
            log_refused(user, action, subject_type, why, subject_id=subject_id, reason=reason,
                        request=request)
            already_logged(exc)

    try:
        yield
    except PermissionDenied as exc:
        refuse(exc, PiiRefusal.PERMISSION)
        raise
    except Http404 as exc:
        refuse(exc, PiiRefusal.SCOPE)
        raise
    except ValidationError as exc:
        if "reason" in getattr(exc, "error_dict", {}):
            refuse(exc, PiiRefusal.REASON)
        raise


def logs_refusals(action: str, model: type[models.Model]) -> Callable[[Any], Any]:
    """View decorator: ``refusals_logged`` around the view, naming the record of the
    URL's ``pk`` and the posted reason. Put it outside ``capability_required`` so that
    a user without the permission is logged too."""

    def decorator(view: Any) -> Any:
        @wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            with refusals_logged(request.user, action, model._meta.label,
                                 subject_id=kwargs.get("pk", ""),
                                 reason=request.POST.get("reason", ""), request=request):
                return view(request, *args, **kwargs)

        return wrapper

    return decorator


def reveal(
    user: Any, obj: models.Model, fields: list[str] | tuple[str, ...], reason: str,
    request: Any = None, roles: Any = (),
) -> dict[str, str]:
    """Return the full values of ``fields`` of ``obj`` and log who saw them and why.
    ``roles``: the non-territorial roles whose reveal capability the caller honours (it
    fetched ``obj`` with ``get_for_user(..., Cap.REVEAL_PII)``, so the model's hook chose).

    The caller has already fetched ``obj`` through ``get_for_user``; here we check the
    reveal capability over the record's unit. A refusal (no permission, no reason) is
    logged too (``log_refused``) before it is raised.
    """
    from fangkong.core.models import PiiAccess
    from fangkong.core.models.audit import PiiAction

    def refused(why: str) -> None:
        log_refused(user, PiiAction.REVEAL, obj._meta.label, why, subject_id=obj.pk,
                    label=str(obj), fields=fields, reason=reason, request=request)

    reason = _authorised(user, Cap.REVEAL_PII, getattr(obj, "unit_path", None), reason,
                         refused, roles=roles)
    values = {f: str(getattr(obj, f) or "") for f in fields}
    PiiAccess.objects.create(
        actor=user, action="reveal", subject_type=obj._meta.label,
        subject_id=str(obj.pk), subject_label=str(obj)[:200], fields=",".join(fields),
        reason=reason, remote_addr=_client_ip(request),
    )
    return values


def _authorised(user: Any, capability: str, path: str | None, reason: str,
                refused: Callable[[str], None], roles: Any = ()) -> str:
    """The cleaned reason, once ``user`` holds ``capability`` at ``path`` (anywhere, if
    None). A refusal (no permission, no reason) is logged through ``refused`` and raised
    marked as logged."""
    from fangkong.core.models.audit import PiiRefusal
    from fangkong.core.scoping import scope_for

    if not scope_for(user).can(capability, path, roles=roles):
        refused(PiiRefusal.PERMISSION)
        raise already_logged(PermissionDenied())
    try:
        return clean_reason(reason)
    except ValidationError as exc:
        refused(PiiRefusal.REASON)
        raise already_logged(exc) from None


def log_export(
    user: Any, model: type[models.Model], fields: list[str] | tuple[str, ...], rows: int,
    reason: str, request: Any = None, label: str = "", people: Iterable[int] = (),
) -> None:
    """Record an unmasked export of personal data, with the ids of the people whose data
    it carried (``PiiAccessPerson``). Checked by the caller's capability; a refusal (no
    permission, no reason) is logged too before it is raised."""
    from fangkong.core.models import PiiAccess, PiiAccessPerson
    from fangkong.core.models.audit import PiiAction

    def refused(why: str) -> None:
        log_refused(user, PiiAction.EXPORT, model._meta.label, why, label=label,
                    fields=fields, rows=rows, reason=reason, request=request)

    reason = _authorised(user, Cap.EXPORT_PII, None, reason, refused)
    with transaction.atomic():
        access = PiiAccess.objects.create(
            actor=user, action="export", subject_type=model._meta.label, subject_id="",
            subject_label=label[:200], fields=",".join(fields), row_count=rows,
            reason=reason, remote_addr=_client_ip(request),
        )
        PiiAccessPerson.objects.bulk_create(
            (PiiAccessPerson(access=access, person_id=pk) for pk in people),
            batch_size=2000,
        )


# --- Change history for rows written without signals (bulk loads, the passage hot path) ---

@cache
def _audited_fields(model: type[models.Model]) -> tuple[tuple[Any, bool], ...]:
    """(field, masked) for the fields django-auditlog records of ``model``, in the
    order and with the include/exclude/mask settings of its registration."""
    options = auditlog.get_model_fields(model)
    fields = []
    for field in get_fields_in_model(model()):
        if options["include_fields"] and field.name not in options["include_fields"]:
            continue
        if field.name in options["exclude_fields"]:
            continue
        fields.append((field, field.name in options["mask_fields"]))
    return tuple(fields)


#: Python types whose ``smart_str`` is ``str(value)``: what auditlog stores for them.
_PLAIN_TYPES = frozenset({str, int, bool, float, Decimal, UUID, date})


@cache
def _diff_plan(model: type[models.Model]) -> tuple[tuple[Any, str, bool], ...]:
    """(field, how auditlog reads it, masked) per audited field: "fk" (the raw id, as
    ``get_field_value`` reads relations), "plain" (``smart_str`` of the attribute) or
    "auditlog" (date-times, JSON and anything else: auditlog's own function)."""
    plan = []
    for field, masked in _audited_fields(model):
        if isinstance(field, models.DateTimeField | models.JSONField) or not field.concrete:
            how = "auditlog"
        elif field.many_to_one or field.one_to_one:
            how = "fk" if (hasattr(field, "rel_class") and not getattr(
                settings, "AUDITLOG_USE_FK_STRING_REPRESENTATION", False)) else "auditlog"
        else:
            how = "plain"
        plan.append((field, how, masked))
    return tuple(plan)


def create_diff(obj: models.Model) -> dict[str, tuple[str, str]] | None:
    """``auditlog.diff.model_instance_diff(None, obj)``, without its per-call set-up (it
    resolves the fields and an exception per field each time) and with the common field
    types read directly. Same output, tested."""
    model = type(obj)
    diff = {}
    for field, how, masked in _diff_plan(model):
        if how == "fk":
            value = getattr(obj, field.attname)
            text = smart_str(value)
        elif how == "plain" and type(value := getattr(obj, field.attname)) in _PLAIN_TYPES:
            text = value if type(value) is str else str(value)
            if text == "None":
                continue
        else:
            value = get_field_value(obj, field)
            if value == "None":
                continue
            text = smart_str(value)
        if masked:
            mask = get_mask_function(auditlog.get_model_fields(model).get("mask_callable"))
            diff[field.name] = (mask("None"), mask(text))
        else:
            diff[field.name] = ("None", text)
    return diff or None


def log_bulk_created(objs: Sequence[models.Model], actor: Any = None) -> None:
    """Write the django-auditlog "create" entries for rows inserted with ``bulk_create``.

    ``bulk_create`` sends no signals, so auditlog would not see the rows. The entries are
    the ones its signal handler would have written (``create_diff``; the actor's email and
    the request's address from auditlog's context, as its ``pre_save`` receiver fills
    them in), inserted in bulk: one statement also for the passage hot path.
    """
    if not objs:
        return
    content_type = ContentType.objects.get_for_model(type(objs[0]))
    actor = actor if getattr(actor, "pk", None) else None
    context = auditlog_value.get(None) or {}
    cid = get_cid()
    LogEntry.objects.bulk_create([
        LogEntry(content_type=content_type, object_pk=str(obj.pk),
                 object_id=obj.pk if isinstance(obj.pk, int) else None,
                 object_repr=str(obj)[:500], action=LogEntry.Action.CREATE,
                 changes=create_diff(obj), actor=actor, cid=cid,
                 actor_email=getattr(actor, "email", None) or None,
                 remote_addr=context.get("remote_addr"),
                 remote_port=context.get("remote_port"))
        for obj in objs
    ], batch_size=1000)
