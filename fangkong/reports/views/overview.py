"""Overseeing: completeness (with reminders and escalation), roll-up, the province export,
the daily briefing and the HQ dashboard. All need ``view`` over the unit looked at; a unit
outside the user's area answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from fangkong.core.models import Alert, Organisation, OrgUnit
from fangkong.core.models.accounts import ORGANISATION_ROLES, Cap
from fangkong.core.scoping import capability_required, scope_for
from fangkong.lib.tabular import xlsx_response
from fangkong.reports import access, briefing, exporters, figures, services
from fangkong.reports.completeness import by_child, completeness, missing_streaks, trend
from fangkong.reports.forms import DayUnitForm
from fangkong.reports.models import Aggregation, Measure, ReportForm

ESCALATE_AFTER_DAYS = 2
DIRECT_LABEL = gettext_lazy("Reporting at this level")


def _filters(request: HttpRequest, *, allow_org: bool = False
             ) -> tuple[dt.date, OrgUnit | Organisation, DayUnitForm]:
    """``?date=&unit=``: the day (default today, never the future) and a visible unit."""
    f = DayUnitForm(request.GET or None)
    day = figures.reporting_day()
    if f.is_valid():
        day = f.cleaned_data["date"]
    code = request.GET.get("unit") or None
    target = access.resolve_unit(request.user, code)
    if target is None or (isinstance(target, Organisation) and not allow_org):
        raise Http404
    f.unit_options = access.unit_options(request.user, target)
    return day, target, f


def _crumbs(user: Any, unit: OrgUnit) -> list[OrgUnit]:
    return [u for u in unit.ancestors_and_self() if scope_for(user).covers(Cap.VIEW, u.path)]


def _form(request: HttpRequest, code: str) -> ReportForm:
    return get_object_or_404(access.forms_for(request.user).prefetch_related("indicators"),
                             code=code)


@capability_required(Cap.VIEW, roles=ORGANISATION_ROLES)
def completeness_page(request: HttpRequest, form: str) -> HttpResponse:
    report_form = _form(request, form)
    day, target, filters = _filters(request, allow_org=True)
    comp = completeness(report_form, day, target)
    groups = by_child(comp, target, str(DIRECT_LABEL)) if isinstance(target, OrgUnit) else []
    streaks = missing_streaks(report_form, day, comp.rows)
    missing = [{"row": r, "days": streaks.get(r.reporter_id, 1)} for r in comp.missing]
    escalated = [m for m in missing if m["days"] >= ESCALATE_AFTER_DAYS]
    return render(request, "reports/completeness.html", {
        "form": report_form, "day": day, "target": target, "filters": filters,
        "comp": comp, "groups": groups, "missing": missing, "escalated": escalated,
        "escalate_after": ESCALATE_AFTER_DAYS,
        "crumbs": _crumbs(request.user, target) if isinstance(target, OrgUnit) else [],
        "deadline": report_form.deadline_for(day), "now": timezone.now(),
        "can_remind": bool(comp.missing),
        "late_times": comp.submitted_times(comp.late),
    })


@require_POST
@capability_required(Cap.VIEW, roles=ORGANISATION_ROLES)
def remind(request: HttpRequest, form: str) -> HttpResponse:
    """发送催报: notify every missing reporter's people in one click, then back to the page."""
    report_form = _form(request, form)
    f = DayUnitForm(request.POST)
    if not f.is_valid():
        messages.error(request, " ".join(m for msgs in f.errors.values() for m in msgs))
        return redirect(reverse("reports:completeness", args=[report_form.code]))
    day = f.cleaned_data["date"]
    target = access.resolve_unit(request.user, request.POST.get("unit") or None)
    if target is None:
        raise Http404
    result = services.send_reminders(request.user, report_form, day, target)
    if result.reporters:
        messages.success(request, ngettext(
            "Reminder sent to %(n)d unit (%(people)d people).",
            "Reminder sent to %(n)d units (%(people)d people).", result.reporters,
        ) % {"n": result.reporters, "people": result.people})
    if result.unreachable:
        messages.warning(request, _(
            "Nobody to notify at %(units)s: no account reports for them. Call them."
        ) % {"units": "、".join(result.unreachable)})
    if not result.reporters and not result.unreachable:
        messages.info(request, _("Everybody has reported."))
    return redirect(reverse("reports:completeness", args=[report_form.code])
                    + f"?date={day.isoformat()}&unit={target.code}")


@capability_required(Cap.VIEW, roles=ORGANISATION_ROLES)
def reminders_xlsx(request: HttpRequest, form: str) -> HttpResponse:
    report_form = _form(request, form)
    day, target, _f = _filters(request, allow_org=True)
    comp = completeness(report_form, day, target)
    streaks = missing_streaks(report_form, day, comp.rows)
    return xlsx_response(exporters.ReminderExporter(report_form, day, comp.missing, streaks,
                                                    target.name))


@capability_required(Cap.VIEW, roles=ORGANISATION_ROLES)
def rollup_page(request: HttpRequest, form: str) -> HttpResponse:
    report_form = _form(request, form)
    day, unit, filters = _filters(request)
    table = figures.table(report_form, day, unit)
    cumulative = figures.cumulative(report_form, day, unit)
    comp = completeness(report_form, day, unit)
    return render(request, "reports/rollup.html", {
        "form": report_form, "day": day, "target": unit, "filters": filters, "table": table,
        "cumulative": cumulative, "comp": comp, "crumbs": _crumbs(request.user, unit),
        "has_cumulative": any(i.measure == Measure.FLOW and i.aggregation == Aggregation.SUM
                              for i in table.indicators),
    })


