"""The registry and the resumption filing: every write authorised here and audited.

Statuses (``models.Status``): not started → filed → returned → filed … → approved →
resumed, or suspended. Each change is one ``StatusChange`` row naming the rule applied,
the actor and the reason; the status on a past day is read from those rows.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import uscc as uscc_check

from fangkong.core.audit import acting_as
from fangkong.core.models import OrgUnit
from fangkong.core.roles import Cap, Role
from fangkong.core.scoping import require_capability, scope_for
from fangkong.resumption.models import (
    Enterprise,
    Filing,
    FilingItem,
    Industry,
    Status,
    StatusChange,
)

#: The prevention checklist: code, label, whether the item asks for days of stock.
CHECKLIST = (
    ("plan", gettext_lazy("Implementation plan and responsibility chain"), False),
    ("masks", gettext_lazy("Masks in stock"), True),
    ("disinfectant", gettext_lazy("Disinfectant in stock"), True),
    ("thermometers", gettext_lazy("Thermometers in stock"), True),
    ("gate", gettext_lazy("Gate registration"), False),
    ("screening", gettext_lazy("Staff health screening"), False),
    ("isolation", gettext_lazy("Isolation room"), False),
    ("meals", gettext_lazy("Separated meals"), False),
)
ITEM_CODES = tuple(code for code, _label, _days in CHECKLIST)
LABELS = {code: label for code, label, _days in CHECKLIST}
NEEDS_DAYS = {code for code, _label, days in CHECKLIST if days}


def clean_uscc(value: Any) -> str:
    """The code in canonical form, or ValidationError (GB 32100: 18 characters, check
    character)."""
    text = str(value or "").strip().upper().replace(" ", "")
    if not text:
        raise ValidationError(_("Enter the unified social credit code."))
    if len(text) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters; this one "
                                "has %(n)d.") % {"n": len(text)})
    if not uscc_check.is_valid(text):
        raise ValidationError(_("This is not a valid unified social credit code (the check "
                                "character does not match; GB 32100)."))
    return text


def is_liaison_of(actor: Any, enterprise: Enterprise) -> bool:
    scope = scope_for(actor)
    return bool(enterprise.organisation_id) and any(
        g.role == Role.ENTERPRISE_LIAISON and g.organisation_id == enterprise.organisation_id
        for g in scope.grants)


def may_file(actor: Any, enterprise: Enterprise) -> bool:
    """The enterprise's liaison, or staff who may edit its area."""
    return is_liaison_of(actor, enterprise) or scope_for(actor).can(
        Cap.EDIT, enterprise.unit_path)


def may_review(actor: Any, enterprise: Enterprise) -> bool:
    return scope_for(actor).can(Cap.APPROVE, enterprise.unit_path)


def _change(enterprise: Enterprise, to: str, *, rule: str, actor: Any, reason: str = "",
            at: datetime | None = None) -> StatusChange:
    at = at or timezone.now()
    change = StatusChange.objects.create(
        enterprise=enterprise, from_status=enterprise.status, to_status=to, rule=rule,
        actor=actor, actor_name=_actor_name(actor),
        reason=reason, at=at)
    enterprise.status, enterprise.status_changed_at = to, at
    enterprise.save(update_fields=["status", "status_changed_at", "resumed_on", "updated_at"])
    return change


def register_enterprise(actor: Any, unit: OrgUnit, *, client_id: uuid.UUID | str, name: str,
                        uscc: str, industry: str, is_key_project: bool, headcount: int,
                        liaison_name: str, liaison_phone: str,
                        registered_on: date | None = None) -> tuple[Enterprise, bool]:
    require_capability(actor, Cap.EDIT, unit.path)
    errors: dict[str, list[str]] = {}
    try:
        uscc = clean_uscc(uscc)
    except ValidationError as exc:
        errors["uscc"] = exc.messages
    if not str(name or "").strip():
        errors["name"] = [_("Enter the name.")]
    if industry not in Industry.values:
        errors["industry"] = [_("Choose an industry.")]
    if headcount is None or int(headcount) < 1:
        errors["headcount"] = [_("Enter the number of staff (1 or more).")]
    phone = str(liaison_phone or "").strip()
    if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        errors["liaison_phone"] = [_("Enter an 11-digit mobile number.")]
    if not str(liaison_name or "").strip():
        errors["liaison_name"] = [_("Enter the liaison's name.")]
    if not errors and Enterprise.objects.filter(uscc=uscc).exclude(client_id=client_id).exists():
        errors["uscc"] = [_("An enterprise with this credit code is already registered.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        enterprise, created = Enterprise.create_keyed(client_id, same={
            "org_unit": unit, "name": name.strip(), "uscc": uscc, "industry": industry,
            "is_key_project": bool(is_key_project), "headcount": int(headcount),
            "liaison_name": liaison_name.strip(), "liaison_phone": phone,
        }, defaults={"registered_on": registered_on or timezone.localdate(),
                     "created_by": actor}, actor=actor)
        if created:
            _change(enterprise, Status.NOT_STARTED, rule="resumption.registered", actor=actor,
                    reason=_("Registered"))
        return enterprise, created


