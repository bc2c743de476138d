"""The register's forms: one worker, one family member, one elderly resident, and their
corrections. The fields are checked by the services (``services.registry``), every
message at once; these forms only read what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.care.models import Deployment, ElderlyKind
from fangkong.core.forms import DateInput, KeyedForm, PersonChecks, UnitChoiceField
from fangkong.core.models import Organisation


class MemberUnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.short_name or obj.name


class HomeField(UnitChoiceField):
    """Where the family lives: a county or a town (street) of the task force's area,
    named with its county."""

    def label_from_instance(self, obj: Any) -> str:
        county = getattr(obj, "county_name", "")
        return f"{county} · {obj.name}" if county and county != obj.name else obj.name


def _keep_masked(field: forms.Field, masked: str) -> None:
    """A personal field shown masked: left empty, the stored value is kept."""
    if masked:
        field.widget.attrs["placeholder"] = masked
        field.help_text = pgettext_lazy(
            "care", "Shown masked: leave empty to keep it, or type the new one.")


ID_NUMBER = dict(label=_("ID card number"), max_length=24,
                 widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text",
                                               "spellcheck": "false"}))
PHONE = dict(label=_("Mobile phone"), max_length=20, required=False,
             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))


class _WorkerFields(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(**PHONE)
    home = HomeField(label=_("Family's home"),
                     help_text=_("The county or street where the family lives."))
    member_unit = MemberUnitField(label=_("Responsible member unit"),
                                  queryset=Organisation.objects.none(), empty_label=None)
    hospital = forms.CharField(label=_("Hospital"), max_length=100)
    department = forms.CharField(label=_("Department"), max_length=50, required=False)
    deployment = forms.ChoiceField(label=_("Deployment"), choices=Deployment.choices,
                                   widget=forms.RadioSelect, initial=Deployment.LOCAL)
    deployed_from = forms.DateField(label=_("Deployed from"), required=False,
                                    widget=DateInput(),
                                    help_text=_("Required when sent to Hubei."))
    deployed_until = forms.DateField(label=_("Back on"), required=False, widget=DateInput())
    unit_contact = forms.CharField(
        label=_("Member-unit contact"), max_length=50, required=False,
        help_text=_("Required when sent to Hubei: the person in the member unit the "
                    "family calls."))
    unit_contact_phone = forms.CharField(**{**PHONE, "label": _("Contact's phone")})
    registered_on = forms.DateField(label=_("Under support since"), widget=DateInput(),
                                    initial=timezone.localdate)

    def __init__(self, *args: Any, homes: Any = None, units: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if homes is not None:
            self.fields["home"].queryset = homes
        if units is not None:
            self.fields["member_unit"].queryset = units


class WorkerForm(PersonChecks, KeyedForm, _WorkerFields):
    """Register one frontline medical worker: the person by ID number, the task force
    and member unit the actor may coordinate, where they work and were sent."""

    task_force = forms.ModelChoiceField(label=_("Task force"), queryset=None,
                                        empty_label=None)
    id_number = forms.CharField(**ID_NUMBER)
    number = forms.CharField(
        label=pgettext_lazy("medical worker", "Number"), max_length=20, required=False,
        help_text=_("Leave empty for the next free number."))

    field_order = ["id_number", "name", "phone", "task_force", "member_unit", "number",
                   "home", "hospital", "department", "deployment", "deployed_from",
                   "deployed_until", "unit_contact", "unit_contact_phone", "registered_on"]

    def __init__(self, *args: Any, task_forces: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task_force"].queryset = task_forces
        if task_forces is not None and len(task_forces) == 1:
            self.fields["task_force"].widget = forms.HiddenInput()
            self.fields["task_force"].initial = task_forces[0].pk


class WorkerEditForm(_WorkerFields):
    """Correct a worker (not their ID number nor the task force). ``seen`` is the version
    the form was made from (``registry.version``)."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args: Any, masked_phone: str = "", masked_contact_phone: str = "",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _keep_masked(self.fields["phone"], masked_phone)
        _keep_masked(self.fields["unit_contact_phone"], masked_contact_phone)


class _FamilyFields(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(**PHONE)
    relationship = forms.CharField(
        label=_("Relationship"), max_length=20,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. spouse, father, child")}))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    needs = forms.CharField(label=_("Needs"), max_length=300, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))


class FamilyForm(PersonChecks, KeyedForm, _FamilyFields):
    """Add a member to a worker's family, found by ID number (a child has one from the
    household registration, as the import asks)."""

    id_number = forms.CharField(**ID_NUMBER)
    field_order = ["id_number", "name", "phone", "relationship", "address", "needs"]


class FamilyEditForm(_FamilyFields):
    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args: Any, masked_phone: str = "", masked_address: str = "",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _keep_masked(self.fields["phone"], masked_phone)
        _keep_masked(self.fields["address"], masked_address)


class _ElderlyFields(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(**PHONE)
    kind = forms.ChoiceField(label=_("Kind"), choices=ElderlyKind.choices,
                             widget=forms.RadioSelect, initial=ElderlyKind.ELDERLY)
    home = HomeField(label=pgettext_lazy("elderly", "Home"),
                     help_text=_("The county or street where they live."))
    member_unit = MemberUnitField(label=_("Responsible member unit"),
                                  queryset=Organisation.objects.none(), empty_label=None)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    needs = forms.CharField(label=_("Needs"), max_length=300, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    registered_on = forms.DateField(label=_("Under support since"), widget=DateInput(),
                                    initial=timezone.localdate)

    def __init__(self, *args: Any, homes: Any = None, units: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if homes is not None:
            self.fields["home"].queryset = homes
        if units is not None:
            self.fields["member_unit"].queryset = units


class ElderlyForm(PersonChecks, KeyedForm, _ElderlyFields):
    task_force = forms.ModelChoiceField(label=_("Task force"), queryset=None,
                                        empty_label=None)
    id_number = forms.CharField(**ID_NUMBER)
    field_order = ["id_number", "name", "phone", "kind", "task_force", "member_unit",
                   "home", "address", "needs", "registered_on"]

    def __init__(self, *args: Any, task_forces: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task_force"].queryset = task_forces
        if task_forces is not None and len(task_forces) == 1:
            self.fields["task_force"].widget = forms.HiddenInput()
            self.fields["task_force"].initial = task_forces[0].pk


class ElderlyEditForm(_ElderlyFields):
    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args: Any, masked_phone: str = "", masked_address: str = "",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _keep_masked(self.fields["phone"], masked_phone)
        _keep_masked(self.fields["address"], masked_address)
