"""Every write to the warehouse: products, documents (receipts, transfers, write-offs,
returns to the supplier, counts) and the stock that orders' goods lines hold.

Each function is keyword-only and atomic. Stock rows are locked (`select_for_update`)
one by one in (product, branch) order before anything is read from them, so two
people moving the same stock queue up and never deadlock; every movement updates its
stock row's totals in the same transaction. Bad input raises Django's `ValidationError`
naming the field (rows of a document: `RowsInvalid`, by row and field); a refusal the
person cannot fix on the form raises `WarehouseError`. Nothing is saved half-way.

The order hooks (`reserve_for_line`, `line_changed`, `release_for_line`,
`order_moved`) run inside orders' own transaction: a ValidationError they raise rolls
the order's change back and is shown by its field.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import Branch, Membership, Workshop
from accounts.permissions import role_can
from directories.models import Kind as DirectoryKind
from directories.services import remember
from orders.models import Order, OrderLine
from orders.workflow import Status
from warehouse.models import (
    NO_MONEY,
    ZERO,
    CountLine,
    Document,
    DocumentKind,
    Movement,
    MovementKind,
    Product,
    Reservation,
    ReservationState,
    Serial,
    SerialState,
    Stock,
    WarehouseSettings,
)
from warehouse.quantity import MAX_QUANTITY, MILLI, display, to_quantity
from workshop.lib.money import CENT, MAX_AMOUNT
from workshop.lib.text import fold

GOODS = OrderLine.LineKind.GOODS
# Statuses whose goods lines hold no stock: the goods stay on the shelf.
RELEASING: frozenset[str] = frozenset({Status.CANCELLED, Status.REFUSED})
REASON_MAX = 500


class WarehouseError(Exception):
    """A refused operation; `message` is shown to the user."""

    def __init__(self, message: Any):
        super().__init__(str(message))
        self.message = message


class NotPermitted(WarehouseError):
    pass


class AlreadyRecorded(WarehouseError):
    """This form was already submitted; `document` is what the first submission posted."""

    def __init__(self, document: Document):
        super().__init__(_("This was already recorded; it was not recorded a second time."))
        self.document = document


class RowsInvalid(WarehouseError):
    """Some rows of a document are wrong: {row index: {field: [messages]}}."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        super().__init__(_("Check the highlighted rows."))
        self.errors = errors


@dataclass
class Row:
    """One product on a document, as the form (or a program) gives it."""

    product: Product
    quantity: Any
    cost: Any = None  # receipts: the cost per unit
    serials: Sequence[str] = field(default_factory=list)


# ---------------------------------------------------------------- checks


def _require(by: Membership, permission: str) -> None:
    if not role_can(by.role, permission):
        raise NotPermitted(_("Your role may not do this."))


def check_quantity(value: Any, product: Product, *, allow_zero: bool = False) -> Decimal:
    """A quantity of `product`: positive, whole for pieces, at most three decimals."""
    try:
        number = to_quantity(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter a quantity, for example 2 or 1,5.")) from None
    if number < 0 or (number == 0 and not allow_zero):
        raise ValidationError(_("Enter a quantity greater than zero."))
    if number > MAX_QUANTITY:
        raise ValidationError(
            _("That is more than any shelf holds: at most %(max)s.")
            % {"max": display(MAX_QUANTITY)}
        )
    if product.decimals == 0 and number != number.to_integral_value():
        raise ValidationError(
            _("%(unit)s are counted whole: enter a whole number.")
            % {"unit": product.get_unit_display()}
        )
    if number != number.quantize(MILLI):
        raise ValidationError(_("At most three decimals."))
    return number.quantize(MILLI)


def check_cost(value: Any) -> Decimal:
    if isinstance(value, float) or not isinstance(value, Decimal | int):
        raise ValidationError(_("Enter the cost per unit, for example 1500 or 1500,50."))
    value = Decimal(value)
    if not value.is_finite() or value < 0:
        raise ValidationError(_("A cost cannot be negative."))
    if value != value.quantize(CENT):
        raise ValidationError(_("Amounts go down to kopecks: at most two decimals."))
    if value > MAX_AMOUNT:
        raise ValidationError(_("That is more than any bill."))
    return value.quantize(CENT)


def _settings(workshop_id: int) -> WarehouseSettings:
    found = WarehouseSettings.objects.filter(workshop_id=workshop_id).first()
    return found or WarehouseSettings(workshop_id=workshop_id)


def allows_negative(workshop_id: int) -> bool:
    return _settings(workshop_id).allow_negative


def _key(key: uuid.UUID | None) -> uuid.UUID:
    return key if key is not None else uuid.uuid4()


def _seen(workshop_id: int, key: uuid.UUID) -> None:
    existing = Document.objects.filter(workshop_id=workshop_id, key=key).first()
    if existing is not None:
        raise AlreadyRecorded(existing)


def _same_workshop(workshop_id: int, *objects) -> None:
    """No row ever points into another workshop (views 404 first; this is the backstop)."""
    for obj in objects:
        if obj is not None and obj.workshop_id != workshop_id:
            raise WarehouseError(_("That belongs to another workshop."))


# ---------------------------------------------------------------- stock rows


def _lock_stock(workshop_id: int, product_id: int, branch_id: int) -> Stock:
    """The (product, branch) stock row, created if missing, locked for this transaction."""
    stock = (
        Stock.objects.select_for_update()
        .filter(workshop_id=workshop_id, product_id=product_id, branch_id=branch_id)
        .first()
    )
    if stock is not None:
        return stock
    try:
        with transaction.atomic():
            Stock.objects.create(
                workshop_id=workshop_id, product_id=product_id, branch_id=branch_id
            )
    except IntegrityError:
        pass  # another transaction created it first
    return Stock.objects.select_for_update().get(
        workshop_id=workshop_id, product_id=product_id, branch_id=branch_id
    )


def _lock_stocks(
    workshop_id: int, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], Stock]:
    """Lock several stock rows in one global order, so two transactions never deadlock."""
    return {pair: _lock_stock(workshop_id, *pair) for pair in sorted(set(pairs))}


