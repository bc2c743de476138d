"""The supplies pages: warehouses, a warehouse's stock, the movement forms, stock cards,
transfers, needs and the shortage board, the catalogue, the ledger export.

A warehouse is fetched in the user's scope (404 outside it); everything reached through
it (a movement, a stock card, a transfer to receive) is looked up under it. Writes go
through ``services``, which authorise again.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fangkong.core.exports import export_view
from fangkong.core.forms import add_errors
from fangkong.core.models import Alert
from fangkong.core.roles import Cap
from fangkong.core.scoping import capability_required, get_for_user, scope_for, units_visible_to
from fangkong.supplies import forms as f
from fangkong.supplies import services
from fangkong.supplies.access import STORE_ROLES
from fangkong.supplies.exporters import period_summary
from fangkong.supplies.models import (
    Balance,
    Item,
    Kind,
    LedgerEntry,
    Movement,
    Need,
    Warehouse,
)
from fangkong.supplies.services import Arrival, Line

view_required = capability_required(Cap.VIEW, roles=STORE_ROLES)


def _warehouse(request: HttpRequest, pk: int, *, edit: bool = False) -> Warehouse:
    warehouse = get_for_user(Warehouse.objects.select_related("org_unit", "organisation"),
                             request.user, Cap.VIEW, pk=pk)
    if edit and not services.may_run(request.user, warehouse):
        raise PermissionDenied
    return warehouse


def _balances(warehouse: Warehouse) -> dict[int, Decimal]:
    return dict(warehouse.balances.values_list("item_id", "quantity"))


@view_required
def index(request: HttpRequest) -> HttpResponse:
    warehouses = list(
        Warehouse.objects.visible_to(request.user).select_related("org_unit", "organisation")
        .annotate(items=Count("balances", distinct=True),
                  in_transit=Count("incoming", distinct=True, filter=Q(
                      incoming__kind=Kind.TRANSFER, incoming__reversal__isnull=True,
                      incoming__receipt__isnull=True)))
        .order_by("unit_path", "name"))
    low = dict(Balance.objects.filter(warehouse__in=warehouses, reorder_level__isnull=False,
                                      quantity__lt=F("reorder_level"))
               .values("warehouse").annotate(n=Count("pk")).values_list("warehouse", "n"))
    for w in warehouses:
        w.low = low.get(w.pk, 0)
    units = units_visible_to(request.user, Cap.EDIT)
    form = f.WarehouseForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            w, _created = services.create_warehouse(
                request.user, form.cleaned_data["unit"], name=form.cleaned_data["name"],
                address=form.cleaned_data["address"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("supplies:warehouse", pk=w.pk)
    # The alerts inbox is core's, for territorial staff (``core.views_alerts``): a store's
    # liaison sees the low-stock count of the stores they run instead, without the link.
    can_open_inbox = scope_for(request.user).can(Cap.VIEW)
    return render(request, "supplies/index.html", {
        "warehouses": warehouses, "form": form if units.exists() else None,
        "can_open_inbox": can_open_inbox,
        "open_alerts": Alert.objects.visible_to(request.user).filter(
            kind="low_stock", status="open").count() if can_open_inbox else None,
        "low_items": sum(w.low for w in warehouses),
    })


@view_required
def warehouse(request: HttpRequest, pk: int) -> HttpResponse:
    w = _warehouse(request, pk)
    can_edit = services.may_run(request.user, w)
    stock_form = f.StockItemForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if stock_form.is_valid():
            try:
                services.stock_item(request.user, w, stock_form.cleaned_data["item"],
                                    stock_form.cleaned_data["reorder_level"] or None)
            except ValidationError as exc:
                add_errors(stock_form, exc)
            else:
                return redirect("supplies:warehouse", pk=w.pk)
    balances = list(w.balances.select_related("item").order_by("item__category", "item__name"))
    incoming = (Movement.objects.in_transit().filter(to_warehouse=w)
                .select_related("warehouse").prefetch_related("lines__item"))
    outgoing = (Movement.objects.in_transit().filter(warehouse=w)
                .select_related("to_warehouse").prefetch_related("lines__item"))
    recent = (Movement.objects.filter(Q(warehouse=w) | Q(kind=Kind.TRANSFER, to_warehouse=w))
              .select_related("warehouse", "to_warehouse", "created_by")
              .prefetch_related("lines__item").order_by("-pk")[:20])
    today = timezone.localdate()
    return render(request, "supplies/warehouse.html", {
        "warehouse": w, "balances": balances, "incoming": incoming, "outgoing": outgoing,
        "recent": recent, "can_edit": can_edit, "stock_form": stock_form,
        "period": f.PeriodForm(initial={"date_from": today.replace(day=1), "date_to": today}),
    })


def _movement_page(request: HttpRequest, pk: int, form_class: type, title: str,
                   submit: str, save: Any, **form_kwargs: Any) -> HttpResponse:
    w = _warehouse(request, pk, edit=True)
    kwargs = dict(form_kwargs)
    if form_class is f.ReceiptForm:
        kwargs["warehouse"] = w
    if form_class is f.TransferForm:
        kwargs["destinations"] = (Warehouse.objects.visible_to(request.user)
                                  .filter(is_active=True).exclude(pk=w.pk))
    form = form_class(request.POST or None, balances=_balances(w), **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            movement, created = save(w, form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if created:
                messages.success(request, _("Saved: %(m)s.") % {"m": movement})
            return redirect("supplies:movement", pk=w.pk, mid=movement.pk)
    return render(request, "supplies/form.html", {
        "warehouse": w, "form": form, "title": title, "submit": submit})


@view_required
def receive(request: HttpRequest, pk: int) -> HttpResponse:
    def save(w: Warehouse, d: dict) -> Any:
        return services.receive(
            request.user, w, client_id=d["client_id"], day=d["day"],
            lines=[Line(d["item"], d["quantity"])], source=d["source"], donor=d["donor"],
            reason=d["reason"], need=d.get("need"), pledge=d.get("pledge"))
    return _movement_page(request, pk, f.ReceiptForm, _("Receive stock"), _("Receive"), save)


@view_required
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    def save(w: Warehouse, d: dict) -> Any:
        return services.issue(
            request.user, w, client_id=d["client_id"], day=d["day"],
            lines=[Line(d["item"], d["quantity"])], recipient_kind=d["recipient_kind"],
            recipient_label=d["recipient_label"], reason=d["reason"])
    return _movement_page(request, pk, f.IssueForm, _("Issue stock"), _("Issue"), save)


@view_required
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    def save(w: Warehouse, d: dict) -> Any:
        return services.send_transfer(
            request.user, w, d["to_warehouse"], client_id=d["client_id"], day=d["day"],
            lines=[Line(d["item"], d["quantity"])], reason=d["reason"])
    return _movement_page(request, pk, f.TransferForm, _("Send a transfer"),
                          pgettext("stock", "Send"), save)


@view_required
def adjust(request: HttpRequest, pk: int) -> HttpResponse:
    def save(w: Warehouse, d: dict) -> Any:
        return services.adjust(request.user, w, client_id=d["client_id"], day=d["day"],
                               item=d["item"], counted=d["quantity"], reason=d["reason"])
    return _movement_page(request, pk, f.AdjustmentForm, _("Adjust after a count"),
                          _("Save the count"), save)


def _movement_under(w: Warehouse, mid: int) -> Movement:
    """A movement of this warehouse, or a transfer to it; else 404."""
    return get_object_or_404(
        Movement.objects.select_related("warehouse", "to_warehouse", "created_by", "need")
        .prefetch_related("lines__item"),
        Q(warehouse=w) | Q(kind=Kind.TRANSFER, to_warehouse=w), pk=mid)


@view_required
def movement(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    w = _warehouse(request, pk)
    m = _movement_under(w, mid)
    may_cancel = (m.kind in services.CANCELLABLE and m.state in ("done", "in_transit")
                  and m.warehouse_id == w.pk and services.may_run(request.user, w))
    # A cancellation sent again (a double tap, back and send) reaches a movement already
    # cancelled: the service answers the reversal its key made (or says it is cancelled).
    resent = (request.method == "POST" and hasattr(m, "reversal")
              and m.warehouse_id == w.pk and services.may_run(request.user, w))
    form = f.CancelForm(request.POST or None) if may_cancel or resent else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.cancel(request.user, m, client_id=form.cleaned_data["client_id"],
                                day=form.cleaned_data["day"], reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Cancelled by a reversing entry."))
                return redirect("supplies:movement", pk=w.pk, mid=m.pk)
    related = []
    if hasattr(m, "reversal"):
        related.append(m.reversal)
    if hasattr(m, "receipt"):
        related.append(m.receipt)
    return render(request, "supplies/movement.html", {
        "warehouse": w, "m": m, "form": form, "related": related,
        "may_receive": (m.kind == Kind.TRANSFER and m.state == "in_transit"
                        and m.to_warehouse_id == w.pk and services.may_run(request.user, w)),
    })


@view_required
def receive_transfer(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    w = _warehouse(request, pk, edit=True)
    t = get_object_or_404(Movement.objects.select_related("warehouse"),
                          kind=Kind.TRANSFER, to_warehouse=w, pk=mid)
    lines = list(t.lines.select_related("item"))
    form = f.ArrivalForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        arrivals = {line.item_id: Arrival(d[f"received_{line.item_id}"],
                                          d.get(f"damaged_{line.item_id}") or 0)
                    for line in lines}
        try:
            receipt, _created = services.receive_transfer(
                request.user, t, client_id=d["client_id"], day=d["day"], arrivals=arrivals,
                over_ok=d["over_ok"], reason=d["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("supplies:movement", pk=w.pk, mid=receipt.pk)
    return render(request, "supplies/form.html", {
        "warehouse": w, "form": form, "transfer": t, "submit": _("Record the arrival"),
        "title": _("Receive the transfer from %(w)s") % {"w": t.warehouse.name}})


@view_required
def stock_card(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    w = _warehouse(request, pk)
    item = get_object_or_404(Item, code=code)
    balance = get_object_or_404(Balance, warehouse=w, item=item)
    entries = (LedgerEntry.objects.filter(warehouse=w, item=item)
               .select_related("movement", "movement__warehouse", "movement__to_warehouse",
                               "line").order_by("-pk"))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "supplies/stock_card.html", {
        "warehouse": w, "item": item, "balance": balance, "page": page})


@view_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    w = _warehouse(request, pk)
    return export_view(request, "supplies_ledger", back=reverse("supplies:warehouse", args=[pk]),
                       extra={"warehouse": w.pk})


@view_required
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    """The period's opening, in, out and closing per item, as the export writes it."""
    w = _warehouse(request, pk)
    form = f.PeriodForm(request.GET or None)
    rows = None
    if form.is_valid():
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        rows = [{"b": b, "closing": b.opening + b.inflow + b.outflow, "outflow": -b.outflow}
                for b in period_summary(w.balances.all(), start, end)]
    return render(request, "supplies/ledger.html", {"warehouse": w, "form": form, "rows": rows})


