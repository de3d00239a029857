from __future__ import annotations

from decimal import Decimal

import pytest

from orders import services as order_services
from orders.models import OrderLine
from orders.workflow import Kind, Status

SERVICE, GOODS = OrderLine.LineKind.SERVICE, OrderLine.LineKind.GOODS


def make_order(workshop, branch, by, *, kind=Kind.REPAIR, lines=(("Screen", "4200"),), to=()):
    """An order through the services, with lines at these prices, walked along `to`."""
    order = order_services.order_create(
        workshop=workshop,
        branch=branch,
        kind=kind,
        by=by,
        client_data={"phone": "+79161230000", "name": "Анна Кассова"},
        device_data={"device_type": "Phone", "brand": "Apple", "model": "iPhone 12"}
        if kind == Kind.REPAIR
        else None,
        order_data={"problem": "Broken"} if kind != Kind.SALE else {},
        lines=[
            {
                "kind": GOODS if kind == Kind.SALE else SERVICE,
                "name": name,
                "quantity": 1,
                "unit_price": Decimal(price),
            }
            for name, price in lines
        ],
    )
    for status in to:
        order_services.order_transition(order=order, to=status, by=by)
    return order


READY = (Status.IN_WORK, Status.READY_NOTIFY)


@pytest.fixture
def ready_order(workshop, branch, manager):
    """A repair for 4 200,00, ready to be issued."""
    return make_order(workshop, branch, manager, to=READY)


@pytest.fixture
def sale(workshop, branch, manager):
    return make_order(workshop, branch, manager, kind=Kind.SALE, lines=(("Mouse", "990"),))


@pytest.fixture
def on_site(workshop, branch, manager, technician):
    """A call-out with a technician at the customer's, 1 500,00 of work."""
    return make_order(
        workshop,
        branch,
        manager,
        kind=Kind.CALL_OUT,
        lines=(("Visit", "1500"),),
        to=(Status.ON_SITE,),
    )