def _out_value(stock: Stock, quantity: Decimal) -> Decimal:
    """The cost of `quantity` leaving `stock`: its share of the value at the moving
    average, the whole value for the last units, the last cost for any shortfall."""
    fallback = stock.last_cost if stock.last_cost is not None else NO_MONEY
    if stock.on_hand <= 0:
        return (quantity * fallback).quantize(CENT, rounding=ROUND_HALF_UP)
    if quantity >= stock.on_hand:
        short = quantity - stock.on_hand
        return stock.value + (short * fallback).quantize(CENT, rounding=ROUND_HALF_UP)
    return (stock.value * quantity / stock.on_hand).quantize(CENT, rounding=ROUND_HALF_UP)


def _move(
    stock: Stock,
    kind: str,
    quantity: Decimal,
    value: Decimal,
    *,
    by: Membership | None,
    **links,
) -> Movement:
    """Add one movement and carry it into its stock row's totals (the row is locked)."""
    movement = Movement.objects.create(
        workshop_id=stock.workshop_id,
        product_id=stock.product_id,
        branch_id=stock.branch_id,
        kind=kind,
        quantity=quantity,
        value=value,
        by=by,
        **links,
    )
    stock.on_hand += quantity
    stock.value += value
    stock.save(update_fields=["on_hand", "value", "reserved", "last_cost"])
    return movement


def _shortage(stock: Stock, branch: Branch, wanted: Decimal) -> str:
    available = stock.available
    if stock.reserved > 0:
        return _(
            "Only %(available)s available in %(branch)s (%(reserved)s reserved for orders)."
        ) % {
            "available": display(max(available, ZERO)),
            "branch": branch.name,
            "reserved": display(stock.reserved),
        }
    return _("Only %(available)s available in %(branch)s.") % {
        "available": display(max(available, ZERO)),
        "branch": branch.name,
    }


# ---------------------------------------------------------------- products


PRODUCT_FIELDS = (
    "name",
    "sku",
    "barcode",
    "category",
    "unit",
    "price",
    "serial_tracked",
    "is_active",
)


def _product_clean(product: Product) -> None:
    product.name = " ".join((product.name or "").split())
    product.sku = (product.sku or "").strip()
    product.barcode = (product.barcode or "").strip()
    product.category = " ".join((product.category or "").split())
    if not fold(product.name):
        raise ValidationError({"name": [_("Enter the product's name.")]})
    product.full_clean(exclude=["workshop"], validate_unique=False, validate_constraints=False)
    others = Product.objects.filter(workshop_id=product.workshop_id).exclude(pk=product.pk)
    errors: dict[str, list[str]] = {}
    if others.filter(name_key=fold(product.name)).exists():
        errors["name"] = [_("A product with this name already exists.")]
    if product.sku and others.filter(sku_key=fold(product.sku)).exists():
        errors["sku"] = [_("Another product has this SKU.")]
    if product.barcode and others.filter(barcode=product.barcode).exists():
        errors["barcode"] = [_("Another product has this barcode.")]
    if errors:
        raise ValidationError(errors)


def _save_product(product: Product, by: Membership, **kwargs) -> None:
    product._history_user = by.user
    try:
        with transaction.atomic():
            product.save(**kwargs)
    except IntegrityError:
        # Someone saved the same name, SKU or barcode a moment ago.
        raise ValidationError(
            {"name": [_("A product with this name, SKU or barcode was just saved; check again.")]}
        ) from None
    # The goods directory learns the name and price: typing a goods line suggests it.
    remember(
        workshop=product.workshop,
        kind=DirectoryKind.GOODS,
        value=product.name,
        price=product.price,
        by=by,
    )


@transaction.atomic
def product_create(*, workshop: Workshop, data: dict, by: Membership) -> Product:
    _require(by, "warehouse.manage_products")
    product = Product(workshop=workshop, **{k: data[k] for k in PRODUCT_FIELDS if k in data})
    _product_clean(product)
    _save_product(product, by)
    return product


