"""The supplies forms. Quantities are read as text and checked by the services (one set
of messages for the pages, the API and the demo); creating forms carry a client key."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.forms import DateInput, KeyedForm, UnitChoiceField
from fangkong.supplies.models import Category, Item, RecipientKind, Source, Warehouse
from fangkong.supplies.services import fmt

QUANTITY = _("Quantity")


def quantity_field(label: Any = QUANTITY, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, max_length=20, required=required,
                           widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                         "autocomplete": "off"}))


class ItemChoiceField(forms.ModelChoiceField):
    """An item of the catalogue, posted by its code, shown with what the warehouse holds
    ("KN95口罩 — 30 只")."""

    def __init__(self, *, balances: dict[int, Any] | None = None, **kwargs: Any) -> None:
        self.balances = balances or {}
        kwargs.setdefault("queryset", Item.objects.filter(is_active=True))
        super().__init__(to_field_name="code", label=_("Item"), **kwargs)
        self.error_messages["invalid_choice"] = _("Choose an item of the catalogue.")

    def label_from_instance(self, obj: Item) -> str:
        if obj.pk in self.balances:
            return f"{obj} — {fmt(self.balances[obj.pk])} {obj.unit}"
        return f"{obj} ({obj.unit})"


class _Movement(KeyedForm):
    day = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args: Any, balances: dict[int, Any] | None = None,
                 only_stocked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = Item.objects.filter(is_active=True)
        if only_stocked and balances is not None:
            items = items.filter(pk__in=list(balances))
        self.fields["item"] = ItemChoiceField(queryset=items, balances=balances)
        self.order_fields(["item", "quantity"])


class ReceiptForm(_Movement):
    quantity = quantity_field()
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    donor = forms.CharField(label=_("Donor"), max_length=100, required=False,
                            help_text=_("Required for a donation."))
    need = forms.ModelChoiceField(label=_("For the need"), required=False, queryset=None)
    pledge = forms.ModelChoiceField(label=_("Fulfils the pledge"), required=False,
                                    queryset=None)
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, warehouse: Warehouse, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = warehouse.needs.select_related("item")
        self.fields["pledge"].queryset = warehouse.pledges.select_related("item")
        if not self.fields["need"].queryset.exists():
            del self.fields["need"]
        if not self.fields["pledge"].queryset.exists():
            del self.fields["pledge"]


class IssueForm(_Movement):
    quantity = quantity_field()
    recipient_kind = forms.ChoiceField(label=_("Issued to"), choices=RecipientKind.choices)
    recipient_label = forms.CharField(
        label=_("Recipient"), max_length=100,
        help_text=_("Who received it: a name, a household, a checkpoint, a team."))
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, only_stocked=True, **kwargs)


class TransferForm(_Movement):
    quantity = quantity_field()
    to_warehouse = forms.ModelChoiceField(label=_("To warehouse"), queryset=None)
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, destinations: Any, **kwargs: Any) -> None:
        super().__init__(*args, only_stocked=True, **kwargs)
        self.fields["to_warehouse"].queryset = destinations
        self.fields["to_warehouse"].error_messages["invalid_choice"] = _(
            "Choose a warehouse in the list.")


class AdjustmentForm(_Movement):
    quantity = quantity_field(_("Counted quantity"))
    reason = forms.CharField(label=_("Reason"), max_length=200,
                             help_text=_("e.g. 3 damaged, expired, miscounted"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, only_stocked=True, **kwargs)


class ArrivalForm(KeyedForm):
    """What arrived of a transfer: per line, in good order and damaged."""

    day = forms.DateField(label=_("Date received"), widget=DateInput(),
                          initial=timezone.localdate)
    over_ok = forms.BooleanField(label=_("Over: more arrived than was sent (counted)"),
                                 required=False)
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, lines: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            sent = fmt(line.quantity)
            self.fields[f"received_{line.item_id}"] = quantity_field(
                _("%(item)s received in good order (%(n)s %(unit)s sent)") % {
                    "item": line.item.name, "n": sent, "unit": line.item.unit})
            self.fields[f"received_{line.item_id}"].initial = sent
            self.fields[f"damaged_{line.item_id}"] = quantity_field(
                _("%(item)s damaged") % {"item": line.item.name}, required=False)
        self.order_fields(["day", *[f for line in lines for f in
                                    (f"received_{line.item_id}", f"damaged_{line.item_id}")]])


class CancelForm(KeyedForm):
    day = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=200)


class WarehouseForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"))
    name = forms.CharField(label=pgettext_lazy("supplies", "Name"), max_length=60)
    address = forms.CharField(label=pgettext_lazy("supplies", "Address"), max_length=120,
                              required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class StockItemForm(forms.Form):
    item = ItemChoiceField()
    reorder_level = quantity_field(_("Reorder level"), required=False)


class NeedForm(KeyedForm):
    item = ItemChoiceField()
    quantity = quantity_field(_("Quantity needed"), required=False)
    needed_by = forms.DateField(label=_("Needed by"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PledgeForm(KeyedForm):
    donor = forms.CharField(label=_("Donor"), max_length=100)
    item = ItemChoiceField()
    quantity = quantity_field(_("Quantity pledged"))
    expected_on = forms.DateField(label=_("Expected on"), widget=DateInput(), required=False)


class ItemForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32)
    name = forms.CharField(label=pgettext_lazy("supplies", "Name"), max_length=60)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    standard = forms.CharField(label=_("Standard"), max_length=40, required=False)
    unit = forms.CharField(label=pgettext_lazy("measure", "Unit"), max_length=8)
    pack_size = forms.IntegerField(label=_("Units per pack"), min_value=1, initial=1)
    pack_name = forms.CharField(label=_("Pack"), max_length=8, required=False)
    whole_units = forms.BooleanField(label=_("Counted in whole units"), required=False,
                                     initial=True)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DateInput())
    date_to = forms.DateField(label=_("To"), widget=DateInput())

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
