from __future__ import annotations

from decimal import Decimal

import pytest

from orders import services as order_services
from orders.models import OrderLine
from orders.workflow import Kind
from warehouse import services
from warehouse.models import Product
from warehouse.services import Row

GOODS = OrderLine.LineKind.GOODS


def make_product(workshop, name="SSD 1 TB", *, price="6490", **extra) -> Product:
    product = Product(workshop=workshop, name=name, price=Decimal(price), **extra)
    product.save()
    return product


def receive(branch, by, *rows, supplier="", key=None):
    """rows: (product, quantity, cost[, serials])."""
    return services.receipt_post(
        branch=branch,
        by=by,
        key=key,
        supplier=supplier,
        rows=[
            Row(p, Decimal(str(q)), Decimal(str(c)), list(s[0]) if s else [])
            for p, q, c, *s in rows
        ],
    )


def make_order(workshop, branch, by, *, kind=Kind.SALE, lines=()):
    """An order through orders' services; `lines`: (name, quantity, price) goods lines."""
    return order_services.order_create(
        workshop=workshop,
        branch=branch,
        kind=kind,
        by=by,
        client_data={"phone": "+79161230000", "name": "Анна Складова"},
        device_data={"device_type": "Laptop", "brand": "Lenovo", "model": "T14"}
        if kind == Kind.REPAIR
        else None,
        order_data={"problem": "Upgrade"} if kind != Kind.SALE else {},
        lines=[
            {"kind": GOODS, "name": n, "quantity": q, "unit_price": Decimal(str(p))}
            for n, q, p in lines
        ],
    )


def add_line(order, by, name, quantity=1, price="100"):
    """A goods line added as orders will add it: line_add, then the hook in its transaction."""
    from django.db import transaction

    with transaction.atomic():
        line = order_services.line_add(
            order=order,
            by=by,
            data={"kind": GOODS, "name": name, "quantity": quantity, "unit_price": Decimal(price)},
        )
        line.order = order
        services.reserve_for_line(line=line, by=by)
    return line


@pytest.fixture
def ssd(workshop):
    return make_product(workshop, "SSD 1 TB", price="6490", sku="SSD-1T", barcode="4601234567890")


@pytest.fixture
def ram(workshop):
    return make_product(workshop, "RAM DDR4 16 GB", price="3990", sku="RAM16")
