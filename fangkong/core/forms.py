from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password."),
        "inactive": _("This account is disabled."),
    }


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, min_length=2,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. follow-up call for a fever alert")}),
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    unit = forms.CharField(required=False, max_length=12)