@transaction.atomic
def product_update(*, product: Product, data: dict, by: Membership) -> Product:
    _require(by, "warehouse.manage_products")
    locked = Product.objects.select_for_update().get(workshop_id=product.workshop_id, pk=product.pk)
    changed = [k for k in PRODUCT_FIELDS if k in data and getattr(locked, k) != data[k]]
    if not changed:
        return locked
    if "serial_tracked" in changed and (
        Movement.objects.filter(workshop_id=locked.workshop_id, product=locked).exists()
    ):
        raise ValidationError(
            {"serial_tracked": [_("Stock has moved already: serial tracking is fixed now.")]}
        )
    if (
        "unit" in changed
        and Movement.objects.filter(workshop_id=locked.workshop_id, product=locked).exists()
    ):
        raise ValidationError({"unit": [_("Stock has moved already: the unit is fixed now.")]})
    for k in changed:
        setattr(locked, k, data[k])
    _product_clean(locked)
    _save_product(locked, by, update_fields=changed)
    return locked


@transaction.atomic
def threshold_set(
    *, product: Product, branch: Branch, min_quantity: Decimal | None, by: Membership
) -> Stock:
    """The low-stock threshold of a product in a branch (None: never low)."""
    _require(by, "warehouse.manage_products")
    _same_workshop(product.workshop_id, branch)
    if min_quantity is not None:
        try:
            min_quantity = check_quantity(min_quantity, product, allow_zero=True)
        except ValidationError as exc:
            raise ValidationError({"min_quantity": exc.messages}) from None
    stock = _lock_stock(product.workshop_id, product.pk, branch.pk)
    stock.min_quantity = min_quantity
    stock.save(update_fields=["min_quantity"])
    return stock


@transaction.atomic
def settings_update(
    *, workshop: Workshop, allow_negative: bool, by: Membership
) -> WarehouseSettings:
    _require(by, "warehouse.settings")
    found, _created = WarehouseSettings.objects.get_or_create(workshop=workshop)
    found.allow_negative = bool(allow_negative)
    found.save(update_fields=["allow_negative"])
    return found


# ---------------------------------------------------------------- lookups


def product_by_barcode(*, workshop: Workshop, code: str) -> Product | None:
    """The active product whose barcode (or, failing that, SKU) is `code`."""
    code = (code or "").strip()
    if not code or len(code) > 64:
        return None
    products = Product.objects.filter(workshop=workshop).active()
    return products.filter(barcode=code).first() or products.filter(sku_key=fold(code)).first()


def product_lookup(*, workshop: Workshop, text: str) -> Product | None:
    """What a product field holds: a scanned barcode, an SKU or the exact name."""
    text = (text or "").strip()
    if not text:
        return None
    found = product_by_barcode(workshop=workshop, code=text)
    if found is None:
        found = Product.objects.filter(workshop=workshop, name_key=fold(text)).active().first()
    return found


def suggest_products(
    *, workshop: Workshop, branch: Branch, term: str, limit: int = 10
) -> list[dict]:
    """Products for a goods line being typed: those in stock in `branch` first, then the
    rest, each with its price and what is on hand there. Two queries."""
    matches = list(
        Product.objects.filter(workshop=workshop)
        .active()
        .search(term)
        .order_by("name_key", "id")
        .values("pk", "name", "price", "unit")[: limit * 5]
    )
    stocks = {
        s["product_id"]: s
        for s in Stock.objects.filter(
            workshop=workshop, branch=branch, product_id__in=[m["pk"] for m in matches]
        ).values("product_id", "on_hand", "reserved")
    }
    rows = []
    for m in matches:
        stock = stocks.get(m["pk"], {"on_hand": ZERO, "reserved": ZERO})
        rows.append(
            {
                "name": m["name"],
                "price": m["price"],
                "on_hand": stock["on_hand"],
                "available": stock["on_hand"] - stock["reserved"],
                "product_id": m["pk"],
            }
        )
    rows.sort(key=lambda r: r["on_hand"] <= 0)  # stable: stocked first, each by name
    return rows[:limit]


# ---------------------------------------------------------------- documents


def _document(
    *, kind: str, branch: Branch, by: Membership, key: uuid.UUID | None, **fields
) -> Document:
    key = _key(key)
    _seen(branch.workshop_id, key)
    doc = Document(
        workshop_id=branch.workshop_id, kind=kind, branch=branch, by=by, key=key, **fields
    )
    doc.full_clean(exclude=["workshop", "by", "branch", "to_branch"])
    try:
        with transaction.atomic():
            doc.save()
    except IntegrityError:
        raise AlreadyRecorded(
            Document.objects.get(workshop_id=branch.workshop_id, key=key)
        ) from None
    return doc