def filing_for(enterprise: Enterprise) -> Filing:
    """The enterprise's filing with one row per checklist item, made by the first write
    that needs it (saving the checklist, filing, an attachment): keyed by the enterprise
    (one filing each), so a form sent twice, or from two tabs, makes one."""
    from fangkong.core.unique import get_or_create_unique

    filing, _created = get_or_create_unique(
        Filing.objects, {"enterprise": enterprise}, {"org_unit_id": enterprise.org_unit_id})
    have = set(filing.items.values_list("code", flat=True))
    missing = [FilingItem(filing=filing, code=c) for c in ITEM_CODES if c not in have]
    if missing:
        FilingItem.objects.bulk_create(missing, ignore_conflicts=True)
    return filing


def read_filing(enterprise: Enterprise) -> tuple[Filing, list[FilingItem]]:
    """The filing and its items in checklist order, for a page: writes nothing. Before
    the first save the enterprise has no filing: an unsaved one with empty items stands
    in (opening the page used to create it, an empty record per look)."""
    filing = Filing.objects.filter(enterprise=enterprise).first()
    if filing is None:
        filing = Filing(enterprise=enterprise, org_unit_id=enterprise.org_unit_id)
        return filing, [FilingItem(code=code) for code in ITEM_CODES]
    have = {item.code: item for item in filing.items.all()}
    return filing, [have.get(code) or FilingItem(filing=filing, code=code)
                    for code in ITEM_CODES]


EDITABLE = (Status.NOT_STARTED, Status.RETURNED)


def is_filed_as(enterprise: Enterprise, *, planned_start: date | None,
                answers: dict[str, tuple[str, int | None]]) -> bool:
    """The enterprise's filing is filed with exactly these answers: a submission sent
    again (a double tap, back and send again) is the one already filed."""
    if enterprise.status != Status.FILED:
        return False
    filing, items = read_filing(enterprise)
    return filing.planned_start == planned_start and all(
        (item.answer, item.stock_days) == (answers[item.code][0].strip(),
                                           answers[item.code][1])
        for item in items if item.code in answers)


def save_checklist(actor: Any, enterprise: Enterprise, *, planned_start: date | None,
                   answers: dict[str, tuple[str, int | None]]) -> Filing:
    """Save the liaison's answers (a draft): allowed before filing and after a return."""
    if not may_file(actor, enterprise):
        raise PermissionDenied
    if enterprise.status not in EDITABLE:
        raise ValidationError({"__all__": [_(
            "The filing is %(status)s and cannot be changed now.") % {
            "status": enterprise.get_status_display()}]})
    errors: dict[str, list[str]] = {}
    for code, (_answer, days) in answers.items():
        if code in NEEDS_DAYS and days is not None and not 0 <= days <= 365:
            errors[f"{code}_days"] = [_("Enter between 0 and 365 days.")]
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        filing = filing_for(enterprise)
        filing.planned_start = planned_start
        filing.save(update_fields=["planned_start", "updated_at"])
        for item in filing.items.select_for_update():
            if item.code in answers:
                item.answer, item.stock_days = answers[item.code][0].strip(), answers[item.code][1]
                item.save(update_fields=["answer", "stock_days"])
        return filing


