"""Resumption pages: the overview per county, the registry, the filing and its review,
employees, migrant workers and transport batches, passes, and the public check of a
pass (no login)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.forms import add_errors
from fangkong.core.models.territory import Level
from fangkong.core.roles import Cap, Role
from fangkong.core.scoping import (
    capability_required,
    get_for_user,
    get_unit_for_user,
    home_unit,
    scope_for,
    units_visible_to,
)
from fangkong.core.services.people import clean_person_data
from fangkong.resumption import indicators, pdf
from fangkong.resumption.briefing import resumption_sentence
from fangkong.resumption.forms import (
    AttachmentForm,
    BatchForm,
    ChecklistForm,
    DemandForm,
    EmployeeForm,
    EnterpriseForm,
    HandOverForm,
    PassForm,
    ReasonForm,
    ResumedForm,
    ReviewForm,
    RotateForm,
    TemperaturesForm,
    VerifyForm,
    WorkerForm,
)
from fangkong.resumption.models import (
    Attachment,
    BatchStatus,
    Enterprise,
    MigrantWorker,
    Pass,
    SigningKey,
    Status,
    TransportBatch,
)
from fangkong.resumption.services import filing as filing_svc
from fangkong.resumption.services import passes as pass_svc
from fangkong.resumption.services import workers as worker_svc

LIAISON = (Role.ENTERPRISE_LIAISON,)


def _day(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        from fangkong.core.dataday import data_day
        return data_day()


@capability_required(Cap.VIEW)
def index(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("unit")
    unit = get_unit_for_user(request.user, code) if code else home_unit(request.user)
    day = _day(request)
    rows = []
    children = unit.get_children().order_by("code") if unit.level in (Level.CITY,
                                                                       Level.PROVINCE) else []
    for child in children:
        hours, n = indicators.review_hours(child, day)
        rows.append((child, indicators.summary(child, day), hours, n))
    hours, n = indicators.review_hours(unit, day)
    return render(request, "resumption/index.html", {
        "unit": unit, "day": day, "total": indicators.summary(unit, day), "rows": rows,
        "hours": hours, "decisions": n, "sentence": resumption_sentence(unit, day),
        "can_edit": scope_for(request.user).can(Cap.EDIT),
        "can_configure": scope_for(request.user).can(Cap.CONFIGURE),
    })


@capability_required(Cap.REPORT, roles=LIAISON)
def mine(request: HttpRequest) -> HttpResponse:
    orgs = scope_for(request.user).organisation_ids()
    enterprise = Enterprise.objects.filter(organisation_id__in=orgs).first()
    if enterprise is None:
        raise Http404
    return redirect("resumption:filing", pk=enterprise.pk)


# --- registry ----------------------------------------------------------------------------
@capability_required(Cap.VIEW)
def enterprises(request: HttpRequest) -> HttpResponse:
    qs = Enterprise.objects.visible_to(request.user).select_related("org_unit")
    text = request.GET.get("q", "").strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(uscc__icontains=text))
    status = request.GET.get("status", "")
    if status in Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("key") == "1":
        qs = qs.filter(is_key_project=True)
    page = Paginator(qs.order_by("unit_path", "name"), 50).get_page(request.GET.get("page"))
    return render(request, "resumption/enterprises.html", {
        "page": page, "q": text, "status": status, "statuses": Status.choices,
        "can_edit": scope_for(request.user).can(Cap.EDIT),
        "can_import": scope_for(request.user).can(Cap.IMPORT)})


@capability_required(Cap.EDIT)
def enterprise_new(request: HttpRequest) -> HttpResponse:
    units = units_visible_to(request.user, Cap.EDIT).exclude(level=Level.PROVINCE)
    form = EnterpriseForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            enterprise, _created = filing_svc.register_enterprise(
                request.user, d["unit"], client_id=d["client_id"], name=d["name"],
                uscc=d["uscc"], industry=d["industry"], is_key_project=d["is_key_project"],
                headcount=d["headcount"], liaison_name=d["liaison_name"],
                liaison_phone=d["liaison_phone"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("resumption:enterprise", pk=enterprise.pk)
    return render(request, "resumption/form.html", {
        "form": form, "title": _("Register an enterprise or key project"),
        "back": reverse("resumption:enterprises")}, status=422 if form.errors else 200)


def _enterprise(request: HttpRequest, pk: int) -> Enterprise:
    """The enterprise if the user sees it (staff of its area, or its own liaison)."""
    return get_for_user(Enterprise.objects.select_related("org_unit"), request.user,
                        Cap.VIEW, pk=pk)


@login_required
def enterprise(request: HttpRequest, pk: int) -> HttpResponse:
    ent = _enterprise(request, pk)
    return render(request, "resumption/enterprise.html", {
        "e": ent, "history": ent.history.select_related("actor"),
        "employees": ent.employees.all()[:200],
        "workers": ent.workers.all()[:200], "demands": ent.demands.all(),
        "passes": ent.passes.all()[:50],
        "employee_form": EmployeeForm() if filing_svc.may_file(request.user, ent) else None,
        "demand_form": DemandForm() if filing_svc.may_file(request.user, ent) else None,
        "can_file": filing_svc.may_file(request.user, ent),
        # A liaison reaches only their own enterprise: no list to go back to.
        "can_list": scope_for(request.user).can(Cap.VIEW),
    })


@login_required
@require_POST
def employee_new(request: HttpRequest, pk: int) -> HttpResponse:
    ent = _enterprise(request, pk)
    form = EmployeeForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            person = clean_person_data(id_number=d["id_number"], name=d["name"],
                                       phone=d["phone"])
            worker_svc.record_employee(
                request.user, ent, client_id=d["client_id"], person=person,
                came_from=d["came_from"], whereabouts=d["whereabouts"],
                returned_on=d["returned_on"], health=d["health"],
                observation_until=d["observation_until"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("resumption:enterprise", pk=ent.pk)
    return render(request, "resumption/form.html", {
        "form": form, "title": _("Employee returned"),
        "back": reverse("resumption:enterprise", args=[ent.pk])}, status=422)


@login_required
@require_POST
def demand_new(request: HttpRequest, pk: int) -> HttpResponse:
    ent = _enterprise(request, pk)
    form = DemandForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            worker_svc.add_demand(request.user, ent, client_id=d["client_id"], skill=d["skill"],
                                  count=d["count"], needed_by=d["needed_by"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("resumption:enterprise", pk=ent.pk)
    return render(request, "resumption/form.html", {
        "form": form, "title": _("Demand for workers"),
        "back": reverse("resumption:enterprise", args=[ent.pk])}, status=422)


# --- filing and review -------------------------------------------------------------------
def _checklist_initial(filing: Any, items: list[Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {"planned_start": filing.planned_start}
    for item in items:
        initial[f"{item.code}_answer"] = item.answer
        initial[f"{item.code}_days"] = item.stock_days
    return initial


def _review_initial(items: list[Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for item in items:
        initial[f"{item.code}_comment"] = item.comment
        initial[f"{item.code}_missing"] = item.missing
    return initial


def _filing_page(request: HttpRequest, ent: Enterprise, *, checklist: Any = None,
                 review: Any = None, upload: Any = None, status: int = 200) -> HttpResponse:
    # Reads only: the filing is made by the first POST that saves something.
    filing, item_list = filing_svc.read_filing(ent)
    can_file = filing_svc.may_file(request.user, ent)
    can_review = filing_svc.may_review(request.user, ent)
    editable = can_file and ent.status in filing_svc.EDITABLE
    items = {i.code: i for i in item_list}
    files: dict[str, list[Any]] = {}
    for a in (filing.attachments.all() if filing.pk else ()):
        files.setdefault(a.item_code, []).append(a)
    checklist = checklist or ChecklistForm(initial=_checklist_initial(filing, item_list))
    review = review or ReviewForm(initial=_review_initial(item_list))
    rows = []
    for code, answer_field, days_field in checklist.rows():
        rows.append({"code": code, "label": filing_svc.LABELS[code], "answer": answer_field,
                     "days": days_field, "item": items[code], "files": files.get(code, []),
                     "missing": review[f"{code}_missing"],
                     "comment": review[f"{code}_comment"]})
    return render(request, "resumption/filing.html", {
        "e": ent, "filing": filing, "rows": rows, "checklist": checklist, "review": review,
        "upload": upload or AttachmentForm(), "editable": editable, "can_file": can_file,
        "can_review": can_review and ent.status == Status.FILED,
        "can_resume": can_file and ent.status == Status.APPROVED,
        "can_suspend": can_review and ent.status in (Status.APPROVED, Status.RESUMED),
        "can_refile": can_file and ent.status == Status.SUSPENDED,
        "resumed_form": ResumedForm(initial={"day": timezone.localdate()}),
        "reason_form": ReasonForm(),
        "history": ent.history.all(),
        "last_return": ent.history.filter(to_status=Status.RETURNED).last(),
    }, status=status)


@login_required
def filing(request: HttpRequest, pk: int) -> HttpResponse:
    ent = _enterprise(request, pk)
    if request.method != "POST":
        return _filing_page(request, ent)
    if not filing_svc.may_file(request.user, ent):
        raise Http404
    form = ChecklistForm(request.POST)
    if form.is_valid():
        if "submit" in request.POST and filing_svc.is_filed_as(
                ent, planned_start=form.cleaned_data["planned_start"], answers=form.answers()):
            return redirect("resumption:filing", pk=ent.pk)  # filed once, sent again
        try:
            filing_svc.save_checklist(request.user, ent,
                                      planned_start=form.cleaned_data["planned_start"],
                                      answers=form.answers())
            if "submit" in request.POST:
                filing_svc.submit_filing(request.user, ent)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("resumption:filing", pk=ent.pk)
    ent.refresh_from_db()
    return _filing_page(request, ent, checklist=form, status=422)


@login_required
@require_POST
def attachment_new(request: HttpRequest, pk: int) -> HttpResponse:
    ent = _enterprise(request, pk)
    if not filing_svc.may_file(request.user, ent) or ent.status not in filing_svc.EDITABLE:
        raise Http404
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        f = form.cleaned_data["file"]
        filing_svc.attach(request.user, ent, client_id=form.cleaned_data["client_id"],
                          item=form.cleaned_data["item"], name=f.name, content=f.read(),
                          content_type=f.checked_type, ext=f.checked_ext)
        return redirect("resumption:filing", pk=ent.pk)
    return _filing_page(request, ent, upload=form, status=422)


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    a = Attachment.objects.select_related("filing").filter(pk=pk).first()
    if a is None:
        raise Http404
    _enterprise(request, a.filing.enterprise_id)  # 404 outside the user's scope
    response = FileResponse(a.file.open("rb"), content_type=a.content_type,
                            as_attachment=True, filename=a.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    ent = _enterprise(request, pk)
    if not filing_svc.may_review(request.user, ent):
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            if request.POST.get("decision") == "approve":
                filing_svc.approve_filing(request.user, ent, comments=form.comments(),
                                          reason=form.cleaned_data["reason"])
            else:
                filing_svc.return_filing(request.user, ent, comments=form.comments(),
                                         missing=form.missing(),
                                         reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("resumption:filing", pk=ent.pk)
    return _filing_page(request, ent, review=form, status=422)


@login_required
@require_POST
def resumed(request: HttpRequest, pk: int) -> HttpResponse:
    ent = _enterprise(request, pk)
    if not filing_svc.may_file(request.user, ent):
        raise Http404
    form = ResumedForm(request.POST)
    if form.is_valid():
        try:
            filing_svc.mark_resumed(request.user, ent, day=form.cleaned_data["day"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("resumption:filing", pk=ent.pk)
    return _filing_page(request, ent, status=422)


@login_required
@require_POST
def suspend(request: HttpRequest, pk: int) -> HttpResponse:
    ent = _enterprise(request, pk)
    if not filing_svc.may_review(request.user, ent):
        raise Http404
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            filing_svc.suspend(request.user, ent, reason=form.cleaned_data["reason"])
        except ValidationError:
            pass
    return redirect("resumption:filing", pk=ent.pk)


@login_required
@require_POST
def refile(request: HttpRequest, pk: int) -> HttpResponse:
    ent = _enterprise(request, pk)
    if not filing_svc.may_file(request.user, ent):
        raise Http404
    filing_svc.refile_after_suspension(request.user, ent)
    return redirect("resumption:filing", pk=ent.pk)


@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    ent = _enterprise(request, pk)
    filing = getattr(ent, "filing", None)
    if filing is None or not filing.notice_number:
        raise Http404
    response = HttpResponse(pdf.notice(ent, filing), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{filing.notice_number}.pdf"'
    return response


# --- migrant workers and batches ---------------------------------------------------------
@capability_required(Cap.VIEW)
def workers(request: HttpRequest) -> HttpResponse:
    qs = MigrantWorker.objects.visible_to(request.user).select_related(
        "org_unit", "employer", "poor_household")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "resumption/workers.html", {
        "page": page, "can_edit": scope_for(request.user).can(Cap.EDIT),
        "can_import": scope_for(request.user).can(Cap.IMPORT)})


def _employers(request: HttpRequest) -> Any:
    return Enterprise.objects.all().order_by("name")


@capability_required(Cap.EDIT)
def worker_new(request: HttpRequest) -> HttpResponse:
    form = WorkerForm(request.POST or None,
                      units=units_visible_to(request.user, Cap.EDIT).exclude(
                          level=Level.PROVINCE), employers=_employers(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = clean_person_data(id_number=d["id_number"], name=d["name"],
                                       phone=d["phone"])
            worker_svc.register_worker(request.user, d["unit"], client_id=d["client_id"],
                                       person=person, home=d["home"], skills=d["skills"],
                                       employer=d["employer"], destination=d["destination"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("resumption:workers")
    return render(request, "resumption/form.html", {
        "form": form, "title": _("Register a migrant worker"),
        "back": reverse("resumption:workers")}, status=422 if form.errors else 200)


@capability_required(Cap.VIEW)
def batches(request: HttpRequest) -> HttpResponse:
    qs = TransportBatch.objects.visible_to(request.user).select_related("employer")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "resumption/batches.html", {
        "page": page, "can_edit": scope_for(request.user).can(Cap.EDIT)})


@capability_required(Cap.EDIT)
def batch_new(request: HttpRequest) -> HttpResponse:
    form = BatchForm(request.POST or None,
                     units=units_visible_to(request.user, Cap.EDIT).exclude(
                         level=Level.PROVINCE), employers=_employers(request),
                     workers=MigrantWorker.objects.visible_to(request.user, Cap.EDIT))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            batch, _created = worker_svc.plan_batch(
                request.user, d["unit"], client_id=d["client_id"], direction=d["direction"],
                origin=d["origin"], destination=d["destination"], employer=d["employer"],
                plate=d["plate"], driver=d["driver"], departure_at=d["departure_at"],
                workers=d["workers"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("resumption:batch", pk=batch.pk)
    return render(request, "resumption/form.html", {
        "form": form, "title": _("Plan a point-to-point batch"),
        "back": reverse("resumption:batches")}, status=422 if form.errors else 200)


@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    b = get_for_user(TransportBatch.objects.select_related("employer"), request.user,
                     Cap.VIEW, pk=pk)
    entries = list(b.manifest.select_related("worker"))
    can_edit = scope_for(request.user).can(Cap.EDIT, b.unit_path)
    form = None
    if can_edit and b.status == BatchStatus.PLANNED:
        form = TemperaturesForm(request.POST or None, entries=entries,
                                initial={"at": timezone.localtime()})
        action = "depart"
    elif can_edit and b.status == BatchStatus.DEPARTED:
        form = TemperaturesForm(request.POST or None,
                                entries=[e for e in entries if e.departure_ok],
                                initial={"at": timezone.localtime()})
        action = "arrive"
    elif b.status == BatchStatus.ARRIVED and (can_edit or (
            b.employer and filing_svc.may_file(request.user, b.employer))):
        form = HandOverForm(request.POST or None, initial={"at": timezone.localtime()})
        action = "handover"
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                if action == "depart":
                    worker_svc.check_departure(request.user, b, temps=form.temps(),
                                               departed_at=form.cleaned_data["at"])
                elif action == "arrive":
                    worker_svc.check_arrival(request.user, b, temps=form.temps(),
                                             arrived_at=form.cleaned_data["at"])
                else:
                    worker_svc.hand_over(request.user, b, to=form.cleaned_data["to"],
                                         at=form.cleaned_data["at"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "arrived_at" in exc.error_dict:
                    exc = ValidationError({"at": exc.error_dict["arrived_at"]})
                add_errors(form, exc)
            else:
                return redirect("resumption:batch", pk=b.pk)
    return render(request, "resumption/batch.html", {
        "b": b, "entries": entries, "form": form,
        "passes": b.passes.all()}, status=422 if form is not None and form.errors else 200)


# --- passes ------------------------------------------------------------------------------
@capability_required(Cap.VIEW)
def passes(request: HttpRequest) -> HttpResponse:
    qs = Pass.objects.visible_to(request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "resumption/passes.html", {
        "page": page, "now": timezone.now(),
        "can_edit": scope_for(request.user).can(Cap.EDIT)})


@capability_required(Cap.EDIT)
def pass_new(request: HttpRequest) -> HttpResponse:
    form = PassForm(request.POST or None, initial=request.GET.dict() or None,
                    workers=MigrantWorker.objects.visible_to(request.user, Cap.EDIT),
                    batches=TransportBatch.objects.visible_to(request.user, Cap.EDIT))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            record, _created = pass_svc.issue(request.user, d["kind"], client_id=d["client_id"],
                                              worker=d["worker"], batch=d["batch"],
                                              days=d["days"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("resumption:pass", pk=record.pk)
    return render(request, "resumption/form.html", {
        "form": form, "title": _("Issue a pass"),
        "back": reverse("resumption:passes")}, status=422 if form.errors else 200)


def _verify_url(request: HttpRequest, token: str) -> str:
    from urllib.parse import urlencode
    return request.build_absolute_uri(reverse("resumption:verify")) + "?" + urlencode(
        {"token": token})


@login_required
def pass_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_for_user(Pass.objects.select_related("key"), request.user, Cap.VIEW, pk=pk)
    url = _verify_url(request, record.token)
    qr = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    can_revoke = scope_for(request.user).can(Cap.EDIT, record.unit_path)
    form = ReasonForm(request.POST or None) if can_revoke else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            pass_svc.revoke(request.user, record, reason=form.cleaned_data["reason"])
            return redirect("resumption:pass", pk=record.pk)
    return render(request, "resumption/pass.html", {
        "p": record, "qr": qr, "url": url, "form": form,
        "check": pass_svc.check(record.token), "events": record.events.all()})


@capability_required(Cap.CONFIGURE)
def keys(request: HttpRequest) -> HttpResponse:
    form = RotateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pass_svc.rotate_key(request.user, reason=form.cleaned_data["reason"],
                            client_id=form.cleaned_data["client_id"])
        return redirect("resumption:keys")
    return render(request, "resumption/keys.html", {
        "keys": SigningKey.objects.all(), "form": form})


def verify(request: HttpRequest) -> HttpResponse:
    """The public check of a pass: no login, the public key and the revocation list."""
    token = request.GET.get("token", "") or request.POST.get("token", "")
    form = VerifyForm(initial={"token": token})
    result = pass_svc.check(token[:2048], kind=request.GET.get("kind") or None) \
        if token else None
    return render(request, "resumption/verify.html", {
        "form": form, "result": result, "data": result.as_json() if result else None})


# --- import and export -------------------------------------------------------------------
def _import(request: HttpRequest, importer_class: Any, kind: str, title: str,
            back: str) -> HttpResponse:
    from fangkong.core import imports
    from fangkong.resumption.importers import UnitImportForm

    if request.GET.get("template"):
        return imports.template_response(importer_class(None))
    return imports.import_view(
        request, lambda data: importer_class(data["unit"]), kind=kind,
        template="resumption/import.html", form_class=UnitImportForm,
        form_kwargs={"units": units_visible_to(request.user, Cap.IMPORT).exclude(
            level=Level.PROVINCE)},
        context={"fields": importer_class.fields, "back": back, "title": title,
                 "back_label": title})


@capability_required(Cap.IMPORT)
def enterprise_import(request: HttpRequest) -> HttpResponse:
    from fangkong.resumption.importers import EnterpriseImporter
    return _import(request, EnterpriseImporter, "resumption_enterprises",
                   _("Import enterprises"), reverse("resumption:enterprises"))


@capability_required(Cap.IMPORT)
def worker_import(request: HttpRequest) -> HttpResponse:
    from fangkong.resumption.importers import WorkerImporter
    return _import(request, WorkerImporter, "resumption_workers",
                   _("Import migrant workers"), reverse("resumption:workers"))


@capability_required(Cap.VIEW)
def enterprise_export(request: HttpRequest) -> HttpResponse:
    from fangkong.core.exports import export_view
    return export_view(request, "resumption_enterprises",
                       back=reverse("resumption:enterprises"))


@capability_required(Cap.VIEW)
def worker_export(request: HttpRequest) -> HttpResponse:
    from fangkong.core.exports import export_view
    return export_view(request, "resumption_workers", back=reverse("resumption:workers"))