def _check_rows(rows: Sequence[Row], workshop_id: int, *, with_cost: bool = False) -> list[Row]:
    """Each row's quantity, cost and serials checked; the errors of every row at once."""
    if not rows:
        raise ValidationError(_("Add at least one product."))
    errors: dict[int, dict[str, list[str]]] = {}
    checked = []
    for i, row in enumerate(rows):
        row_errors: dict[str, list[str]] = {}
        _same_workshop(workshop_id, row.product)
        try:
            quantity = check_quantity(row.quantity, row.product)
        except ValidationError as exc:
            row_errors["quantity"] = exc.messages
            quantity = None
        cost = None
        if with_cost:
            try:
                cost = check_cost(row.cost)
            except ValidationError as exc:
                row_errors["cost"] = exc.messages
        serials = [s.strip() for s in row.serials if s and s.strip()]
        if row.product.serial_tracked and quantity is not None:
            if len(serials) != quantity:
                row_errors["serials"] = [
                    _("List one serial number per unit: %(n)s wanted, %(got)s given.")
                    % {"n": display(quantity), "got": len(serials)}
                ]
            elif len(set(serials)) != len(serials):
                row_errors["serials"] = [_("A serial number is listed twice.")]
        elif serials and not row.product.serial_tracked:
            row_errors["serials"] = [_("This product is not tracked by serial number.")]
        if row_errors:
            errors[i] = row_errors
        else:
            checked.append(Row(row.product, quantity, cost, serials))
    if errors:
        raise RowsInvalid(errors)
    return checked


def _take_serials(
    row: Row, branch: Branch, index: int, *, states=(SerialState.IN_STOCK,)
) -> list[Serial]:
    """Lock the listed serials of a row; each must be in `branch` in one of `states`."""
    found = {
        s.serial: s
        for s in Serial.objects.select_for_update().filter(
            workshop_id=branch.workshop_id, product=row.product, serial__in=row.serials
        )
    }
    problems = []
    for text in row.serials:
        serial = found.get(text)
        if serial is None or serial.branch_id != branch.pk or serial.state not in states:
            if serial is not None and serial.state == SerialState.SOLD:
                problems.append(_("Serial %(serial)s is already sold.") % {"serial": text})
            else:
                problems.append(
                    _("Serial %(serial)s is not in stock in %(branch)s.")
                    % {"serial": text, "branch": branch.name}
                )
    if problems:
        raise RowsInvalid({index: {"serials": problems}})
    return [found[t] for t in row.serials]


@transaction.atomic
def receipt_post(
    *,
    branch: Branch,
    rows: Sequence[Row],
    by: Membership,
    key: uuid.UUID | None = None,
    supplier: str = "",
    supplier_number: str = "",
) -> Document:
    """Goods in from a supplier: quantity and cost per unit of each product."""
    _require(by, "warehouse.receive")
    _same_workshop(by.workshop_id, branch)
    checked = _check_rows(rows, branch.workshop_id, with_cost=True)
    doc = _document(
        kind=DocumentKind.RECEIPT,
        branch=branch,
        by=by,
        key=key,
        supplier=" ".join((supplier or "").split())[:200],
        supplier_number=(supplier_number or "").strip()[:100],
    )
    stocks = _lock_stocks(branch.workshop_id, [(r.product.pk, branch.pk) for r in checked])
    total = NO_MONEY
    for i, row in enumerate(checked):
        stock = stocks[(row.product.pk, branch.pk)]
        value = (row.quantity * row.cost).quantize(CENT, rounding=ROUND_HALF_UP)
        stock.last_cost = row.cost
        if not row.serials:
            _move(stock, MovementKind.RECEIPT, row.quantity, value, by=by, document=doc)
        else:
            _receive_serials(stock, row, i, doc, by, branch)
        total += value
    if total > MAX_AMOUNT:
        raise ValidationError(_("The receipt comes to more than any bill."))
    doc.total = total
    doc.save(update_fields=["total"])
    if doc.supplier:
        remember(workshop=branch.workshop, kind=DirectoryKind.PARTNER, value=doc.supplier, by=by)
    return doc


def _receive_serials(stock, row: Row, index: int, doc, by, branch) -> None:
    existing = {
        s.serial: s
        for s in Serial.objects.select_for_update().filter(
            workshop_id=branch.workshop_id, product=row.product, serial__in=row.serials
        )
    }
    taken = [t for t, s in existing.items() if s.state != SerialState.GONE]
    if taken:
        raise RowsInvalid(
            {
                index: {
                    "serials": [
                        _("Serial %(serial)s is already received.") % {"serial": t} for t in taken
                    ]
                }
            }
        )
    for text in row.serials:
        serial = existing.get(text)
        if serial is None:
            serial = Serial.objects.create(
                workshop_id=branch.workshop_id, product=row.product, serial=text, branch=branch
            )
        else:
            serial.branch, serial.state = branch, SerialState.IN_STOCK
            serial.save(update_fields=["branch", "state"])
        _move(stock, MovementKind.RECEIPT, Decimal(1), row.cost, by=by, document=doc, serial=serial)


