"""Business operations of daily reporting. Views, API, commands and the demo call these.

Every function takes the acting user, runs in one transaction inside ``acting_as`` (so the
audit log names the actor) and either does all of its work or raises ``ValidationError``
with a message per field and changes nothing.

The report lifecycle::

    draft ──submit──▶ submitted ──approve──▶ approved
      ▲                  │                      │
      └──(edit)── returned ◀──return──┘   ◀──reopen──┘

A submitted or approved report is locked; only the level above may return or reopen it.
Each change writes an immutable ``SubmissionVersion`` and moves the roll-up rows.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import registries
from fangkong.core.audit import acting_as
from fangkong.core.models import Organisation, OrgUnit
from fangkong.core.services.people import NULL_CHARACTERS
from fangkong.core.unique import get_or_create_unique, save_unique
from fangkong.lib.dates import check_record_day
from fangkong.lib.numbers import read_decimal
from fangkong.reports import access, rollups
from fangkong.reports.alerts import REPORT_MISSING
from fangkong.reports.models import (
    Aggregation,
    Indicator,
    IndicatorType,
    Reporter,
    ReportForm,
    Rule,
    Status,
    Submission,
    SubmissionValue,
    SubmissionVersion,
    VersionAction,
)
from fangkong.reports.rules import RuleSyntaxError, parse_rule

log = logging.getLogger(__name__)

MAX_NUMBER = Decimal(10) ** 15
TEXT_MAX = 500
MISSING_ALERT_KIND = REPORT_MISSING.code


class ReportLocked(ValidationError):
    """The report is submitted or approved: the level above must return or reopen it."""


# --- Values -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanValue:
    number: Decimal | None = None
    text: str = ""
    computed: Decimal | None = None
    overridden: bool = False

    @property
    def is_empty(self) -> bool:
        return self.number is None and not self.text

    def snapshot(self, indicator: Indicator) -> dict[str, Any]:
        return {
            "value": self.text if not indicator.is_numeric else _json_number(
                indicator, self.number),
            "computed": _json_number(indicator, self.computed),
            "overridden": self.overridden,
        }


def _json_number(indicator: Indicator, value: Decimal | None) -> int | str | None:
    typed = rollups.typed(indicator, value)
    return typed if typed is None or isinstance(typed, int) else str(typed)


def field_key(code: str) -> str:
    """The error key of an indicator's value, as the API and the form page report it."""
    return f"values.{code}"


