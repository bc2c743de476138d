"""The training forms. Creating forms carry a client key (``KeyedForm``) or create by a
natural key in their service (a venue by unit and name, a topic by session and title,
one check-in, feedback and certificate per enrolment)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import DateTimeInput, KeyedForm, UnitChoiceField
from fangkong.training.models import AttendMode, BusinessKind, Mode, Topic, Venue


class VenueForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"))
    name = forms.CharField(label=_("Room"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    rows = forms.IntegerField(label=_("Rows of seats"), min_value=1, max_value=60)
    seats_per_row = forms.IntegerField(label=_("Seats per row"), min_value=1, max_value=60)
    seat_map = forms.CharField(
        label=_("Seat map"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono"}),
        help_text=_("Optional. One line per row from the front: S a seat, _ an aisle or no "
                    "seat, x a seat out of use. Replaces rows × seats."))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class CourseForm(KeyedForm):
    unit = UnitChoiceField(label=_("Organised by"))
    title = forms.CharField(label=_("Course title"), max_length=100)
    audience = forms.CharField(label=_("Audience"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class SessionForm(KeyedForm):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput())
    mode = forms.ChoiceField(label=_("Held"), choices=Mode.choices, initial=Mode.BOTH)
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.none(),
                                   required=False)
    seat_spacing = forms.IntegerField(
        label=_("Seated apart: one seat in"), min_value=1, max_value=5, initial=2,
        help_text=_("2 leaves an empty seat between any two trainees."))
    row_spacing = forms.IntegerField(
        label=_("One row in"), min_value=1, max_value=5, initial=1,
        help_text=_("2 leaves every other row empty."))
    planned = forms.IntegerField(label=_("Trainees expected"), min_value=1, max_value=10000,
                                 required=False)
    online_link = forms.URLField(label=_("Online link"), required=False, max_length=200,
                                 assume_scheme="https")
    online_limit = forms.IntegerField(label=_("Online places"), min_value=0, required=False,
                                      help_text=_("Empty: no limit."))

    def __init__(self, *args: Any, venues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues
        self.fields["venue"].label_from_instance = (
            lambda v: f"{v.name}（{v.seat_count}座）")


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Topic"), max_length=100)
    trainer = forms.CharField(label=_("Trainer"), max_length=50)
    trainer_title = forms.CharField(label=_("Trainer's post"), max_length=100,
                                    required=False)
    mode = forms.ChoiceField(label=_("Given"), choices=AttendMode.choices)


class EnrolForm(KeyedForm):
    """A trainee of a business (the staff's form and the public page's)."""

    business_name = forms.CharField(label=_("Hotel / restaurant"), max_length=100)
    business_kind = forms.ChoiceField(label=_("Type of business"),
                                      choices=[("", "—"), *BusinessKind.choices])
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID card number"), max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "tel"}))
    role_at_business = forms.CharField(label=_("Position"), max_length=30, required=False,
                                       help_text=_("Owner, manager, cook, waiter …"))
    attend_mode = forms.ChoiceField(label=_("I attend"), choices=AttendMode.choices,
                                    widget=forms.RadioSelect)

    def __init__(self, *args: Any, session: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        modes = ([AttendMode.OFFLINE] if session.in_room else []) + (
            [AttendMode.ONLINE] if session.online else [])
        self.fields["attend_mode"].choices = [(m.value, m.label) for m in modes]
        self.fields["attend_mode"].initial = modes[0].value


class DoorCheckinForm(forms.Form):
    id_number = forms.CharField(
        label=_("ID card number"), max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "tel"}))
    mask_worn = forms.BooleanField(label=_("I am wearing a mask"), required=False)


class StaffCheckinForm(forms.Form):
    mask_worn = forms.BooleanField(label=_("Wearing a mask"), required=False)


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Overall, the session was"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, _("5 — very useful")), (4, _("4")), (3, _("3")), (2, _("2")),
                 (1, _("1 — not useful"))])
    useful_topic = forms.ModelChoiceField(label=_("Most useful topic"), required=False,
                                          queryset=Topic.objects.none())
    comment = forms.CharField(label=_("Comments"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, session: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["useful_topic"].queryset = session.topics.all()
