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
from fangkong.core.forms import DateInput, KeyedForm
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
