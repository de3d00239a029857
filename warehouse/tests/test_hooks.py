"""Orders' own writes move the stock through the hooks the warehouse registers
(orders/extensions.py): nobody calls the warehouse by hand here."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cashdesk import services as cash
from orders import services as order_services
from orders.models import OrderLine
from orders.workflow import Kind, Status
from warehouse import services
from warehouse.models import Movement, MovementKind, Reservation, ReservationState, Stock
from warehouse.tests.conftest import GOODS, make_order, make_product, receive

pytestmark = pytest.mark.django_db

D = Decimal


def held(product, branch) -> tuple[Decimal, Decimal]:
    stock = Stock.objects.get(product=product, branch=branch)
    return stock.on_hand, stock.reserved


def test_an_order_created_with_a_stocked_goods_line_holds_it(workshop, branch, manager, ssd):
    receive(branch, manager, (ssd, 3, "100"))
    make_order(workshop, branch, manager, lines=[("SSD 1 TB", 2, "6490")])
    assert held(ssd, branch) == (D("3"), D("2"))


def test_the_plus_form_refuses_more_than_available_and_saves_no_order(
    workshop, branch, manager, ssd
):
    from orders.models import Order

    receive(branch, manager, (ssd, 1, "100"))
    with pytest.raises(ValidationError) as exc:
        make_order(workshop, branch, manager, lines=[("SSD 1 TB", 2, "6490")])
    assert exc.value.message_dict == {"quantity": ["Only 1 available in Central."]}
    assert not Order.objects.exists()


def test_line_add_change_and_remove_move_the_hold(workshop, branch, manager, ssd):
    receive(branch, manager, (ssd, 3, "100"))
    order = make_order(workshop, branch, manager)
    line = order_services.line_add(
        order=order, by=manager, data={"kind": GOODS, "name": "SSD 1 TB", "unit_price": D("1")}
    )
    assert held(ssd, branch) == (D("3"), D("1"))
    line.refresh_from_db()
    order_services.line_update(line=line, by=manager, data={"quantity": 3})
    assert held(ssd, branch) == (D("3"), D("3"))
    with pytest.raises(ValidationError) as exc:
        order_services.line_update(line=line, by=manager, data={"quantity": 4})
    assert exc.value.message_dict == {
        "quantity": ["Only 0 available in Central (3 reserved for orders)."]
    }
    assert OrderLine.objects.get(pk=line.pk).quantity == 3
    order_services.line_remove(line=line, by=manager)
    assert held(ssd, branch) == (D("3"), D("0"))


def test_cancelling_releases_and_issuing_at_the_desk_writes_off(workshop, branch, manager, ssd):
    receive(branch, manager, (ssd, 2, "100"), (ssd, 1, "130"))
    cancelled = make_order(workshop, branch, manager, lines=[("SSD 1 TB", 1, "6490")])
    order_services.order_transition(order=cancelled, to=Status.CANCELLED, by=manager)
    assert held(ssd, branch) == (D("3"), D("0"))
    sale = make_order(workshop, branch, manager, lines=[("SSD 1 TB", 2, "6490")])
    cash.payment_take(
        order=sale, amounts={"cash": D("12980")}, by=manager, key=None, version=None, issue=True
    )
    assert held(ssd, branch) == (D("1"), D("0"))
    line = sale.lines.get()
    assert services.line_cost(line) == D("220.00")
    assert Movement.objects.filter(kind=MovementKind.SALE, line_id=line.pk).count() == 1


def test_a_repair_refused_and_back_in_the_queue_holds_again(workshop, branch, manager, ssd):
    receive(branch, manager, (ssd, 1, "100"))
    repair = make_order(workshop, branch, manager, kind=Kind.REPAIR, lines=[("SSD 1 TB", 1, "1")])
    order_services.order_transition(order=repair, to=Status.REFUSED, by=manager)
    assert held(ssd, branch) == (D("1"), D("0"))
    order_services.order_transition(order=repair, to=Status.QUEUE, by=manager)
    assert held(ssd, branch) == (D("1"), D("1"))


def test_serial_goods_cannot_be_issued_without_their_serial(workshop, branch, manager):
    phone = make_product(workshop, "Phone X", serial_tracked=True)
    receive(branch, manager, (phone, 1, "100", ["SN1"]))
    sale = make_order(workshop, branch, manager, lines=[("Phone X", 1, "200")])
    with pytest.raises(ValidationError) as exc:
        cash.payment_take(
            order=sale, amounts={"cash": D("200")}, by=manager, key=None, version=None, issue=True
        )
    assert exc.value.messages == [
        "Choose the serial number of “Phone X” before the order is issued."
    ]
    sale.refresh_from_db()
    assert sale.status == Status.SALE
    line = sale.lines.get()
    services.serial_assign(order=sale, line_id=line.pk, serial="SN1", by=manager)
    cash.payment_take(
        order=sale, amounts={"cash": D("200")}, by=manager, key=None, version=None, issue=True
    )
    assert Reservation.objects.get().state == ReservationState.ISSUED
