"""Forms of the checkpoint pages. Creating forms carry a hidden ``client_id`` made when
the page is rendered (``core.forms.KeyedForm``), so a form sent twice (a double tap, a
retry after a timeout) finds the first record instead of adding a second."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.checkpoints.models import (
    CheckpointKind,
    InspectionKind,
    Relation,
    Slot,
    TipCategory,
    TipChannel,
    VenueType,
)
from fangkong.checkpoints.validation import parse_temperature
from fangkong.core.forms import (
    DateInput,
    DateTimeInput,
    KeyedForm,
    RuleSourceFields,
    UnitChoiceField,
)
from fangkong.core.imports import ImportForm


class TemperatureField(forms.CharField):
    """34.0–43.0 °C, one decimal: the same rule and messages as the API."""

    def __init__(self, *, required: bool = True, **kwargs) -> None:
        kwargs.setdefault("label", _("Temperature (°C)"))
        kwargs.setdefault("widget", forms.TextInput(attrs={
            "inputmode": "decimal", "autocomplete": "off", "placeholder": "36.5",
            "pattern": r"[0-9]{2}([.,][0-9])?", "class": "temp-input",
        }))
        super().__init__(required=False, **kwargs)
        self.must = required

    def clean(self, value) -> Decimal | None:
        value = super().clean(value)
        try:
            return parse_temperature(value, required=self.must)
        except forms.ValidationError:
            raise
        except Exception as exc:  # pragma: no cover - parse_temperature raises ValidationError
            raise forms.ValidationError(str(exc)) from exc


class PassageForm(KeyedForm):
    """The duty screen's registration form; validated again by ``clean_passage``."""

    direction = forms.ChoiceField(choices=[("in", _("In")), ("out", _("Out"))],
                                  widget=forms.HiddenInput, initial="in")
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    id_number = forms.CharField(label=_("ID card number"), max_length=40, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off",
                                                              "inputmode": "text"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    temperature = forms.CharField(label=_("Temperature (°C)"), required=False,
                                  widget=forms.TextInput(attrs={
                                      "inputmode": "decimal", "placeholder": "36.5",
                                      "autocomplete": "off"}))
    plate = forms.CharField(label=_("Vehicle plate"), max_length=12, required=False)
    mask = forms.BooleanField(label=_("Wearing a mask"), required=False, initial=True)
    resident = forms.BooleanField(label=_("Resident of this community"), required=False,
                                  initial=True)
    origin = forms.CharField(label=_("Coming from"), max_length=100, required=False)

    def as_passage_data(self) -> dict:
        data = self.cleaned_data
        return {
            "client_id": str(data["client_id"]), "direction": data["direction"],
            "name": data["name"], "id_number": data["id_number"], "phone": data["phone"],
            "temperature": data["temperature"] or None, "plate": data["plate"],
            "mask": data["mask"], "resident": data["resident"], "origin": data["origin"],
            # The phone's time of the record (core.capture): the passage's time and day.
            "occurred_at": data["made_at"].isoformat() if data.get("made_at") else None,
        }


class SelfRegistrationForm(PassageForm):
    """The resident's own phone form: the same fields, a phone is required."""


class ConfirmForm(forms.Form):
    temperature = TemperatureField(required=False, label=_("Measured temperature (°C)"))


class CheckpointForm(KeyedForm):
    community = UnitChoiceField(label=_("Community"))
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=CheckpointKind.choices)
    location = forms.CharField(label=_("Location"), max_length=120, required=False)
    opened_on = forms.DateField(label=_("In operation since"), initial=timezone.localdate,
                                required=False,
                                widget=DateInput())

    def __init__(self, *args, communities=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities


class RosterForm(forms.Form):
    user = forms.ChoiceField(label=_("Duty user"))
    day = forms.DateField(label=_("Date"), initial=timezone.localdate,
                          widget=DateInput())

    def __init__(self, *args, users=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [
            (u.pk, u.get_full_name() or u.username) for u in users
        ]


class RuleForm(RuleSourceFields):
    """Both values of the screening rule at once; each changed one becomes a new version
    of its dated rule (``services.change_rule``), from ``valid_from`` (default today)."""

    field_order = ["fever_threshold", "watched_provinces", "valid_from", "document_number",
                   "document_title", "note"]

    fever_threshold = forms.DecimalField(
        label=_("Fever threshold (°C)"), max_digits=3, decimal_places=1,
        min_value=Decimal("36.0"), max_value=Decimal("39.0"),
    )
    watched_provinces = forms.CharField(
        label=_("Watched provinces"), max_length=40, required=False,
        help_text=_("Plate province abbreviations, e.g. 鄂 or 鄂豫. Leave empty to watch none."),
    )
    valid_from = forms.DateField(label=_("In force from"), required=False, widget=DateInput(),
                                 help_text=_("Empty: today."))
    note = forms.CharField(label=_("Reason for the change"), max_length=200)


class PersonFields(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID card number"), max_length=40)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)


class OutsiderForm(KeyedForm, PersonFields):
    community = UnitChoiceField(label=_("Community"))
    arrived_on = forms.DateField(label=_("Arrived on"), initial=timezone.localdate,
                                 widget=DateInput())
    origin = forms.CharField(label=_("Coming from"), max_length=100)
    from_watched_area = forms.BooleanField(label=_("Came from or through Hubei"),
                                           required=False)
    reason = forms.CharField(label=_("Reason for coming"), max_length=100, required=False)
    host_address = forms.CharField(label=_("Staying at"), max_length=200)

    def __init__(self, *args, communities=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities


class TemperatureCheckForm(forms.Form):
    day = forms.DateField(label=_("Date"), initial=timezone.localdate,
                          widget=DateInput())
    slot = forms.ChoiceField(label=_("Time of day"), choices=Slot.choices)
    temperature = TemperatureField()


class ReleaseForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class HouseholdForm(KeyedForm):
    community = UnitChoiceField(label=_("Community"))
    number = forms.CharField(label=_("Household number"), max_length=40)
    address = forms.CharField(label=_("Address"), max_length=200)
    phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}),
                            help_text=_("A mobile number or a landline with its area code "
                                        "(0915-3212345)."))

    def __init__(self, *args, communities=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities


class HouseholdEditForm(forms.Form):
    """Correcting a household; ``assigned_to`` is a worker who may edit its community."""

    number = forms.CharField(label=_("Household number"), max_length=40)
    address = forms.CharField(label=_("Address"), max_length=200)
    phone = HouseholdForm.base_fields["phone"]
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)
    assigned_to = forms.ModelChoiceField(label=_("Assigned worker"), required=False,
                                         queryset=None, empty_label=_("Nobody"))

    def __init__(self, *args, workers=None, masked: dict | None = None, **kwargs) -> None:
        """``masked``: the personal fields the user may not see in full (the household
        is not assigned to them), with their masked value. They start empty, show the
        mask, and are kept as they are unless something new is typed."""
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        for name, shown in (masked or {}).items():
            self.fields[name].required = False
            self.fields[name].widget.attrs["placeholder"] = shown
            self.fields[name].help_text = _("Shown masked: leave empty to keep it, or type "
                                            "the new one.")
        field = self.fields["assigned_to"]
        field.queryset = workers if workers is not None else get_user_model().objects.none()
        field.label_from_instance = lambda u: u.get_full_name() or u.username


class CheckpointEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=CheckpointKind.choices)
    location = forms.CharField(label=_("Location"), max_length=120, required=False)
    opened_on = forms.DateField(label=_("In operation since"), widget=DateInput())


