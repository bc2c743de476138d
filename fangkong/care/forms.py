"""Care's forms: the helper's short service form (offline-capable), the task force's
payments, benefits, visits and pairings, and the elderly's help requests."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.care.models import (
    BenefitKind,
    Category,
    Helper,
    PaymentKind,
    RequestKind,
    Unit,
    VisitMode,
)
from fangkong.core.forms import DateInput, KeyedForm, UnitChoiceField
from fangkong.core.imports import ImportForm


class ServiceForm(KeyedForm):
    """What a helper fills in on a phone: the kind of support, how much, a few words."""

    category = forms.ChoiceField(label=_("Kind of support"), choices=Category.choices,
                                 widget=forms.RadioSelect, initial=Category.LIFE)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=12, decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        error_messages={"invalid": _("Enter a number.")})
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, widget=forms.RadioSelect,
                             initial=Unit.SESSION)
    note = forms.CharField(label=pgettext_lazy("care", "What was done"), max_length=200,
                           required=False)
    day = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DateInput())
    warehouse = forms.ModelChoiceField(label=_("Draw from warehouse"), queryset=None,
                                       required=False)
    item = forms.ModelChoiceField(label=_("Item"), queryset=None, required=False,
                                  to_field_name="code")

    def __init__(self, *args: Any, warehouses: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from fangkong.supplies.models import Item

        if warehouses is None or not warehouses.exists():
            del self.fields["warehouse"], self.fields["item"]
        else:
            self.fields["warehouse"].queryset = warehouses
            self.fields["item"].queryset = Item.objects.filter(
                category__in=("necessities", "food")).order_by("code")

    def clean_quantity(self) -> Any:
        value = self.cleaned_data["quantity"]
        if value is not None and value <= 0:
            raise forms.ValidationError(_("Enter a number greater than zero."))
        return value


class PaymentForm(KeyedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=PaymentKind.choices)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=12, decimal_places=2,
                                min_value=0.01,
                                widget=forms.NumberInput(attrs={"inputmode": "decimal"}))
    day = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class BenefitForm(KeyedForm):
    kind = forms.ChoiceField(label=_("Policy benefit"), choices=BenefitKind.choices)
    day = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class VisitForm(KeyedForm):
    mode = forms.ChoiceField(label=_("How"), choices=VisitMode.choices)
    leader = forms.CharField(label=_("Leader"), max_length=50)
    day = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PairForm(forms.Form):
    """Pair a helper (or reassign the family to another one)."""

    helper = forms.ModelChoiceField(label=_("Helper"), queryset=Helper.objects.none())
    started_on = forms.DateField(label=_("Paired on"), initial=timezone.localdate,
                                 widget=DateInput())
    reassign = forms.BooleanField(label=_("Reassign: end the current helper's pairing"),
                                  required=False)
    reason = forms.CharField(label=_("Why (when reassigning)"), max_length=200, required=False)

    def __init__(self, *args: Any, helpers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if helpers is not None:
            self.fields["helper"].queryset = helpers


class HelpRequestForm(KeyedForm):
    kind = forms.ChoiceField(label=_("What is needed"), choices=RequestKind.choices,
                             widget=forms.RadioSelect, initial=RequestKind.GROCERIES)
    detail = forms.CharField(label=_("Detail"), max_length=200, required=False)


class WorkerImportForm(ImportForm):
    """The shared import form (check, then import) and the task force to import into,
    which the check's digest binds with the file."""

    task_force = forms.ModelChoiceField(label=_("Task force"), queryset=None)

    def __init__(self, *args: Any, task_forces: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task_force"].queryset = task_forces


# --- task forces, member units, helpers (``services.taskforces``) -------------------------

def _required(label: Any, message: Any, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length,
                           error_messages={"required": message}, **kwargs)


def _phone(label: Any, *, edit: bool = False) -> forms.CharField:
    attrs = {"inputmode": "tel", "autocomplete": "off"}
    help_text = (pgettext_lazy("care", "A mainland mobile number, 11 digits. Shown masked: "
                               "leave it empty to keep it, or type the new one.")
                 if edit else pgettext_lazy("care", "A mainland mobile number, 11 digits."))
    return forms.CharField(label=label, max_length=20, required=False, help_text=help_text,
                           widget=forms.TextInput(attrs=attrs))


def _organisations(label: Any, message: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=label, queryset=None,
                                  error_messages={"required": message,
                                                  "invalid_choice": message})


def _clean_phone(value: str) -> str:
    """The service checks the number too; checked here, its error shows with the rest."""
    from fangkong.lib.identity import IdentityError, validate_phone

    if not (value or "").strip():
        return ""
    try:
        return validate_phone(value)
    except IdentityError as exc:
        raise forms.ValidationError(str(exc.message)) from None


class _Seen(forms.Form):
    """An edit form: ``seen`` is the version of the row it was made from."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)


class _LeaderContact(forms.Form):
    leader = _required(_("Responsible leader"), _("Name the responsible leader."), 50)
    contact_name = _required(_("Contact"), _("Name the contact."), 50)
    contact_phone = _phone(_("Contact's phone"))

    def clean_contact_phone(self) -> str:
        return _clean_phone(self.cleaned_data.get("contact_phone", ""))


class _LeaderContactEdit(_Seen):
    leader = _required(_("Responsible leader"), _("Name the responsible leader."), 50)
    contact_name = _required(_("Contact"), _("Name the contact."), 50)
    contact_phone = _phone(_("Contact's phone"), edit=True)

    def clean_contact_phone(self) -> str:
        return _clean_phone(self.cleaned_data.get("contact_phone", ""))


class TaskForceForm(KeyedForm, _LeaderContact):
    """A new task force: its unit, lead organisation, responsible leader and contact."""

    unit = UnitChoiceField(label=pgettext_lazy("care", "Unit of the task force"))
    name = _required(_("Name of the task force"), _("Name the task force."), 100)
    organisation = _organisations(_("Lead organisation"),
                                  _("Choose the organisation that leads the task force."))
    field_order = ["unit", "name", "organisation", "leader", "contact_name", "contact_phone"]

    def __init__(self, *args: Any, units: Any = None, organisations: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["organisation"].queryset = organisations


class TaskForceEditForm(_LeaderContactEdit):
    name = _required(_("Name of the task force"), _("Name the task force."), 100)
    field_order = ["name", "leader", "contact_name", "contact_phone", "seen"]


class MemberForm(KeyedForm, _LeaderContact):
    """A member unit added to the task force."""

    organisation = _organisations(_("Member unit"), _("Choose the member unit."))
    field_order = ["organisation", "leader", "contact_name", "contact_phone"]

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class MemberEditForm(_LeaderContactEdit):
    field_order = ["leader", "contact_name", "contact_phone", "seen"]


class _HelperUser(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        full = obj.get_full_name() or obj.first_name
        return f"{obj.username} {full}".strip()


class HelperForm(KeyedForm):
    """A helper registered by the task force or their member unit; numbered on saving."""

    name = _required(_("Name"), _("Enter the helper's name."), 50)
    phone = _phone(_("Mobile phone"))
    organisation = _organisations(_("Member unit"), _("Choose the helper's member unit."))
    user = _HelperUser(label=_("Account they log in with"), queryset=None, required=False,
                       empty_label=pgettext_lazy("care", "— none —"),
                       help_text=pgettext_lazy("care", "Only helpers' accounts not linked to "
                                               "another helper."))

    def __init__(self, *args: Any, organisations: Any = None, users: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["user"].queryset = users

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data.get("phone", ""))


class HelperEditForm(_Seen):
    name = _required(_("Name"), _("Enter the helper's name."), 50)
    phone = _phone(_("Mobile phone"), edit=True)
    organisation = _organisations(_("Member unit"), _("Choose the helper's member unit."))
    user = _HelperUser(label=_("Account they log in with"), queryset=None, required=False,
                       empty_label=pgettext_lazy("care", "— none —"))
    is_active = forms.BooleanField(label=pgettext_lazy("care helper", "Active (may be paired)"),
                                   required=False)

    def __init__(self, *args: Any, organisations: Any = None, users: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["user"].queryset = users

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data.get("phone", ""))
