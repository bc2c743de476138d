"""HQ configures report forms: settings, indicators, rules, who reports (``configure``).

Indicators and rules are edited inline with HTMX: the same view answers a full page or
the ``_indicators.html`` / ``_rules.html`` partial for an HTMX request.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.forms import add_errors
from fangkong.core.models import Organisation, OrgUnit
from fangkong.core.models.accounts import Cap
from fangkong.core.scoping import capability_required, default_root, subtree_q
from fangkong.reports import services
from fangkong.reports.forms import (
    IndicatorForm,
    ReportersForm,
    ReportFormForm,
    RuleForm,
)
from fangkong.reports.models import Indicator, Reporter, ReportForm, Rule


@capability_required(Cap.CONFIGURE)
def form_list(request: HttpRequest) -> HttpResponse:
    forms = ReportForm.objects.all()
    return render(request, "reports/config/forms.html", {"forms": forms})


@capability_required(Cap.CONFIGURE)
def form_new(request: HttpRequest) -> HttpResponse:
    f = ReportFormForm(request.POST or None)
    if request.method == "POST" and f.is_valid():
        try:
            obj = services.save_form(request.user, ReportForm(), **f.cleaned_data)
        except ValidationError as exc:
            add_errors(f, exc)
        else:
            messages.success(request, _("Form created. Now add its indicators."))
            return redirect("reports:form_detail", obj.code)
    return render(request, "reports/config/form_new.html", {"f": f},
                  status=400 if f.errors else 200)


def _detail_context(form: ReportForm, **extra) -> dict:
    return {
        "form": form,
        "indicators": form.indicators.all(),
        "rules": form.rules.all(),
        "reporters": form.reporters.select_related("unit", "organisation").order_by(
            "organisation_id", "unit_path", "code"),
        "indicator_form": IndicatorForm(prefix="new"),
        "rule_form": RuleForm(prefix="rule", report_form=form),
        "reporters_form": ReportersForm(prefix="rep"),
        **extra,
    }


@capability_required(Cap.CONFIGURE)
def form_detail(request: HttpRequest, code: str) -> HttpResponse:
    form = get_object_or_404(ReportForm, code=code)
    settings_form = ReportFormForm(request.POST or None, instance=form)
    if request.method == "POST" and settings_form.is_valid():
        try:
            services.save_form(request.user, form, **settings_form.cleaned_data)
        except ValidationError as exc:
            add_errors(settings_form, exc)
        else:
            messages.success(request, _("Form saved."))
            return redirect("reports:form_detail", form.code)
    return render(request, "reports/config/form_detail.html",
                  _detail_context(form, settings_form=settings_form),
                  status=400 if settings_form.errors else 200)


@capability_required(Cap.CONFIGURE)
def indicator_edit(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    """Add (pk None) or change an indicator; HTMX gets the indicators partial back."""
    form = get_object_or_404(ReportForm, code=code)
    indicator = get_object_or_404(Indicator, form=form, pk=pk) if pk else Indicator(form=form)
    prefix = f"ind{pk}" if pk else "new"
    f = IndicatorForm(request.POST or None, instance=indicator, prefix=prefix)
    if request.method == "POST" and f.is_valid():
        try:
            services.save_indicator(request.user, indicator, **f.cleaned_data)
        except ValidationError as exc:
            add_errors(f, exc)
        else:
            if request.htmx:
                return render(request, "reports/config/_indicators.html",
                              _detail_context(form))
            messages.success(request, _("Indicator saved."))
            return redirect("reports:form_detail", form.code)
    if request.htmx:
        # htmx swaps no 4xx answer: a refused form comes back as 200, into the editor it
        # was sent from (its hx-target is the list, for a saved indicator).
        response = render(request, "reports/config/_indicator_form.html",
                          {"form": form, "f": f, "indicator": indicator})
        if f.errors:
            response["HX-Retarget"] = "#indicator-editor"
            response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "reports/config/indicator.html",
                  {"form": form, "f": f, "indicator": indicator},
                  status=400 if f.errors else 200)


@require_POST
@capability_required(Cap.CONFIGURE)
def rule_new(request: HttpRequest, code: str) -> HttpResponse:
    form = get_object_or_404(ReportForm, code=code)
    f = RuleForm(request.POST, prefix="rule", report_form=form)
    if f.is_valid():
        try:
            services.save_rule(request.user, Rule(form=form), **f.rule_values())
        except ValidationError as exc:
            add_errors(f, exc)
        else:
            f = RuleForm(prefix="rule", report_form=form)
            if not request.htmx:
                messages.success(request, _("Rule added."))
                return redirect("reports:form_detail", form.code)
    ctx = _detail_context(form, rule_form=f)
    if request.htmx:
        return render(request, "reports/config/_rules.html", ctx)
    return render(request, "reports/config/form_detail.html",
                  {**ctx, "settings_form": ReportFormForm(instance=form)}, status=400)


@require_POST
@capability_required(Cap.CONFIGURE)
def rule_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    form = get_object_or_404(ReportForm, code=code)
    services.delete_rule(request.user, get_object_or_404(Rule, form=form, pk=pk))
    if request.htmx:
        return render(request, "reports/config/_rules.html", _detail_context(form))
    messages.success(request, _("Rule deleted."))
    return redirect("reports:form_detail", form.code)


@require_POST
@capability_required(Cap.CONFIGURE)
def reporters_add(request: HttpRequest, code: str) -> HttpResponse:
    form = get_object_or_404(ReportForm, code=code)
    f = ReportersForm(request.POST, prefix="rep")
    if not f.is_valid():
        messages.error(request, _("Check the reporting units form."))
        return redirect("reports:form_detail", form.code)
    data = f.cleaned_data
    units: list[OrgUnit] = []
    orgs: list[Organisation] = []
    problems: list[str] = []
    under = (OrgUnit.objects.filter(code=data["under"]).first() if data["under"]
             else default_root())
    if under is None:
        problems.append(_("Choose a unit from the list."))
    elif data["level"]:
        units += list(OrgUnit.objects.filter(subtree_q("path", under.path),
                                             level=data["level"]))
    elif data["under"]:
        units.append(under)
    orgs += list(Organisation.objects.filter(code__in=data["organisations"]))
    if data["member_units"]:
        orgs += list(Organisation.objects.filter(is_member_unit=True, is_active=True))
    if problems:
        messages.error(request, " ".join(problems))
        return redirect("reports:form_detail", form.code)
    try:
        n = services.add_reporters(request.user, form, units=units, organisations=orgs,
                                   active_from=data["active_from"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)d reporting units added.") % {"n": n})
    return redirect("reports:form_detail", form.code)


@require_POST
@capability_required(Cap.CONFIGURE)
def reporter_stop(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    form = get_object_or_404(ReportForm, code=code)
    reporter = get_object_or_404(Reporter, form=form, pk=pk)
    services.stop_reporter(request.user, reporter)
    messages.success(request, _("%(name)s no longer reports this form from today.") % {
        "name": reporter.name})
    return redirect("reports:form_detail", form.code)
