"""Water's forms. Creating forms are ``KeyedForm``s (a retry finds the first record)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.forms import DateInput, DateTimeInput, KeyedForm
from fangkong.water.models import Disinfectant, FaultKind, NearKind, PointType, StationKind

DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _dt(label: Any, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, widget=DateTimeInput(),
                               input_formats=DT_FORMATS)


class ReadingForm(KeyedForm):
    indicator = forms.ChoiceField(label=_("Indicator"))
    value = forms.CharField(
        label=_("Result"), max_length=20,
        help_text=_("A number in the indicator's unit, or 未检出 (not detected)."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    taken_at = _dt(_("Sampled at"))
    sampler = forms.CharField(label=_("Sampler"), max_length=30)
    instrument = forms.CharField(label=_("Instrument"), max_length=60, required=False)

    def __init__(self, *args: Any, indicators: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicators


class HandoverForm(KeyedForm):
    at = _dt(_("Handed over at"))
    outgoing = forms.CharField(label=_("Outgoing"), max_length=30)
    incoming = forms.CharField(label=_("Incoming"), max_length=30)
    note = forms.CharField(label=_("Handover note"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    outgoing_signature = forms.CharField(
        label=_("Signature of the outgoing"), max_length=30, required=False,
        help_text=_("The outgoing person types their name."))
    incoming_signature = forms.CharField(
        label=_("Signature of the incoming"), max_length=30, required=False,
        help_text=_("The incoming person types their name."))


class ShiftForm(forms.Form):
    """A roster line: found again by station, start and person (``core.unique``)."""

    person_name = forms.CharField(label=_("On duty"), max_length=30)
    starts_at = _dt(pgettext_lazy("water duty", "From"))
    ends_at = _dt(pgettext_lazy("water duty", "To"))


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Closing note"), max_length=300,
                           widget=forms.Textarea(attrs={"rows": 2}))


class PatrolForm(KeyedForm):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    route = forms.CharField(label=_("Route"), max_length=120)
    patroller = forms.CharField(label=_("Patrolled by"), max_length=60)
    points = forms.MultipleChoiceField(label=_("Points checked"), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    findings = forms.CharField(label=_("Findings"), max_length=2000, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, points: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["points"].choices = points


class FaultForm(KeyedForm):
    location = forms.CharField(label=_("Location"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=FaultKind.choices)
    point = forms.TypedChoiceField(label=_("Nearest point"), required=False, coerce=int,
                                   empty_value=None)
    reported_by = forms.CharField(label=_("Reported by"), max_length=60)
    reported_at = _dt(_("Reported at"))
    hospital = forms.BooleanField(label=_("Serves a hospital (repaired first)"),
                                  required=False)
    description = forms.CharField(label=pgettext_lazy("water fault", "Description"),
                                  max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, points: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = [("", "—"), *points]


class DispatchForm(forms.Form):
    crew = forms.CharField(label=_("Repair crew"), max_length=60)
    dispatched_at = _dt(_("Dispatched at"))


class RepairForm(forms.Form):
    repaired_at = _dt(_("Repaired at"))
    repair_note = forms.CharField(label=_("Repair note"), max_length=300)


# --- stations and sampling points --------------------------------------------------------

class _UnitChoices:
    """A ``unit`` choice (by code) and, for a point, a ``station`` choice, filled in by the
    view from what the user may use."""

    def __init__(self, *args: Any, units: list[tuple[str, str]],
                 stations: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.fields["unit"].choices = [("", "—"), *units]  # type: ignore[attr-defined]
        if "station" in self.fields:  # type: ignore[attr-defined]
            self.fields["station"].choices = [("", "—"), *(stations or [])]  # type: ignore


class StationFields(_UnitChoices, forms.Form):
    name = forms.CharField(label=_("Station name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=StationKind.choices)
    unit = forms.ChoiceField(label=_("Town or community"))
    address = forms.CharField(label=_("Address"), max_length=120, required=False)
    capacity = forms.IntegerField(label=_("Capacity (m³/day)"), required=False, min_value=0,
                                  max_value=10_000_000,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class StationForm(KeyedForm, StationFields):
    """Adds a station (once per form key)."""


class StationEditForm(StationFields):
    is_active = forms.BooleanField(label=_("In operation"), required=False)


class PointFields(_UnitChoices, forms.Form):
    name = forms.CharField(label=_("Point name"), max_length=60)
    point_type = forms.ChoiceField(label=_("Type"), choices=PointType.choices)
    station = forms.TypedChoiceField(label=_("Supplied by"), coerce=int)
    disinfectant = forms.ChoiceField(label=_("Disinfectant"), choices=Disinfectant.choices,
                                     help_text=_("Chooses the residual judged: free "
                                                 "chlorine or total chlorine."))
    near_kind = forms.ChoiceField(label=_("Near"), choices=NearKind.choices,
                                  initial=NearKind.OTHER)
    near_name = forms.CharField(label=_("Near (name)"), max_length=60, required=False,
                                help_text=_("e.g. 安康市中医医院"))
    unit = forms.ChoiceField(label=_("Town or community"))
    address = forms.CharField(label=_("Address"), max_length=120, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("near_kind") in (NearKind.HOSPITAL, NearKind.ESTATE)
                and not (data.get("near_name") or "").strip()):
            self.add_error("near_name", _("Name the hospital or estate."))
        return data


class PointForm(KeyedForm, PointFields):
    """Adds a sampling point (once per form key)."""


class PointEditForm(PointFields):
    is_active = forms.BooleanField(label=_("In use"), required=False)