def _parse_number(indicator: Indicator, raw: Any) -> Decimal | None:
    """``raw`` as a Decimal for ``indicator``; raises ValueError with a readable message."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError(_("Enter a number, not true or false."))
    if isinstance(raw, str) and not raw.strip():
        return None
    number = read_decimal(raw, comma="grouping")  # NumberError is a ValueError
    if indicator.type == IndicatorType.INTEGER and number != number.to_integral_value():
        raise ValueError(_("Enter a whole number."))
    if indicator.type == IndicatorType.INTEGER:
        number = number.to_integral_value()
    elif -number.as_tuple().exponent > indicator.decimal_places:  # type: ignore[operator]
        raise ValueError(_("Use at most %(n)d decimal places.") % {"n": indicator.decimal_places})
    if number < 0:
        raise ValueError(_("Enter zero or more."))
    if number >= MAX_NUMBER:
        raise ValueError(_("This number is too large."))
    return number


def computed_value(indicator: Indicator, reporter: Reporter, day: dt.date) -> Decimal | None:
    """The live value the modules give for this indicator, reporter and day, if any.

    A territorial reporter gets the figure of its unit's subtree; an organisation only the
    figure a module computes for that organisation itself (``registries.organisation_figure``:
    an enterprise's own records), never its unit's, which for an organisation placed at
    the city would be the whole city's figure.
    """
    if not indicator.source:
        return None
    ind = registries.get_indicator(indicator.source)
    if ind is None:
        return None
    if reporter.is_organisation:
        value = registries.organisation_value(indicator.source, reporter.organisation, day)
    else:
        value = ind.value(reporter.unit, day)
    if value is None:
        return None
    number = Decimal(str(value))
    if indicator.type == IndicatorType.INTEGER:
        return number.to_integral_value()
    return number.quantize(Decimal(1).scaleb(-indicator.decimal_places), rounding=ROUND_HALF_UP)


def prefill(form: ReportForm, reporter: Reporter, day: dt.date) -> dict[str, Decimal | None]:
    return {
        i.code: computed_value(i, reporter, day) for i in active_indicators(form) if i.source
    }


def active_indicators(form: ReportForm) -> list[Indicator]:
    return [i for i in form.indicators.all() if i.is_active]


def clean_values(form: ReportForm, reporter: Reporter, day: dt.date, raw: Any, *,
                 submit: bool) -> dict[str, CleanValue]:
    """Check every value against its indicator, then the form's rules.

    Raises ``ValidationError`` keyed ``values.<code>`` (or ``values``) with every problem
    at once: unknown indicators, wrong types, missing required values (on submit), broken
    rules (the message shows on the rule's first indicator).
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ValidationError({"values": [_("Give the values as an object of indicator codes.")]})
    indicators = {i.code: i for i in active_indicators(form)}
    errors: dict[str, list[str]] = {}
    for key in raw:
        if str(key) not in indicators:
            errors.setdefault(field_key(str(key)), []).append(_("Unknown indicator."))
    clean: dict[str, CleanValue] = {}
    for code, ind in indicators.items():
        computed = computed_value(ind, reporter, day)
        given = raw.get(code)
        if ind.is_numeric:
            try:
                number = _parse_number(ind, given)
            except ValueError as exc:
                errors.setdefault(field_key(code), []).append(str(exc))
                continue
            if number is None and computed is not None:
                value = CleanValue(number=computed, computed=computed)
            else:
                value = CleanValue(
                    number=number, computed=computed,
                    overridden=computed is not None and number != computed,
                )
        else:
            if given is not None and not isinstance(given, str):
                errors.setdefault(field_key(code), []).append(_("Enter text."))
                continue
            text = (given or "").strip()
            if "\x00" in text:  # PostgreSQL cannot store it in text or JSON
                errors.setdefault(field_key(code), []).append(NULL_CHARACTERS.message)
                continue
            if len(text) > TEXT_MAX:
                errors.setdefault(field_key(code), []).append(
                    _("Use at most %(n)d characters.") % {"n": TEXT_MAX})
                continue
            value = CleanValue(text=text)
        if submit and ind.required and value.is_empty:
            errors.setdefault(field_key(code), []).append(_("This indicator is required."))
        clean[code] = value
    # Rules are checked over the values that parsed; a rule naming a value that did not
    # (or is empty) is skipped, so every message shown is about the figures as typed.
    numbers = {c: v.number for c, v in clean.items() if indicators[c].is_numeric}
    for rule in form.rules.all():
        if not rule.is_active:
            continue
        try:
            parsed = parse_rule(rule.expression)
        except RuleSyntaxError:
            continue
        if parsed.check(numbers) is False:
            errors.setdefault(field_key(parsed.subject), []).append(rule.display_message)
    if errors:
        raise ValidationError(errors)
    return clean


def stored_values(submission: Submission) -> dict[str, CleanValue]:
    return {
        e.indicator.code: CleanValue(number=e.number, text=e.text, computed=e.computed,
                                     overridden=e.overridden)
        for e in submission.entries.select_related("indicator")
    }


@dataclass(frozen=True)
class Previous:
    """Beside each field: the reporter's value the day before and, for a daily count
    (flow, summed), its total over the reports before ``day``."""

    yesterday: Decimal | None = None
    cumulative: Decimal | None = None
    yesterday_text: str = ""


def previous_values(reporter: Reporter, day: dt.date) -> dict[str, Previous]:
    """``{code: Previous}`` for ``reporter`` before ``day``: two queries, whatever the
    number of indicators (yesterday's report's values, then the sums over counted reports
    up to yesterday)."""
    from django.db.models import Sum

    from fangkong.reports.models import COUNTED_STATUSES, Measure

    form = reporter.form
    yesterday = day - dt.timedelta(days=1)
    last = {
        code: (number, text) for code, number, text in SubmissionValue.objects.filter(
            submission__form=form, submission__reporter=reporter,
            submission__date=yesterday, submission__status__in=COUNTED_STATUSES,
        ).values_list("indicator__code", "number", "text")
    }
    flows = [i.pk for i in form.indicators.all()
             if i.is_numeric and i.measure == Measure.FLOW and i.aggregation == Aggregation.SUM]
    sums = dict(SubmissionValue.objects.filter(
        submission__form=form, submission__reporter=reporter, submission__date__lt=day,
        submission__status__in=COUNTED_STATUSES, indicator_id__in=flows,
    ).values("indicator__code").annotate(total=Sum("number")).values_list(
        "indicator__code", "total"))
    out = {}
    for ind in form.indicators.all():
        number, text = last.get(ind.code, (None, ""))
        cumulative = sums.get(ind.code)
        if ind.pk in flows and cumulative is None:
            cumulative = Decimal(0)
        out[ind.code] = Previous(
            yesterday=rollups.typed(ind, number) if ind.is_numeric else None,
            cumulative=rollups.typed(ind, cumulative) if ind.pk in flows else None,
            yesterday_text=text or "")
    return out


def _numbers(values: Mapping[str, CleanValue]) -> dict[str, Decimal | None]:
    return {c: v.number for c, v in values.items()}


def _aggregated_codes(form: ReportForm) -> list[str]:
    return [i.code for i in form.indicators.all() if i.is_aggregated]


def _snapshot(form: ReportForm, values: Mapping[str, CleanValue]) -> dict[str, Any]:
    by_code = {i.code: i for i in form.indicators.all()}
    return {c: v.snapshot(by_code[c]) for c, v in values.items() if c in by_code}


def _same_values(a: Mapping[str, CleanValue], b: Mapping[str, CleanValue]) -> bool:
    def norm(values: Mapping[str, CleanValue]) -> dict[str, tuple]:
        return {c: (v.number, v.text) for c, v in values.items() if not v.is_empty}
    return norm(a) == norm(b)


# --- The lifecycle ----------------------------------------------------------------------


def check_day(form: ReportForm, reporter: Reporter, day: Any) -> dt.date:
    if not isinstance(day, dt.date):
        raise ValidationError({"date": [_("Enter a date as YYYY-MM-DD.")]})
    if day > timezone.localdate():
        raise ValidationError({"date": [_("A report cannot be dated in the future.")]})
    check_record_day(day, "date")
    if not reporter.is_active_on(day):
        raise ValidationError({"date": [_("%(unit)s does not report this form on %(date)s.") % {
            "unit": reporter.name, "date": day.isoformat()}]})
    return day


def _lock_or_create(form: ReportForm, reporter: Reporter, day: dt.date,
                    actor: Any) -> tuple[Submission, bool]:
    """The report row for (form, reporter, day), locked; created if it does not exist.

    Two requests for the same report at once: both try the insert, the database's unique
    constraint lets one win, the other rolls back to its savepoint and locks the winner's
    row (``core.unique.get_or_create_unique``). Never two rows.
    """
    return get_or_create_unique(
        Submission.objects.select_for_update(),
        {"form": form, "reporter": reporter, "date": day},
        {"org_unit": reporter.territorial_unit, "updated_by": actor},
    )


def _write_values(submission: Submission, form: ReportForm,
                  values: Mapping[str, CleanValue]) -> None:
    indicators = {i.code: i for i in form.indicators.all()}
    existing = {e.indicator_id: e for e in submission.entries.all()}
    keep: set[int] = set()
    create, update = [], []
    for code, v in values.items():
        ind = indicators[code]
        if v.is_empty and v.computed is None:
            continue
        keep.add(ind.pk)
        entry = existing.get(ind.pk)
        if entry is None:
            create.append(SubmissionValue(
                submission=submission, indicator=ind, number=v.number, text=v.text,
                computed=v.computed, overridden=v.overridden))
        elif (entry.number, entry.text, entry.computed, entry.overridden) != (
                v.number, v.text, v.computed, v.overridden):
            entry.number, entry.text, entry.computed, entry.overridden = (
                v.number, v.text, v.computed, v.overridden)
            update.append(entry)
    SubmissionValue.objects.bulk_create(create)
    SubmissionValue.objects.bulk_update(update, ["number", "text", "computed", "overridden"])
    stale = [e.pk for ind_id, e in existing.items() if ind_id not in keep]
    if stale:
        SubmissionValue.objects.filter(pk__in=stale).delete()


def _version(submission: Submission, action: str, actor: Any, values: dict[str, Any],
             reason: str = "") -> SubmissionVersion:
    submission.version += 1
    return SubmissionVersion.objects.create(
        submission=submission, number=submission.version, action=action,
        status=submission.status, values=values,
        actor=actor if getattr(actor, "is_authenticated", False) else None, reason=reason,
    )


@dataclass(frozen=True)
class SaveResult:
    submission: Submission
    created: bool
    changed: bool


def save_report(actor: Any, reporter: Reporter, day: Any, values: Any, *,
                submit: bool) -> SaveResult:
    """Save (``submit=False``) or submit a reporter's report for ``day``.

    The same call twice is harmless: the second finds the row, sees nothing changed, writes
    no version. Changing a submitted or approved report raises ``ReportLocked``; sending
    the very values already submitted again is accepted as a retry.
    """
    form = reporter.form
    if not access.can_report(actor, reporter):
        raise ValidationError({"unit": [_("Unknown unit, or not in your area.")]})
    day = check_day(form, reporter, day)
    clean = clean_values(form, reporter, day, values, submit=submit)
    with acting_as(actor), transaction.atomic():
        submission, created = _lock_or_create(form, reporter, day, actor)
        before_values = {} if created else stored_values(submission)
        if not submission.is_editable:
            if submit and _same_values(before_values, clean):
                return SaveResult(submission, created=False, changed=False)
            raise ReportLocked(
                _("This report has been submitted and is locked. Ask the level above to "
                  "return or reopen it."), code="locked")
        target = Status.SUBMITTED if submit else Status.DRAFT
        if (not created and submission.status == target
                and _same_values(before_values, clean)):
            return SaveResult(submission, created=False, changed=False)
        aggregated = _aggregated_codes(form)
        before = rollups.contribution(submission, _numbers(before_values), aggregated)
        _write_values(submission, form, clean)
        now = timezone.now()
        submission.status = target
        submission.updated_by = actor
        if submit:
            submission.submitted_at = now
            submission.submitted_by = actor
            if submission.first_submitted_at is None:
                submission.first_submitted_at = now
                submission.on_time = now <= form.deadline_for(day)
        _version(submission, VersionAction.SUBMITTED if submit else VersionAction.SAVED,
                 actor, _snapshot(form, clean))
        submission.save()
        after = rollups.contribution(submission, _numbers(clean), aggregated)
        rollups.apply(form.pk, day, submission.unit_path, before, after)
        if submit:
            _close_missing_alert(actor, reporter, day)
    return SaveResult(submission, created=created, changed=True)


def _review(actor: Any, submission: Submission, *, allowed: Iterable[str], target: str,
            action: str, reason: str, reason_required: bool,
            second_person: bool = False) -> Submission:
    reason = (reason or "").strip()[:300]
    if reason_required and len(reason) < 2:
        raise ValidationError({"reason": [_("Give the reason.")]})
    if not access.can_review(actor, submission.reporter):
        raise PermissionDenied
    with acting_as(actor), transaction.atomic():
        sub = Submission.objects.select_for_update().select_related("form").get(
            pk=submission.pk)
        if sub.status not in allowed:
            raise ValidationError(
                _("This report is “%(status)s”: that is not possible now.") % {
                    "status": sub.get_status_display()},
                code="state")
        if second_person and sub.submitted_by_id == getattr(actor, "pk", None):
            raise ValidationError(
                _("You submitted this report yourself; another reviewer must approve it."),
                code="own")
        values = stored_values(sub)
        aggregated = _aggregated_codes(sub.form)
        before = rollups.contribution(sub, _numbers(values), aggregated)
        sub.status = target
        sub.reviewed_at = timezone.now()
        sub.reviewed_by = actor
        sub.review_reason = reason
        _version(sub, action, actor, _snapshot(sub.form, values), reason)
        sub.save()
        after = rollups.contribution(sub, _numbers(values), aggregated)
        rollups.apply(sub.form_id, sub.date, sub.unit_path, before, after)
        if target == Status.RETURNED:
            _notify_returned(sub, reason)
    return sub


def approve(actor: Any, submission: Submission, reason: str = "") -> Submission:
    """Approve a submitted report: by a reviewer above the reporter who did not submit it
    (four eyes: whoever keys in a unit's figures on its behalf cannot also sign them off)."""
    return _review(actor, submission, allowed=(Status.SUBMITTED,), target=Status.APPROVED,
                   action=VersionAction.APPROVED, reason=reason, reason_required=False,
                   second_person=True)


def return_report(actor: Any, submission: Submission, reason: str) -> Submission:
    """Send a submitted report back to its reporter for correction."""
    return _review(actor, submission, allowed=(Status.SUBMITTED,), target=Status.RETURNED,
                   action=VersionAction.RETURNED, reason=reason, reason_required=True)


def reopen(actor: Any, submission: Submission, reason: str) -> Submission:
    """Unlock an approved (or submitted) report so its reporter can correct it."""
    return _review(actor, submission, allowed=(Status.APPROVED, Status.SUBMITTED),
                   target=Status.RETURNED, action=VersionAction.REOPENED, reason=reason,
                   reason_required=True)


# --- Notices to the reporters -----------------------------------------------------------


def reporter_people(reporter: Reporter, submission: Submission | None = None) -> list[Any]:
    """Who fills in ``reporter``'s reports: the users with ``report`` on a grant for its
    very unit (or its organisation), and whoever submitted the report."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from fangkong.core.models import Grant
    from fangkong.core.models.accounts import Cap, Role

    roles = [r for r in Role.values if Cap.REPORT in Role.capabilities_of(r)]
    grants = Grant.objects.filter(role__in=roles)
    if reporter.is_organisation:
        grants = grants.filter(organisation_id=reporter.organisation_id)
    else:
        grants = grants.filter(org_unit_id=reporter.unit_id, organisation__isnull=True)
    ids = set(grants.values_list("user_id", flat=True))
    if submission is not None and submission.submitted_by_id:
        ids.add(submission.submitted_by_id)
    return list(get_user_model().objects.filter(Q(pk__in=ids), is_active=True).order_by("pk"))


def fill_url(reporter: Reporter, day: dt.date) -> str:
    from django.urls import reverse

    return (reverse("reports:fill", args=[reporter.form.code])
            + f"?unit={reporter.code}&date={day.isoformat()}")


def _notify_returned(sub: Submission, reason: str) -> None:
    from fangkong.core.services.notices import notify_many

    reporter = sub.reporter
    notify_many(
        reporter_people(reporter, sub), kind="reports.returned",
        key=f"reports.returned:{sub.pk}:{sub.version}", url=fill_url(reporter, sub.date),
        title=_("Report returned: %(form)s, %(unit)s, %(date)s") % {
            "form": sub.form.display_name, "unit": reporter.name,
            "date": sub.date.isoformat()},
        body=_("Reason: %(reason)s. Correct it and submit it again.") % {"reason": reason},
    )


@dataclass(frozen=True)
class ReminderResult:
    reporters: int
    people: int
    unreachable: list[str]


def send_reminders(actor: Any, form: ReportForm, day: dt.date,
                   target: OrgUnit | Organisation) -> ReminderResult:
    """催报: a notice (and the configured SMS or other sender) to the people of every
    reporter under ``target`` whose report for ``day`` is still missing.

    The actor needs ``view`` over the unit. Once per reporter and day: a second click
    reminds nobody twice. ``unreachable`` names the reporters with nobody to tell (no
    account with ``report`` on the unit): they need a phone call.
    """
    from fangkong.core.models.accounts import Cap
    from fangkong.core.scoping import scope_for
    from fangkong.core.services.notices import notify_many
    from fangkong.reports.completeness import completeness

    path = target.path if isinstance(target, OrgUnit) else target.unit_path
    scope = scope_for(actor)
    if not (scope.covers(Cap.VIEW, path) or (isinstance(target, Organisation)
                                             and target.pk in scope.organisation_ids())):
        raise PermissionDenied
    missing = completeness(form, day, target).missing
    reporters = Reporter.objects.select_related("form", "unit", "organisation").in_bulk(
        [r.reporter_id for r in missing])
    deadline = form.deadline_for(day)
    sender_name = actor.get_full_name() or actor.get_username()
    reached, people, unreachable = 0, 0, []
    with acting_as(actor), transaction.atomic():
        for row in missing:
            reporter = reporters[row.reporter_id]
            users = reporter_people(reporter)
            if not users:
                unreachable.append(reporter.name)
                continue
            notify_many(
                users, kind="reports.reminder",
                key=f"reports.reminder:{reporter.pk}:{day.isoformat()}",
                url=fill_url(reporter, day),
                title=_("Reminder: %(form)s for %(date)s not yet submitted") % {
                    "form": form.display_name, "date": day.isoformat()},
                body=_("%(unit)s: please submit the %(date)s report (due %(due)s). "
                       "Sent by %(sender)s.") % {
                    "unit": reporter.name, "date": day.isoformat(),
                    "due": timezone.localtime(deadline).strftime("%m-%d %H:%M"),
                    "sender": sender_name},
            )
            reached += 1
            people += len(users)
    return ReminderResult(reached, people, unreachable)


#: How long before its deadline a report not yet submitted is announced to its people.
DUE_SOON = dt.timedelta(hours=2)


def notify_due_soon(now: dt.datetime | None = None) -> int:
    """A notice to the people of every active reporter whose report is due within
    ``DUE_SOON`` and not yet submitted (run by the ``reports.overdue`` schedule; once
    per reporter and day)."""
    from fangkong.core.services.notices import notify_many

    now = now or timezone.now()
    sent = 0
    for form in ReportForm.objects.filter(is_active=True):
        for offset in range(form.deadline_days + 1):
            day = timezone.localdate(now) - dt.timedelta(days=offset)
            deadline = form.deadline_for(day)
            if not (now <= deadline <= now + DUE_SOON):
                continue
            done = Submission.objects.filter(form=form, date=day).counted().values(
                "reporter_id")
            for reporter in (Reporter.objects.filter(form=form).active_on(day)
                             .exclude(pk__in=done).select_related("form")):
                users = reporter_people(reporter)
                notify_many(
                    users, kind="reports.due", url=fill_url(reporter, day),
                    key=f"reports.due:{reporter.pk}:{day.isoformat()}",
                    title=_("Due at %(time)s: %(form)s for %(date)s") % {
                        "time": timezone.localtime(deadline).strftime("%H:%M"),
                        "form": form.display_name, "date": day.isoformat()},
                    body=_("%(unit)s has not submitted it yet.") % {"unit": reporter.name},
                )
                sent += bool(users)
    return sent


# --- Missing-report alerts --------------------------------------------------------------


def missing_subject(reporter: Reporter, day: dt.date) -> str:
    return f"reports.reporter:{reporter.pk}:{day.isoformat()}"


def _close_missing_alert(actor: Any, reporter: Reporter, day: dt.date) -> None:
    from fangkong.core.models import Alert
    from fangkong.core.services.alerts import close_alert

    alert = Alert.objects.open().filter(
        kind=MISSING_ALERT_KIND, subject=missing_subject(reporter, day)).first()
    if alert is not None and getattr(actor, "is_authenticated", False):
        close_alert(alert, actor=actor, outcome=_("Report submitted."))


# --- Configuration (HQ) -----------------------------------------------------------------


def _require_configure(actor: Any) -> None:
    from fangkong.core.models.accounts import Cap
    from fangkong.core.scoping import scope_for

    if not scope_for(actor).can(Cap.CONFIGURE):
        raise PermissionDenied


def _full_clean_save(obj: Any, **kwargs: Any) -> Any:
    """Validate and save; a concurrent save of the same code is the same field error."""
    obj.full_clean(**kwargs)
    return save_unique(obj)


def save_form(actor: Any, form: ReportForm, **fields: Any) -> ReportForm:
    _require_configure(actor)
    with acting_as(actor), transaction.atomic():
        for name, value in fields.items():
            setattr(form, name, value)
        return _full_clean_save(form)


def save_indicator(actor: Any, indicator: Indicator, **fields: Any) -> Indicator:
    """Create or change an indicator. A text indicator is never aggregated; a code in use by
    a rule cannot change (the rule would silently stop working)."""
    _require_configure(actor)
    with acting_as(actor), transaction.atomic():
        old_code = None
        if indicator.pk:
            old_code = Indicator.objects.get(pk=indicator.pk).code
        for name, value in fields.items():
            setattr(indicator, name, value)
        if indicator.type == IndicatorType.TEXT:
            indicator.aggregation = Aggregation.NONE
            indicator.source = ""
        if indicator.source and registries.get_indicator(indicator.source) is None:
            raise ValidationError({"source": [_("Unknown live indicator.")]})
        if old_code and old_code != indicator.code and indicator.form.submissions.exists():
            raise ValidationError({"code": [
                _("Reports already use this code; add a new indicator instead.")]})
        if old_code and old_code != indicator.code and any(
                old_code in _rule_codes(r) for r in indicator.form.rules.all()):
            raise ValidationError({"code": [_("A rule uses this code; change the rule first.")]})
        if indicator.position == 0 and not indicator.pk:
            indicator.position = indicator.form.indicators.count() + 1
        if not indicator.code and not indicator.pk:
            indicator.code = derive_code(indicator)
        return _full_clean_save(indicator)


def derive_code(indicator: Indicator) -> str:
    """A code for a new indicator HQ left without one (rules and the API name it): from the
    English name ("Projects resumed" -> ``projects_resumed``), else from the live
    indicator it is pre-filled from (``checkpoints.passages`` -> ``checkpoints_passages``),
    else ``indicator_<position>``; made unique in the form with ``_2``, ``_3`` …, within
    the code's 40 characters. A concurrent save of the same code is still refused by the
    unique constraint as a field error (``_full_clean_save``)."""
    import re

    from django.utils.text import slugify

    base = ""
    for text in (indicator.name_en, indicator.source.replace(".", " ")):
        base = re.sub(r"_+", "_", slugify(text or "").replace("-", "_")).strip("_")
        if base:
            break
    if not base or not base[0].isalpha():
        base = f"indicator_{indicator.position or 1}" if not base else f"i_{base}"
    base = base[:40]
    taken = set(indicator.form.indicators.values_list("code", flat=True))
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base[:40 - len(str(n)) - 1]}_{n}"
    return code


def _rule_codes(rule: Rule) -> tuple[str, ...]:
    try:
        return parse_rule(rule.expression).codes
    except RuleSyntaxError:
        return ()


def check_rule_expression(form: ReportForm, expression: str) -> str:
    """Parse and check that every code is a numeric indicator of the form."""
    try:
        parsed = parse_rule(expression)
    except RuleSyntaxError as exc:
        raise ValidationError({"expression": [str(exc)]}) from None
    numeric = {i.code for i in form.indicators.all() if i.is_numeric}
    unknown = [c for c in parsed.codes if c not in numeric]
    if unknown:
        raise ValidationError({"expression": [
            _("Not a number indicator of this form: %(codes)s.") % {"codes": ", ".join(unknown)}
        ]})
    return " ".join(expression.split())


def save_rule(actor: Any, rule: Rule, **fields: Any) -> Rule:
    """Save a validation rule. A new rule the form already has (the same expression and
    message: the page sent twice, or back and send again) is that rule, not a second."""
    _require_configure(actor)
    with acting_as(actor), transaction.atomic():
        for name, value in fields.items():
            setattr(rule, name, value)
        rule.expression = check_rule_expression(rule.form, rule.expression)
        if rule.pk is None:
            ReportForm.objects.select_for_update().filter(pk=rule.form_id).first()
            same = Rule.objects.filter(form_id=rule.form_id, expression=rule.expression,
                                       message=rule.message,
                                       message_en=rule.message_en).first()
            if same is not None:
                return same
        return _full_clean_save(rule)


def delete_rule(actor: Any, rule: Rule) -> None:
    _require_configure(actor)
    with acting_as(actor), transaction.atomic():
        rule.delete()


def add_reporters(actor: Any, form: ReportForm, *, units: Iterable[OrgUnit] = (),
                  organisations: Iterable[Organisation] = (),
                  active_from: dt.date | None = None) -> int:
    """Make units and organisations report ``form``; existing ones are (re)activated."""
    _require_configure(actor)
    added = 0
    with acting_as(actor), transaction.atomic():
        for kind, items in (("unit", units), ("organisation", organisations)):
            for item in items:
                reporter = Reporter.objects.filter(form=form, **{kind: item}).first()
                if reporter is None:
                    probe = Reporter(form=form, **{kind: item})
                    probe.refresh_denormalised()
                    # Another reporter's code; the same unit's row, added meanwhile by
                    # a racing identical request, is the winner get_or_create returns.
                    if (Reporter.objects.filter(form=form, code=probe.code)
                            .exclude(**{kind: item}).exists()):
                        raise ValidationError({kind: [
                            _("Code %(code)s is already used by another reporting unit.")
                            % {"code": probe.code}]})
                    reporter, created = get_or_create_unique(
                        Reporter.objects, {"form": form, kind: item},
                        {"active_from": active_from},
                    )
                    added += created
                elif reporter.active_until is not None:
                    reporter.active_until = None
                    reporter.save()
                    added += 1
    return added


def stop_reporter(actor: Any, reporter: Reporter, last_day: dt.date | None = None) -> Reporter:
    """The reporter stops reporting after ``last_day`` (default yesterday); its past reports
    and past completeness stay as they were."""
    _require_configure(actor)
    with acting_as(actor), transaction.atomic():
        reporter.active_until = last_day or (timezone.localdate() - dt.timedelta(days=1))
        reporter.save()
    return reporter
