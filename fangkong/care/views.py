"""Care pages: the overview with the task force's figures, the workers and their
families (masked, reveal audited), the helper's short service form (offline-capable),
payments, benefits, visits and pairing, and the elderly's help requests."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.care import services
from fangkong.care.access import CARE_ROLES
from fangkong.care.forms import (
    BenefitForm,
    HelpRequestForm,
    PairForm,
    PaymentForm,
    ServiceForm,
    VisitForm,
    WorkerImportForm,
)
from fangkong.care.importers import WorkerImporter, task_forces_for
from fangkong.care.models import (
    Elderly,
    Helper,
    HelpRequest,
    MedicalWorker,
    Pairing,
    RequestStatus,
)
from fangkong.care.services.access import require_coordinator
from fangkong.care.views_registry import family_history
from fangkong.care.views_taskforces import may_open as may_open_taskforces
from fangkong.core import audit, capture, imports
from fangkong.core.dataday import data_day
from fangkong.core.exports import export_view
from fangkong.core.forms import RevealForm, add_errors
from fangkong.core.models.accounts import Cap
from fangkong.core.models.audit import PiiAction
from fangkong.core.scoping import capability_required, get_for_user, scope_for

view_required = capability_required(Cap.VIEW, roles=CARE_ROLES)
edit_required = capability_required(Cap.EDIT, roles=CARE_ROLES)


def _is_coordinator(user: Any, task_force: Any) -> bool:
    try:
        require_coordinator(user, task_force)
    except PermissionDenied:
        return False
    return True


def _warehouses(user: Any) -> Any:
    from fangkong.supplies.models import Warehouse

    return Warehouse.objects.visible_to(user, Cap.EDIT).filter(is_active=True)


@view_required
def index(request: HttpRequest) -> HttpResponse:
    day = data_day()
    totals = services.totals(None, day, user=request.user)
    helper = Helper.objects.filter(user_id=request.user.pk).first()
    mine = (Pairing.objects.active().filter(helper=helper)
            .select_related("worker", "elderly").order_by("pk") if helper else None)
    open_requests = (HelpRequest.objects.visible_to(request.user)
                     .filter(status=RequestStatus.OPEN).select_related("elderly")
                     .order_by("due_by")[:20])
    return render(request, "care/index.html", {
        "totals": totals, "day": day, "helper": helper, "mine": mine,
        "open_requests": open_requests, "show_taskforces": may_open_taskforces(request.user)})


@view_required
def workers(request: HttpRequest) -> HttpResponse:
    qs = MedicalWorker.objects.visible_to(request.user).select_related("org_unit",
                                                                        "member_unit")
    text = request.GET.get("q", "").strip()
    if text:
        qs = qs.filter(Q(number__icontains=text) | Q(name__icontains=text)
                       | Q(hospital__icontains=text))
    deployment = request.GET.get("deployment", "")
    if deployment:
        qs = qs.filter(deployment=deployment)
    page = Paginator(qs.order_by("number"), 50).get_page(request.GET.get("page"))
    may_register = task_forces_for(request.user).exists()
    return render(request, "care/workers.html", {
        "page": page, "q": text, "deployment": deployment,
        "can_import": may_register, "can_register": may_register,
        "show_taskforces": may_open_taskforces(request.user)})


def _worker(request: HttpRequest, pk: int, capability: str = Cap.VIEW) -> MedicalWorker:
    return get_for_user(MedicalWorker.objects.select_related(
        "org_unit", "member_unit", "task_force", "person"), request.user, capability, pk=pk)


def _worker_page(request: HttpRequest, worker: MedicalWorker, *, status: int = 200,
                 revealed: dict | None = None, **forms: Any) -> HttpResponse:
    user = request.user
    coordinator = _is_coordinator(user, worker.task_force)
    helpers = Helper.objects.visible_to(user).filter(task_force=worker.task_force,
                                                    is_active=True).order_by("code")
    context = {
        "worker": worker, "revealed": revealed,
        "family": worker.family.order_by("pk"),
        "pairings": worker.pairings.select_related("helper").order_by("-started_on", "-pk"),
        "services": worker.services.select_related("helper", "movement").order_by(
            "-day", "-pk")[:50],
        "payments": worker.payments.order_by("-day", "-pk"),
        "benefits": worker.benefits.order_by("-day", "-pk"),
        "visits": worker.visits.order_by("-day", "-pk"),
        "coordinator": coordinator,
        "family_history": family_history(worker) if coordinator else (),
        "can_log": MedicalWorker.objects.visible_to(user, Cap.EDIT).filter(pk=worker.pk).exists(),
        "can_reveal": scope_for(user).can(Cap.REVEAL_PII, worker.unit_path, roles=CARE_ROLES),
        "reveal_form": forms.get("reveal_form") or RevealForm(),
        "pay_form": forms.get("pay_form") or PaymentForm(),
        "benefit_form": forms.get("benefit_form") or BenefitForm(),
        "visit_form": forms.get("visit_form") or VisitForm(),
        "pair_form": forms.get("pair_form") or PairForm(helpers=helpers),
    }
    return render(request, "care/worker.html", context, status=status)


@view_required
def worker(request: HttpRequest, pk: int) -> HttpResponse:
    return _worker_page(request, _worker(request, pk))


@require_POST
@audit.logs_refusals(PiiAction.REVEAL, MedicalWorker)
@capability_required(Cap.REVEAL_PII, roles=CARE_ROLES)
def worker_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _worker(request, pk, Cap.REVEAL_PII)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            revealed = audit.reveal(request.user, obj, ["phone", "unit_contact_phone"],
                                    form.cleaned_data["reason"], request=request,
                                    roles=CARE_ROLES)
        except ValidationError as exc:
            form.add_error("reason", exc.message_dict.get("reason", exc.messages))
    return _worker_page(request, obj, revealed=revealed, reveal_form=form)


@capture.shell_page
@edit_required
def worker_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The helper's short form: a kind of support, how much, a few words (offline)."""
    obj = _worker(request, pk, Cap.EDIT)
    shell = capture.is_shell(request)
    warehouses = _warehouses(request.user)
    form = ServiceForm(request.POST or None, warehouses=warehouses)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            log, created = services.log_service(
                request.user, obj, client_id=d["client_id"], day=d["day"],
                category=d["category"], quantity=d["quantity"], unit=d["unit"],
                note=d["note"], made_at=d.get("made_at"), warehouse=d.get("warehouse"),
                item=d.get("item"))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if capture.from_queue(request):
                return capture.form_answer(request, HttpResponse(_("Saved.")), form, created)
            messages.success(request, _("Saved: %(what)s.") % {"what": log})
            return redirect("care:worker_log", pk=obj.pk)
    recent = [] if shell else obj.services.order_by("-day", "-pk")[:5]
    response = render(request, "care/log.html", {
        "worker": None if shell else obj, "pk": obj.pk, "form": form, "recent": recent})
    if request.method == "POST":
        return capture.form_answer(request, response, form)
    return response


