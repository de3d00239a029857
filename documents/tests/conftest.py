from __future__ import annotations

from decimal import Decimal

import pytest

from documents import rendering
from documents.context import has_field
from orders import services
from orders.models import Order, OrderLine
from orders.workflow import Kind, Status

# The device's condition and accessories as taken in (moving from Device onto Order).
TAKEN_IN = {"condition": "Царапины на крышке", "accessories": "Зарядное устройство"}
ON_ORDER = has_field(Order, "condition")


@pytest.fixture(scope="session", autouse=True)
def _close_render_workers():
    yield
    if rendering._pool is not None:
        rendering._pool.close()


@pytest.fixture
def repair_order(workshop, branch, manager):
    """A repair accepted through the service, as the front desk would."""
    return services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.REPAIR,
        by=manager,
        client_data={"phone": "8 912 345-67-89", "name": "Иван Петров"},
        device_data={
            "device_type": "Ноутбук",
            "brand": "Lenovo",
            "model": "IdeaPad 5",
            "serial": "PF2ABC",
            **({} if ON_ORDER else TAKEN_IN),
        },
        order_data={
            "problem": "Не включается",
            "estimate": Decimal("4500"),
            **(TAKEN_IN if ON_ORDER else {}),
        },
    )


@pytest.fixture
def add_line(manager):
    def add(order, name="Замена экрана", price="4200", kind=OrderLine.LineKind.SERVICE, qty=1):
        services.line_add(
            order=order,
            by=manager,
            data={"kind": kind, "name": name, "quantity": qty, "unit_price": Decimal(price)},
            version=order.version,
        )
        order.refresh_from_db()
        return order

    return add


@pytest.fixture
def move(manager):
    def go(order, *statuses):
        for status in statuses:
            services.order_transition(order=order, to=status, by=manager, check_guards=False)
        order.refresh_from_db()
        return order

    return go


@pytest.fixture
def issued_order(repair_order, add_line, move):
    add_line(repair_order)
    return move(repair_order, Status.IN_WORK, Status.READY_NOTIFY, Status.ISSUED)