def incomplete_items(filing: Filing) -> dict[str, list[str]]:
    """Every unanswered item at once, keyed by its form field."""
    errors: dict[str, list[str]] = {}
    for item in filing.items.all():
        if not item.answer.strip():
            errors[f"{item.code}_answer"] = [_("Describe this item.")]
        if item.code in NEEDS_DAYS and not item.stock_days:
            errors[f"{item.code}_days"] = [_("Enter the days of stock (at least 1).")]
    if not filing.planned_start:
        errors["planned_start"] = [_("Enter the planned start day.")]
    return errors


def submit_filing(actor: Any, enterprise: Enterprise, *, at: datetime | None = None) -> Filing:
    if not may_file(actor, enterprise):
        raise PermissionDenied
    with acting_as(actor), transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if enterprise.status == Status.FILED:
            return enterprise.filing  # sent twice: filed once
        if enterprise.status not in EDITABLE:
            raise ValidationError({"__all__": [_("The filing is %(status)s.") % {
                "status": enterprise.get_status_display()}]})
        filing = filing_for(enterprise)
        errors = incomplete_items(filing)
        if errors:
            raise ValidationError(errors)
        at = at or timezone.now()
        filing.filed_at = at
        filing.first_filed_at = filing.first_filed_at or at
        filing.rounds += 1
        filing.save(update_fields=["filed_at", "first_filed_at", "rounds", "updated_at"])
        filing.items.update(missing=False)
        _change(enterprise, Status.FILED, rule="resumption.filed", actor=actor, at=at,
                reason=_("Filed (round %(n)d)") % {"n": filing.rounds})
        return filing


def _review(actor: Any, enterprise: Enterprise) -> tuple[Enterprise, Filing]:
    if not may_review(actor, enterprise):
        raise PermissionDenied
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    return enterprise, filing_for(enterprise)


def return_filing(actor: Any, enterprise: Enterprise, *, comments: dict[str, str],
                  missing: list[str], reason: str = "", at: datetime | None = None) -> Filing:
    """Return the filing with everything missing listed at once (一次性告知)."""
    with acting_as(actor), transaction.atomic():
        enterprise, filing = _review(actor, enterprise)
        if enterprise.status != Status.FILED:
            raise ValidationError({"__all__": [_("Only a filed filing can be returned.")]})
        errors: dict[str, list[str]] = {}
        if not missing:
            errors["__all__"] = [_("Mark at least one item as missing to return the filing.")]
        for code in missing:
            if not comments.get(code, "").strip():
                errors[f"{code}_comment"] = [_("Say what is missing.")]
        if errors:
            raise ValidationError(errors)
        lines = []
        for item in filing.items.all():
            item.comment = comments.get(item.code, "").strip()
            item.missing = item.code in missing
            item.save(update_fields=["comment", "missing"])
            if item.missing:
                lines.append(f"{len(lines) + 1}. {LABELS[item.code]}：{item.comment}")
        at = at or timezone.now()
        filing.decided_at, filing.decided_by = at, actor
        filing.save(update_fields=["decided_at", "decided_by", "updated_at"])
        text = "\n".join(([reason.strip()] if reason.strip() else []) + lines)
        _change(enterprise, Status.RETURNED, rule="resumption.returned", actor=actor,
                reason=text, at=at)
        _notify_liaisons(enterprise, _("Resumption filing returned: %(name)s") % {
            "name": enterprise.name}, text, f"resumption.returned:{filing.pk}:{filing.rounds}")
        return filing


def approve_filing(actor: Any, enterprise: Enterprise, *, comments: dict[str, str],
                   reason: str = "", at: datetime | None = None) -> Filing:
    """Approve: the resumption notice gets its number (the PDF is made from the record)."""
    with acting_as(actor), transaction.atomic():
        enterprise, filing = _review(actor, enterprise)
        if enterprise.status == Status.APPROVED:
            return filing
        if enterprise.status != Status.FILED:
            raise ValidationError({"__all__": [_("Only a filed filing can be approved.")]})
        for item in filing.items.all():
            item.comment, item.missing = comments.get(item.code, "").strip(), False
            item.save(update_fields=["comment", "missing"])
        at = at or timezone.now()
        county = enterprise.org_unit.code[:6]
        seq = Filing.objects.filter(notice_number__startswith=f"{county}-{at:%Y}-").count() + 1
        filing.notice_number = f"{county}-{at:%Y}-{seq:04d}"
        filing.decided_at, filing.decided_by = at, actor
        filing.save(update_fields=["notice_number", "decided_at", "decided_by", "updated_at"])
        _change(enterprise, Status.APPROVED, rule="resumption.approved", actor=actor, at=at,
                reason=reason.strip() or _("All checklist items in place"))
        _notify_liaisons(enterprise, _("Resumption approved: %(name)s") % {
            "name": enterprise.name}, _("Notice %(n)s") % {"n": filing.notice_number},
            f"resumption.approved:{filing.pk}")
        return filing