def _outgoing(
    *,
    kind: str,
    movement: str,
    branch: Branch,
    rows: Sequence[Row],
    by: Membership,
    key,
    permission: str,
    **fields,
) -> Document:
    _require(by, permission)
    _same_workshop(by.workshop_id, branch)
    checked = _check_rows(rows, branch.workshop_id)
    doc = _document(kind=kind, branch=branch, by=by, key=key, **fields)
    stocks = _lock_stocks(branch.workshop_id, [(r.product.pk, branch.pk) for r in checked])
    _check_available(stocks, checked, branch)
    for i, row in enumerate(checked):
        stock = stocks[(row.product.pk, branch.pk)]
        if row.serials:
            for serial in _take_serials(row, branch, i):
                value = _out_value(stock, Decimal(1))
                _move(stock, movement, Decimal(-1), -value, by=by, document=doc, serial=serial)
                serial.state = SerialState.GONE
                serial.save(update_fields=["state"])
        else:
            value = _out_value(stock, row.quantity)
            _move(stock, movement, -row.quantity, -value, by=by, document=doc)
    return doc


def _check_available(stocks, rows: Sequence[Row], branch: Branch) -> None:
    """Refuse taking out more than is on hand and not held by orders (never negative)."""
    wanted: dict[int, Decimal] = {}
    errors = {}
    for i, row in enumerate(rows):
        wanted[row.product.pk] = wanted.get(row.product.pk, ZERO) + row.quantity
        stock = stocks[(row.product.pk, branch.pk)]
        if wanted[row.product.pk] > stock.available:
            errors[i] = {"quantity": [_shortage(stock, branch, wanted[row.product.pk])]}
    if errors:
        raise RowsInvalid(errors)


def write_off_post(
    *, branch: Branch, rows: Sequence[Row], reason: str, by: Membership, key=None
) -> Document:
    """Goods gone (broken, lost, used in the workshop), with the reason."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Say why: the reason stays with the write-off.")]})
    with transaction.atomic():
        return _outgoing(
            kind=DocumentKind.WRITE_OFF,
            movement=MovementKind.WRITE_OFF,
            branch=branch,
            rows=rows,
            by=by,
            key=key,
            permission="warehouse.write_off",
            reason=reason[:REASON_MAX],
        )


def supplier_return_post(
    *,
    branch: Branch,
    rows: Sequence[Row],
    supplier: str,
    by: Membership,
    key=None,
    reason: str = "",
) -> Document:
    """Goods sent back to the supplier, at the branch's average cost."""
    supplier = " ".join((supplier or "").split())
    if not supplier:
        raise ValidationError({"supplier": [_("Name the supplier the goods go back to.")]})
    with transaction.atomic():
        return _outgoing(
            kind=DocumentKind.SUPPLIER_RETURN,
            movement=MovementKind.SUPPLIER_RETURN,
            branch=branch,
            rows=rows,
            by=by,
            key=key,
            permission="warehouse.write_off",
            supplier=supplier[:200],
            reason=" ".join((reason or "").split())[:REASON_MAX],
        )


@transaction.atomic
def transfer_post(
    *, branch: Branch, to_branch: Branch, rows: Sequence[Row], by: Membership, key=None
) -> Document:
    """Goods out of one branch and into another, in one transaction, at their cost."""
    _require(by, "warehouse.transfer")
    _same_workshop(by.workshop_id, branch, to_branch)
    if to_branch.pk == branch.pk:
        raise ValidationError(
            {"to_branch": [_("Choose another branch: a transfer goes between two branches.")]}
        )
    if not to_branch.is_active:
        raise ValidationError({"to_branch": [_("That branch is closed.")]})
    checked = _check_rows(rows, branch.workshop_id)
    doc = _document(kind=DocumentKind.TRANSFER, branch=branch, by=by, key=key, to_branch=to_branch)
    pairs = [(r.product.pk, b.pk) for r in checked for b in (branch, to_branch)]
    stocks = _lock_stocks(branch.workshop_id, pairs)
    _check_available(stocks, checked, branch)
    for i, row in enumerate(checked):
        out, into = stocks[(row.product.pk, branch.pk)], stocks[(row.product.pk, to_branch.pk)]
        parts = (
            [(Decimal(1), s) for s in _take_serials(row, branch, i)]
            if row.serials
            else [(row.quantity, None)]
        )
        for quantity, serial in parts:
            value = _out_value(out, quantity)
            _move(
                out,
                MovementKind.TRANSFER_OUT,
                -quantity,
                -value,
                by=by,
                document=doc,
                serial=serial,
            )
            if into.last_cost is None or value:
                into.last_cost = (value / quantity).quantize(CENT, rounding=ROUND_HALF_UP)
            _move(
                into,
                MovementKind.TRANSFER_IN,
                quantity,
                value,
                by=by,
                document=doc,
                serial=serial,
            )
            if serial is not None:
                serial.branch = to_branch
                serial.save(update_fields=["branch"])
    return doc


