"""Figures of work resumption, read from the records on any past day.

An enterprise's status on a day is the last ``StatusChange`` before that day ends, so a
figure for 2020-03-02 asked today is what it was then. The daily report's "已复工项目"
and "重点项目" are pre-filled from ``projects_resumed`` and ``projects_total``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fangkong.core.registries import has_records, indicator, organisation_figure
from fangkong.resumption.models import (
    PREPARING,
    Employee,
    Enterprise,
    ManifestEntry,
    Status,
    StatusChange,
)


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min),
                               timezone.get_default_timezone())


def statuses_on(unit: Any, day: dt.date):
    """Enterprises registered by ``day`` under ``unit``, annotated with ``status_then``."""
    last = (StatusChange.objects.filter(enterprise=OuterRef("pk"), at__lt=_end_of(day))
            .order_by("-at", "-pk").values("to_status")[:1])
    return (Enterprise.objects.under(unit).filter(registered_on__lte=day)
            .annotate(status_then=Subquery(last)))


def summary(unit: Any, day: dt.date) -> dict[str, int]:
    """The figures of ``GET /api/v1/resumption/summary``."""
    counts = summary_projects(unit, day)
    counts["employees_returned"] = Employee.objects.under(unit).filter(
        returned_on__lte=day).count()
    counts["workers_transported"] = workers_transported(unit, day)
    return counts


def workers_transported(unit: Any, day: dt.date) -> int:
    return ManifestEntry.objects.filter(
        Q(batch__unit_path__startswith=unit.path), batch__arrival_at__lt=_end_of(day),
        departure_ok=True).count()


def review_hours(unit: Any, day: dt.date | None = None) -> tuple[float | None, int]:
    """Mean hours from a filing to the county's decision (return or approval) and the
    number of decisions, from the status history."""
    qs = StatusChange.objects.filter(
        enterprise__unit_path__startswith=unit.path,
        to_status__in=[Status.FILED, Status.RETURNED, Status.APPROVED])
    if day is not None:
        qs = qs.filter(at__lt=_end_of(day))
    filed: dict[int, dt.datetime] = {}
    total, n = 0.0, 0
    for ent, to, at in qs.order_by("enterprise_id", "at", "pk").values_list(
            "enterprise_id", "to_status", "at"):
        if to == Status.FILED:
            filed[ent] = at
        elif ent in filed:
            total += (at - filed.pop(ent)).total_seconds() / 3600
            n += 1
    return (round(total / n, 1) if n else None), n


def latest_day(up_to: dt.date) -> dt.date | None:
    found = (StatusChange.objects.filter(at__lt=_end_of(up_to))
             .annotate(d=TruncDate("at", tzinfo=timezone.get_default_timezone()))
             .aggregate(last=Max("d")))["last"]
    return found


#: Home cards only where the module has records in the viewer's area (core.registries).
HAS_RESUMPTION = has_records("resumption.Enterprise", "resumption.MigrantWorker")


@indicator("resumption.projects_resumed", gettext_lazy("Projects resumed"), "个",
           home_card=True, home_if=HAS_RESUMPTION,
           module="resumption")
def projects_resumed(unit: Any, day: dt.date) -> int:
    return summary_projects(unit, day)["resumed"]


@indicator("resumption.projects_total", gettext_lazy("Key projects"), "个",
           module="resumption")
def projects_total(unit: Any, day: dt.date) -> int:
    return summary_projects(unit, day)["projects"]


@indicator("resumption.projects_preparing", gettext_lazy("Projects preparing to resume"),
           "个", module="resumption")
def projects_preparing(unit: Any, day: dt.date) -> int:
    return summary_projects(unit, day)["preparing"]


@indicator("resumption.enterprises_resumed", gettext_lazy("Enterprises resumed"), "家",
           module="resumption")
def enterprises_resumed(unit: Any, day: dt.date) -> int:
    return statuses_on(unit, day).filter(is_key_project=False,
                                         status_then=Status.RESUMED).count()


@indicator("resumption.employees_returned", gettext_lazy("Employees returned"), "人",
           cumulative=True, module="resumption")
def employees_returned(unit: Any, day: dt.date) -> int:
    return Employee.objects.under(unit).filter(returned_on__lte=day).count()


@indicator("resumption.workers_transported", gettext_lazy("Migrant workers transported "
                                                         "point to point"), "人",
           cumulative=True, home_card=True, home_if=HAS_RESUMPTION,
           module="resumption")
def transported(unit: Any, day: dt.date) -> int:
    return workers_transported(unit, day)


def summary_projects(unit: Any, day: dt.date) -> dict[str, int]:
    out = {"projects": 0, "resumed": 0, "preparing": 0}
    for status in statuses_on(unit, day).filter(is_key_project=True).values_list(
            "status_then", flat=True):
        out["projects"] += 1
        if status == Status.RESUMED:
            out["resumed"] += 1
        elif status in PREPARING or status is None:
            out["preparing"] += 1
    return out


# --- the enterprise's daily epidemic report (企业疫情日报), pre-filled from its records --
def _employees_of(organisation: Any):
    return Employee.objects.filter(enterprise__organisation=organisation)


@indicator("resumption.staff_returned_today", gettext_lazy("Staff returned that day"), "人",
           module="resumption")
def staff_returned_today(unit: Any, day: dt.date) -> int:
    return Employee.objects.under(unit).filter(returned_on=day).count()


@organisation_figure("resumption.staff_returned_today")
def enterprise_staff_returned_today(organisation: Any, day: dt.date) -> int | None:
    if not Enterprise.objects.filter(organisation=organisation).exists():
        return None
    return _employees_of(organisation).filter(returned_on=day).count()


@indicator("resumption.staff_screened", gettext_lazy("Returned staff screened"), "人",
           cumulative=True, module="resumption")
def staff_screened(unit: Any, day: dt.date) -> int:
    return Employee.objects.under(unit).filter(returned_on__lte=day).count()


@organisation_figure("resumption.staff_screened")
def enterprise_staff_screened(organisation: Any, day: dt.date) -> int | None:
    if not Enterprise.objects.filter(organisation=organisation).exists():
        return None
    return _employees_of(organisation).filter(returned_on__lte=day).count()
