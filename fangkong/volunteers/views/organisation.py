"""The coordinator's organisation pages (issue #13): teams with their leader and
members, an organisation's paired communities (包联社区) and their history, sites, one
volunteer enrolled by hand, and a volunteer's profile. Records are fetched in the
user's scope (404 outside it); ``services`` authorise every write (``may_coordinate``)
and check every value (a refused one: 422, its message under its field)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.forms import add_errors
from fangkong.core.models import Level, Organisation, OrgUnit
from fangkong.core.roles import Cap
from fangkong.core.scoping import get_for_user, scope_for, units_visible_to
from fangkong.volunteers import forms as f
from fangkong.volunteers import services
from fangkong.volunteers.access import ORG_ROLES
from fangkong.volunteers.models import Pairing, Site, Team, Volunteer
from fangkong.volunteers.views.pages import _organisations, view_required


def _answer(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A form page: 422 when a sent form was refused (the shared JS puts the focus on
    the first message), else 200."""
    form = context.get("form")
    status = 422 if request.method == "POST" and form is not None and form.errors else 200
    return render(request, template, context, status=status)


def _units(user: Any) -> Any:
    """Where the user coordinates: their territory, or (a liaison) their organisation's
    own unit and the communities it is paired with now."""
    units = units_visible_to(user, Cap.EDIT)
    if units.exists():
        return units
    orgs = {g.organisation_id for g in scope_for(user).grants if g.role in ORG_ROLES}
    return OrgUnit.objects.filter(
        Q(pk__in=Organisation.objects.filter(pk__in=orgs).values("org_unit_id"))
        | Q(pk__in=Pairing.objects.active().filter(organisation_id__in=orgs)
            .values("org_unit_id")))


def _labelled(units: Any, *, level: str | None = None) -> list[tuple[str, str]]:
    """(code, "town · community") for a select: community names repeat across towns."""
    rows = list(units.filter(level=level) if level else units)
    parents = {u.path[:-u.steplen] for u in rows if u.depth > 1}
    names = dict(OrgUnit.objects.filter(path__in=parents).values_list("path", "name"))
    return sorted(((u.code, f"{names[u.path[:-u.steplen]]} · {u.name}"
                    if u.path[:-u.steplen] in names else u.name) for u in rows),
                  key=lambda row: row[1])


def _volunteer_label(v: Volunteer, team: Team | None = None) -> str:
    label = v.masked_name
    if v.team_id and (team is None or v.team_id != team.pk):
        label += " · " + _("now in %(team)s") % {"team": v.team.name}
    return label


def _pk(obj: Any) -> int | None:
    return None if obj is None else obj.pk


def _may_create(user: Any) -> bool:
    return bool(units_visible_to(user, Cap.EDIT).exists() or _organisations(user).exists())


# --- teams ----------------------------------------------------------------------------------

@view_required
def teams(request: HttpRequest) -> HttpResponse:
    qs = (Team.objects.visible_to(request.user)
          .select_related("organisation", "org_unit", "leader")
          .annotate(n=Count("members")).order_by("unit_path", "name"))
    return render(request, "volunteers/teams.html", {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")),
        "can_create": _may_create(request.user)})


def _team_volunteers(user: Any, organisation_id: int | None, unit_path: str,
                     team: Team | None = None) -> tuple[Any, list[tuple[int, str]]]:
    """What the member fields accept (every volunteer the user coordinates) and offer
    (the organisation's, or a team of no organisation: its unit's)."""
    accepted = Volunteer.objects.visible_to(user, Cap.EDIT)
    offered = accepted.select_related("team").order_by("name", "pk")
    if organisation_id:
        offered = offered.filter(organisation_id=organisation_id)
    elif unit_path:
        offered = offered.filter(unit_path__startswith=unit_path)
    else:  # a community's own team: volunteers of no organisation
        offered = offered.filter(organisation__isnull=True)
    return accepted, [(v.pk, _volunteer_label(v, team)) for v in offered[:500]]


