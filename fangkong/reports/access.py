"""Who may see, fill in and review which reports: decided here, used by views, API, services.

- Territorial grants (HQ, county/town staff, community workers, province viewer) cover the
  reporters and reports under their unit (``unit_path`` prefix), as everywhere else.
- Organisation grants (member-unit, enterprise and utility liaisons) cover the reporters of
  their own organisation only.
- Filling in needs ``report``; approving, returning and reopening needs ``approve`` on a
  grant *above* the reporter: a county approves its communities and the city approves the
  county, never a unit its own report. An organisation is reviewed by the territory it is
  placed in (the city HQ for a member unit).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from fangkong.core.models import Organisation, OrgUnit
from fangkong.core.models.accounts import Cap, Role
from fangkong.core.models.scoped import path_filter
from fangkong.core.scoping import scope_for
from fangkong.reports.models import Reporter, ReportForm, Submission


def _scope_q(user: Any, capability: str, path_field: str, org_field: str) -> Q | None:
    """Q over reporters/reports the user holds ``capability`` for; None means everything."""
    scope = scope_for(user)
    if scope.is_global(capability):
        return None
    q = path_filter(scope.paths(capability), field=path_field)
    org_ids = {
        g.organisation_id for g in scope.grants
        if g.organisation_id and capability in g.capabilities
    }
    if org_ids:
        q |= Q(**{f"{org_field}__in": org_ids})
    return q


def reporters_for(user: Any, capability: str = Cap.VIEW, form: ReportForm | None = None
                  ) -> QuerySet[Reporter]:
    qs = Reporter.objects.all()
    if form is not None:
        qs = qs.filter(form=form)
    q = _scope_q(user, capability, "unit_path", "organisation_id")
    return qs if q is None else qs.filter(q)


def submissions_for(user: Any, capability: str = Cap.VIEW) -> QuerySet[Submission]:
    q = _scope_q(user, capability, "unit_path", "reporter__organisation_id")
    qs = Submission.objects.all()
    return qs if q is None else qs.filter(q)


def visible_submissions(user: Any) -> QuerySet[Submission]:
    """Reports the user may open: overseen (view) or filled in (report)."""
    scope = scope_for(user)
    if scope.is_global(Cap.VIEW):
        return Submission.objects.all()
    q = Q(pk__in=[])
    for cap in (Cap.VIEW, Cap.REPORT):
        cq = _scope_q(user, cap, "unit_path", "reporter__organisation_id")
        if cq is None:
            return Submission.objects.all()
        q |= cq
    return Submission.objects.filter(q)


def get_submission_for_user(user: Any, **lookup: Any) -> Submission:
    """The report if the user may open it, else 404 (existence does not leak)."""
    try:
        return visible_submissions(user).select_related(
            "form", "reporter", "reporter__unit", "reporter__organisation", "org_unit",
        ).get(**lookup)
    except (Submission.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def forms_for(user: Any) -> QuerySet[ReportForm]:
    """Forms the user configures, reports or oversees."""
    scope = scope_for(user)
    if scope.can(Cap.CONFIGURE):
        return ReportForm.objects.all()
    q = Q(pk__in=[])
    for cap in (Cap.VIEW, Cap.REPORT):
        cq = _scope_q(user, cap, "reporters__unit_path", "reporters__organisation_id")
        if cq is None:
            return ReportForm.objects.filter(is_active=True)
        q |= cq
    return ReportForm.objects.filter(q, is_active=True).distinct()


def can_report(user: Any, reporter: Reporter) -> bool:
    """Fill in and submit: a territorial grant over the reporter, or the organisation's own."""
    scope = scope_for(user)
    if scope.superuser:
        return True
    for g in scope.grants:
        if Cap.REPORT not in g.capabilities:
            continue
        if Role.is_territorial(g.role) and reporter.unit_path.startswith(g.path):
            return True
        if reporter.organisation_id and g.organisation_id == reporter.organisation_id:
            return True
    return False


def can_review(user: Any, reporter: Reporter) -> bool:
    """Approve, return, reopen: a territorial grant above the reporter."""
    scope = scope_for(user)
    if scope.superuser:
        return True
    for g in scope.grants:
        if Cap.APPROVE not in g.capabilities or not Role.is_territorial(g.role):
            continue
        if reporter.is_organisation:
            if reporter.unit_path.startswith(g.path):
                return True
        elif reporter.unit_path.startswith(g.path) and reporter.unit_path != g.path:
            return True
    return False


def can_view_unit(user: Any, path: str) -> bool:
    """Does a territorial grant with ``view`` cover ``path``?"""
    scope = scope_for(user)
    return scope.superuser or any(path.startswith(p) for p in scope.paths(Cap.VIEW))


def units_for(user: Any) -> QuerySet[OrgUnit]:
    scope = scope_for(user)
    if scope.is_global(Cap.VIEW):
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(path_filter(scope.paths(Cap.VIEW), field="path"))


def home_unit(user: Any) -> OrgUnit | None:
    """The widest territorial unit the user oversees (the default of every overview)."""
    paths = scope_for(user).paths(Cap.VIEW)
    if scope_for(user).superuser and not paths:
        return OrgUnit.objects.filter(level="city").order_by("path").first() or (
            OrgUnit.objects.order_by("path").first())
    if not paths:
        return None
    return OrgUnit.objects.filter(path=min(paths, key=len)).first()


def resolve_unit(user: Any, code: str | None) -> OrgUnit | Organisation | None:
    """A territorial unit or organisation the user may view, by code; None if not visible."""
    scope = scope_for(user)
    if not code:
        own = sorted(scope.organisation_ids())
        return home_unit(user) or (Organisation.objects.filter(pk=own[0]).first() if own
                                   else None)
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is not None:
        return unit if can_view_unit(user, unit.path) else None
    org = Organisation.objects.filter(code=code).first()
    if org is None:
        return None
    if can_view_unit(user, org.unit_path) or org.pk in scope.organisation_ids():
        return org
    return None


def reviewable_submissions(user: Any) -> QuerySet[Submission]:
    """Reports the user may approve, return or reopen (see ``can_review``)."""
    scope = scope_for(user)
    if scope.superuser:
        return Submission.objects.all()
    q = Q(pk__in=[])
    for g in scope.grants:
        if Cap.APPROVE in g.capabilities and Role.is_territorial(g.role):
            q |= Q(unit_path__startswith=g.path) & (
                ~Q(unit_path=g.path) | Q(reporter__organisation__isnull=False))
    return Submission.objects.filter(q)


def own_reporters(user: Any) -> QuerySet[Reporter]:
    """The reporters that are the user's own unit or organisation: "my reports"."""
    scope = scope_for(user)
    units = {g.unit_id for g in scope.grants if Cap.REPORT in g.capabilities
             and Role.is_territorial(g.role)}
    orgs = {g.organisation_id for g in scope.grants
            if Cap.REPORT in g.capabilities and g.organisation_id}
    return Reporter.objects.filter(Q(unit_id__in=units) | Q(organisation_id__in=orgs),
                                   form__is_active=True)
