"""The volunteers forms. Values are checked by the services (one set of messages for
the pages, the API and the demo); creating forms carry a client key."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import DateInput, DateTimeInput, KeyedForm, UnitChoiceField
from fangkong.core.imports import ImportForm
from fangkong.volunteers.models import Political, Task


class SignupForm(KeyedForm):
    """The public sign-up page (no account)."""

    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID card number"), max_length=24,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label=_("Phone"), max_length=24,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "tel"}))
    political = forms.ChoiceField(label=_("Political status"), choices=Political.choices,
                                  initial=Political.NONE)
    skills = forms.CharField(label=_("Skills (optional)"), max_length=120, required=False,
                             help_text=_("e.g. driving, first aid, a loudspeaker"))


class DriveForm(KeyedForm):
    community = UnitChoiceField(label=_("Where volunteers are needed"))
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=80)
    target = forms.IntegerField(label=_("Volunteers wanted"), min_value=1, max_value=10_000)
    opened_at = forms.DateTimeField(label=_("Opens at"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=DateTimeInput(),
                                    required=False)
    description = forms.CharField(label=_("What volunteers will do"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, units: Any = None, organisations: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["community"].queryset = units
        self.fields["organisation"].queryset = organisations


class _ShiftFields(forms.Form):
    """A shift's window, capacity, tasks and requirements. The window is checked here
    with the services' own messages, so a page shows every error at once."""

    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput())
    capacity = forms.IntegerField(
        label=_("Volunteers needed"), min_value=1, max_value=500,
        error_messages={"min_value": _("A shift needs at least one volunteer.")})
    tasks = forms.CharField(label=_("Tasks"), max_length=120, required=False)
    requirements = forms.CharField(label=_("Requirements"), max_length=120, required=False)

    def clean(self) -> dict[str, Any]:
        from fangkong.volunteers.services import _window_errors

        data = super().clean()
        if data.get("starts_at") and data.get("ends_at"):
            for field, messages in _window_errors(data["starts_at"], data["ends_at"],
                                                  None).items():
                for message in messages:
                    self.add_error(field, message)
        return data


class ShiftForm(KeyedForm, _ShiftFields):
    party_members_only = forms.BooleanField(label=_("Party members only"), required=False)


class ShiftEditForm(_ShiftFields):
    """A shift's window, capacity, tasks and requirements (an update of one shift)."""


class ShiftCancelForm(forms.Form):
    """Cancelling a shift, and why (the volunteers on it are told)."""

    reason = forms.CharField(label=_("Why is the shift cancelled?"), max_length=200,
                             error_messages={"required": _(
                                 "Say why the shift is cancelled: the volunteers are told.")},
                             help_text=_("The volunteers on the shift and on its waiting "
                                         "list get a notice with this reason."))


class AssignForm(forms.Form):
    """The coordinator puts a volunteer on a shift (once per shift: the database's
    constraint answers a second send with the first assignment)."""

    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=None)
    override_reason = forms.CharField(
        label=_("Reason to allow an overlapping shift"), max_length=200, required=False,
        help_text=_("Only when the volunteer is already on a shift at that time."))

    def __init__(self, *args: Any, volunteers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers
        self.fields["volunteer"].label_from_instance = lambda v: (
            f"{v.masked_name} · {v.organisation or ''} · {v.get_political_display()}")


class CheckTimeForm(forms.Form):
    """The coordinator checks a volunteer in or out (a time, default now)."""

    at = forms.DateTimeField(label=_("Time"), widget=DateTimeInput(), required=False)


class DutyLogForm(KeyedForm):
    task = forms.ChoiceField(label=_("What was done"), choices=Task.choices)
    count = forms.IntegerField(label=_("How many"), required=False, min_value=0,
                               max_value=100_000)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ProfileForm(forms.Form):
    """A volunteer's profile: the coordinator's fields and the volunteer's own."""

    skills = forms.CharField(label=_("Skills"), max_length=120, required=False)
    availability = forms.CharField(label=_("Availability"), max_length=120, required=False,
                                   help_text=_("e.g. weekday mornings, weekends"))
    health_ok = forms.BooleanField(
        label=_("I declare: no fever or cough, no contact with a case in the last 14 days"),
        required=False)


class CertificateForm(forms.Form):
    """One certificate per volunteer, period and approved total (a natural key)."""

    period_from = forms.DateField(label=_("Period from"), widget=DateInput())
    period_until = forms.DateField(label=_("Period until"), widget=DateInput())


class VolunteerImportForm(ImportForm):
    """The shared import form (check, then import) and the community to import into."""

    community = UnitChoiceField(label=_("Community"))

    def __init__(self, *args: Any, communities: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities
