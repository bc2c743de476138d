"""Task-force pages: the task forces a user may see, one task force with its member
units (leaders, contacts masked, reveal audited, what each unit answers for) and its
helpers; creating and editing task forces, member units and helpers
(``services.taskforces`` authorises each write)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from fangkong.care.access import CARE_ROLES
from fangkong.care.forms import (
    HelperEditForm,
    HelperForm,
    MemberEditForm,
    MemberForm,
    TaskForceEditForm,
    TaskForceForm,
)
from fangkong.care.models import Elderly, Helper, MedicalWorker, TaskForce, TaskForceMember
from fangkong.care.services import taskforces as tfs
from fangkong.core import audit, pii
from fangkong.core.forms import RevealForm, add_errors
from fangkong.core.models import Organisation
from fangkong.core.models.accounts import Cap, Role
from fangkong.core.models.audit import PiiAction
from fangkong.core.models.territory import Level, OrgKind
from fangkong.core.scoping import capability_required, get_for_user, scope_for, units_visible_to

#: Helpers work on their families' pages; the task force's own pages are its
#: coordinators', its member units' liaisons' and territorial staff's.
TASK_FORCE_ROLES = (Role.TASK_FORCE, Role.MEMBER_UNIT)
view_required = capability_required(Cap.VIEW, roles=TASK_FORCE_ROLES)
HELPERS_PER_PAGE = 50


def may_open(user: Any) -> bool:
    """Whether the task-force pages are for ``user`` (the care pages' link to them)."""
    return scope_for(user).can(Cap.VIEW, roles=TASK_FORCE_ROLES)


def _organisations() -> Any:
    return Organisation.objects.exclude(kind__in=(OrgKind.ENTERPRISE, OrgKind.PROJECT)
                                        ).order_by("-is_member_unit", "name")


def _creatable_units(user: Any) -> Any:
    return units_visible_to(user, Cap.EDIT).filter(level__in=(Level.CITY, Level.COUNTY))


def _task_force(request: HttpRequest, pk: int, capability: str = Cap.VIEW) -> TaskForce:
    return get_for_user(TaskForce.objects.select_related("organisation", "org_unit"),
                        request.user, capability, pk=pk)


def _form_page(request: HttpRequest, form: Any, *, title: str, back: str,
               task_force: TaskForce | None = None, template: str = "care/taskforce_form.html",
               **extra: Any) -> HttpResponse:
    return render(request, template, {
        "form": form, "title": title, "back": back, "task_force": task_force, **extra},
        status=422 if form.is_bound and form.errors else 200)


def _seen_again(form_class: type, record: Any, initial: dict[str, Any], fields: tuple,
                exc: ValidationError, **kwargs: Any) -> Any:
    """After a stale edit: the form with the stored values and the refusal on top."""
    record.refresh_from_db()
    fresh = {k: ("" if v is None else v) for k, v in initial(record).items()}
    fresh["seen"] = tfs.version(record, fields)
    form = form_class(fresh, **kwargs)
    form.is_valid()
    add_errors(form, exc)
    return form


# --- the list and one task force ----------------------------------------------------------

@view_required
def taskforces(request: HttpRequest) -> HttpResponse:
    qs = (TaskForce.objects.visible_to(request.user)
          .select_related("organisation", "org_unit")
          .annotate(n_members=Count("members", distinct=True),
                    n_helpers=Count("helpers", distinct=True))
          .order_by("name", "pk"))
    return render(request, "care/taskforce_list.html", {
        "task_forces": qs, "can_create": _creatable_units(request.user).exists()})


def _counts(model: Any, task_force: TaskForce, field: str) -> dict[int, int]:
    return dict(model.objects.filter(task_force=task_force).values_list(field)
                .annotate(n=Count("pk")).values_list(field, "n"))


def _detail(request: HttpRequest, tf: TaskForce, *, revealed: dict | None = None,
            reveal_form: Any = None, status: int = 200) -> HttpResponse:
    user = request.user
    helpers = _counts(Helper, tf, "organisation_id")
    workers = _counts(MedicalWorker, tf, "member_unit_id")
    elderly = _counts(Elderly, tf, "member_unit_id")
    lead = tfs.is_lead(user, tf)
    own = tfs.liaison_units(user, tf)
    members = []
    for m in tf.members.select_related("organisation").order_by("organisation__name"):
        members.append({
            "row": m, "helpers": helpers.get(m.organisation_id, 0),
            "workers": workers.get(m.organisation_id, 0),
            "elderly": elderly.get(m.organisation_id, 0),
            "phone": (revealed or {}).get(f"member-{m.pk}")
            or pii.value(m, "contact_phone", masked=True),
            "can_edit": lead or m.organisation_id in own,
            "is_lead_unit": m.organisation_id == tf.organisation_id})
    lead_counts = {"helpers": helpers.get(tf.organisation_id, 0),
                   "workers": workers.get(tf.organisation_id, 0),
                   "elderly": elderly.get(tf.organisation_id, 0)}
    can_reveal = (scope_for(user).can(Cap.REVEAL_PII, tf.unit_path, roles=CARE_ROLES)
                  and TaskForce.objects.visible_to(user, Cap.REVEAL_PII).filter(
                      pk=tf.pk).exists())
    return render(request, "care/taskforce.html", {
        "tf": tf, "members": members, "lead_counts": lead_counts,
        "lead_is_member": any(m["is_lead_unit"] for m in members),
        "contact_phone": (revealed or {}).get("task_force")
        or pii.value(tf, "contact_phone", masked=True),
        "revealed": revealed, "can_reveal": can_reveal,
        "reveal_form": reveal_form or RevealForm(),
        "helpers": Paginator(Helper.objects.visible_to(user).filter(task_force=tf)
                             .select_related("organisation", "user").order_by("code"),
                             HELPERS_PER_PAGE).get_page(request.GET.get("page")),
        "is_lead": lead, "may_register": tfs.may_register_helpers(user, tf),
        "editable_helpers": set(Helper.objects.filter(task_force=tf).filter(
            organisation_id__in=[o.pk for o in tfs.helper_units(user, tf)])
            .values_list("pk", flat=True)),
    }, status=status)


@view_required
def taskforce(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _task_force(request, pk))


@require_POST
@audit.logs_refusals(PiiAction.REVEAL, TaskForce)
@capability_required(Cap.REVEAL_PII, roles=CARE_ROLES)
def taskforce_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The contacts' phones in full, each row's access logged with the reason."""
    tf = _task_force(request, pk, Cap.REVEAL_PII)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            shown = audit.reveal(request.user, tf, ["contact_phone"], reason, request=request,
                                 roles=CARE_ROLES)
            revealed = {"task_force": shown["contact_phone"]}
            for m in tf.members.select_related("organisation").exclude(contact_phone=""):
                revealed[f"member-{m.pk}"] = audit.reveal(
                    request.user, m, ["contact_phone"], reason, request=request,
                    roles=CARE_ROLES)["contact_phone"]
        except ValidationError as exc:
            form.add_error("reason", exc.message_dict.get("reason", exc.messages))
            revealed = None
    return _detail(request, tf, revealed=revealed, reveal_form=form,
                   status=422 if form.errors else 200)


# --- creating and editing a task force -----------------------------------------------------

@view_required
def taskforce_new(request: HttpRequest) -> HttpResponse:
    units = _creatable_units(request.user)
    if not units.exists():
        raise PermissionDenied
    form = TaskForceForm(request.POST or None, units=units, organisations=_organisations(),
                         initial={"unit": units.first().code})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            tf, _created = tfs.create_task_force(
                request.user, d["unit"], client_id=d["client_id"], name=d["name"],
                organisation=d["organisation"], leader=d["leader"],
                contact_name=d["contact_name"], contact_phone=d["contact_phone"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Task force %(name)s saved.") % {"name": tf.name})
            return redirect("care:taskforce", pk=tf.pk)
    return _form_page(request, form, title=_("New task force"),
                      back=reverse("care:taskforces"))


def _tf_initial(tf: TaskForce) -> dict[str, Any]:
    return {"name": tf.name, "leader": tf.leader, "contact_name": tf.contact_name}


@view_required
def taskforce_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tf = _task_force(request, pk)
    if not tfs.is_lead(request.user, tf):
        raise PermissionDenied
    initial = {**_tf_initial(tf), "seen": tfs.version(tf, tfs.TASK_FORCE_FIELDS)}
    form = TaskForceEditForm(request.POST or None, initial=initial)
    form.fields["contact_phone"].widget.attrs["placeholder"] = pii.value(
        tf, "contact_phone", masked=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            tfs.update_task_force(request.user, tf, name=d["name"], leader=d["leader"],
                                  contact_name=d["contact_name"],
                                  contact_phone=d["contact_phone"], seen=d["seen"])
        except ValidationError as exc:
            if getattr(exc, "code", None) == tfs.STALE:
                form = _seen_again(TaskForceEditForm, tf, _tf_initial,
                                   tfs.TASK_FORCE_FIELDS, exc)
            else:
                add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("care:taskforce", pk=tf.pk)
    return _form_page(request, form, title=_("Edit the task force"), task_force=tf,
                      back=reverse("care:taskforce", args=[tf.pk]))


# --- member units --------------------------------------------------------------------------

@view_required
def member_new(request: HttpRequest, pk: int) -> HttpResponse:
    tf = _task_force(request, pk)
    if not tfs.is_lead(request.user, tf):
        raise PermissionDenied
    members = tf.members.all()
    key = tfs.posted_key(request.POST.get("client_id"))
    if key is not None:  # the form sent again: its member is offered still
        members = members.exclude(client_id=key)
    choices = _organisations().exclude(pk__in=members.values("organisation_id"))
    form = MemberForm(request.POST or None, organisations=choices)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            member, _created = tfs.add_member(
                request.user, tf, client_id=d["client_id"], organisation=d["organisation"],
                leader=d["leader"], contact_name=d["contact_name"],
                contact_phone=d["contact_phone"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("%(unit)s is a member unit now.") % {"unit": member})
            return redirect("care:taskforce", pk=tf.pk)
    return _form_page(request, form, title=_("Add a member unit"), task_force=tf,
                      back=reverse("care:taskforce", args=[tf.pk]))


def _member(request: HttpRequest, pk: int) -> TaskForceMember:
    """A member row of a task force the user may see (404 otherwise)."""
    member = get_object_or_404(TaskForceMember.objects.select_related("organisation"), pk=pk)
    member.task_force = _task_force(request, member.task_force_id)
    return member


def _member_initial(m: TaskForceMember) -> dict[str, Any]:
    return {"leader": m.leader, "contact_name": m.contact_name}


@view_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    if not tfs.may_edit_member(request.user, member):
        raise PermissionDenied
    tf = member.task_force
    initial = {**_member_initial(member), "seen": tfs.version(member, tfs.MEMBER_FIELDS)}
    form = MemberEditForm(request.POST or None, initial=initial)
    form.fields["contact_phone"].widget.attrs["placeholder"] = pii.value(
        member, "contact_phone", masked=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            tfs.update_member(request.user, member, leader=d["leader"],
                              contact_name=d["contact_name"],
                              contact_phone=d["contact_phone"], seen=d["seen"])
        except ValidationError as exc:
            if getattr(exc, "code", None) == tfs.STALE:
                form = _seen_again(MemberEditForm, member, _member_initial, tfs.MEMBER_FIELDS,
                                   exc)
            else:
                add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("care:taskforce", pk=tf.pk)
    return _form_page(
        request, form, task_force=tf, back=reverse("care:taskforce", args=[tf.pk]),
        title=pgettext("care", "Member unit %(unit)s") % {"unit": member},
        member=member, refusal=tfs.removal_refusal(member) if tfs.is_lead(request.user, tf)
        else None)


@require_POST
@view_required
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    tf = member.task_force
    if not tfs.is_lead(request.user, tf):
        raise PermissionDenied
    try:
        tfs.remove_member(request.user, member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("care:member_edit", pk=member.pk)
    messages.success(request, _("%(unit)s is no longer a member unit.") % {"unit": member})
    return redirect("care:taskforce", pk=tf.pk)


# --- helpers -------------------------------------------------------------------------------

@view_required
def helper_new(request: HttpRequest, pk: int) -> HttpResponse:
    tf = _task_force(request, pk)
    if not tfs.may_register_helpers(request.user, tf):
        raise PermissionDenied
    units = tfs.helper_units(request.user, tf)
    form = HelperForm(request.POST or None, organisations=units,
                      users=tfs.linkable_users(tf, client_id=request.POST.get("client_id")),
                      initial={"organisation": units.first().pk} if units.count() == 1 else {})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            helper, _created = tfs.register_helper(
                request.user, tf, client_id=d["client_id"], name=d["name"], phone=d["phone"],
                organisation=d["organisation"], user=d["user"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Helper %(code)s %(name)s registered.") % {
                "code": helper.code, "name": helper.name})
            return redirect("care:taskforce", pk=tf.pk)
    return _form_page(request, form, title=_("Register a helper"), task_force=tf,
                      back=reverse("care:taskforce", args=[tf.pk]),
                      template="care/helper_form.html", next_code=tfs.next_code(tf))


def _helper_initial(h: Helper) -> dict[str, Any]:
    return {"name": h.name, "organisation": h.organisation_id, "user": h.user_id,
            "is_active": h.is_active}


@view_required
def helper_edit(request: HttpRequest, pk: int) -> HttpResponse:
    helper = get_for_user(Helper.objects.select_related("task_force", "organisation"),
                          request.user, Cap.VIEW, pk=pk)
    if not tfs.may_edit_helper(request.user, helper):
        raise PermissionDenied
    tf = helper.task_force
    kwargs = {"organisations": tfs.helper_units(request.user, tf),
              "users": tfs.linkable_users(tf, helper)}
    initial = {**_helper_initial(helper), "seen": tfs.version(helper, tfs.HELPER_FIELDS)}
    form = HelperEditForm(request.POST or None, initial=initial, **kwargs)
    form.fields["phone"].widget.attrs["placeholder"] = pii.value(helper, "phone", masked=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            tfs.update_helper(request.user, helper, name=d["name"], phone=d["phone"],
                              organisation=d["organisation"], user=d["user"],
                              is_active=d["is_active"], seen=d["seen"])
        except ValidationError as exc:
            if getattr(exc, "code", None) == tfs.STALE:
                form = _seen_again(HelperEditForm, helper, _helper_initial, tfs.HELPER_FIELDS,
                                   exc, **kwargs)
            else:
                add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("care:taskforce", pk=tf.pk)
    return _form_page(request, form, task_force=tf, helper=helper,
                      title=_("Helper %(code)s %(name)s") % {"code": helper.code,
                                                           "name": helper.name},
                      back=reverse("care:taskforce", args=[tf.pk]),
                      template="care/helper_form.html")
