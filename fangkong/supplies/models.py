"""Supplies (防疫物资): a common item catalogue, warehouses, and an append-only ledger.

Every change of stock is a ``Movement`` (receipt, issue, transfer, transfer receipt,
adjustment, reversal) with its ``MovementLine``s, and one ``LedgerEntry`` per line and
warehouse it touches. ``Balance`` is the cached sum of a (warehouse, item)'s entries,
updated in the same transaction under a row lock, and the database refuses it below
zero (``supplies_balance_never_negative``). Nothing here is edited after it is written:
a cancellation is a reversing movement (``Movement.reverses``), a transfer's arrival is
a movement of its own (``Movement.transfer``). The rules are in ``services``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import KeyedModel, ScopedModel
from fangkong.core.models.scoped import OrganisationScopedQuerySet
from fangkong.core.roles import Cap
from fangkong.supplies.access import STORE_ROLES

#: Quantities: up to 99,999,999,999.999 of an item's unit (kilograms need decimals).
QTY = {"max_digits": 14, "decimal_places": 3}
ZERO = Decimal("0")


class Category(models.TextChoices):
    MASK = "mask", _("Masks")
    DISINFECTANT = "disinfectant", _("Disinfectant and alcohol")
    THERMOMETER = "thermometer", _("Thermometers")
    PROTECTIVE = "protective", _("Protective clothing")
    FOOD = "food", _("Food")
    NECESSITIES = "necessities", _("Daily necessities")
    OTHER = "other", _("Other")


class Item(models.Model):
    """An entry of the city's common catalogue: a mask of one standard, 75% alcohol in
    500 ml bottles, rice by the kilogram. Not scoped: every warehouse uses the same."""

    code = models.SlugField(_("code"), max_length=32, unique=True,
                            help_text=_("Stable short code used in the API, e.g. 'mask-kn95'."))
    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    standard = models.CharField(_("standard"), max_length=40, blank=True,
                                help_text=_("e.g. GB 19083-2010, YY 0469-2011, GB 2626 KN95"))
    unit = models.CharField(_("unit"), max_length=8, help_text=_("e.g. 只, 瓶, 套, 公斤"))
    pack_size = models.PositiveIntegerField(_("units per pack"), default=1)
    pack_name = models.CharField(_("pack"), max_length=8, blank=True,
                                 help_text=_("e.g. 盒, 箱, 袋"))
    whole_units = models.BooleanField(_("counted in whole units"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["category", "name", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.standard}）" if self.standard else self.name


_STORE_CAPS = frozenset({Cap.VIEW, Cap.EDIT})


class WarehouseQuerySet(OrganisationScopedQuerySet):
    organisation_field = "organisation_id"
    scoped_roles = dict.fromkeys(STORE_ROLES, _STORE_CAPS)


class Warehouse(ScopedModel):
    """A store: a unit's (the city's, a community's) or an organisation's (a bureau's,
    the water group's). Territorial staff above ``org_unit`` run it; so do the liaisons
    of ``organisation``."""

    name = models.CharField(_("name"), max_length=60)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("organisation"))
    address = models.CharField(_("address"), max_length=120, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = WarehouseQuerySet.as_manager()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["unit_path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="warehouse_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ThroughWarehouseQuerySet(OrganisationScopedQuerySet):
    """Records of a warehouse: territorially by the warehouse's unit (copied), and to
    the liaisons of the warehouse's organisation."""

    organisation_field = "warehouse__organisation_id"
    scoped_roles = dict.fromkeys(STORE_ROLES, _STORE_CAPS)


class Balance(ScopedModel):
    """What a warehouse holds of an item now: the sum of its ledger entries, kept in the
    same transaction, never below zero (a database CHECK, not only a form check). The
    row exists before any movement touches it, so a movement locks a row, never a gap."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="balances",
                                  verbose_name=_("warehouse"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="balances",
                             verbose_name=_("item"))
    quantity = models.DecimalField(_("quantity"), default=ZERO, **QTY)
    reorder_level = models.DecimalField(
        _("reorder level"), null=True, blank=True, **QTY,
        help_text=_("Below this an alert opens; empty: no alert."))

    objects = ThroughWarehouseQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        ordering = ["warehouse", "item"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "item"], name="balance_unique_item"),
            models.CheckConstraint(condition=Q(quantity__gte=0),
                                   name="supplies_balance_never_negative"),
            models.CheckConstraint(condition=Q(reorder_level__isnull=True)
                                   | Q(reorder_level__gte=0),
                                   name="supplies_reorder_level_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse} · {self.item}: {self.quantity}"

    @property
    def low(self) -> bool:
        return self.reorder_level is not None and self.quantity < self.reorder_level


class Kind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ISSUE = "issue", _("Issue")
    TRANSFER = "transfer", _("Transfer")
    TRANSFER_RECEIPT = "transfer_receipt", _("Transfer received")
    ADJUSTMENT = "adjustment", _("Adjustment after a count")
    REVERSAL = "reversal", _("Cancellation")


class Source(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    DONATION = "donation", _("Donation")
    ALLOCATION = "allocation", _("Allocation from above")


class RecipientKind(models.TextChoices):
    """Who an issue goes to. ``Movement.recipient`` may point at the record itself
    (a household, a checkpoint; a care service or volunteer team once those modules
    exist) through a generic relation; ``recipient_label`` always names it."""

    PERSON = "person", _("A person")
    HOUSEHOLD = "household", _("A household")
    CHECKPOINT = "checkpoint", _("A checkpoint")
    TEAM = "team", _("A volunteer team")
    CARE = "care", _("A care service")
    UNIT = "unit", _("A unit or organisation")
    OTHER = "other", _("Other")


class MovementQuerySet(ThroughWarehouseQuerySet):
    def live(self):
        """Movements that count: neither cancellations nor cancelled."""
        return self.exclude(kind=Kind.REVERSAL).filter(reversal__isnull=True)

    def in_transit(self):
        return self.filter(kind=Kind.TRANSFER, reversal__isnull=True, receipt__isnull=True)


class Movement(KeyedModel):
    """One receipt, issue, transfer, transfer's arrival, adjustment or cancellation: the
    header of its lines and ledger entries. Written once; ``org_unit`` is the unit of
    ``warehouse`` (the store whose stock it changes first)."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="movements",
                                  verbose_name=_("warehouse"))
    to_warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, null=True, blank=True, related_name="incoming",
        verbose_name=_("to warehouse"))
    day = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, blank=True)
    donor = models.CharField(_("donor"), max_length=100, blank=True)
    recipient_kind = models.CharField(_("issued to"), max_length=12,
                                      choices=RecipientKind.choices, blank=True)
    recipient_label = models.CharField(_("recipient"), max_length=100, blank=True)
    recipient_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="+")
    recipient_id = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    need = models.ForeignKey("Need", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="movements", verbose_name=_("need"))
    pledge = models.ForeignKey("Pledge", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="movements", verbose_name=_("pledge"))
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal",
        verbose_name=_("cancels"))
    transfer = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="receipt",
        verbose_name=_("transfer"))
    #: The lines as sent ("code:qty;…", sorted): a retried key must carry the same lines.
    lines_digest = models.CharField(max_length=500, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("recorded by"))

    objects = MovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-day", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="transfer", to_warehouse__isnull=False)
                | (~Q(kind="transfer") & Q(to_warehouse__isnull=True)),
                name="movement_transfer_has_destination"),
            models.CheckConstraint(condition=~Q(to_warehouse=models.F("warehouse")),
                                   name="movement_transfer_elsewhere"),
        ]
        indexes = [models.Index(fields=["warehouse", "day"]),
                   models.Index(fields=["to_warehouse", "day"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def cancelled(self) -> bool:
        return hasattr(self, "reversal")

    @property
    def received(self) -> bool:
        return hasattr(self, "receipt")

    @property
    def state(self) -> str:
        """A transfer's state: in transit, received or cancelled; others: done or
        cancelled."""
        if self.cancelled:
            return "cancelled"
        if self.kind == Kind.TRANSFER:
            return "received" if self.received else "in_transit"
        return "done"

    def recipient(self) -> Any:
        if self.recipient_type_id is None:
            return None
        return self.recipient_type.get_object_for_this_type(pk=self.recipient_id)


class MovementLine(models.Model):
    """One item of a movement. ``quantity`` is what moved (for an adjustment: the size of
    the correction; ``counted`` is the count); on a transfer's arrival ``quantity`` is
    what was sent and ``received`` / ``damaged`` what came (short and over follow)."""

    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("item"))
    quantity = models.DecimalField(_("quantity"), **QTY)
    counted = models.DecimalField(_("counted"), null=True, blank=True, **QTY)
    received = models.DecimalField(_("received in good order"), null=True, blank=True, **QTY)
    damaged = models.DecimalField(_("damaged"), null=True, blank=True, **QTY)

    class Meta:
        verbose_name = _("movement line")
        verbose_name_plural = _("movement lines")
        ordering = ["movement", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="line_quantity_positive"),
            models.UniqueConstraint(fields=["movement", "item"], name="line_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"

    @property
    def short(self) -> Decimal:
        if self.received is None:
            return ZERO
        return max(ZERO, self.quantity - self.received - (self.damaged or ZERO))

    @property
    def over(self) -> Decimal:
        if self.received is None:
            return ZERO
        return max(ZERO, self.received + (self.damaged or ZERO) - self.quantity)


class AppendOnlyQuerySet(ThroughWarehouseQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The stock ledger is append-only.")

    def delete(self) -> Any:
        raise TypeError("The stock ledger is append-only.")


class LedgerEntry(ScopedModel):
    """A change of one (warehouse, item) balance, in the order it happened (``pk``), with
    the balance after it. Never updated or deleted."""

    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, related_name="entries")
    line = models.ForeignKey(MovementLine, on_delete=models.PROTECT, related_name="entries")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="entries")
    day = models.DateField(_("date"))
    delta = models.DecimalField(_("change"), **QTY)
    balance_after = models.DecimalField(_("balance after"), **QTY)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(balance_after__gte=0),
                                   name="ledger_balance_after_not_negative"),
            models.CheckConstraint(condition=~Q(delta=0), name="ledger_delta_not_zero"),
        ]
        indexes = [models.Index(fields=["warehouse", "item", "day"]),
                   models.Index(fields=["unit_path", "day"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("The stock ledger is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("The stock ledger is append-only.")


class Need(KeyedModel):
    """A unit's or organisation's need for an item by a day, to be delivered to a
    warehouse. ``quantity`` may be unknown (None): shown as unknown, never as 1. Whether
    it is met is read from the movements linked to it (``services.needs.coverage``)."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="needs",
                                  verbose_name=_("deliver to"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("item"))
    quantity = models.DecimalField(_("quantity needed"), null=True, blank=True, **QTY,
                                   help_text=_("Leave empty if not known yet."))
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    posted_on = models.DateField(_("posted on"))
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("posted by"))

    objects = ThroughWarehouseQuerySet.as_manager()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["needed_by", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__isnull=True) | Q(quantity__gt=0),
                                   name="need_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.warehouse}"


class Pledge(KeyedModel):
    """A donor's promise, kept apart from what arrived: a receipt may name the pledge it
    fulfils (``Movement.pledge``), and only receipts change stock."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="pledges",
                                  verbose_name=_("deliver to"))
    need = models.ForeignKey(Need, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="pledges", verbose_name=_("for the need"))
    donor = models.CharField(_("donor"), max_length=100)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("item"))
    quantity = models.DecimalField(_("quantity pledged"), **QTY)
    expected_on = models.DateField(_("expected on"), null=True, blank=True)
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("recorded by"))

    objects = ThroughWarehouseQuerySet.as_manager()

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-recorded_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pledge_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.donor}: {self.item}"
