"""Dated rules: the list of parameters and each one's history, with the form that adds a
version (``core.services.rules.add_value``). Reading needs VIEW; changing CONFIGURE
(HQ), or for a rule its declaration gives an owning unit, the declared capability over
that unit (``may_change_rule``). Both pages name the owner; the form is offered only to
those who may change the rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.forms import DateInput, KeyedForm, RuleSourceFields, add_errors
from fangkong.core.models.accounts import Cap
from fangkong.core.models.rules import Parameter, ParameterValue
from fangkong.core.models.territory import OrgUnit
from fangkong.core.rules import ParameterSpec, spec_for
from fangkong.core.scoping import capability_required
from fangkong.core.services.rules import add_value, may_change_rule


def label_of(parameter: Parameter) -> str:
    """The declared (translated) name, or the stored one for an undeclared parameter."""
    spec = spec_for(parameter.code)
    return str(spec.name) if spec else parameter.name


class ParameterValueForm(KeyedForm, RuleSourceFields):
    """A new version. The value is text the rule's declaration parses and checks. It
    is in force until the next version (which ends it); a version given an end would
    leave no rule in force after it (``add_value`` refuses that)."""

    field_order = ["value", "valid_from", "document_number", "document_title", "reason"]

    value = forms.CharField(label=gettext_lazy("Value"), max_length=500, required=False)
    valid_from = forms.DateField(label=gettext_lazy("In force from"), widget=DateInput())
    reason = forms.CharField(label=gettext_lazy("Reason for the change"), max_length=200)

    def __init__(self, *args: Any, spec: ParameterSpec | None, unit: str = "",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        value = self.fields["value"]
        if unit:
            value.label = f"{value.label} ({unit})"
        if spec is not None and spec.help_text:
            value.help_text = spec.help_text

    def clean_value(self) -> Any:
        raw = self.cleaned_data.get("value", "")
        if self.spec is None:
            raise ValidationError(_("This rule is not declared by any module; it cannot be "
                                    "changed here."))
        return self.spec.clean(raw)


def owner_label(owner: OrgUnit | None) -> str:
    """Who owns a rule, as the pages say it: the owning unit, or HQ for a city rule."""
    return owner.name if owner is not None else _("City HQ")


def _owners() -> dict[str, OrgUnit]:
    """The owning unit of every declared rule that names one, in one query."""
    from fangkong.core.rules import declared

    codes = {spec.code: spec.owner_unit for spec in declared() if spec.owner_unit}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=set(codes.values()))}
    return {code: units[unit] for code, unit in codes.items() if unit in units}


def _history(parameter: Parameter) -> list[ParameterValue]:
    return list(parameter.values.select_related("created_by").order_by("-valid_from"))


@capability_required(Cap.VIEW)
def rule_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    owners = _owners()
    rows = []
    for parameter in Parameter.objects.all():
        current = parameter.values.in_force_on(today).first()
        owner = owners.get(parameter.code)
        rows.append({"parameter": parameter, "label": label_of(parameter), "current": current,
                     "owner": owner_label(owner),
                     "can_change": may_change_rule(request.user, parameter.code,
                                                   owner=owner)})
    return render(request, "core/rules.html", {"rows": rows, "today": today})


@capability_required(Cap.VIEW)
def rule_history(request: HttpRequest, code: str) -> HttpResponse:
    parameter = get_object_or_404(Parameter, code=code)
    spec = spec_for(code)
    owner = _owners().get(code)
    can_change = may_change_rule(request.user, code, owner=owner)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    today = timezone.localdate()
    history = _history(parameter)
    current = next((v for v in history if v.covers(today)), None)
    form = None
    if can_change and spec is not None:
        initial = {"valid_from": today,
                   "value": spec.as_text(current.typed) if current else ""}
        form = ParameterValueForm(request.POST or None, spec=spec, unit=parameter.unit,
                                  initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                new, _created = add_value(
                    request.user, code, value=data["value"], valid_from=data["valid_from"],
                    document_number=data["document_number"],
                    document_title=data["document_title"], reason=data["reason"],
                    client_id=data["client_id"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The new version is in force from %(day)s.") % {
                    "day": new.valid_from.isoformat()})
                return redirect("core:rule_history", code=code)
    return render(request, "core/rule_history.html", {
        "parameter": parameter, "label": label_of(parameter), "history": history,
        "current": current, "today": today, "form": form, "owner": owner_label(owner),
        "owner_capability": spec.owner_capability if spec and owner else "",
    })