def mark_resumed(actor: Any, enterprise: Enterprise, *, day: date,
                 at: datetime | None = None) -> Enterprise:
    if not may_file(actor, enterprise):
        raise PermissionDenied
    with acting_as(actor), transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if enterprise.status == Status.RESUMED:
            return enterprise
        if enterprise.status != Status.APPROVED:
            raise ValidationError({"day": [_("Work can resume only after the filing is "
                                             "approved.")]})
        if day > timezone.localdate():
            raise ValidationError({"day": [_("The day cannot be in the future.")]})
        enterprise.resumed_on = day
        _change(enterprise, Status.RESUMED, rule="resumption.resumed", actor=actor,
                reason=_("Resumed work on %(day)s") % {"day": day.isoformat()},
                at=at or timezone.now())
        return enterprise


def suspend(actor: Any, enterprise: Enterprise, *, reason: str,
            at: datetime | None = None) -> Enterprise:
    if not may_review(actor, enterprise):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the suspension.")]})
    with acting_as(actor), transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if enterprise.status == Status.SUSPENDED:
            return enterprise
        if enterprise.status not in (Status.APPROVED, Status.RESUMED):
            raise ValidationError({"reason": [_("Only an approved or resumed enterprise can "
                                                "be suspended.")]})
        _change(enterprise, Status.SUSPENDED, rule="resumption.suspended", actor=actor,
                reason=reason.strip(), at=at or timezone.now())
        enterprise.filing.items.update(missing=False)
        return enterprise


def refile_after_suspension(actor: Any, enterprise: Enterprise) -> Enterprise:
    """A suspended enterprise starts a new filing round (its answers kept)."""
    if not may_file(actor, enterprise):
        raise PermissionDenied
    with acting_as(actor), transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if enterprise.status != Status.SUSPENDED:
            return enterprise
        _change(enterprise, Status.NOT_STARTED, rule="resumption.reopened", actor=actor,
                reason=_("New filing after suspension"))
        return enterprise


def _notify_liaisons(enterprise: Enterprise, title: str, body: str, key: str) -> None:
    from django.urls import reverse

    from fangkong.core.models import Grant
    from fangkong.core.services.notices import notify

    if not enterprise.organisation_id:
        return
    url = reverse("resumption:filing", args=[enterprise.pk])
    for grant in Grant.objects.filter(organisation_id=enterprise.organisation_id,
                                      role=Role.ENTERPRISE_LIAISON).select_related("user"):
        notify(grant.user, title=title, body=body, url=url, kind="resumption.filing", key=key)


def _actor_name(actor: Any) -> str:
    if actor is None:
        return ""
    return (actor.get_full_name() or actor.get_username())[:50]


def attach(actor: Any, enterprise: Enterprise, *, client_id: uuid.UUID | str, item: str,
           name: str, content: bytes, content_type: str, ext: str) -> Any:
    """Store an attachment once per submission key; the stored name is random."""
    from django.core.files.base import ContentFile
    from django.db import IntegrityError

    from fangkong.resumption.models import Attachment

    if not may_file(actor, enterprise) or enterprise.status not in EDITABLE:
        raise PermissionDenied
    if item not in ITEM_CODES:
        raise ValidationError({"item": [_("Choose a checklist item.")]})
    done = Attachment.objects.filter(client_id=client_id).first()
    if done is not None:
        return done
    attachment = Attachment(client_id=client_id, filing=filing_for(enterprise),
                            item_code=item, original_name=name[-120:],
                            content_type=content_type, size=len(content), uploaded_by=actor)
    attachment.file.save(uuid.uuid4().hex + ext, ContentFile(content), save=False)
    try:
        with acting_as(actor), transaction.atomic():
            attachment.save()
    except IntegrityError:  # the same key won a race: keep its file, drop ours
        attachment.file.delete(save=False)
        return Attachment.objects.get(client_id=client_id)
    return attachment