@capability_required(Cap.VIEW, roles=ORGANISATION_ROLES)
def province_xlsx(request: HttpRequest, form: str) -> HttpResponse:
    report_form = _form(request, form)
    day, unit, _f = _filters(request)
    return exporters.province_response(report_form, day, unit)


@capability_required(Cap.VIEW, roles=ORGANISATION_ROLES)
def briefing_page(request: HttpRequest) -> HttpResponse:
    day, unit, filters = _filters(request)
    doc = briefing.build(unit, day)
    return render(request, "reports/briefing.html", {
        "briefing": doc, "day": day, "target": unit, "filters": filters,
    })


@capability_required(Cap.VIEW, roles=ORGANISATION_ROLES)
def briefing_docx(request: HttpRequest) -> HttpResponse:
    from fangkong.lib.tabular import content_disposition

    day, unit, _f = _filters(request)
    doc = briefing.build(unit, day)
    response = HttpResponse(
        doc.docx(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = content_disposition(doc.filename)
    return response


# --- Dashboard ---------------------------------------------------------------------------


def _dashboard_form(request: HttpRequest) -> ReportForm | None:
    forms = access.forms_for(request.user).filter(is_active=True).prefetch_related(
        "indicators")
    code = request.GET.get("form")
    if code:
        return get_object_or_404(forms, code=code)
    return forms.filter(code="county_daily").first() or forms.order_by("code").first()


def _dashboard_day(request: HttpRequest, form: ReportForm | None) -> tuple[dt.date, bool]:
    """The day asked for; by default today, or the latest day with reports if nothing came
    in today or yesterday (an old data set, such as the demo)."""
    if request.GET.get("date"):
        f = DayUnitForm(request.GET)
        if f.is_valid():
            return f.cleaned_data["date"], False
    today = timezone.localdate()
    if form is None:
        return today, False
    latest = figures.latest_day(form, today)
    if latest is not None and latest < today - dt.timedelta(days=1):
        return latest, True
    return today, False


@capability_required(Cap.VIEW, roles=ORGANISATION_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    report_form = _dashboard_form(request)
    day, fell_back = _dashboard_day(request, report_form)
    code = request.GET.get("unit") or None
    target = access.resolve_unit(request.user, code)
    if not isinstance(target, OrgUnit):
        if code is None:  # a liaison: no territory to overview, their reports instead
            return redirect("reports:index")
        raise Http404
    alerts = Alert.objects.visible_to(request.user).open().under(target).select_related(
        "org_unit")
    ctx: dict[str, Any] = {
        "form": report_form, "day": day, "fell_back": fell_back, "target": target,
        "crumbs": _crumbs(request.user, target),
        "alerts": alerts[:10], "alert_count": alerts.count(),
        "forms": access.forms_for(request.user).filter(is_active=True),
        "live": _live_indicators(target, day),
    }
    if report_form is not None:
        today = figures.aggregate(report_form, day, target)
        cumulative = figures.cumulative(report_form, day, target)
        comp = completeness(report_form, day, target)
        ctx.update({
            "cards": [
                {"indicator": i, "today": today.get(i.code),
                 "cumulative": cumulative.get(i.code)
                 if i.measure == Measure.FLOW and i.aggregation == Aggregation.SUM else None}
                for i in figures.aggregated_indicators(report_form)
            ],
            "comp": comp,
            "groups": by_child(comp, target, str(DIRECT_LABEL)),
        })
    return render(request, "reports/dashboard.html", ctx)


def _live_indicators(unit: OrgUnit, day: dt.date) -> list[dict[str, Any]]:
    """The modules' live indicators for the unit today (registry), skipping empty ones."""
    from fangkong.core import registries

    out = []
    for ind in registries.indicators().values():
        value = ind.value(unit, day)
        if value is not None:
            out.append({"code": ind.code, "name": ind.name, "unit": ind.unit, "value": value})
    return out


@capability_required(Cap.VIEW, roles=ORGANISATION_ROLES)
def dashboard_data(request: HttpRequest) -> JsonResponse:
    """Series for the trend chart: the last 14 or 30 days from the roll-up rows."""
    report_form = _dashboard_form(request)
    if report_form is None:
        raise Http404
    day, _fell_back = _dashboard_day(request, report_form)
    target = access.resolve_unit(request.user, request.GET.get("unit") or None)
    if not isinstance(target, OrgUnit):
        raise Http404
    days = 30 if request.GET.get("days") == "30" else 14
    start = day - dt.timedelta(days=days - 1)
    series = figures.series(report_form, target, start, day)
    counts = trend(report_form, target, start, day)
    indicators = figures.aggregated_indicators(report_form)
    return JsonResponse({
        "form": report_form.code, "unit": target.code, "unit_name": target.name,
        "dates": [c.day.isoformat() for c in counts],
        "series": [
            {"code": i.code, "name": i.display_name, "unit": i.unit, "measure": i.measure,
             "values": [figures.api_value(v) for v in series[i.code]]}
            for i in indicators
        ],
        "completeness": {
            "label": _("Share reported"),
            "rate": [c.rate for c in counts],
            "submitted": [c.submitted for c in counts],
            "expected": [c.expected for c in counts],
        },
    })
