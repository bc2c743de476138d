"""Forms of the resumption pages. The services check the rules; the forms parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.forms import DateInput, KeyedForm, UnitChoiceField
from fangkong.resumption.models import Direction, HealthStatus, Industry, PassKind
from fangkong.resumption.services.filing import CHECKLIST, NEEDS_DAYS, clean_uscc

MAX_UPLOAD = 5 * 1024 * 1024
#: Accepted attachments, recognised by their first bytes (never by the name or the
#: browser's content type): PDF, JPEG, PNG.
SIGNATURES = ((b"%PDF-", "application/pdf", ".pdf"), (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
              (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EnterpriseForm(KeyedForm):
    unit = UnitChoiceField(label=gettext_lazy("Area"), queryset=None)
    name = forms.CharField(label=gettext_lazy("Enterprise or project name"), max_length=120)
    uscc = forms.CharField(label=gettext_lazy("Unified social credit code"), max_length=30,
                           help_text=gettext_lazy("18 characters (GB 32100)"))
    industry = forms.ChoiceField(label=gettext_lazy("Industry"), choices=Industry.choices)
    is_key_project = forms.BooleanField(label=gettext_lazy("Key project"), required=False)
    headcount = forms.IntegerField(label=gettext_lazy("Headcount"), min_value=1,
                                   max_value=1000000)
    liaison_name = forms.CharField(label=gettext_lazy("Liaison"), max_length=50)
    liaison_phone = forms.CharField(label=gettext_lazy("Liaison phone"), max_length=11,
                                    widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean_uscc(self) -> str:
        return clean_uscc(self.cleaned_data["uscc"])

    def clean_liaison_phone(self) -> str:
        phone = self.cleaned_data["liaison_phone"].strip()
        if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
            raise ValidationError(_("Enter an 11-digit mobile number."))
        return phone


class ChecklistForm(forms.Form):
    """The liaison's answers: one text per item, days of stock where asked."""

    planned_start = forms.DateField(label=gettext_lazy("Planned start"), required=False,
                                    widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label, _days in CHECKLIST:
            self.fields[f"{code}_answer"] = forms.CharField(
                label=label, required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}))
            if code in NEEDS_DAYS:
                self.fields[f"{code}_days"] = forms.IntegerField(
                    label=gettext_lazy("Days of stock"), required=False, min_value=0,
                    max_value=365, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def answers(self) -> dict[str, tuple[str, int | None]]:
        d = self.cleaned_data
        return {code: (d.get(f"{code}_answer") or "", d.get(f"{code}_days"))
                for code, _label, _days in CHECKLIST}

    def rows(self) -> list[tuple[str, Any, Any]]:
        return [(code, self[f"{code}_answer"],
                 self[f"{code}_days"] if code in NEEDS_DAYS else None)
                for code, _label, _days in CHECKLIST]


class AttachmentForm(KeyedForm):
    item = forms.ChoiceField(label=gettext_lazy("Checklist item"),
                             choices=[(c, label) for c, label, _d in CHECKLIST])
    file = forms.FileField(label=gettext_lazy("File (PDF, JPEG or PNG, at most 5 MB)"))

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise ValidationError(_("The file is larger than 5 MB."))
        head = f.read(16)
        f.seek(0)
        for magic, content_type, ext in SIGNATURES:
            if head.startswith(magic):
                f.checked_type, f.checked_ext = content_type, ext
                return f
        raise ValidationError(_("Only PDF, JPEG and PNG files are accepted."))


class ReviewForm(forms.Form):
    """The county's review: a comment per item and the items found missing."""

    decision = forms.ChoiceField(choices=[("return", "return"), ("approve", "approve")],
                                 widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=gettext_lazy("Overall comment"), required=False,
                             max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, _label, _days in CHECKLIST:
            self.fields[f"{code}_missing"] = forms.BooleanField(
                label=gettext_lazy("Missing item"), required=False)
            self.fields[f"{code}_comment"] = forms.CharField(
                label=gettext_lazy("Comment"), required=False, max_length=500)

    def comments(self) -> dict[str, str]:
        return {c: self.cleaned_data.get(f"{c}_comment") or "" for c, _l, _d in CHECKLIST}

    def missing(self) -> list[str]:
        return [c for c, _l, _d in CHECKLIST if self.cleaned_data.get(f"{c}_missing")]


class ResumedForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Resumed work on"), widget=DateInput())


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


class RotateForm(KeyedForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class EmployeeForm(KeyedForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=11, required=False)
    came_from = forms.CharField(label=gettext_lazy("Came from"), max_length=100)
    whereabouts = forms.CharField(label=gettext_lazy("Whereabouts in the last 14 days"),
                                  required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    returned_on = forms.DateField(label=gettext_lazy("Returned on"), widget=DateInput())
    health = forms.ChoiceField(label=gettext_lazy("Health status"),
                               choices=HealthStatus.choices)
    observation_until = forms.DateField(label=gettext_lazy("Observation ends"),
                                        required=False, widget=DateInput())


class DemandForm(KeyedForm):
    skill = forms.CharField(label=gettext_lazy("Skill"), max_length=60)
    count = forms.IntegerField(label=gettext_lazy("Workers needed"), min_value=1,
                               max_value=100000)
    needed_by = forms.DateField(label=gettext_lazy("Needed by"), widget=DateInput())


class WorkerForm(KeyedForm):
    unit = UnitChoiceField(label=gettext_lazy("Home area"), queryset=None)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=11, required=False)
    home = forms.CharField(label=gettext_lazy("Home town"), max_length=100)
    skills = forms.CharField(label=gettext_lazy("Skills"), max_length=100, required=False)
    employer = forms.ModelChoiceField(label=gettext_lazy("Destination employer"),
                                      queryset=None, required=False)
    destination = forms.CharField(label=gettext_lazy("Destination"), max_length=100,
                                  required=False)

    def __init__(self, *args: Any, units: Any, employers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["employer"].queryset = employers


class BatchForm(KeyedForm):
    unit = UnitChoiceField(label=gettext_lazy("Organised by"), queryset=None)
    direction = forms.ChoiceField(label=gettext_lazy("Transport direction"),
                                  choices=Direction.choices)
    origin = forms.CharField(label=gettext_lazy("Route from"), max_length=80)
    destination = forms.CharField(label=gettext_lazy("Route to"), max_length=80)
    employer = forms.ModelChoiceField(label=gettext_lazy("Receiving employer"),
                                      queryset=None, required=False)
    plate = forms.CharField(label=gettext_lazy("Vehicle plate"), max_length=10)
    driver = forms.CharField(label=gettext_lazy("Driver"), max_length=50, required=False)
    departure_at = forms.DateTimeField(label=gettext_lazy("Departure time"),
                                       widget=DateTimeInput())
    workers = forms.CharField(
        label=gettext_lazy("Manifest: ID numbers of the workers"), max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One ID number per line; the workers must be registered."))

    def __init__(self, *args: Any, units: Any, employers: Any, workers: Any,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["employer"].queryset = employers
        self._workers = workers

    def clean_workers(self) -> list[Any]:
        numbers = [n.strip().upper() for n in self.cleaned_data["workers"].split() if n.strip()]
        found = {w.person.id_number: w for w in
                 self._workers.filter(person__id_number__in=numbers).select_related("person")}
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise ValidationError(_("Not registered as migrant workers in your area: "
                                    "%(list)s") % {"list": ", ".join(
                                        n[:6] + "…" + n[-4:] for n in unknown)})
        return [found[n] for n in numbers]


class TemperaturesForm(forms.Form):
    at = forms.DateTimeField(label=gettext_lazy("Time"), widget=DateTimeInput())

    def __init__(self, *args: Any, entries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = entries
        for e in entries:
            self.fields[f"t{e.pk}"] = forms.DecimalField(
                label=e.worker.masked_name, min_value=34, max_value=43, max_digits=3,
                decimal_places=1, widget=forms.TextInput(attrs={"inputmode": "decimal"}))

    def temps(self) -> dict[int, Any]:
        return {e.pk: self.cleaned_data[f"t{e.pk}"] for e in self.entries}


class HandOverForm(forms.Form):
    to = forms.CharField(label=gettext_lazy("Received by"), max_length=50)
    at = forms.DateTimeField(label=gettext_lazy("Time"), widget=DateTimeInput())


class PassForm(KeyedForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=PassKind.choices)
    worker = forms.ModelChoiceField(label=gettext_lazy("Worker"), queryset=None,
                                    required=False)
    batch = forms.ModelChoiceField(label=gettext_lazy("Batch"), queryset=None,
                                   required=False)
    days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1,
                              max_value=30, initial=14)

    def __init__(self, *args: Any, workers: Any, batches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda w: f"{w.masked_name} · {w.home}"
        self.fields["batch"].queryset = batches


class VerifyForm(forms.Form):
    token = forms.CharField(label=gettext_lazy("Pass code"), max_length=2048,
                            widget=forms.Textarea(attrs={"rows": 3}))
