"""The volunteers forms. Values are checked by the services (one set of messages for
the pages, the API and the demo); creating forms carry a client key."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import DateInput, DateTimeInput, KeyedForm, PersonChecks, UnitChoiceField
from fangkong.core.imports import ImportForm
from fangkong.volunteers.models import Political, SiteKind, Task


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


# --- the coordinator's pages: teams, paired communities, sites, enrolment, profile ------

def offer(field: forms.ModelChoiceField, offered: list[tuple[Any, str]]) -> None:
    """Render only ``offered`` (value, label) while the field accepts its whole queryset
    (the service says why another value is refused, next to the field)."""
    empty = [("", field.empty_label)] if getattr(field, "empty_label", None) is not None \
        and not isinstance(field, forms.ModelMultipleChoiceField) else []
    field.widget.choices = empty + offered


class TeamFields(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=60)
    leader = forms.ModelChoiceField(label=_("Team leader"), queryset=None, required=False,
                                    empty_label=_("(none yet)"))
    members = forms.ModelMultipleChoiceField(
        label=_("Team members"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A volunteer who joins leaves their former team."))

    def __init__(self, *args: Any, volunteers: Any = None, offered: Any = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("leader", "members"):
            self.fields[name].queryset = volunteers
            self.fields[name].error_messages["invalid_choice"] = _(
                "Choose among the organisation's volunteers.")
        self.fields["members"].error_messages["invalid_pk_value"] = _(
            "Choose among the organisation's volunteers.")
        offer(self.fields["leader"], list(offered))
        offer(self.fields["members"], list(offered))


class TeamForm(KeyedForm, TeamFields):
    """A new team: its community, name, leader and members (the organisation is chosen
    before, in the page's address, so that its volunteers can be offered)."""

    community = UnitChoiceField(label=_("Based in"))
    field_order = ["community", "name", "leader", "members"]

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["community"].queryset = units


class TeamEditForm(TeamFields):
    """Edits a team (its name, leader and members)."""


class PairingForm(KeyedForm):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    community = UnitChoiceField(label=_("Paired community"))
    since = forms.DateField(label=_("Paired since"), widget=DateInput())
    until = forms.DateField(label=_("Paired until (last day)"), widget=DateInput(),
                            required=False, help_text=_("Empty while the pairing lasts."))

    def __init__(self, *args: Any, units: Any = None, communities: Any = (),
                 organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = units
        self.fields["community"].error_messages["invalid_choice"] = _(
            "Choose a community in your area.")
        offer(self.fields["community"], list(communities))
        self.fields["organisation"].queryset = organisations


class EndPairingForm(forms.Form):
    until = forms.DateField(label=_("Last day of the pairing"), widget=DateInput())


class SiteFields(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of site"), choices=SiteKind.choices,
                             initial=SiteKind.CHECKPOINT)
    checkpoint = forms.ModelChoiceField(label=_("Checkpoint"), queryset=None, required=False,
                                        empty_label=_("(the whole community)"))
    name = forms.CharField(label=_("Site name"), max_length=60, required=False,
                           help_text=_("Empty: the checkpoint's name."))

    def __init__(self, *args: Any, checkpoints: Any = None, offered: Any = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checkpoint"].queryset = checkpoints
        self.fields["checkpoint"].error_messages["invalid_choice"] = _(
            "Choose a checkpoint in your area.")
        offer(self.fields["checkpoint"], list(offered))


class SiteForm(KeyedForm, SiteFields):
    community = UnitChoiceField(label=_("Community"))
    field_order = ["community", "kind", "checkpoint", "name"]

    def __init__(self, *args: Any, units: Any = None, communities: Any = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = units
        self.fields["community"].error_messages["invalid_choice"] = _(
            "Choose a community in your area.")
        offer(self.fields["community"], list(communities))


class SiteEditForm(SiteFields):
    """Edits a site (its community stays)."""


class EnrolForm(PersonChecks, KeyedForm):
    """One volunteer enrolled by hand. The person is looked up by ID number: a second
    enrolment of the same person finds their profile."""

    person_phone_required = True

    community = UnitChoiceField(label=_("Serves in"))
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None,
                                          required=False, empty_label=_("(none)"))
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID card number"), max_length=24,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=24,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "off"}))
    political = forms.ChoiceField(label=_("Political status"), choices=Political.choices,
                                  initial=Political.NONE)
    skills = forms.CharField(label=_("Skills"), max_length=120, required=False)
    availability = forms.CharField(label=_("Availability"), max_length=120, required=False,
                                   help_text=_("e.g. weekday mornings, weekends"))
    health_ok = forms.BooleanField(
        label=_("Declared: no fever or cough, no contact with a case in the last 14 days"),
        required=False)

    def __init__(self, *args: Any, units: Any = None, organisations: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = units
        self.fields["organisation"].queryset = organisations


class CoordinatorProfileForm(forms.Form):
    """A volunteer's profile as their coordinator edits it."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None,
                                          required=False, empty_label=_("(none)"))
    political = forms.ChoiceField(label=_("Political status"), choices=Political.choices)
    skills = forms.CharField(label=_("Skills"), max_length=120, required=False)
    availability = forms.CharField(label=_("Availability"), max_length=120, required=False,
                                   help_text=_("e.g. weekday mornings, weekends"))
    health_ok = forms.BooleanField(
        label=_("Declared: no fever or cough, no contact with a case in the last 14 days"),
        required=False)
    health_declared_on = forms.DateField(label=_("Health declared on"), widget=DateInput(),
                                         required=False,
                                         help_text=_("Empty: today, when declared."))

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