class FollowUpForm(forms.Form):
    outcome = forms.CharField(
        label=_("Follow-up"), max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _(
            "e.g. called back: 37.9 °C, taken to the fever clinic")}))


class MemberForm(KeyedForm, PersonFields):
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=Relation.choices)
    permanent = forms.BooleanField(label=_("Permanent resident"), required=False,
                                   initial=True)


class VisitForm(KeyedForm):
    visited_on = forms.DateField(label=_("Visited on"), initial=timezone.localdate,
                                 widget=DateInput())
    people_present = forms.IntegerField(label=_("People at home"), min_value=0,
                                        max_value=50, initial=0)
    from_hubei = forms.BooleanField(label=_("Someone came from Hubei"), required=False)
    hubei_vehicle = forms.BooleanField(label=_("Vehicle with a Hubei plate"), required=False)
    symptoms = forms.BooleanField(label=_("Fever or cough"), required=False)
    contact = forms.BooleanField(label=_("Contact with a confirmed or suspected case"),
                                 required=False)
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)


class CommunityChoiceForm(KeyedForm):
    community = UnitChoiceField(label=_("Community"))

    def __init__(self, *args, communities=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities


class InspectionForm(CommunityChoiceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    venue_type = forms.ChoiceField(label=_("Type of place"), choices=VenueType.choices)
    place = forms.CharField(label=_("Place"), max_length=120)
    day = forms.DateField(label=_("Date"), initial=timezone.localdate,
                          widget=DateInput())
    found_open = forms.BooleanField(label=_("Found open"), required=False)
    action = forms.CharField(label=_("Action taken"), max_length=200, required=False)


class PatrolForm(CommunityChoiceForm):
    day = forms.DateField(label=_("Date"), initial=timezone.localdate,
                          widget=DateInput())
    area = forms.CharField(label=_("Area patrolled"), max_length=120)
    gatherings_dispersed = forms.IntegerField(label=_("Gatherings dispersed (3+ people)"),
                                              min_value=0, max_value=500, initial=0)
    people_persuaded = forms.IntegerField(label=_("People persuaded to go home"),
                                          min_value=0, max_value=5000, initial=0)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)


class TipForm(CommunityChoiceForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=TipChannel.choices)
    category = forms.ChoiceField(label=_("Category"), choices=TipCategory.choices)
    content = forms.CharField(label=_("What was reported"), max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    caller_name = forms.CharField(label=_("Caller"), max_length=50, required=False)
    caller_phone = forms.CharField(
        label=_("Caller's phone"), max_length=30, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
        help_text=_("A mobile number or a landline with its area code (0915-3212345)."))
    received_at = forms.DateTimeField(
        label=_("Received at"), required=False, widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("When the call came in; leave empty for now. The response time runs "
                    "from here."))


class PublicTipForm(KeyedForm):
    category = forms.ChoiceField(label=_("What is it about?"), choices=TipCategory.choices)
    content = forms.CharField(label=_("What did you see, and where?"), max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    caller_name = forms.CharField(label=_("Your name (optional)"), max_length=50,
                                  required=False)
    caller_phone = forms.CharField(
        label=_("Your phone (optional, for a call back)"), max_length=30, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("A mobile number or a landline with its area code (0915-3212345)."))


class DispatchForm(forms.Form):
    dispatched_to = forms.CharField(label=_("Sent to"), max_length=100)


class ResolveForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=300)


class HouseholdImportForm(ImportForm):
    """The shared import form (check, then import) and the community to import into,
    which the check's digest binds with the file."""

    community = UnitChoiceField(label=_("Community"))

    def __init__(self, *args, communities=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities


