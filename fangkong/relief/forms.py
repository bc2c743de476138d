"""Forms of the relief pages. The calculator's form checks the facts with
``facts.build``, the same check as the API."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.forms import DateInput, KeyedForm, UnitChoiceField
from fangkong.relief import engine, facts
from fangkong.relief.models import EntityKind, Measure, ProjectType

MEASURE_CHOICES = [(k, v) for k, v in engine.MEASURES.items()]


class CalculatorForm(forms.Form):
    """政策试算: one measure, its facts, the day whose rules apply."""

    measure = forms.ChoiceField(label=gettext_lazy("Measure"), choices=MEASURE_CHOICES)
    as_of = forms.DateField(label=gettext_lazy("Rules in force on"), widget=DateInput(),
                            help_text=gettext_lazy("Empty: today."), required=False)
    members = forms.CharField(
        label=gettext_lazy("Months each member worked away"), required=False, max_length=200,
        help_text=gettext_lazy("One number per member, separated by spaces, e.g. 6 7 3."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    project_type = forms.ChoiceField(label=gettext_lazy("Project type"), required=False,
                                     choices=[("", "—"), *ProjectType.choices])
    accepted = forms.BooleanField(label=gettext_lazy("The project has been accepted (验收)"),
                                  required=False)
    resumed = forms.BooleanField(label=gettext_lazy("The entity has resumed work"),
                                 required=False)
    poor_workers = forms.IntegerField(label=gettext_lazy("Registered poor workers employed"),
                                      required=False, min_value=0, max_value=100000)
    households_led = forms.IntegerField(label=gettext_lazy("Poor households led"),
                                        required=False, min_value=0, max_value=100000)
    for_production = forms.BooleanField(label=gettext_lazy("The loan is used for production"),
                                        required=False)
    principal = forms.DecimalField(label=gettext_lazy("Principal (yuan)"), required=False,
                                   min_value=0, max_digits=14, decimal_places=2,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    annual_rate = forms.DecimalField(
        label=gettext_lazy("Subsidised annual rate"), required=False, min_value=0,
        max_value=1, max_digits=8, decimal_places=6,
        help_text=gettext_lazy("As a fraction: 0.0435 for 4.35 per cent."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    due_date = forms.DateField(label=gettext_lazy("Loan due date"), required=False,
                               widget=DateInput())

    #: Which fields each measure shows (the page's script hides the others).
    FIELDS = {
        "industry": ("project_type", "accepted"),
        "employment": ("members",),
        "entity": ("resumed", "poor_workers"),
        "supplies": ("resumed", "households_led"),
        "loan_interest": ("resumed", "for_production", "principal", "annual_rate",
                          "due_date"),
    }
    BOOLEANS = ("accepted", "resumed", "for_production")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            measures = [m for m, names in self.FIELDS.items() if name in names]
            if measures:
                field.widget.attrs["data-measures"] = " ".join(measures)

    def layout(self) -> list[tuple[Any, str]]:
        """Each field with the measures it belongs to ("" for every measure)."""
        return [(self[name], " ".join(m for m, names in self.FIELDS.items() if name in names))
                for name in self.fields]

    def clean_members(self) -> list[dict[str, int]] | None:
        raw = self.cleaned_data.get("members", "").strip()
        if not raw:
            return None
        members = []
        for part in re.split(r"[\s,，、]+", raw):
            if not part.isdigit():
                raise ValidationError(_("“%(text)s” is not a whole number of months.")
                                      % {"text": part})
            members.append({"months_away": int(part)})
        return members

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        measure = data.get("measure")
        if measure not in engine.MEASURES:
            return data
        values = {name: data.get(name) for name in self.FIELDS[measure]}
        for name in self.BOOLEANS:
            if name in values:
                values[name] = bool(values[name])
        invalid = [name for name in values if name in self.errors]
        try:
            built = facts.build(measure, values)
        except ValidationError as exc:
            # Every missing fact at once, next to its field; a field already refused
            # keeps its own message.
            for name, messages in exc.message_dict.items():
                if name in invalid:
                    continue
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        else:
            if not invalid:
                data["facts"] = built
        return data


class HouseholdForm(KeyedForm):
    village = UnitChoiceField(label=gettext_lazy("Village"))
    number = forms.CharField(label=gettext_lazy("Registration number"), max_length=30)
    head_name = forms.CharField(label=gettext_lazy("Head of household"), max_length=50)
    head_id_number = forms.CharField(label=gettext_lazy("Head's ID card number"),
                                     max_length=24)
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20, required=False)
    account_number = forms.CharField(label=gettext_lazy("一卡通 account"), max_length=40)
    account_bank = forms.CharField(label=gettext_lazy("Bank"), max_length=50)

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


class MemberForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    id_number = forms.CharField(label=gettext_lazy("ID card number"), max_length=24)
    relation = forms.CharField(label=gettext_lazy("Relation to the head"), max_length=20,
                               required=False)
    away_from = forms.DateField(label=gettext_lazy("Worked away from"), required=False,
                                widget=DateInput())
    away_to = forms.DateField(label=gettext_lazy("Worked away until"), required=False,
                              widget=DateInput())


class HouseholdEditForm(forms.Form):
    """Correcting a household. The account is shown masked: left empty, it is kept.
    ``seen`` is the version of the household the form was made from
    (``services.household_version``)."""

    number = forms.CharField(label=gettext_lazy("Registration number"), max_length=30)
    account_number = forms.CharField(
        label=gettext_lazy("一卡通 account"), max_length=40, required=False,
        help_text=gettext_lazy("Shown masked: leave empty to keep it, or type the new one."))
    account_bank = forms.CharField(label=gettext_lazy("Bank"), max_length=50)
    registered_on = forms.DateField(label=gettext_lazy("Registered on"), required=False,
                                    widget=DateInput())
    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args: Any, masked_account: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if masked_account:
            self.fields["account_number"].widget.attrs["placeholder"] = masked_account


class MemberEditForm(forms.Form):
    """Correcting a member: the relation and the months away. Name and ID number are the
    person's (the person registry)."""

    relation = forms.CharField(label=gettext_lazy("Relation to the head"), max_length=20,
                               required=False)
    away_from = forms.DateField(label=gettext_lazy("Worked away from"), required=False,
                                widget=DateInput())
    away_to = forms.DateField(label=gettext_lazy("Worked away until"), required=False,
                              widget=DateInput())


class EntityForm(KeyedForm):
    unit = UnitChoiceField(label=gettext_lazy("Town or village"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=EntityKind.choices)
    resumed_on = forms.DateField(label=gettext_lazy("Resumed work on"), required=False,
                                 widget=DateInput())
    account_number = forms.CharField(label=gettext_lazy("Account"), max_length=40)
    account_bank = forms.CharField(label=gettext_lazy("Bank"), max_length=50)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ApplicationForm(KeyedForm):
    measure = forms.ChoiceField(label=gettext_lazy("Measure"), choices=Measure.choices)
    project_type = forms.ChoiceField(label=gettext_lazy("Project type"), required=False,
                                     choices=[("", "—"), *ProjectType.choices])
    loan = forms.ChoiceField(label=gettext_lazy("Loan"), required=False)

    def __init__(self, *args: Any, loans: list[tuple[str, str]] = (), measures: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if measures is not None:
            self.fields["measure"].choices = [c for c in Measure.choices if c[0] in measures]
        self.fields["loan"].choices = [("", "—"), *loans]
        if not loans:
            del self.fields["loan"]


class AcceptanceForm(KeyedForm):
    accepted_on = forms.DateField(label=gettext_lazy("Accepted on"), widget=DateInput())
    applications = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Applications accepted"), coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one application.")})

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = choices


class PaymentBatchForm(KeyedForm):
    prepared_on = forms.DateField(label=gettext_lazy("Prepared on"), widget=DateInput())


class SettleForm(forms.Form):
    bank_reference = forms.CharField(label=gettext_lazy("Bank reference"), max_length=60)
    paid_on = forms.DateField(label=gettext_lazy("Paid on"), widget=DateInput())
    returned = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Returned by the bank"), coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple)
    returned_reason = forms.CharField(label=gettext_lazy("Why returned"), max_length=200,
                                      required=False)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["returned"].choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("returned") and not data.get("returned_reason", "").strip():
            self.add_error("returned_reason", _("Say why the bank returned the payments."))
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it is rejected"), max_length=300)


class RevealForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason (recorded)"), min_length=2,
                             max_length=300)


class LoanForm(forms.Form):
    contract_number = forms.CharField(label=gettext_lazy("Contract number"), max_length=40)
    bank = forms.CharField(label=gettext_lazy("Lender"), max_length=50)
    principal = forms.DecimalField(label=gettext_lazy("Principal (yuan)"), min_value=0,
                                   max_digits=14, decimal_places=2,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    annual_rate = forms.DecimalField(
        label=gettext_lazy("Subsidised annual rate"), min_value=0, max_value=1, max_digits=8,
        decimal_places=6, help_text=gettext_lazy("As a fraction: 0.0435 for 4.35 per cent."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    due_date = forms.DateField(label=gettext_lazy("Due date"), widget=DateInput())
    for_production = forms.BooleanField(label=gettext_lazy("Used for production"),
                                        required=False, initial=True)


class WorkerForm(forms.Form):
    member = forms.ModelChoiceField(label=gettext_lazy("Worker"), queryset=None)
    since = forms.DateField(label=gettext_lazy("Employed since"), widget=DateInput())

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = (
            lambda m: f"{m.name} · {m.household.number} · {m.household.org_unit.name}")


class LeadForm(forms.Form):
    household = forms.ModelChoiceField(label=gettext_lazy("Household led"), queryset=None)

    def __init__(self, *args: Any, households: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households
        self.fields["household"].label_from_instance = (
            lambda h: f"{h.number} {h.head_name} · {h.org_unit.name}")


class ResumedForm(forms.Form):
    resumed_on = forms.DateField(label=gettext_lazy("Resumed work on"), required=False,
                                 widget=DateInput(),
                                 help_text=gettext_lazy("Empty: not resumed."))
