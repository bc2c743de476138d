"""Forms of the reports UI. Values of a report are not a Django form: the service checks them
(types, required, rules) so that the page and the API give the same messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core import registries
from fangkong.core.forms import DateInput
from fangkong.core.models.territory import Level
from fangkong.lib.dates import check_record_day
from fangkong.reports.models import Indicator, ReportForm


class ReportFormForm(forms.ModelForm):
    class Meta:
        model = ReportForm
        fields = ["code", "name", "name_en", "description", "deadline_time", "deadline_days",
                  "in_briefing", "is_active"]
        widgets = {
            "deadline_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "description": forms.Textarea(attrs={"rows": 2}),
        }


def source_label(code: str) -> str:
    """A live indicator as people name it: "通行登记人次（卡点）", not its code."""
    from django.apps import apps

    ind = registries.get_indicator(code)
    if ind is None:
        return code
    try:
        module = apps.get_app_config(ind.module).verbose_name
    except LookupError:
        return str(ind.name)
    return f"{ind.name}（{module}）"


class IndicatorForm(forms.ModelForm):
    source = forms.ChoiceField(label=_("pre-filled from"), required=False)

    class Meta:
        model = Indicator
        fields = ["code", "name", "name_en", "type", "unit", "aggregation", "measure",
                  "decimal_places", "required", "source", "in_briefing", "position",
                  "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— entered by the reporter —"))]
        choices += [(code, source_label(code)) for code in registries.indicators()]
        self.fields["source"].choices = choices
        if not self.instance.pk:
            # HQ need not invent codes: left empty, it is derived when saved
            # (``services.derive_code``), and can be changed until reports use it.
            self.fields["code"].required = False
            self.fields["code"].help_text = _(
                "Leave empty to make it from the English name (e.g. projects_resumed); "
                "used in rules and the API.")

    def clean_code(self) -> str:
        """A code taken in the form is said under the field (the unique constraint's own
        message would name no field)."""
        code = self.cleaned_data.get("code") or ""
        form = getattr(self.instance, "form", None)
        if code and form is not None and form.indicators.filter(code=code).exclude(
                pk=self.instance.pk).exists():
            raise ValidationError(_("This form already has an indicator with this code."))
        return code


OPERATORS = [("<=", "≤"), ("<", "<"), (">=", "≥"), (">", ">"), ("==", "="), ("!=", "≠")]
NUMBER = "__number__"


class RuleForm(forms.Form):
    """A rule built from the form's own indicators: "<indicator> <comparison> <indicator
    or number>", never typed as code (issue #11 item 14). The service still parses and
    checks the expression it makes; rules with arithmetic can be written in the API."""

    left = forms.ChoiceField(label=_("Indicator"))
    op = forms.ChoiceField(label=_("must be"), choices=OPERATORS)
    right = forms.ChoiceField(label=_("compared with"))
    number = forms.DecimalField(label=_("Number"), required=False, min_value=0,
                                max_digits=15, decimal_places=4,
                                help_text=_("When comparing with a number."))
    message = forms.CharField(label=_("message (Chinese)"), max_length=200,
                              help_text=_("Shown to the reporter when the rule is broken."))
    message_en = forms.CharField(label=_("message (English)"), max_length=200,
                                 required=False)

    def __init__(self, *args: Any, report_form: ReportForm | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        numeric = [(i.code, i.display_name) for i in (
            report_form.indicators.all() if report_form is not None else [])
            if i.is_numeric and i.is_active]
        self.fields["left"].choices = numeric
        self.fields["right"].choices = [*numeric, (NUMBER, _("a number…"))]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        right = data.get("right")
        if right == NUMBER:
            if data.get("number") is None:
                self.add_error("number", _("Enter the number to compare with."))
            else:
                right = f"{data['number'].normalize():f}"
        elif right and right == data.get("left"):
            self.add_error("right", _("Choose another indicator, or a number."))
        if not self.errors:
            data["expression"] = f"{data['left']} {data['op']} {right}"
        return data

    def rule_values(self) -> dict[str, str]:
        return {k: self.cleaned_data[k] for k in ("expression", "message", "message_en")}


LEVEL_CHOICES = [
    (Level.COUNTY, _("All counties / districts")),
    (Level.TOWN, _("All towns / streets")),
    (Level.COMMUNITY, _("All villages / communities")),
]


class ReportersForm(forms.Form):
    """Who reports: every unit of a level under a unit, or that unit itself, and
    organisations, all picked from lists (names, never typed codes)."""

    level = forms.ChoiceField(label=_("Territorial units"), required=False,
                              choices=[("", _("— this unit itself —")), *LEVEL_CHOICES])
    under = forms.ChoiceField(label=_("under the unit"), required=False,
                              help_text=_("Empty: the whole city."))
    organisations = forms.MultipleChoiceField(
        label=_("Organisations"), required=False, widget=forms.CheckboxSelectMultiple)
    member_units = forms.BooleanField(label=_("all member units of the HQ"), required=False)
    active_from = forms.DateField(label=_("reports from"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from fangkong.core.models import Organisation, OrgUnit

        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(
            level__in=[Level.CITY, Level.COUNTY, Level.TOWN]).order_by("path")
        indent = {Level.CITY: "", Level.COUNTY: "　", Level.TOWN: "　　"}
        self.fields["under"].choices = [("", "—")] + [
            (u.code, f"{indent.get(u.level, '')}{u.name}") for u in units]
        self.fields["organisations"].choices = [
            (o.code, o.name) for o in Organisation.objects.filter(is_active=True)
            .order_by("kind", "name")]


class DayUnitForm(forms.Form):
    """The date and unit filters of the overview pages (``?date=&unit=``)."""

    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    unit = forms.CharField(label=_("Unit"), required=False, max_length=32)

    def clean_date(self) -> dt.date:
        from fangkong.reports.figures import reporting_day

        day = self.cleaned_data.get("date") or reporting_day()
        if day > timezone.localdate():
            raise forms.ValidationError(_("Choose a day up to today."))
        try:
            check_record_day(day, "date")
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["date"]) from None
        return day


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return")),
                                        ("reopen", _("Reopen"))])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)