def _keyed_worker_post(request: HttpRequest, pk: int, form_class: Any, name: str,
                       save: Any) -> HttpResponse:
    obj = _worker(request, pk, Cap.EDIT)
    form = form_class(request.POST)
    if form.is_valid():
        d = dict(form.cleaned_data)
        d.pop("form_version", None)
        d.pop("made_at", None)
        try:
            save(request.user, obj, **d)
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, _("Only the task force and its member units record this."))
        else:
            messages.success(request, _("Saved."))
            return redirect("care:worker", pk=obj.pk)
    return _worker_page(request, obj, status=200, **{name: form})


@require_POST
@edit_required
def worker_pay(request: HttpRequest, pk: int) -> HttpResponse:
    return _keyed_worker_post(request, pk, PaymentForm, "pay_form", services.pay)


@require_POST
@edit_required
def worker_benefit(request: HttpRequest, pk: int) -> HttpResponse:
    return _keyed_worker_post(request, pk, BenefitForm, "benefit_form", services.grant_benefit)


@require_POST
@edit_required
def worker_visit(request: HttpRequest, pk: int) -> HttpResponse:
    return _keyed_worker_post(request, pk, VisitForm, "visit_form", services.record_visit)


@require_POST
@edit_required
def worker_pair(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _worker(request, pk, Cap.EDIT)
    helpers = Helper.objects.visible_to(request.user).filter(task_force=obj.task_force,
                                                             is_active=True)
    form = PairForm(request.POST, helpers=helpers)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.pair(request.user, d["helper"], worker=obj, started_on=d["started_on"],
                          reassign=d["reassign"], reason=d["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, _("Only the task force and its member units pair helpers."))
        else:
            messages.success(request, _("Paired."))
            return redirect("care:worker", pk=obj.pk)
    return _worker_page(request, obj, pair_form=form)


@view_required
def workers_export(request: HttpRequest) -> HttpResponse:
    return export_view(request, "care_workers", back=reverse("care:workers"))


@view_required
def workers_import(request: HttpRequest) -> HttpResponse:
    """Check, then import the checked file into the chosen task force (``core.imports``)."""
    task_forces = task_forces_for(request.user)
    if not task_forces.exists():
        raise PermissionDenied
    return imports.import_view(
        request, lambda data: WorkerImporter(data["task_force"]), kind="care_workers",
        template="care/workers_import.html", form_class=WorkerImportForm,
        form_kwargs={"task_forces": task_forces},
        context={"fields": WorkerImporter.fields, "back": reverse("care:workers"),
                 "back_label": _("Back to the workers")})


@view_required
def workers_template(request: HttpRequest) -> HttpResponse:
    return imports.template_response(WorkerImporter(None))


@view_required
def services_export(request: HttpRequest) -> HttpResponse:
    return export_view(request, "care_services", back=reverse("care:index"))


# --- the elderly --------------------------------------------------------------------------
@view_required
def elderly_list(request: HttpRequest) -> HttpResponse:
    qs = Elderly.objects.visible_to(request.user).select_related("org_unit").order_by("pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "care/elderly_list.html", {
        "page": page, "show_taskforces": may_open_taskforces(request.user),
        "can_register": task_forces_for(request.user).exists()})


def _elderly_page(request: HttpRequest, obj: Elderly, form: Any = None) -> HttpResponse:
    return render(request, "care/elderly.html", {
        "elderly": obj, "form": form or HelpRequestForm(),
        "requests": obj.requests.order_by("-requested_at")[:30],
        "pairings": obj.pairings.select_related("helper").order_by("-started_on"),
        "can_edit": Elderly.objects.visible_to(request.user, Cap.EDIT).filter(
            pk=obj.pk).exists(),
        "coordinator": _is_coordinator(request.user, obj.task_force)})


@view_required
def elderly(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Elderly.objects.select_related("org_unit"), request.user, pk=pk)
    return _elderly_page(request, obj)


@require_POST
@edit_required
def elderly_request(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Elderly.objects.select_related("org_unit"), request.user, Cap.EDIT,
                       pk=pk)
    form = HelpRequestForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.request_help(request.user, obj, client_id=d["client_id"], kind=d["kind"],
                                  detail=d["detail"], made_at=d.get("made_at"))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("care:elderly", pk=obj.pk)
    return _elderly_page(request, obj, form)


@require_POST
@edit_required
def request_fulfil(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_for_user(HelpRequest.objects.select_related("elderly"), request.user, Cap.EDIT,
                       pk=pk)
    services.fulfil_request(request.user, req)
    messages.success(request, _("Marked as fulfilled."))
    return redirect("care:elderly", pk=req.elderly_id)