@view_required
def team_new(request: HttpRequest) -> HttpResponse:
    organisations = _organisations(request.user).order_by("name")
    territorial = units_visible_to(request.user, Cap.EDIT).exists()
    raw = request.POST.get("organisation") or request.GET.get("organisation") or ""
    organisation = organisations.filter(pk=raw).first() if raw.isdigit() else None
    # A community's own team (a party members' service team) has no organisation.
    own = territorial and organisation is None and (raw == "none" or not organisations.exists())
    if organisation is None and not own and not territorial and organisations.count() == 1:
        organisation = organisations.first()
    if organisation is None and not own:  # first: whose team (its volunteers come next)
        if not organisations.exists():
            raise PermissionDenied
        return render(request, "volunteers/team_form.html", {
            "organisations": organisations, "chosen": raw, "territorial": territorial,
            "title": _("New volunteer team")})
    units = _units(request.user)
    accepted, offered = _team_volunteers(request.user, _pk(organisation), "")
    initial = {}
    if organisation is not None and units.filter(pk=organisation.org_unit_id).exists():
        initial["community"] = organisation.org_unit.code
    form = f.TeamForm(request.POST or None, units=units, volunteers=accepted,
                      offered=offered, initial=initial)
    f.offer(form.fields["community"], _labelled(units))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            team, created = services.create_team(
                request.user, d["community"], client_id=d["client_id"], name=d["name"],
                organisation=organisation, leader=d["leader"], members=list(d["members"]))
        except PermissionDenied:
            form.add_error("community", _("You may not make teams of this organisation "
                                          "in this unit."))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if created:
                messages.success(request, _("Team %(name)s saved.") % {"name": team.name})
            return redirect("volunteers:team", pk=team.pk)
    return _answer(request, "volunteers/team_form.html", {
        "form": form, "organisation": organisation, "title": _("New volunteer team"),
        "organisation_key": organisation.pk if organisation is not None else "none",
        "submit": _("Save the team"), "back": reverse("volunteers:teams")})


@view_required
def team(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Team.objects.select_related("organisation", "org_unit", "leader"),
                       request.user, pk=pk)
    members = (Volunteer.objects.visible_to(request.user).filter(team=obj)
               .order_by("name", "pk"))
    return render(request, "volunteers/team.html", {
        "team": obj, "members": members,
        "can_edit": services.may_coordinate(request.user, obj.unit_path,
                                            obj.organisation_id)})


@view_required
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Team.objects.select_related("organisation", "org_unit", "leader"),
                       request.user, pk=pk)
    if not services.may_coordinate(request.user, obj.unit_path, obj.organisation_id):
        raise PermissionDenied
    accepted, offered = _team_volunteers(request.user, obj.organisation_id, obj.unit_path,
                                         team=obj)
    form = f.TeamEditForm(request.POST or None, volunteers=accepted, offered=offered,
                          initial={"name": obj.name, "leader": obj.leader_id,
                                   "members": list(obj.members.values_list("pk", flat=True))})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.edit_team(request.user, obj, name=d["name"], leader=d["leader"],
                               members=list(d["members"]))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("volunteers:team", pk=obj.pk)
    return _answer(request, "volunteers/team_form.html", {
        "form": form, "organisation": obj.organisation, "record": obj,
        "title": _("Edit team"), "submit": _("Save"),
        "back": reverse("volunteers:team", args=[obj.pk])})


# --- paired communities ------------------------------------------------------------------------

def _pairings_page(request: HttpRequest, *, failed: Pairing | None = None,
                   end_form: Any = None) -> HttpResponse:
    today = timezone.localdate()
    rows = list(Pairing.objects.visible_to(request.user)
                .select_related("organisation", "org_unit").order_by("organisation__name",
                                                                     "unit_path", "-since"))
    for p in rows:
        p.current = p.until is None or p.until >= today
        p.can_end = p.until is None and services.may_coordinate(request.user, p.unit_path)
        p.end_form = end_form if failed is not None and p.pk == failed.pk else (
            f.EndPairingForm(initial={"until": today}, prefix=f"p{p.pk}") if p.can_end
            else None)
    return render(request, "volunteers/pairings.html", {
        "current": [p for p in rows if p.current], "past": [p for p in rows if not p.current],
        "can_create": units_visible_to(request.user, Cap.EDIT).exists()},
        status=422 if failed is not None else 200)


@view_required
def pairings(request: HttpRequest) -> HttpResponse:
    return _pairings_page(request)


@view_required
def pairing_new(request: HttpRequest) -> HttpResponse:
    units = units_visible_to(request.user, Cap.EDIT)
    if not units.exists():  # pairings are the territory's to decide
        raise PermissionDenied
    organisations = Organisation.objects.filter(is_active=True).filter(
        Q(is_member_unit=True) | Q(pk__in=_organisations(request.user).values("pk"))
    ).order_by("name")
    form = f.PairingForm(request.POST or None, units=units,
                         communities=_labelled(units, level=Level.COMMUNITY),
                         organisations=organisations,
                         initial={"since": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            pairing, created = services.record_pairing(
                request.user, d["organisation"], d["community"], client_id=d["client_id"],
                since=d["since"], until=d["until"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if created:
                messages.success(request, _("%(org)s is paired with %(unit)s.") % {
                    "org": pairing.organisation, "unit": pairing.org_unit.name})
            return redirect("volunteers:pairings")
    return _answer(request, "volunteers/pairing_form.html", {
        "form": form, "title": _("New paired community"), "submit": _("Save the pairing"),
        "back": reverse("volunteers:pairings")})


@require_POST
@view_required
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Pairing.objects.select_related("organisation", "org_unit"),
                       request.user, pk=pk)
    form = f.EndPairingForm(request.POST, prefix=f"p{obj.pk}")
    if form.is_valid():
        try:
            services.end_pairing(request.user, obj, until=form.cleaned_data["until"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The pairing of %(org)s with %(unit)s ends on "
                                        "%(day)s; it stays in the history.") % {
                "org": obj.organisation, "unit": obj.org_unit.name,
                "day": obj.until.isoformat()})
            return redirect("volunteers:pairings")
    return _pairings_page(request, failed=obj, end_form=form)


# --- sites ----------------------------------------------------------------------------------

@view_required
def sites(request: HttpRequest) -> HttpResponse:
    qs = (Site.objects.visible_to(request.user).select_related("org_unit", "checkpoint")
          .annotate(n=Count("shifts")).order_by("unit_path", "name"))
    return render(request, "volunteers/sites.html", {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")),
        "can_create": units_visible_to(request.user, Cap.EDIT).exists()})


def _checkpoints(user: Any) -> tuple[Any, list[tuple[int, str]]]:
    from fangkong.checkpoints.models import Checkpoint

    accepted = Checkpoint.objects.visible_to(user, Cap.EDIT)
    offered = accepted.filter(is_active=True).select_related("org_unit").order_by(
        "unit_path", "name")
    return accepted, [(c.pk, f"{c.org_unit.name} · {c.name}") for c in offered[:500]]


@view_required
def site_new(request: HttpRequest) -> HttpResponse:
    units = units_visible_to(request.user, Cap.EDIT)
    if not units.exists():
        raise PermissionDenied
    accepted, offered = _checkpoints(request.user)
    form = f.SiteForm(request.POST or None, units=units,
                      communities=_labelled(units, level=Level.COMMUNITY),
                      checkpoints=accepted, offered=offered)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            obj, created = services.create_site(
                request.user, d["community"], client_id=d["client_id"], name=d["name"],
                kind=d["kind"], checkpoint=d["checkpoint"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if created:
                messages.success(request, _("Site %(name)s saved: print its QR code.") % {
                    "name": obj.name})
            return redirect("volunteers:site", pk=obj.pk)
    return _answer(request, "volunteers/site_form.html", {
        "form": form, "title": _("New site"), "submit": _("Save the site"),
        "back": reverse("volunteers:sites")})


@view_required
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Site.objects.select_related("org_unit", "checkpoint"), request.user,
                       pk=pk)
    if not services.may_coordinate(request.user, obj.unit_path):
        raise PermissionDenied
    accepted, offered = _checkpoints(request.user)
    form = f.SiteEditForm(request.POST or None, checkpoints=accepted, offered=offered,
                          initial={"name": obj.name, "kind": obj.kind,
                                   "checkpoint": obj.checkpoint_id})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.edit_site(request.user, obj, name=d["name"], kind=d["kind"],
                               checkpoint=d["checkpoint"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("volunteers:site", pk=obj.pk)
    return _answer(request, "volunteers/site_form.html", {
        "form": form, "record": obj, "title": _("Edit site"), "submit": _("Save"),
        "back": reverse("volunteers:site", args=[obj.pk])})


@require_POST
@view_required
def site_renew(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Site, request.user, pk=pk)
    services.renew_site_code(request.user, obj)
    messages.success(request, _("The site has a new QR code: print it and replace the "
                                "posted one. The old code no longer works."))
    return redirect("volunteers:site", pk=obj.pk)


# --- one volunteer enrolled by hand, a volunteer's profile -------------------------------------

@view_required
def enrol(request: HttpRequest) -> HttpResponse:
    units = _units(request.user)
    organisations = _organisations(request.user).order_by("name")
    if not units.exists():
        raise PermissionDenied
    initial = {"political": "none"}
    if organisations.count() == 1:
        initial["organisation"] = organisations.first().pk
    form = f.EnrolForm(request.POST or None, units=units, organisations=organisations,
                       initial=initial)
    # Volunteers serve in a community (a liaison's staff: also the organisation's unit).
    f.offer(form.fields["community"], _labelled(
        units.filter(Q(level=Level.COMMUNITY) | Q(pk__in=organisations.values("org_unit_id")))))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            v, created = services.enrol(
                request.user, d["community"], client_id=d["client_id"],
                id_number=d["id_number"], name=d["name"], phone=d["phone"],
                phone_required=True, organisation=d["organisation"],
                political=d["political"], skills=d["skills"],
                availability=d["availability"], health_ok=d["health_ok"])
        except PermissionDenied:
            form.add_error("organisation", _("You may not enrol volunteers of this "
                                             "organisation in this unit."))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if created:
                messages.success(request, _("%(name)s is now a volunteer.") % {
                    "name": v.masked_name})
            elif v.client_id != d["client_id"]:  # the person was a volunteer already
                if not Volunteer.objects.visible_to(request.user).filter(pk=v.pk).exists():
                    form.add_error("id_number", _(
                        "This person is already a volunteer, of another organisation or "
                        "community: ask their coordinator. Nothing was added."))
                    return _answer(request, "volunteers/enrol.html", {
                        "form": form, "back": reverse("volunteers:volunteers")})
                messages.info(request, _(
                    "%(name)s was already a volunteer (since %(day)s): nothing was added. "
                    "This is their profile.") % {
                    "name": v.masked_name,
                    "day": timezone.localdate(v.created_at).isoformat()})
            return redirect("volunteers:volunteer", pk=v.pk)
    return _answer(request, "volunteers/enrol.html", {
        "form": form, "back": reverse("volunteers:volunteers")})


@view_required
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Volunteer.objects.select_related("organisation", "team", "org_unit"),
                       request.user, pk=pk)
    if not services.may_coordinate(request.user, obj.unit_path, obj.organisation_id):
        raise PermissionDenied
    organisations = Organisation.objects.filter(
        Q(pk__in=_organisations(request.user).values("pk")) | Q(pk=obj.organisation_id)
    ).order_by("name")
    form = f.CoordinatorProfileForm(request.POST or None, organisations=organisations,
                                    initial={"organisation": obj.organisation_id,
                                             "political": obj.political,
                                             "skills": obj.skills,
                                             "availability": obj.availability,
                                             "health_ok": obj.health_ok,
                                             "health_declared_on": obj.health_declared_on})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_profile(
                request.user, obj, organisation=d["organisation"], political=d["political"],
                skills=d["skills"], availability=d["availability"], health_ok=d["health_ok"],
                health_declared_on=d["health_declared_on"] if d["health_ok"] else None)
        except PermissionDenied:
            form.add_error("organisation", _("You may not move volunteers into this "
                                             "organisation."))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("volunteers:volunteer", pk=obj.pk)
    return _answer(request, "volunteers/profile_form.html", {
        "form": form, "v": obj, "back": reverse("volunteers:volunteer", args=[obj.pk])})
