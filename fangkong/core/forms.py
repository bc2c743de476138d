from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DateInput(forms.DateInput):
    """The browser's date picker. Its value must be ISO (yyyy-mm-dd) whatever the language:
    with Chinese formats (2026/11/29) the picker shows an empty field and the form then
    demands a date the page seemed to have filled in."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker, with the ISO value it reads (see DateInput)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


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



class LogFilterForm(forms.Form):
    """Filters shared by the audit pages; every field optional, bad dates are field errors."""

    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=DateInput(),
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=DateInput(),
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class AuditFilterForm(LogFilterForm):
    """The change history: by user, record type and date range."""

    model = forms.ChoiceField(label=_("Record type"), required=False)
    field_order = ["actor", "model", "date_from", "date_to"]

    def __init__(self, *args, model_choices: list[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("All record types")), *model_choices]


#: The access log's "action" filter value for refused attempts (of either action).
REFUSED = "refused"


class PiiLogFilterForm(LogFilterForm):
    """The personal-data access log: by user, action (or refused attempts) and date range."""

    action = forms.ChoiceField(label=pgettext_lazy("audit log", "Action"), required=False)
    id_number = forms.CharField(
        label=_("Whose data (ID card number)"), required=False, max_length=30,
        help_text=_("Reveals and exports that carried this person's data."),
    )
    field_order = ["actor", "action", "id_number", "date_from", "date_to"]

    def clean_id_number(self) -> str:
        from fangkong.lib.identity import normalize_id_number

        return normalize_id_number(self.cleaned_data["id_number"] or "")

    def __init__(self, *args, **kwargs) -> None:
        from fangkong.core.models.audit import PiiAction

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions")), *PiiAction.choices,
                                         (REFUSED, _("Refused attempts"))]


class AlertFilterForm(forms.Form):
    """The alerts inbox: open (the default), closed or all, of one kind or every kind."""

    STATUS_CHOICES = (("open", pgettext_lazy("alerts", "Open")),
                      ("closed", pgettext_lazy("alerts", "Closed")),
                      ("all", pgettext_lazy("alerts", "All")))

    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        from fangkong.core import registries

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *(
            (k.code, k.label) for k in registries.alert_kinds())]


class CloseAlertForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), max_length=300,
        widget=forms.TextInput(attrs={
            "placeholder": _("e.g. re-measured 36.8 °C; sent to the fever clinic")}),
    )


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown keys, and errors
    without a field, as non-field errors)."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class PersonChecks:
    """Mixed into a form with ``id_number`` and ``name`` (and ``phone``) fields whose
    service checks the person by the registry's rules (``clean_person_data``: the ID
    number's check digit and date, the name, a mobile number) with its own checks.

    When the form has errors of its own (a required field left empty), the service is
    not reached, and a wrong check digit would show only on the next send: the form
    then checks the person itself, so every message shows at once. A form without
    errors leaves the person to the service, which reports it with its other checks."""

    #: The phone must be given (as the service requires it).
    person_phone_required = False

    def clean(self) -> dict[str, Any]:
        from fangkong.core.services.people import clean_person_data

        cleaned = super().clean()  # type: ignore[misc]
        errors = self.errors  # type: ignore[attr-defined]
        if not errors:
            return cleaned
        try:
            clean_person_data(id_number=cleaned.get("id_number"), name=cleaned.get("name"),
                              phone=cleaned.get("phone") or "",
                              phone_required=self.person_phone_required)
        except ValidationError as exc:
            # A field that has its own message already (the name left empty) keeps it.
            for field, messages in exc.message_dict.items():
                if field in self.fields and field not in errors:  # type: ignore[attr-defined]
                    for message in messages:
                        self.add_error(field, message)  # type: ignore[attr-defined]
        return cleaned


class KeyedForm(forms.Form):
    """A creating form with a hidden submission key (``client_id``) made when the page is
    rendered, for a service that creates with ``KeyedModel.create_keyed``.

    The key survives the form being sent twice (a double tap, a retry after a timeout,
    the back button and send again): the service finds the first record instead of adding
    a second. When the key comes back with other content (the form was saved, then
    changed and sent again), the service's ``KeyConflict`` cannot be shown on a hidden
    field: it becomes a form error, and the form gets a new key, so sending it once more
    saves it as a new record, knowingly.

    The key also survives the back button: a page the browser loads again on "back"
    comes with the typed values restored but a newly rendered key, and sending it again
    saved the record twice (a patrol counted 31, then 33). ``ui.js`` keeps the key sent
    from a page in that page's history entry (``history.state``) and puts it back when
    the user returns to the entry, so the form sent again carries its first key.
    """

    client_id = forms.UUIDField(widget=forms.HiddenInput(attrs={"class": "submission-key"}),
                                initial=uuid.uuid4)
    #: The form's version (``core.capture``): a record queued on a phone comes back with
    #: the version it was made with. Bump it when a field's meaning changes, and put the
    #: old one in ``RETIRED_VERSIONS`` with the day it was retired (taken for a grace
    #: period, then refused with a message).
    form_version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    #: When the record was made, by the phone's clock (``static/js/offline.js`` fills it
    #: in as the form is sent); empty means "now, by the server's clock".
    made_at = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    FORM_VERSION = "2"
    #: Version 1: the forms before they carried a version and a made-at time (a post
    #: that names no version is read as the current one: ``capture.sent_version``).
    RETIRED_VERSIONS: dict[str, date] = {"1": date(2026, 12, 6)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form_version"].initial = self.FORM_VERSION
        self.outcome = "invalid"

    def submission_fields(self) -> str:
        """The hidden fields every keyed form renders: key, version, made-at."""
        return mark_safe("".join(str(self[name]) for name in
                                 ("client_id", "form_version", "made_at")))

    def clean_form_version(self) -> str:
        from fangkong.core import capture

        version = capture.sent_version(type(self), self.cleaned_data.get("form_version"))
        refused = capture.version_error(type(self), version)
        if refused:
            self.outcome = "version"
            raise ValidationError(refused, code="form_version")
        return version

    def clean_made_at(self) -> datetime | None:
        from fangkong.core import capture

        return capture.made_at(self.cleaned_data.get("made_at"))

    def add_error(self, field: str | None, error: Any) -> None:
        if field == "form_version":  # a hidden field: its message goes on top
            super().add_error(None, error)
            return
        if field != "client_id":
            super().add_error(field, error)
            return
        cleaned = getattr(self, "cleaned_data", {})
        saved_before = "client_id" in cleaned  # the key was valid: the service refused it
        self.data = self.data.copy()
        self.data[self.add_prefix("client_id")] = str(uuid.uuid4())
        if saved_before:
            self.outcome = "conflict"
            super().add_error(None, _(
                "This form was already saved with other content. Check the list; send the "
                "form again to save it as a new record."))
        else:
            super().add_error(None, _("The form has expired; please send it again."))


class UnitChoiceField(forms.ModelChoiceField):
    """An org unit in the user's scope, posted by its division code, cleaned to the unit.

    The form sets ``queryset`` to ``core.scoping.units_visible_to(user, capability,
    level=…)``, so a code outside the user's area is an ordinary field error ("choose a
    unit in your area") and the view needs no second look-up.
    """

    def __init__(self, *, queryset=None, empty_label=None, **kwargs) -> None:
        from fangkong.core.models import OrgUnit

        super().__init__(
            queryset=OrgUnit.objects.none() if queryset is None else queryset,
            to_field_name="code", empty_label=empty_label, **kwargs)
        self.error_messages["invalid_choice"] = _("Choose a unit in your area.")

    def label_from_instance(self, obj) -> str:
        return obj.name


class RuleSourceFields(forms.Form):
    """The source document of a dated rule's new version (``core.rules``): every form
    that changes a rule asks for it the same way."""

    document_number = forms.CharField(
        label=_("Document number"), max_length=60, required=False,
        widget=forms.TextInput(attrs={"placeholder": "安政办发〔2020〕5号"}),
    )
    document_title = forms.CharField(label=_("Document title"), max_length=200,
                                     required=False)
