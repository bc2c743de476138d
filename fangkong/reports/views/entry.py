"""Filling in, reviewing and reading reports: the reporter's and the reviewer's pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.models import OrgUnit
from fangkong.core.models.accounts import ORGANISATION_ROLES, Cap
from fangkong.core.scoping import scope_for
from fangkong.lib.dates import parse_day
from fangkong.reports import access, figures, services
from fangkong.reports.forms import ReviewForm
from fangkong.reports.mine import my_reports
from fangkong.reports.models import (
    Indicator,
    IndicatorType,
    Reporter,
    ReportForm,
    Status,
    Submission,
)
from fangkong.reports.rollups import typed


@dataclass
class EntryField:
    """One indicator on the fill-in page: its value as typed, the live value, errors."""

    indicator: Indicator
    value: str = ""
    computed: Decimal | int | None = None
    overridden: bool = False
    errors: list[str] = field(default_factory=list)
    previous: services.Previous | None = None

    @property
    def name(self) -> str:
        return f"v_{self.indicator.code}"

    @property
    def step(self) -> str:
        if self.indicator.type == IndicatorType.INTEGER:
            return "1"
        return str(Decimal(1).scaleb(-self.indicator.decimal_places))

    @property
    def inputmode(self) -> str:
        return "numeric" if self.indicator.type == IndicatorType.INTEGER else "decimal"


def _as_text(indicator: Indicator, number: Decimal | None) -> str:
    value = typed(indicator, number)
    return "" if value is None else str(value)


def _parse_day(raw: str | None) -> dt.date | None:
    """The ``date`` asked for (today by default); None if it is not a day a report can
    carry (``lib.dates``: from the epidemic's start to today)."""
    try:
        return parse_day(raw)
    except ValidationError:
        return None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """My reports for a day, the reports waiting for my review, the forms I oversee."""
    day = ((_parse_day(request.GET.get("date")) if request.GET.get("date") else None)
           or figures.reporting_day())
    scope = scope_for(request.user)
    mine = my_reports(request.user, day)
    waiting = access.reviewable_submissions(request.user).filter(status=Status.SUBMITTED)
    forms = list(access.forms_for(request.user))
    return render(request, "reports/index.html", {
        "day": day, "today": timezone.localdate(), "mine": mine,
        "waiting": waiting.count(), "forms": forms,
        "can_configure": scope.can(Cap.CONFIGURE),
        "can_view": scope.can(Cap.VIEW, roles=ORGANISATION_ROLES),
        # The briefing, roll-up and province export are a territory's: a member unit (an
        # organisation) is not offered them (they answer 404 for it).
        "has_territory": isinstance(access.resolve_unit(request.user, None), OrgUnit),
        "can_report": scope.can(Cap.REPORT, roles=ORGANISATION_ROLES),
    })


def _entry_fields(form: ReportForm, reporter: Reporter, day: dt.date,
                  submission: Submission | None, posted: dict[str, str] | None,
                  errors: dict[str, list[str]]) -> list[EntryField]:
    stored = services.stored_values(submission) if submission else {}
    computed = services.prefill(form, reporter, day)
    previous = services.previous_values(reporter, day)
    fields = []
    for ind in services.active_indicators(form):
        live = typed(ind, computed.get(ind.code)) if ind.is_numeric else None
        f = EntryField(ind, computed=live, errors=errors.get(services.field_key(ind.code), []),
                       previous=previous.get(ind.code))
        if posted is not None:
            f.value = posted.get(ind.code, "")
        elif ind.code in stored:
            v = stored[ind.code]
            f.value = v.text if not ind.is_numeric else _as_text(ind, v.number)
        elif live is not None:
            f.value = str(live)
        if live is not None and f.value.strip() and f.value.strip() != str(live):
            f.overridden = True
        fields.append(f)
    return fields


@login_required
def fill(request: HttpRequest, form: str) -> HttpResponse:
    """Today's (or a past day's) report of one reporter: pre-filled, save draft or submit."""
    report_form = get_object_or_404(
        access.forms_for(request.user).prefetch_related("indicators", "rules"), code=form)
    reporters = access.reporters_for(request.user, Cap.REPORT, report_form).select_related(
        "unit", "organisation", "organisation__org_unit")
    reporters = [r for r in reporters if access.can_report(request.user, r)]
    code = request.POST.get("unit") or request.GET.get("unit")
    if not code:
        own = {r.pk for r in access.own_reporters(request.user).filter(form=report_form)}
        preferred = [r for r in reporters if r.pk in own] or reporters
        if len(preferred) != 1:
            return render(request, "reports/fill_choose.html",
                          {"form": report_form, "reporters": reporters})
        reporter = preferred[0]
    else:
        reporter = next((r for r in reporters if r.code == code), None)
        if reporter is None:
            raise Http404
    raw_day = request.POST.get("date") or request.GET.get("date")
    day = _parse_day(raw_day) if raw_day else figures.reporting_day()
    general: list[str] = []
    if day is None:
        general.append(_("Enter a date as YYYY-MM-DD."))
        day = timezone.localdate()
    submission = Submission.objects.filter(form=report_form, reporter=reporter, date=day).first()
    if submission is not None and not submission.is_editable:
        messages.info(request, _("This report is submitted and locked."))
        return redirect(_detail_url(submission))
    errors: dict[str, list[str]] = {}
    posted = None
    if request.method == "POST" and not general:
        posted = {i.code: request.POST.get(f"v_{i.code}", "")
                  for i in services.active_indicators(report_form)}
        submit = "submit" in request.POST
        try:
            result = services.save_report(request.user, reporter, day, posted, submit=submit)
        except services.ReportLocked as exc:
            messages.error(request, exc.messages[0])
            return redirect(reverse("reports:fill", args=[report_form.code])
                            + f"?unit={reporter.code}&date={day.isoformat()}")
        except ValidationError as exc:
            errors = exc.message_dict
            general = [m for k, msgs in errors.items() if not k.startswith("values.")
                       for m in msgs]
        else:
            messages.success(request, _("Report submitted.") if submit else _("Draft saved."))
            return redirect(_detail_url(result.submission))
    fields = _entry_fields(report_form, reporter, day, submission, posted, errors)
    return render(request, "reports/fill.html", {
        "form": report_form, "reporter": reporter, "day": day,
        "today": timezone.localdate(), "submission": submission, "fields": fields,
        "general_errors": general, "deadline": report_form.deadline_for(day),
        "choose": len(reporters) > 1,
        "field_errors": [f for f in fields if f.errors],
        "error_count": len(general) + sum(1 for f in fields if f.errors),
        "yesterday": day - dt.timedelta(days=1),
    }, status=400 if errors or general else 200)


def _detail_url(sub: Submission) -> str:
    return reverse("reports:submission", args=[sub.form.code, sub.pk])


@dataclass
class VersionView:
    version: Any
    changed: set[str]


@login_required
def submission_detail(request: HttpRequest, form: str, pk: int) -> HttpResponse:
    sub = access.get_submission_for_user(request.user, pk=pk, form__code=form)
    indicators = {i.code: i for i in sub.form.indicators.all()}
    stored = services.stored_values(sub)
    previous = services.previous_values(sub.reporter, sub.date)
    rows = []
    for code, ind in indicators.items():
        if not ind.is_active and code not in stored:
            continue
        v = stored.get(code)
        rows.append({
            "indicator": ind,
            "value": (v.text if not ind.is_numeric else _as_text(ind, v.number)) if v else "",
            "computed": _as_text(ind, v.computed) if v else "",
            "overridden": bool(v and v.overridden),
            "previous": previous.get(code),
        })
    versions = list(sub.versions.select_related("actor").order_by("number"))
    history, previous = [], {}
    for version in versions:
        changed = {c for c in set(version.values) | set(previous)
                   if (version.values.get(c) or {}).get("value")
                   != (previous.get(c) or {}).get("value")}
        history.append(VersionView(version, changed if version.number > 1 else set()))
        previous = version.values
    history.reverse()
    return render(request, "reports/submission.html", {
        "sub": sub, "rows": rows, "history": history, "indicators": indicators,
        "can_review": access.can_review(request.user, sub.reporter),
        "can_edit": sub.is_editable and access.can_report(request.user, sub.reporter),
        "review_form": ReviewForm(), "deadline": sub.form.deadline_for(sub.date),
        "yesterday": sub.date - dt.timedelta(days=1),
    })


@require_POST
@login_required
def review(request: HttpRequest, form: str, pk: int) -> HttpResponse:
    sub = access.get_submission_for_user(request.user, pk=pk, form__code=form)
    if not access.can_review(request.user, sub.reporter):
        raise PermissionDenied
    f = ReviewForm(request.POST)
    if not f.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect(_detail_url(sub))
    action, reason = f.cleaned_data["action"], f.cleaned_data["reason"]
    do = {"approve": services.approve, "return": services.return_report,
          "reopen": services.reopen}[action]
    try:
        do(request.user, sub, reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, {
            "approve": _("Report approved."), "return": _("Report returned to the reporter."),
            "reopen": _("Report reopened for correction."),
        }[action])
    return redirect(_detail_url(sub))


@login_required
def submission_list(request: HttpRequest, form: str) -> HttpResponse:
    """Reports of a form the user may open; by default those waiting for the user's review."""
    report_form = get_object_or_404(access.forms_for(request.user), code=form)
    status = request.GET.get("status", "waiting")
    if status == "waiting":
        qs = access.reviewable_submissions(request.user).filter(status=Status.SUBMITTED)
    else:
        qs = access.visible_submissions(request.user)
        if status in Status.values:
            qs = qs.filter(status=status)
    qs = qs.filter(form=report_form)
    day = request.GET.get("date")
    if day:
        parsed = _parse_day(day)
        if parsed:
            qs = qs.filter(date=parsed)
    page = Paginator(qs.select_related("reporter").order_by("-date", "unit_path"), 50
                     ).get_page(request.GET.get("page"))
    return render(request, "reports/submissions.html", {
        "form": report_form, "page": page, "status": status, "statuses": Status.choices,
        "date": day or "",
    })