@transaction.atomic
def count_post(
    *, branch: Branch, counted: dict[Product, Any], by: Membership, key=None
) -> Document:
    """An inventory count: each counted product's difference from the books becomes an
    adjustment movement (surplus at the average or last cost, shortage at the average)."""
    _require(by, "warehouse.count")
    _same_workshop(by.workshop_id, branch)
    if not counted:
        raise ValidationError(_("Enter at least one counted quantity."))
    products = list(counted)
    errors: dict[int, dict[str, list[str]]] = {}
    values: dict[int, Decimal] = {}
    for i, product in enumerate(products):
        _same_workshop(branch.workshop_id, product)
        try:
            values[product.pk] = check_quantity(counted[product], product, allow_zero=True)
        except ValidationError as exc:
            errors[i] = {"quantity": exc.messages}
    if errors:
        raise RowsInvalid(errors)
    doc = _document(kind=DocumentKind.COUNT, branch=branch, by=by, key=key)
    stocks = _lock_stocks(branch.workshop_id, [(p.pk, branch.pk) for p in products])
    lines = []
    for i, product in enumerate(products):
        stock, real = stocks[(product.pk, branch.pk)], values[product.pk]
        if real < stock.reserved and not allows_negative(branch.workshop_id):
            errors[i] = {
                "quantity": [
                    _("%(reserved)s are reserved for orders: release them first, or count again.")
                    % {"reserved": display(stock.reserved)}
                ]
            }
            continue
        lines.append(
            CountLine(
                workshop_id=branch.workshop_id,
                document=doc,
                product=product,
                expected=stock.on_hand,
                counted=real,
            )
        )
        difference = real - stock.on_hand
        if difference > 0:
            cost = stock.average_cost or stock.last_cost or NO_MONEY
            value = (difference * cost).quantize(CENT, rounding=ROUND_HALF_UP)
            _move(stock, MovementKind.COUNT, difference, value, by=by, document=doc)
        elif difference < 0:
            value = _out_value(stock, -difference)
            _move(stock, MovementKind.COUNT, difference, -value, by=by, document=doc)
    if errors:
        raise RowsInvalid(errors)
    CountLine.objects.bulk_create(lines)
    return doc


# ---------------------------------------------------------------- orders' goods lines


def product_for_line(line: OrderLine) -> Product | None:
    """The stocked product a goods line is, by its name (one query; None for services)."""
    if line.kind != GOODS:
        return None
    key = fold(line.name)
    if not key:
        return None
    return Product.objects.filter(workshop_id=line.workshop_id, name_key=key).active().first()


def _live(line_id: int, workshop_id: int) -> Reservation | None:
    return (
        Reservation.objects.select_for_update(of=("self",))
        .filter(
            workshop_id=workshop_id,
            line_id=line_id,
            state__in=[ReservationState.ACTIVE, ReservationState.ISSUED],
        )
        .select_related("product", "serial")
        .first()
    )


def _quantity_of(line: OrderLine, product: Product) -> Decimal:
    quantity = Decimal(line.quantity)
    if product.serial_tracked and quantity != 1:
        raise ValidationError(
            {"quantity": [_("One serial-numbered unit per line: add a line for each unit.")]}
        )
    return quantity


def _sell(stock: Stock, reservation: Reservation, quantity: Decimal, by, order) -> Movement:
    value = _out_value(stock, quantity)
    return _move(
        stock,
        MovementKind.SALE,
        -quantity,
        -value,
        by=by,
        order=order,
        line_id=reservation.line_id,
        line_name=_line_name(reservation),
        serial=reservation.serial,
    )


def _line_name(reservation: Reservation) -> str:
    return reservation.product.name[:200]


def _check_can_take(stock: Stock, branch: Branch, quantity: Decimal) -> None:
    if quantity > stock.available and not allows_negative(stock.workshop_id):
        raise ValidationError({"quantity": [_shortage(stock, branch, quantity)]})


def reserve_for_line(*, line: OrderLine, by: Membership | None) -> Reservation | None:
    """Hold stock for a goods line of a stocked product in the order's branch.

    Called in orders' transaction when the line is added. An issued order's new line
    (the director's correction) is written off at once; a cancelled or refused order's
    line holds nothing. Refused with the quantity available, by the quantity field.
    Idempotent: a line that already holds stock is brought in step instead.
    """
    with transaction.atomic():
        order = line.order
        existing = _live(line.pk, line.workshop_id)
        if existing is not None:
            return _sync(line, existing, by)
        product = product_for_line(line)
        if product is None or order.status in RELEASING or order.is_deleted:
            return None
        quantity = _quantity_of(line, product)
        stock = _lock_stock(line.workshop_id, product.pk, order.branch_id)
        _check_can_take(stock, order.branch, quantity)
        reservation = Reservation.objects.create(
            workshop_id=line.workshop_id,
            order=order,
            line_id=line.pk,
            product=product,
            branch_id=order.branch_id,
            quantity=quantity,
        )
        if order.status == Status.ISSUED:
            if product.serial_tracked:
                raise ValidationError(
                    {"name": [_("Serial-numbered goods go on an order before it is issued.")]}
                )
            reservation.state = ReservationState.ISSUED
            reservation.save(update_fields=["state"])
            _sell(stock, reservation, quantity, by, order)
        else:
            stock.reserved += quantity
            stock.save(update_fields=["reserved"])
        _hand_cost(reservation)
        return reservation


