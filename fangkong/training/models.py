"""Training (培训): courses and their sessions, the rooms they are held in, the
businesses whose staff enrol, enrolments with their seats, attendance, feedback and
certificates.

- ``Venue``: a room with its seats (rows × seats per row, or a seat map), in a unit.
- ``Course``: a course run by a unit ("疫情应对与质效提升"), for an audience.
- ``Session``: one sitting of a course (第一期): when, offline / online / both, the venue,
  the distancing (one seat in N, one row in M) that makes its capacity, the online link,
  the key of its public enrolment page and the signed code of its door check-in.
- ``Topic``: what a session teaches, by whom.
- ``Business``: a hotel, restaurant … registered in a town, whose people enrol.
- ``Enrolment``: a person of the core registry (``PersonRecord``: the name and phone as
  typed) in one session, once (database constraint), with a seat of the distanced plan
  when attending in the room (one person per seat: database constraint).
- ``Attendance``: the check-in (QR at the door, online join, or staff), at most one per
  enrolment; ``Feedback`` after the session; ``Certificate`` with its verify key.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.models import KeyedModel, Person, PersonRecord, ScopedModel
from fangkong.core.models.territory import Organisation


def new_key() -> str:
    """An unguessable token for a public page (enrolment, a trainee's own page, verify)."""
    return secrets.token_urlsafe(12)


class Mode(models.TextChoices):
    OFFLINE = "offline", _("In the room")
    ONLINE = "online", _("Online")
    BOTH = "both", _("In the room and online")


class AttendMode(models.TextChoices):
    OFFLINE = "offline", _("In the room")
    ONLINE = "online", _("Online")


class BusinessKind(models.TextChoices):
    HOTEL = "hotel", _("Hotel / guesthouse")
    RESTAURANT = "restaurant", _("Restaurant / catering")
    HOMESTAY = "homestay", _("Homestay / farm stay")
    OTHER = "other", _("Other")


@dataclass(frozen=True, order=True)
class Seat:
    row: int
    number: int

    def __str__(self) -> str:
        return str(_("Row %(row)d, seat %(seat)d") % {"row": self.row, "seat": self.number})


class Venue(ScopedModel):
    """A room: ``rows`` × ``seats_per_row``, or a seat map (one line per row from the
    front: ``S`` a seat, ``_`` an aisle or no seat, ``x`` a seat out of use)."""

    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    rows = models.PositiveSmallIntegerField(
        _("rows of seats"), validators=[MinValueValidator(1), MaxValueValidator(60)])
    seats_per_row = models.PositiveSmallIntegerField(
        _("seats per row"), validators=[MinValueValidator(1), MaxValueValidator(60)])
    seat_map = models.TextField(
        _("seat map"), blank=True,
        help_text=_("Optional. One line per row from the front: S a seat, _ an aisle or "
                    "no seat, x a seat out of use."))

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["unit_path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="training_venue_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def grid(self) -> list[str]:
        """The room as lines of ``S``/``_``/``x``, one per row."""
        if self.seat_map.strip():
            return [line.strip() for line in self.seat_map.strip().splitlines()]
        return ["S" * self.seats_per_row for _row in range(self.rows)]

    @property
    def seat_count(self) -> int:
        return sum(line.count("S") for line in self.grid())


class Course(KeyedModel):
    title = models.CharField(_("title"), max_length=100)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["unit_path", "-pk"]

    def __str__(self) -> str:
        return self.title


class Session(KeyedModel):
    """One sitting of a course. Its capacity in the room comes from the venue's seats and
    the distancing: of each row's seats one in ``seat_spacing`` is used, of the rows one
    in ``row_spacing`` (``seats.plan``)."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions",
                               verbose_name=_("course"))
    number = models.PositiveSmallIntegerField(_("session number"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices)
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="sessions", verbose_name=_("venue"))
    seat_spacing = models.PositiveSmallIntegerField(
        _("one seat in"), default=2, validators=[MinValueValidator(1), MaxValueValidator(5)])
    row_spacing = models.PositiveSmallIntegerField(
        _("one row in"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)])
    online_link = models.URLField(_("online link"), blank=True)
    online_limit = models.PositiveIntegerField(
        _("online places"), null=True, blank=True,
        help_text=_("Empty: no limit for trainees joining online."))
    public_key = models.CharField(_("enrolment page key"), max_length=24, unique=True,
                                  default=new_key, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    RECORD_DAY = "starts_at"

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="training_session_number"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="training_session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return str(_("%(course)s, session %(n)d") % {"course": self.course.title,
                                                      "n": self.number})

    @property
    def in_room(self) -> bool:
        return self.mode in (Mode.OFFLINE, Mode.BOTH)

    @property
    def online(self) -> bool:
        return self.mode in (Mode.ONLINE, Mode.BOTH)


class Topic(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="topics",
                                verbose_name=_("session"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("topic"), max_length=100)
    trainer = models.CharField(_("trainer"), max_length=50)
    trainer_title = models.CharField(_("trainer's post"), max_length=100, blank=True)
    mode = models.CharField(_("given"), max_length=8, choices=AttendMode.choices,
                            default=AttendMode.OFFLINE)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["session", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "title"], name="training_topic_once"),
        ]

    def __str__(self) -> str:
        return self.title


class Business(ScopedModel):
    """A hotel, restaurant … of a town or community whose owner and staff are trained."""

    name = models.CharField(_("business name"), max_length=100)
    kind = models.CharField(_("business type"), max_length=12, choices=BusinessKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("organisation"))

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["unit_path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="training_business_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    PUBLIC = "public", _("Enrolment page")


class Enrolment(PersonRecord, KeyedModel):
    """A person in a session (its ``org_unit`` is the session's): once per person, and
    in the room on a seat of the distanced plan that nobody else holds."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="enrolments",
                                verbose_name=_("session"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="enrolments",
                                 verbose_name=_("business"))
    role_at_business = models.CharField(_("position at the business"), max_length=30, blank=True)
    attend_mode = models.CharField(_("attends"), max_length=8, choices=AttendMode.choices)
    seat_row = models.PositiveSmallIntegerField(_("row"), null=True, blank=True)
    seat_number = models.PositiveSmallIntegerField(_("seat"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    trainee_key = models.CharField(_("trainee page key"), max_length=24, unique=True,
                                   default=new_key, editable=False)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("enrolled at"), default=timezone.now)

    RECORD_DAY = "created_at"

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["session", "seat_row", "seat_number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"],
                                    name="training_enrolment_once"),
            models.UniqueConstraint(fields=["session", "seat_row", "seat_number"],
                                    name="training_enrolment_one_per_seat"),
            models.CheckConstraint(
                condition=(Q(attend_mode="offline", seat_row__isnull=False,
                             seat_number__isnull=False)
                           | Q(attend_mode="online", seat_row__isnull=True,
                               seat_number__isnull=True)),
                name="training_enrolment_seat_iff_in_room"),
        ]

    def __str__(self) -> str:
        return f"{self.masked_name} · {self.session}"

    @property
    def seat(self) -> Seat | None:
        if self.seat_row is None or self.seat_number is None:
            return None
        return Seat(self.seat_row, self.seat_number)


class Method(models.TextChoices):
    QR = "qr", _("QR code at the door")
    ONLINE = "online", _("Joined online")
    STAFF = "staff", _("Checked in by staff")


class Attendance(models.Model):
    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE,
                                     related_name="attendance", verbose_name=_("enrolment"))
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendances",
                                verbose_name=_("session"))
    method = models.CharField(_("check-in"), max_length=8, choices=Method.choices)
    mask_worn = models.BooleanField(_("mask worn"), null=True)
    checked_in_at = models.DateTimeField(_("checked in at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["checked_in_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(method="online") | Q(mask_worn__isnull=True),
                                   name="training_attendance_mask_in_room_only"),
        ]

    def __str__(self) -> str:
        return str(self.enrolment)


class Feedback(models.Model):
    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE,
                                     related_name="feedback", verbose_name=_("enrolment"))
    rating = models.PositiveSmallIntegerField(
        _("overall rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    useful_topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("most useful topic"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5),
                                   name="training_feedback_rating_range"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} {self.rating}"


class Certificate(models.Model):
    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT,
                                     related_name="certificate", verbose_name=_("enrolment"))
    number = models.CharField(_("certificate number"), max_length=30, unique=True)
    verify_key = models.CharField(_("verify key"), max_length=24, unique=True,
                                  default=new_key, editable=False)
    issued_at = models.DateTimeField(pgettext_lazy("training certificate", "issued at"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number
