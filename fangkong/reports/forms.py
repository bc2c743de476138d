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
from fangkong.reports.models import Indicator, ReportForm, Rule


class ReportFormForm(forms.ModelForm):
    class Meta:
        model = ReportForm
        fields = ["code", "name", "name_en", "description", "deadline_time", "deadline_days",
                  "in_briefing", "is_active"]
        widgets = {
            "deadline_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "description": forms.Textarea(attrs={"rows": 2}),
        }


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
        choices += [(code, f"{ind.name} ({code})")
                    for code, ind in registries.indicators().items()]
        self.fields["source"].choices = choices


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["expression", "message", "message_en"]
        widgets = {"expression": forms.TextInput(attrs={
            "class": "mono", "placeholder": "projects_resumed <= projects_total"})}


LEVEL_CHOICES = [
    (Level.COUNTY, _("All counties / districts")),
    (Level.TOWN, _("All towns / streets")),
    (Level.COMMUNITY, _("All villages / communities")),
]


class ReportersForm(forms.Form):
    level = forms.ChoiceField(label=_("Territorial units"), required=False,
                              choices=[("", "—"), *LEVEL_CHOICES])
    under = forms.CharField(label=_("under the unit (division code)"), required=False,
                            max_length=12, help_text=_("Empty: the whole city."))
    codes = forms.CharField(
        label=_("or these codes"), required=False, max_length=2000,
        help_text=_("Division codes or organisation codes, separated by spaces or commas."),
    )
    member_units = forms.BooleanField(label=_("all member units of the HQ"), required=False)
    active_from = forms.DateField(label=_("reports from"), required=False, widget=DateInput())


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