@view_required
def new_need(request: HttpRequest, pk: int) -> HttpResponse:
    w = _warehouse(request, pk, edit=True)
    form = f.NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.post_need(request.user, w, client_id=d["client_id"], item=d["item"],
                               quantity=d["quantity"], needed_by=d["needed_by"],
                               posted_on=timezone.localdate(), note=d["note"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("supplies:needs")
    return render(request, "supplies/form.html", {
        "warehouse": w, "form": form, "title": _("Post a need"), "submit": _("Post")})


@view_required
def new_pledge(request: HttpRequest, pk: int) -> HttpResponse:
    w = _warehouse(request, pk, edit=True)
    form = f.PledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_pledge(request.user, w, client_id=d["client_id"], donor=d["donor"],
                                   item=d["item"], quantity=d["quantity"],
                                   expected_on=d["expected_on"],
                                   recorded_on=timezone.localdate())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("supplies:warehouse", pk=w.pk)
    return render(request, "supplies/form.html", {
        "warehouse": w, "form": form, "title": _("Record a pledge"), "submit": _("Save")})


@view_required
def needs(request: HttpRequest) -> HttpResponse:
    """The shortage board: needs not yet met, most overdue and most short first."""
    from fangkong.lib.dates import parse_day

    try:
        today = parse_day(request.GET.get("date"), "date")
    except ValidationError:
        raise Http404 from None
    visible = list(Need.objects.visible_to(request.user)
                   .select_related("item", "warehouse", "org_unit"))
    board = services.shortage_board(visible, today)
    met = [c for c in services.coverage(visible, today) if c.status == "satisfied"]
    return render(request, "supplies/needs.html", {
        "board": board, "met": met, "today": today,
        "previous": today - timedelta(days=1)})


@view_required
def items(request: HttpRequest) -> HttpResponse:
    may_configure = scope_for(request.user).can(Cap.CONFIGURE)
    form = f.ItemForm(request.POST or None) if may_configure else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.save_item(request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return redirect("supplies:items")
    return render(request, "supplies/items.html", {
        "items": Item.objects.filter(is_active=True), "form": form})