def _hand_cost(reservation: Reservation | None) -> None:
    """Give the order line the cost of its goods (OrderLine.cost, the cash desk's margin
    and salary read it): once sold, what they left stock at, net of returns; while held,
    what they would leave at now (the branch's average cost, else its last cost). With
    neither known the line keeps the snapshot orders took. One or two queries."""
    if reservation is None or reservation.state == ReservationState.RELEASED:
        return
    if reservation.state == ReservationState.ISSUED:
        cost = _sold_cost(reservation)
    else:
        stock = Stock.objects.filter(
            workshop_id=reservation.workshop_id,
            product_id=reservation.product_id,
            branch_id=reservation.branch_id,
        ).first()
        unit = None if stock is None else stock.average_cost or stock.last_cost
        if unit is None:
            return
        cost = (unit * reservation.quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    OrderLine.objects.filter(workshop_id=reservation.workshop_id, pk=reservation.line_id).update(
        cost=cost
    )


def _sync(
    line: OrderLine, reservation: Reservation, by, *, same_name: bool = False
) -> Reservation | None:
    """Bring a line's reservation in step with its product and quantity. A line whose
    name did not change keeps its product (even if the product was renamed since)."""
    product = reservation.product if same_name else product_for_line(line)
    if line.kind != GOODS:
        product = None
    if product is None or product.pk != reservation.product_id:
        _release(reservation, by, line.order)
        return reserve_for_line(line=line, by=by) if product is not None else None
    quantity = _quantity_of(line, product)
    difference = quantity - reservation.quantity
    if difference == 0:
        return reservation
    order = line.order
    stock = _lock_stock(line.workshop_id, product.pk, reservation.branch_id)
    if reservation.state == ReservationState.ACTIVE:
        if difference > 0:
            _check_can_take(stock, order.branch, difference)
        stock.reserved += difference
        stock.save(update_fields=["reserved"])
    elif difference > 0:
        _check_can_take(stock, order.branch, difference)
        _sell(stock, reservation, difference, by, order)
    else:
        _return(stock, reservation, -difference, by, order)
    reservation.quantity = quantity
    reservation.save(update_fields=["quantity"])
    return reservation


def _sold_cost(reservation: Reservation) -> Decimal:
    """What the goods of a line cost when they left, net of what came back."""
    total = Movement.objects.filter(
        workshop_id=reservation.workshop_id,
        order_id=reservation.order_id,
        line_id=reservation.line_id,
        kind__in=[MovementKind.SALE, MovementKind.SALE_RETURN],
    ).aggregate(v=Sum("value"))["v"]
    return -(total or NO_MONEY)


def _return(stock: Stock, reservation: Reservation, quantity: Decimal, by, order) -> None:
    """Goods of an issued line back on the shelf, at the cost they left at."""
    cost = _sold_cost(reservation)
    if quantity >= reservation.quantity:
        value = cost
    else:
        value = (cost * quantity / reservation.quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    sale = (
        Movement.objects.filter(
            workshop_id=reservation.workshop_id,
            line_id=reservation.line_id,
            order_id=reservation.order_id,
            kind=MovementKind.SALE,
        )
        .order_by("-id")
        .first()
    )
    _move(
        stock,
        MovementKind.SALE_RETURN,
        quantity,
        value,
        by=by,
        order=order,
        line_id=reservation.line_id,
        line_name=_line_name(reservation),
        serial=reservation.serial,
        reverses=sale,
    )
    if reservation.serial is not None:
        reservation.serial.state = SerialState.IN_STOCK
        reservation.serial.save(update_fields=["state"])


def _release(reservation: Reservation, by, order) -> None:
    stock = _lock_stock(reservation.workshop_id, reservation.product_id, reservation.branch_id)
    if reservation.state == ReservationState.ACTIVE:
        stock.reserved -= reservation.quantity
        stock.save(update_fields=["reserved"])
        if reservation.serial is not None:
            reservation.serial.state = SerialState.IN_STOCK
            reservation.serial.save(update_fields=["state"])
    else:
        _return(stock, reservation, reservation.quantity, by, order)
    reservation.state = ReservationState.RELEASED
    reservation.save(update_fields=["state"])


def line_changed(
    *, line: OrderLine, old_quantity: int, old_name: str, by: Membership | None
) -> Reservation | None:
    """A goods line's name or quantity changed: move its hold (or sale) along with it."""
    with transaction.atomic():
        existing = _live(line.pk, line.workshop_id)
        if existing is None:
            return reserve_for_line(line=line, by=by)
        reservation = _sync(line, existing, by, same_name=fold(old_name) == fold(line.name))
        _hand_cost(reservation)
        return reservation


def release_for_line(*, line: OrderLine, by: Membership | None) -> None:
    """A line is being removed: its hold ends; an issued line's goods come back."""
    with transaction.atomic():
        existing = _live(line.pk, line.workshop_id)
        if existing is not None:
            _release(existing, by, line.order)


def order_moved(*, order: Order, old_status: str, new_status: str, by: Membership | None) -> None:
    """Issued: the order's held goods are written off at the branch's average cost.
    Cancelled or refused: they go back to the shelf. Out of "refused" (back to the
    queue): the goods lines hold stock again, or the move is refused."""
    with transaction.atomic():
        reservations = list(
            Reservation.objects.select_for_update(of=("self",))
            .filter(workshop_id=order.workshop_id, order=order, state=ReservationState.ACTIVE)
            .select_related("product", "serial")
            .order_by("product_id", "id")
        )
        if new_status == Status.ISSUED:
            missing = [r for r in reservations if r.product.serial_tracked and r.serial_id is None]
            if missing:
                raise ValidationError(_serial_missing(missing[0]))
            stocks = _lock_stocks(
                order.workshop_id, [(r.product_id, r.branch_id) for r in reservations]
            )
            for r in reservations:
                stock = stocks[(r.product_id, r.branch_id)]
                stock.reserved -= r.quantity
                sale = _sell(stock, r, r.quantity, by, order)
                # The line's cost is now what its goods were written off at.
                OrderLine.objects.filter(workshop_id=order.workshop_id, pk=r.line_id).update(
                    cost=-sale.value
                )
                r.state = ReservationState.ISSUED
                r.save(update_fields=["state"])
                if r.serial is not None:
                    r.serial.state = SerialState.SOLD
                    r.serial.save(update_fields=["state"])
        elif new_status in RELEASING:
            for r in reservations:
                _release(r, by, order)
        elif old_status in RELEASING:
            lines = OrderLine.objects.filter(workshop_id=order.workshop_id, order=order, kind=GOODS)
            for line in lines.order_by("id"):
                line.order = order
                try:
                    reserve_for_line(line=line, by=by)
                except ValidationError as exc:
                    raise ValidationError(
                        _("“%(name)s”: %(problem)s")
                        % {"name": line.name, "problem": exc.messages[0]}
                    ) from None


def _serial_missing(reservation: Reservation) -> str:
    return _("Choose the serial number of “%(name)s” before the order is issued.") % {
        "name": reservation.product.name
    }


def issue_refusal(order: Order) -> str | None:
    """Why the order cannot be issued yet, for the guard on "issued" (or None)."""
    missing = (
        Reservation.objects.filter(
            workshop_id=order.workshop_id,
            order=order,
            state=ReservationState.ACTIVE,
            product__serial_tracked=True,
            serial__isnull=True,
        )
        .select_related("product")
        .first()
    )
    return _serial_missing(missing) if missing is not None else None


@transaction.atomic
def serial_assign(*, order: Order, line_id: int, serial: str, by: Membership) -> Reservation:
    """Say which serial-numbered unit goes on a line; a unit is never sold twice."""
    _require(by, "orders.edit")
    reservation = _live(line_id, order.workshop_id)
    if reservation is None or reservation.order_id != order.pk:
        raise WarehouseError(_("This line holds no serial-numbered goods."))
    if reservation.state != ReservationState.ACTIVE:
        raise WarehouseError(_("The order is issued: its serial numbers are fixed."))
    text = (serial or "").strip()
    unit = (
        Serial.objects.select_for_update()
        .filter(workshop_id=order.workshop_id, product_id=reservation.product_id, serial=text)
        .first()
    )
    if unit is None or unit.branch_id != reservation.branch_id or unit.state == SerialState.GONE:
        raise ValidationError(
            {
                "serial": [
                    _("Serial %(serial)s is not in stock in %(branch)s.")
                    % {"serial": text or "—", "branch": order.branch.name}
                ]
            }
        )
    if unit.state == SerialState.SOLD:
        raise ValidationError(
            {"serial": [_("Serial %(serial)s is already sold.") % {"serial": text}]}
        )
    if unit.state == SerialState.RESERVED and unit.pk != reservation.serial_id:
        raise ValidationError(
            {"serial": [_("Serial %(serial)s is on another order.") % {"serial": text}]}
        )
    if reservation.serial is not None and reservation.serial.pk != unit.pk:
        reservation.serial.state = SerialState.IN_STOCK
        reservation.serial.save(update_fields=["state"])
    unit.state = SerialState.RESERVED
    unit.save(update_fields=["state"])
    reservation.serial = unit
    reservation.save(update_fields=["serial"])
    return reservation


def line_cost(line: OrderLine) -> Decimal | None:
    """What a goods line's goods cost when they left stock (the whole line, net of
    returns), for margins and salaries; None for a line that took nothing from stock."""
    rows = Movement.objects.filter(
        workshop_id=line.workshop_id,
        order_id=line.order_id,
        line_id=line.pk,
        kind__in=[MovementKind.SALE, MovementKind.SALE_RETURN],
    )
    total = rows.aggregate(v=Sum("value"))["v"]
    if total is None:
        return None
    return -total


def line_costs(order: Order) -> dict[int, Decimal]:
    """line_cost of every line of an order that took goods from stock: one query."""
    rows = (
        Movement.objects.filter(
            workshop_id=order.workshop_id,
            order=order,
            kind__in=[MovementKind.SALE, MovementKind.SALE_RETURN],
        )
        .values("line_id")
        .annotate(v=Sum("value"))
        .order_by()
    )
    return {row["line_id"]: -row["v"] for row in rows}
