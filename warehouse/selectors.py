"""Reads of the warehouse that views (and other apps) need; each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q

from accounts.models import Branch, Membership
from warehouse.models import (
    Document,
    DocumentKind,
    Movement,
    Product,
    Reservation,
    ReservationState,
    Stock,
)
from workshop.lib.paging import Page, keyset_page

PAGE_SIZE = 50
MOVEMENTS_PAGE = 30


class Show:
    """The stock page's filters."""

    ALL = ""
    LOW = "low"
    RESERVED = "reserved"
    OUT = "out"
    CHOICES = (ALL, LOW, RESERVED, OUT)


def branches_of(membership: Membership) -> list[Branch]:
    """The branches a member works in (every branch for the director), by name."""
    return list(membership.visible_branches().order_by("name", "id"))


def pick_branch(branches: list[Branch], wanted: int | None) -> Branch | None:
    for b in branches:
        if b.pk == wanted:
            return b
    return branches[0] if branches else None


@dataclass(frozen=True)
class StockPage:
    rows: list[Product]
    more: bool
    after_key: str | None
    after_id: int | None


def stock_products(branch: Branch, *, q: str = "", show: str = Show.ALL):
    """The workshop's active products matching the search and the filter in this branch.

    The filters are EXISTS subqueries on the (workshop, product, branch) unique index,
    one probe per product, so the plan never depends on the tables' statistics (a LEFT
    JOIN planned on stale statistics nested-looped 20,000 x 20,000 rows on PostgreSQL).
    """
    qs = Product.objects.filter(workshop_id=branch.workshop_id).active().search(q)
    here = Stock.objects.filter(
        workshop_id=branch.workshop_id, branch=branch, product=OuterRef("pk")
    )
    if show == Show.LOW:
        qs = qs.filter(
            Exists(here.filter(min_quantity__isnull=False, on_hand__lte=F("min_quantity")))
        )
    elif show == Show.RESERVED:
        qs = qs.filter(Exists(here.filter(reserved__gt=0)))
    elif show == Show.OUT:
        qs = qs.filter(~Exists(here.filter(on_hand__gt=0)))
    return qs


def stock_page(
    branch: Branch,
    *,
    q: str = "",
    show: str = Show.ALL,
    after_key: str | None = None,
    after_id: int | None = None,
    size: int = PAGE_SIZE,
) -> StockPage:
    """A page of the stock list by name (keyset on the (workshop, name_key, id) index),
    each product with this branch's `.on_hand`, `.reserved`, `.available`, `.is_low`:
    two queries, the page's products and their stock rows."""
    qs = stock_products(branch, q=q, show=show)
    if after_key is not None and after_id is not None:
        qs = qs.filter(Q(name_key__gt=after_key) | Q(name_key=after_key, id__gt=after_id))
    rows = list(qs.order_by("name_key", "id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    stocks = {
        s.product_id: s
        for s in Stock.objects.filter(
            workshop_id=branch.workshop_id, branch=branch, product_id__in=[p.pk for p in rows]
        )
    }
    for row in rows:
        stock = stocks.get(row.pk) or Stock(product=row, branch=branch)
        row.on_hand, row.reserved = stock.on_hand, stock.reserved
        row.min_quantity, row.available, row.is_low = (
            stock.min_quantity,
            stock.available,
            stock.is_low,
        )
    last = rows[-1] if rows and more else None
    return StockPage(rows, more, last.name_key if last else None, last.pk if last else None)


def product_stocks(product: Product, branches: list[Branch]) -> list[Stock]:
    """The product's stock in each of these branches (a fresh zero row where none): one query."""
    found = {
        s.branch_id: s
        for s in Stock.objects.filter(
            workshop_id=product.workshop_id, product=product, branch__in=[b.pk for b in branches]
        )
    }
    rows = []
    for b in branches:
        stock = found.get(b.pk) or Stock(workshop_id=product.workshop_id, product=product, branch=b)
        stock.branch = b
        rows.append(stock)
    return rows


def product_movements(product: Product, branches: list[Branch], after: int | None) -> Page:
    qs = Movement.objects.filter(
        workshop_id=product.workshop_id, product=product, branch__in=[b.pk for b in branches]
    ).select_related("branch", "by__user", "document", "order", "serial")
    return keyset_page(qs, after=after, size=MOVEMENTS_PAGE)


def product_orders(product: Product, branches: list[Branch], limit: int = 20) -> list[Reservation]:
    """The latest orders whose goods lines took or hold this product."""
    return list(
        Reservation.objects.filter(
            workshop_id=product.workshop_id,
            product=product,
            branch__in=[b.pk for b in branches],
        )
        .exclude(state=ReservationState.RELEASED)
        .select_related("order", "branch", "serial")
        .order_by("-id")[:limit]
    )


def documents_page(membership: Membership, kinds, after: int | None, branches) -> Page:
    ids = [b.pk for b in branches]
    qs = (
        Document.objects.filter(workshop=membership.workshop, kind__in=kinds)
        .filter(Q(branch__in=ids) | Q(to_branch__in=ids))
        .select_related("branch", "to_branch", "by__user")
        .annotate(lines=Count("movements"))
    )
    return keyset_page(qs, after=after, size=PAGE_SIZE)


def receipt(workshop, document_id: int) -> Document | None:
    """A receipt of the workshop by its number, for the cash desk's "paid to the supplier"
    expense (cashdesk may import warehouse; `total` is what it cost)."""
    return (
        Document.objects.filter(workshop=workshop, pk=document_id, kind=DocumentKind.RECEIPT)
        .select_related("branch")
        .first()
    )


def document_movements(document: Document) -> list[Movement]:
    return list(
        Movement.objects.filter(workshop_id=document.workshop_id, document=document)
        .select_related("product", "branch", "serial")
        .order_by("id")
    )


def low_stock(branch: Branch) -> list[Stock]:
    """Products at or below their threshold in the branch, the emptiest first."""
    return list(
        Stock.objects.filter(workshop_id=branch.workshop_id, branch=branch, product__is_active=True)
        .low()
        .select_related("product")
        .order_by("on_hand", "product__name_key")[:500]
    )


def count_sheet(branch: Branch) -> list[Stock]:
    """Every product the branch has stock rows for, by name: the inventory count sheet."""
    return list(
        Stock.objects.filter(workshop_id=branch.workshop_id, branch=branch, product__is_active=True)
        .select_related("product")
        .order_by("product__category", "product__name_key", "product_id")
    )


def order_reservations(order) -> dict[int, Reservation]:
    """The live reservations of an order's lines, by line id: one query."""
    return {
        r.line_id: r
        for r in Reservation.objects.filter(workshop_id=order.workshop_id, order=order)
        .exclude(state=ReservationState.RELEASED)
        .select_related("product", "serial")
    }
