"""Goods lines of orders and stock: reserve, change, release, write off on issue.

The hooks are called here as orders will call them, inside its transaction (see
warehouse.services and the report in the README): line_add, then reserve_for_line.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from orders import services as order_services
from orders.models import OrderLine
from orders.workflow import Kind, Status
from warehouse import services
from warehouse.models import (
    Movement,
    MovementKind,
    Reservation,
    ReservationState,
    SerialState,
    Stock,
    WarehouseSettings,
)
from warehouse.tests.conftest import add_line, make_order, make_product, receive

pytestmark = pytest.mark.django_db

D = Decimal


def stock(product, branch) -> Stock:
    return Stock.objects.get(product=product, branch=branch)


def test_a_goods_line_reserves_and_available_drops(workshop, branch, manager, ssd):
    receive(branch, manager, (ssd, 3, "100"))
    order = make_order(workshop, branch, manager)
    line = add_line(order, manager, "SSD 1 TB", 2)
    s = stock(ssd, branch)
    assert (s.on_hand, s.reserved, s.available) == (D("3"), D("2"), D("1"))
    assert Reservation.objects.get().line_id == line.pk


def test_service_lines_and_unknown_goods_hold_nothing(workshop, branch, manager, ssd):
    receive(branch, manager, (ssd, 3, "100"))
    order = make_order(workshop, branch, manager)
    add_line(order, manager, "Some cable nobody stocks", 1)
    line = order_services.line_add(
        order=order, by=manager, data={"kind": "service", "name": "SSD 1 TB", "unit_price": D("1")}
    )
    assert services.reserve_for_line(line=line, by=manager) is None
    assert not Reservation.objects.exists()


def test_more_than_available_is_refused_by_quantity_and_the_line_rolls_back(
    workshop, branch, manager, ssd
):
    receive(branch, manager, (ssd, 2, "100"))
    order = make_order(workshop, branch, manager)
    with pytest.raises(ValidationError) as exc:
        add_line(order, manager, "SSD 1 TB", 3)
    assert exc.value.message_dict == {"quantity": ["Only 2 available in Central."]}
    assert not OrderLine.objects.filter(order=order).exists()
    assert stock(ssd, branch).reserved == 0


def test_the_refusal_names_what_orders_hold(workshop, branch, manager, ssd):
    receive(branch, manager, (ssd, 2, "100"))
    add_line(make_order(workshop, branch, manager), manager, "SSD 1 TB", 1)
    with pytest.raises(ValidationError) as exc:
        add_line(make_order(workshop, branch, manager), manager, "SSD 1 TB", 2)
    assert exc.value.message_dict == {
        "quantity": ["Only 1 available in Central (1 reserved for orders)."]
    }


def test_negative_stock_when_the_director_allows_it(workshop, branch, manager, ssd):
    WarehouseSettings.objects.create(workshop=workshop, allow_negative=True)
    receive(branch, manager, (ssd, 1, "100"))
    order = make_order(workshop, branch, manager)
    add_line(order, manager, "SSD 1 TB", 3)
    services.order_moved(order=order, old_status=Status.SALE, new_status=Status.ISSUED, by=manager)
    s = stock(ssd, branch)
    assert (s.on_hand, s.value) == (D("-2"), D("-200.00"))


def test_changing_the_quantity_moves_the_hold(workshop, branch, manager, ssd):
    receive(branch, manager, (ssd, 3, "100"))
    order = make_order(workshop, branch, manager)
    line = add_line(order, manager, "SSD 1 TB", 1)
    with transaction.atomic():
        order_services.line_update(line=line, by=manager, data={"quantity": 3})
        line.refresh_from_db()
        line.order = order
        services.line_changed(line=line, old_quantity=1, old_name="SSD 1 TB", by=manager)
    assert stock(ssd, branch).reserved == D("3")
    line.quantity = 4
    with pytest.raises(ValidationError) as exc:
        services.line_changed(line=line, old_quantity=3, old_name="SSD 1 TB", by=manager)
    assert exc.value.message_dict == {
        "quantity": ["Only 0 available in Central (3 reserved for orders)."]
    }


def test_renaming_the_line_to_another_product_moves_the_hold(workshop, branch, manager, ssd, ram):
    receive(branch, manager, (ssd, 3, "100"), (ram, 3, "50"))
    order = make_order(workshop, branch, manager)
    line = add_line(order, manager, "SSD 1 TB", 1)
    line.name = "RAM DDR4 16 GB"
    services.line_changed(line=line, old_quantity=1, old_name="SSD 1 TB", by=manager)
    assert (stock(ssd, branch).reserved, stock(ram, branch).reserved) == (D("0"), D("1"))
    line.name = "Something else"
    services.line_changed(line=line, old_quantity=1, old_name="RAM DDR4 16 GB", by=manager)
    assert stock(ram, branch).reserved == 0
    assert not Reservation.objects.filter(state=ReservationState.ACTIVE).exists()


def test_removing_the_line_releases_it(workshop, branch, manager, ssd):
    receive(branch, manager, (ssd, 3, "100"))
    order = make_order(workshop, branch, manager)
    line = add_line(order, manager, "SSD 1 TB", 2)
    services.release_for_line(line=line, by=manager)
    assert stock(ssd, branch).reserved == 0
    assert Reservation.objects.get().state == ReservationState.RELEASED


def test_reserving_twice_is_harmless(workshop, branch, manager, ssd):
    receive(branch, manager, (ssd, 3, "100"))
    order = make_order(workshop, branch, manager)
    line = add_line(order, manager, "SSD 1 TB", 2)
    services.reserve_for_line(line=line, by=manager)
    assert stock(ssd, branch).reserved == D("2")


def test_issue_writes_off_at_average_cost_and_records_each_lines_cost(
    workshop, branch, manager, ssd, ram
):
    receive(branch, manager, (ssd, 2, "100"), (ssd, 1, "130"), (ram, 1, "50"))
    order = make_order(workshop, branch, manager)
    first = add_line(order, manager, "SSD 1 TB", 2)
    second = add_line(order, manager, "RAM DDR4 16 GB", 1)
    services.order_moved(order=order, old_status=Status.SALE, new_status=Status.ISSUED, by=manager)
    s = stock(ssd, branch)
    assert (s.on_hand, s.reserved, s.value) == (D("1"), D("0"), D("110.00"))
    assert services.line_cost(first) == D("220.00")
    assert services.line_cost(second) == D("50.00")
    assert services.line_costs(order) == {first.pk: D("220.00"), second.pk: D("50.00")}
    sales = Movement.objects.filter(kind=MovementKind.SALE, order=order)
    assert sorted(m.line_id for m in sales) == sorted([first.pk, second.pk])
    assert set(Reservation.objects.values_list("state", flat=True)) == {ReservationState.ISSUED}


def test_a_line_without_stock_has_no_cost(workshop, branch, manager):
    order = make_order(workshop, branch, manager, lines=[("Unstocked", 1, "10")])
    assert services.line_cost(order.lines.get()) is None


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.REFUSED])
def test_cancel_or_refuse_releases(workshop, branch, manager, ssd, status):
    receive(branch, manager, (ssd, 3, "100"))
    order = make_order(workshop, branch, manager, kind=Kind.REPAIR)
    add_line(order, manager, "SSD 1 TB", 2)
    services.order_moved(order=order, old_status=Status.QUEUE, new_status=status, by=manager)
    assert stock(ssd, branch).reserved == 0


def test_back_from_refused_reserves_again_or_refuses(workshop, branch, manager, director, ssd):
    receive(branch, manager, (ssd, 2, "100"))
    order = make_order(workshop, branch, manager, kind=Kind.REPAIR)
    add_line(order, manager, "SSD 1 TB", 2)
    services.order_moved(
        order=order, old_status=Status.IN_WORK, new_status=Status.REFUSED, by=manager
    )
    services.order_moved(
        order=order, old_status=Status.REFUSED, new_status=Status.QUEUE, by=manager
    )
    assert stock(ssd, branch).reserved == D("2")
    services.order_moved(
        order=order, old_status=Status.QUEUE, new_status=Status.REFUSED, by=manager
    )
    add_line(make_order(workshop, branch, manager), manager, "SSD 1 TB", 1)
    with pytest.raises(ValidationError) as exc:
        services.order_moved(
            order=order, old_status=Status.REFUSED, new_status=Status.QUEUE, by=manager
        )
    assert exc.value.messages == [
        "“SSD 1 TB”: Only 1 available in Central (1 reserved for orders)."
    ]


def test_removing_an_issued_line_returns_the_goods_at_the_cost_they_left(
    workshop, branch, manager, ssd
):
    receive(branch, manager, (ssd, 1, "100"))
    order = make_order(workshop, branch, manager)
    line = add_line(order, manager, "SSD 1 TB", 1)
    services.order_moved(order=order, old_status=Status.SALE, new_status=Status.ISSUED, by=manager)
    receive(branch, manager, (ssd, 1, "200"))
    services.release_for_line(line=line, by=manager)
    s = stock(ssd, branch)
    assert (s.on_hand, s.value) == (D("2"), D("300.00"))
    back = Movement.objects.get(kind=MovementKind.SALE_RETURN)
    assert back.reverses == Movement.objects.get(kind=MovementKind.SALE)
    assert services.line_cost(line) == D("0.00")


def test_serial_goods_need_a_serial_before_issue_and_sell_once(workshop, branch, manager, director):
    phone = make_product(workshop, "Phone X", serial_tracked=True, price="20000")
    receive(branch, manager, (phone, 2, "15000", ["SN1", "SN2"]))
    order = make_order(workshop, branch, manager)
    line = add_line(order, manager, "Phone X", 1)
    assert services.issue_refusal(order) == (
        "Choose the serial number of “Phone X” before the order is issued."
    )
    with pytest.raises(ValidationError):
        services.order_moved(
            order=order, old_status=Status.SALE, new_status=Status.ISSUED, by=manager
        )
    services.serial_assign(order=order, line_id=line.pk, serial="SN1", by=manager)
    assert services.issue_refusal(order) is None
    services.order_moved(order=order, old_status=Status.SALE, new_status=Status.ISSUED, by=manager)
    from warehouse.models import Serial

    assert Serial.objects.get(serial="SN1").state == SerialState.SOLD
    other = make_order(workshop, branch, manager)
    other_line = add_line(other, manager, "Phone X", 1)
    with pytest.raises(ValidationError) as exc:
        services.serial_assign(order=other, line_id=other_line.pk, serial="SN1", by=manager)
    assert exc.value.message_dict == {"serial": ["Serial SN1 is already sold."]}
    with pytest.raises(ValidationError) as exc:
        services.serial_assign(order=other, line_id=other_line.pk, serial="NOPE", by=manager)
    assert exc.value.message_dict == {"serial": ["Serial NOPE is not in stock in Central."]}


def test_serial_goods_go_one_per_line(workshop, branch, manager):
    make_product(workshop, "Phone X", serial_tracked=True)
    order = make_order(workshop, branch, manager)
    with pytest.raises(ValidationError) as exc:
        add_line(order, manager, "Phone X", 2)
    assert "quantity" in exc.value.message_dict


def test_stocked_products_are_suggested_first_with_what_is_on_hand(
    workshop, branch, other_branch, manager, director
):
    a = make_product(workshop, "SSD 512 GB", price="3990")
    b = make_product(workshop, "SSD 1 TB", price="6490")
    receive(branch, manager, (b, 4, "5000"))
    receive(other_branch, director, (a, 1, "3000"))
    rows = services.suggest_products(workshop=workshop, branch=branch, term="ssd", limit=5)
    assert [(r["name"], r["on_hand"], r["product_id"]) for r in rows] == [
        ("SSD 1 TB", D("4"), b.pk),
        ("SSD 512 GB", D("0"), a.pk),
    ]
    assert rows[0]["price"] == D("6490.00")


def test_a_renamed_product_keeps_the_hold_of_an_unchanged_line(workshop, branch, manager, ssd):
    receive(branch, manager, (ssd, 3, "100"))
    order = make_order(workshop, branch, manager)
    line = add_line(order, manager, "SSD 1 TB", 1)
    services.product_update(product=ssd, data={"name": "SSD 1 TB NVMe"}, by=manager)
    line.quantity = 2
    services.line_changed(line=line, old_quantity=1, old_name="SSD 1 TB", by=manager)
    assert stock(ssd, branch).reserved == D("2")


def test_a_goods_line_turned_into_a_service_releases(workshop, branch, manager, ssd):
    receive(branch, manager, (ssd, 3, "100"))
    order = make_order(workshop, branch, manager)
    line = add_line(order, manager, "SSD 1 TB", 1)
    line.kind = OrderLine.LineKind.SERVICE
    services.line_changed(line=line, old_quantity=1, old_name="SSD 1 TB", by=manager)
    assert stock(ssd, branch).reserved == 0
