"""Products, stock per branch, the append-only movements that move it, and reservations.

Every change of what a branch holds is one `Movement`: signed (in is positive, out is
negative), exact (quantities in thousandths, values in kopecks), with the document or the
order line that caused it. Movements are never changed or removed: a correction is a
reversing movement that names the one it reverses (a sale returned to stock).

`Stock` keeps one (product, branch)'s running totals: on hand and its value (sums of the
movements), reserved (the sum of the active reservations), written in the same
transaction as every row that changes them, under that stock row's lock; a
property-based test proves they always equal the sums. The average cost of a branch's
stock is `value / on_hand`: a moving weighted average kept exactly, because what leaves
takes its share of the value rounded to the kopeck and the last unit takes the rest.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import TenantModel, TenantQuerySet, tenant_manager
from warehouse.quantity import QuantityField
from workshop.lib.money import CENT, MoneyField
from workshop.lib.text import fold, fold_words

ZERO = Decimal("0.000")
NO_MONEY = Decimal("0.00")
NAME_MAX = 200
CODE_MAX = 64


class Unit(models.TextChoices):
    PIECE = "pcs", _("pcs")
    METRE = "m", _("m")
    KILOGRAM = "kg", _("kg")
    LITRE = "l", _("l")


# Decimals a quantity of each unit may have: pieces are whole.
UNIT_DECIMALS: dict[str, int] = {Unit.PIECE: 0, Unit.METRE: 3, Unit.KILOGRAM: 3, Unit.LITRE: 3}


def words_key(name: str) -> str:
    """ " ssd 1 тб": each word preceded by a space, searched by word start (as clients)."""
    folded = fold_words(name)
    return " " + folded if folded else ""


class AppendOnlyError(Exception):
    """Someone tried to change or remove a stock movement."""


class ProductQuerySet(TenantQuerySet):
    def active(self) -> ProductQuerySet:
        return self.filter(is_active=True)

    def search(self, term: str) -> ProductQuerySet:
        """Products whose name has words starting with every word typed, or whose SKU or
        barcode is the term."""
        term = (term or "").strip()
        if not term:
            return self
        words = fold_words(term).split()[:5]
        by_name = models.Q()
        for word in words:
            by_name &= models.Q(words__contains=" " + word)
        condition = models.Q(sku_key=fold(term)) | models.Q(barcode=term)
        if words:
            condition |= by_name
        return self.filter(condition)


class Product(TenantModel):
    """A good or part the workshop stocks. Its name is a goods-directory value too."""

    name = models.CharField(_("name"), max_length=NAME_MAX)
    # fold(name): one product per name, and how an order's goods line finds its product.
    name_key = models.CharField(max_length=400, editable=False)
    words = models.CharField(max_length=401, editable=False, default="")
    sku = models.CharField(_("article / SKU"), max_length=CODE_MAX, blank=True)
    sku_key = models.CharField(max_length=CODE_MAX * 2, editable=False, default="")
    barcode = models.CharField(_("barcode"), max_length=CODE_MAX, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, default=Unit.PIECE)
    price = MoneyField(_("sale price"), default=NO_MONEY)
    serial_tracked = models.BooleanField(_("serial numbers"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(excluded_fields=["name_key", "words", "sku_key"])
    objects = tenant_manager(ProductQuerySet)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "name_key"], name="product_name_unique"),
            models.UniqueConstraint(
                fields=["workshop", "sku_key"],
                condition=~models.Q(sku_key=""),
                name="product_sku_unique",
            ),
            models.UniqueConstraint(
                fields=["workshop", "barcode"],
                condition=~models.Q(barcode=""),
                name="product_barcode_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["workshop", "name_key", "id"], name="product_name_idx"),
            models.Index(fields=["workshop", "words"], name="product_words_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Derived keys, kept in step wherever the product is saved.
        self.name_key = fold(self.name)
        self.words = words_key(self.name)
        self.sku_key = fold(self.sku)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key", "words", "sku_key"}
        super().save(*args, **kwargs)

    @property
    def decimals(self) -> int:
        return UNIT_DECIMALS[self.unit]


class WarehouseSettings(TenantModel):
    """The workshop's warehouse rules, set by the director."""

    allow_negative = models.BooleanField(
        _("allow selling more than is in stock"),
        default=False,
        help_text=_("Stock may go below zero; the shortfall is counted in later."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workshop"], name="warehouse_settings_unique")
        ]

    def __str__(self) -> str:
        return f"{self.workshop_id}: negative={self.allow_negative}"


class StockQuerySet(TenantQuerySet):
    def low(self) -> StockQuerySet:
        return self.filter(min_quantity__isnull=False, on_hand__lte=models.F("min_quantity"))


class Stock(TenantModel):
    """One product in one branch: running totals of its movements and reservations."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stocks")
    branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    on_hand = QuantityField(_("on hand"), default=ZERO)
    reserved = QuantityField(_("reserved"), default=ZERO)
    # The cost of what is on hand: the sum of the movements' values.
    value = MoneyField(_("stock value"), default=NO_MONEY)
    # The last receipt's cost per unit: what a sale below zero (when allowed) is costed at.
    last_cost = MoneyField(_("last cost"), null=True, blank=True)
    # Low-stock threshold in this branch; none means never low.
    min_quantity = QuantityField(_("low-stock threshold"), null=True, blank=True)

    objects = tenant_manager(StockQuerySet)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "product", "branch"], name="stock_product_branch_unique"
            )
        ]
        indexes = [models.Index(fields=["workshop", "branch", "product"], name="stock_branch_idx")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.branch_id}: {self.on_hand}"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def average_cost(self) -> Decimal | None:
        """The moving weighted average cost per unit, to the kopeck (None when empty)."""
        if self.on_hand <= 0:
            return None
        return (self.value / self.on_hand).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def is_low(self) -> bool:
        return self.min_quantity is not None and self.on_hand <= self.min_quantity


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    TRANSFER = "transfer", pgettext_lazy("stock", "Transfer")
    WRITE_OFF = "write_off", _("Write-off")
    COUNT = "count", _("Inventory count")
    SUPPLIER_RETURN = "supplier_return", _("Return to supplier")


class Document(TenantModel):
    """One warehouse operation by a person: a receipt, transfer, write-off, count or return.

    Its movements name it; it is never changed after it is posted.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    # A transfer's receiving branch.
    to_branch = models.ForeignKey(
        "accounts.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to branch"),
    )
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    supplier_number = models.CharField(_("supplier's document number"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # A receipt's cost in total (what the cash desk may record paying as an expense).
    total = MoneyField(_("total cost"), default=NO_MONEY)
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    # The one-time key of the form: a second submission finds this document.
    key = models.UUIDField(editable=False)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("warehouse document")
        verbose_name_plural = _("warehouse documents")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "key"], name="document_key_unique"),
        ]
        indexes = [
            models.Index(fields=["workshop", "kind", "-id"], name="document_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} №{self.pk}"


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    WRITE_OFF = "write_off", _("Write-off")
    COUNT = "count", _("Count adjustment")
    SUPPLIER_RETURN = "supplier_return", _("Return to supplier")
    SALE = "sale", _("Issued on an order")
    SALE_RETURN = "sale_return", _("Returned from an order")


class MovementQuerySet(TenantQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Stock movements are never changed; add a reversing one instead.")

    def delete(self):
        raise AppendOnlyError("Stock movements are never deleted; add a reversing one instead.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Stock movements are never changed; add a reversing one instead.")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("Stock movements are never changed; add a reversing one instead.")


class Movement(TenantModel):
    """One change of one product's stock in one branch. Append-only (module docstring)."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="movements")
    branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    quantity = QuantityField(_("quantity"))  # signed: in is positive
    value = MoneyField(_("value"))  # signed, the cost that came in or went out
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The order line, by id: lines can be removed, movements stay (with the line's name).
    line_id = models.BigIntegerField(null=True, blank=True)
    line_name = models.CharField(max_length=200, blank=True)
    serial = models.ForeignKey(
        "Serial", on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )
    by = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    objects = tenant_manager(MovementQuerySet)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.CheckConstraint(condition=~models.Q(quantity=0), name="movement_not_zero"),
        ]
        indexes = [
            models.Index(fields=["workshop", "product", "-id"], name="movement_product_idx"),
            models.Index(fields=["workshop", "order", "line_id"], name="movement_order_idx"),
            models.Index(fields=["workshop", "document"], name="movement_document_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} of {self.product_id}@{self.branch_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Stock movements are never changed; add a reversing one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Stock movements are never deleted; add a reversing one instead.")

    @property
    def unit_cost(self) -> Decimal:
        return (abs(self.value) / abs(self.quantity)).quantize(CENT, rounding=ROUND_HALF_UP)


class SerialState(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    RESERVED = "reserved", _("Reserved")
    SOLD = "sold", _("Sold")
    GONE = "gone", _("Written off or returned")


class Serial(TenantModel):
    """One unit of a serial-tracked product: where it is and whether it was sold."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="serials")
    serial = models.CharField(_("serial number"), max_length=100)
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=20, choices=SerialState.choices, default=SerialState.IN_STOCK
    )

    objects = tenant_manager()

    class Meta:
        verbose_name = _("serial number")
        verbose_name_plural = _("serial numbers")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "product", "serial"], name="serial_unique"),
        ]
        indexes = [
            models.Index(fields=["workshop", "product", "branch", "state"], name="serial_idx")
        ]

    def __str__(self) -> str:
        return self.serial


