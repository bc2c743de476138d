"""Daily reporting: forms configured by HQ, who reports them, submissions and their roll-up.

- ``ReportForm`` (a data set) has ``Indicator`` rows, ``Rule`` rows (checks between
  indicators) and ``Reporter`` rows (who must report it: a territorial unit *or* an
  organisation, never both; a DB check says so).
- ``Submission`` is one report of one reporter for one day, unique on (form, reporter, date)
  in the database. Its numbers live in ``SubmissionValue`` rows (one per indicator, a
  real DECIMAL column, so SQL can sum them); every save writes an immutable
  ``SubmissionVersion`` with a JSON snapshot.
- ``Rollup`` keeps, per (form, date, unit), the sums and counts over the unit's subtree
  and the number of reports in and on time. The lifecycle service updates the rows of
  every ancestor of the reporter in the same transaction as the submission, so the
  dashboard, the API and the province export read one row instead of scanning reports.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import ScopedModel, ScopedQuerySet
from fangkong.core.models.accounts import ORGANISATION_ROLES, Cap
from fangkong.core.models.scoped import OrganisationScopedQuerySet

CODE_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]*$",
    _("Use lowercase letters, digits and underscores, starting with a letter."),
)


def _localised(zh: str, en: str) -> str:
    """The English text when the active language is English and there is one."""
    lang = translation.get_language() or ""
    if lang.startswith("en") and en:
        return en
    return zh


class IndicatorType(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    TEXT = "text", _("Text")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    NONE = "none", _("None")


class Measure(models.TextChoices):
    """How a number behaves over days: decides what "cumulative" means for it."""

    FLOW = "flow", _("Count for the day (cumulative = sum over days)")
    STOCK = "stock", _("Level on the day (already cumulative or on duty)")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


#: Form codes that would shadow the app's own pages (/reports/forms/, /reports/dashboard/ …).
RESERVED_FORM_CODES = frozenset({"forms", "dashboard", "briefing"})
#: Reports that count: in the roll-up, in completeness, in the briefing.
COUNTED_STATUSES = (Status.SUBMITTED, Status.APPROVED)
#: Reports the reporter may still change.
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)


class ReportForm(models.Model):
    """A report form (data set) configured by HQ."""

    code = models.SlugField(
        _("code"), max_length=40, unique=True, validators=[CODE_VALIDATOR],
        help_text=_("Stable code used in the API, e.g. county_daily."),
    )
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    deadline_time = models.TimeField(
        _("deadline"), default=dt.time(17, 0),
        help_text=_("Local time (Asia/Shanghai) by which the day's report is due."),
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("days after the reporting day"), default=0, validators=[MaxValueValidator(7)],
        help_text=_("0 = the same day, 1 = the next day."),
    )
    in_briefing = models.BooleanField(
        _("in the daily briefing"), default=True,
        help_text=_("Its completeness and key figures appear in the daily briefing."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.code in RESERVED_FORM_CODES:
            raise ValidationError({"code": _("This code is reserved; choose another.")})

    @property
    def display_name(self) -> str:
        return _localised(self.name, self.name_en)

    def deadline_for(self, day: dt.date) -> dt.datetime:
        """The aware moment the report for ``day`` is due."""
        naive = dt.datetime.combine(day + dt.timedelta(days=self.deadline_days),
                                    self.deadline_time)
        return timezone.make_aware(naive, timezone.get_default_timezone())


class Indicator(models.Model):
    """One number (or text) on a form."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="indicators",
                             verbose_name=_("form"))
    code = models.CharField(
        _("code"), max_length=40, validators=[CODE_VALIDATOR],
        help_text=_("Used in rules and the API, e.g. projects_resumed."),
    )
    name = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    type = models.CharField(_("type"), max_length=8, choices=IndicatorType.choices,
                            default=IndicatorType.INTEGER)
    unit = models.CharField(_("unit of measure"), max_length=12, blank=True,
                            help_text=_("e.g. 人, 个, 万元"))
    aggregation = models.CharField(_("aggregation"), max_length=8, choices=Aggregation.choices,
                                   default=Aggregation.SUM)
    measure = models.CharField(_("measure"), max_length=8, choices=Measure.choices,
                               default=Measure.FLOW)
    decimal_places = models.PositiveSmallIntegerField(
        _("decimal places"), default=2, validators=[MaxValueValidator(4)],
    )
    required = models.BooleanField(_("required"), default=False)
    source = models.CharField(
        _("pre-filled from"), max_length=80, blank=True,
        help_text=_("A live indicator from the modules; the reporter may override it."),
    )
    in_briefing = models.BooleanField(_("in the daily briefing"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["form", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="indicator_unique_code"),
            models.CheckConstraint(
                condition=~Q(type="text") | Q(aggregation="none"),
                name="indicator_text_not_aggregated",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return _localised(self.name, self.name_en)

    @property
    def is_numeric(self) -> bool:
        return self.type != IndicatorType.TEXT

    @property
    def is_aggregated(self) -> bool:
        return self.is_numeric and self.aggregation != Aggregation.NONE

    @property
    def source_name(self) -> str:
        """Where the value is pre-filled from, as people name it (not the code)."""
        if not self.source:
            return ""
        from fangkong.reports.forms import source_label

        return source_label(self.source)


class Rule(models.Model):
    """A check between indicators, e.g. ``projects_resumed <= projects_total``."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="rules",
                             verbose_name=_("form"))
    expression = models.CharField(
        _("rule"), max_length=200,
        help_text=_("Indicator codes, numbers, + - * / and one comparison, "
                    "e.g. projects_resumed <= projects_total."),
    )
    message = models.CharField(_("message (Chinese)"), max_length=200)
    message_en = models.CharField(_("message (English)"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        ordering = ["form", "position", "id"]

    def __str__(self) -> str:
        return self.expression

    @property
    def display_message(self) -> str:
        return _localised(self.message, self.message_en)

    @property
    def readable(self) -> str:
        """The rule with indicator names instead of codes (``rules.readable``)."""
        from fangkong.reports.rules import readable

        return readable(self.expression, {
            i.code: i.display_name for i in self.form.indicators.all()})


#: Organisation grants (member-unit, task-force, enterprise and utility liaisons) see
#: their own organisation's reporters and reports.
REPORTING_ROLES = {role: frozenset({Cap.VIEW, Cap.REPORT}) for role in ORGANISATION_ROLES}


class ReporterQuerySet(OrganisationScopedQuerySet):
    scoped_roles = REPORTING_ROLES
    def active_on(self, day: dt.date):
        return self.filter(
            Q(active_from__isnull=True) | Q(active_from__lte=day),
            Q(active_until__isnull=True) | Q(active_until__gte=day),
        )


class Reporter(models.Model):
    """Who must report a form: a territorial unit or an organisation (exactly one).

    ``code`` (the division code or the organisation's code) is what the API calls the
    reporter's ``unit``; ``unit_path`` is the unit's path, or the path of the unit the
    organisation is placed in, so scoping and roll-up need no join. A reporter that stops
    reporting gets ``active_until`` rather than being deleted: past completeness stays right.
    """

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="reporters",
                             verbose_name=_("form"))
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("territorial unit"))
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("organisation"),
    )
    code = models.CharField(_("code"), max_length=32, editable=False)
    name = models.CharField(_("name"), max_length=120, editable=False)
    unit_path = models.CharField(max_length=64, editable=False)
    active_from = models.DateField(_("reports from"), null=True, blank=True)
    active_until = models.DateField(_("reports until"), null=True, blank=True)

    objects = ReporterQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting unit")
        verbose_name_plural = _("reporting units")
        ordering = ["form", "unit_path", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(organisation__isnull=True))
                | (Q(unit__isnull=True) & Q(organisation__isnull=False)),
                name="reporter_unit_xor_organisation",
            ),
            models.UniqueConstraint(fields=["form", "code"], name="reporter_unique_code"),
            models.UniqueConstraint(fields=["form", "unit"], condition=Q(unit__isnull=False),
                                    name="reporter_unique_unit"),
            models.UniqueConstraint(fields=["form", "organisation"],
                                    condition=Q(organisation__isnull=False),
                                    name="reporter_unique_organisation"),
        ]
        indexes = [models.Index(fields=["form", "unit_path", "code"], name="reporter_form_path")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_denormalised()
        super().save(*args, **kwargs)

    def refresh_denormalised(self) -> None:
        if self.unit_id:
            self.code, self.name, self.unit_path = (
                self.unit.code, self.unit.name, self.unit.path)
        elif self.organisation_id:
            org = self.organisation
            self.code, self.name, self.unit_path = org.code, org.name, org.unit_path

    @property
    def territorial_unit(self):
        """The org unit a submission of this reporter is filed under."""
        return self.unit if self.unit_id else self.organisation.org_unit

    @property
    def is_organisation(self) -> bool:
        return self.organisation_id is not None

    def is_active_on(self, day: dt.date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_until is None or self.active_until >= day)


class SubmissionQuerySet(OrganisationScopedQuerySet):
    organisation_field = "reporter__organisation_id"
    scoped_roles = REPORTING_ROLES
    def counted(self):
        return self.filter(status__in=COUNTED_STATUSES)


class Submission(ScopedModel):
    """One report: one reporter, one form, one day. ``org_unit`` is where it is filed."""

    form = models.ForeignKey(ReportForm, on_delete=models.PROTECT, related_name="submissions",
                             verbose_name=_("form"))
    reporter = models.ForeignKey(Reporter, on_delete=models.PROTECT, related_name="submissions",
                                 verbose_name=_("reporting unit"))
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=0)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("submitted by"))
    on_time = models.BooleanField(_("on time"), null=True, blank=True,
                                  help_text=_("Judged at the first submission."))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("reviewed by"))
    review_reason = models.CharField(_("reason"), max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("last changed by"))

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-date", "unit_path"]
        constraints = [
            models.UniqueConstraint(fields=["form", "reporter", "date"],
                                    name="submission_one_per_reporter_day"),
        ]
        indexes = [
            models.Index(fields=["form", "date", "unit_path"], name="submission_form_date_path"),
        ]

    def __str__(self) -> str:
        # What people read in the history (audit log): names, not the form's or unit's code.
        return f"{self.form} · {self.reporter} · {self.date.isoformat()}"

    @property
    def is_counted(self) -> bool:
        return self.status in COUNTED_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class SubmissionValue(models.Model):
    """The value of one indicator in one report.

    ``number`` is a real DECIMAL column (exact, summable in SQL); ``computed`` keeps what
    the live indicator said when the form was pre-filled, and ``overridden`` marks a
    reporter's value that differs from it.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="entries")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    number = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    text = models.CharField(max_length=500, blank=True)
    computed = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    overridden = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("report value")
        verbose_name_plural = _("report values")
        constraints = [
            models.UniqueConstraint(fields=["submission", "indicator"],
                                    name="value_one_per_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}/{self.indicator_id}"


class VersionAction(models.TextChoices):
    SAVED = "saved", _("Saved as draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    REOPENED = "reopened", _("Reopened")


class ImmutableError(Exception):
    """A report version is history: it is never changed or deleted."""


class SubmissionVersionQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableError("report versions are immutable")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableError("report versions are immutable")


class SubmissionVersion(models.Model):
    """An immutable snapshot written at every save, submission and review of a report."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT,
                                   related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("action"), max_length=10, choices=VersionAction.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    values = models.JSONField(_("values"), default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = SubmissionVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        ordering = ["submission", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("report versions are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("report versions are immutable")


class Rollup(models.Model):
    """Per (form, date, unit): counted reports, on-time reports, sums and counts per indicator
    over the unit's whole subtree (organisations count where they are placed).

    ``sums`` maps indicator code to a decimal string, ``counts`` to the number of reports
    that gave a value (the divisor of an average). Maintained by ``reports.rollups`` in the
    same transaction as the reports; ``fangkong reports_rebuild`` recomputes them.
    """

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=64)
    depth = models.PositiveSmallIntegerField()
    submitted = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    sums = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("roll-up")
        verbose_name_plural = _("roll-ups")
        constraints = [
            models.UniqueConstraint(fields=["form", "date", "unit"], name="rollup_unique"),
        ]
        indexes = [
            models.Index(fields=["form", "unit", "date"], name="rollup_form_unit_date"),
            models.Index(fields=["form", "date", "depth", "unit_path"],
                         name="rollup_form_date_depth"),
        ]

    def __str__(self) -> str:
        return f"{self.form_id}/{self.date}/{self.unit_id}"

    def total(self, code: str) -> Decimal:
        return Decimal(self.sums.get(code, "0"))
