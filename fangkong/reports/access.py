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
from fangkong.core.scoping import home_unit, scope_for, subtree_q
from fangkong.reports.models import Reporter, ReportForm, Submission


def reporters_for(user: Any, capability: str = Cap.VIEW, form: ReportForm | None = None
                  ) -> QuerySet[Reporter]:
    """Reporters the user holds ``capability`` for (``Reporter.objects.visible_to``)."""
    qs = Reporter.objects.visible_to(user, capability)
    return qs if form is None else qs.filter(form=form)


def visible_submissions(user: Any) -> QuerySet[Submission]:
    """Reports the user may open: overseen (view) or filled in (report)."""
    return (Submission.objects.visible_to(user, Cap.VIEW)
            | Submission.objects.visible_to(user, Cap.REPORT))


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
    if scope_for(user).can(Cap.CONFIGURE):
        return ReportForm.objects.all()
    reporters = reporters_for(user, Cap.VIEW) | reporters_for(user, Cap.REPORT)
    return ReportForm.objects.filter(pk__in=reporters.values("form_id"), is_active=True)


def can_report(user: Any, reporter: Reporter) -> bool:
    """Fill in and submit: a territorial grant over the reporter, or the organisation's own."""
    scope = scope_for(user)
    return scope.covers(Cap.REPORT, reporter.unit_path) or (
        reporter.organisation_id is not None
        and reporter.organisation_id in scope.organisation_ids(Cap.REPORT))


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


def resolve_unit(user: Any, code: str | None) -> OrgUnit | Organisation | None:
    """A territorial unit or organisation the user may view, by code; None if not visible."""
    scope = scope_for(user)
    if not code:
        own = sorted(scope.organisation_ids())
        return home_unit(user) or (Organisation.objects.filter(pk=own[0]).first() if own
                                   else None)
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is not None:
        return unit if scope.covers(Cap.VIEW, unit.path) else None
    org = Organisation.objects.filter(code=code).first()
    if org is None:
        return None
    if scope.covers(Cap.VIEW, org.unit_path) or org.pk in scope.organisation_ids():
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
            q |= subtree_q("unit_path", g.path) & (
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


def unit_options(user: Any, target: OrgUnit | Organisation) -> list[tuple[str, str]]:
    """The units the filters offer, as (code, label): the visible ancestors of the unit
    looked at, the unit itself and its children (a pick-list: nobody types 610900)."""
    if isinstance(target, Organisation):
        return [(target.code, target.name)]
    scope = scope_for(user)
    chain = [u for u in target.ancestors_and_self() if scope.covers(Cap.VIEW, u.path)]
    children = OrgUnit.objects.filter(subtree_q("path", target.path),
                                      depth=target.depth + 1).order_by("code")
    out = [(u.code, "　" * n + u.name) for n, u in enumerate(chain)]
    pad = "　" * len(chain)
    out += [(c.code, pad + c.name) for c in children]
    return out