class ReservationState(models.TextChoices):
    ACTIVE = "active", _("Reserved")
    ISSUED = "issued", _("Issued")
    RELEASED = "released", _("Released")


class Reservation(TenantModel):
    """The stock an order's goods line holds in the order's branch.

    Active while the order is open (on hand stays, available drops); issued when the order
    is issued (its movements wrote the goods off); released when the line is removed or
    the order cancelled or refused.
    """

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    line_id = models.BigIntegerField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="reservations")
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField(_("quantity"))
    serial = models.ForeignKey(
        Serial, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        max_length=20, choices=ReservationState.choices, default=ReservationState.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = tenant_manager()

    class Meta:
        constraints = [
            # One live reservation per line: a line holds stock of one product.
            models.UniqueConstraint(
                fields=["workshop", "line_id"],
                condition=models.Q(state__in=["active", "issued"]),
                name="reservation_one_per_line",
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="reservation_gt_0"),
        ]
        indexes = [
            models.Index(fields=["workshop", "order"], name="reservation_order_idx"),
            models.Index(fields=["workshop", "product", "-id"], name="reservation_product_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.quantity} of {self.product_id} ({self.state})"


class CountLine(TenantModel):
    """One product on an inventory count: what the books said and what was counted."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="count_lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    expected = QuantityField(_("expected"))
    counted = QuantityField(_("counted"))

    objects = tenant_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "document", "product"], name="countline_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.expected} → {self.counted}"

    @property
    def difference(self) -> Decimal:
        return self.counted - self.expected
