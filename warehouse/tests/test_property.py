"""Random sequences of receipts, transfers, reservations, issues, cancellations, line
changes, write-offs and counts: on hand, reserved and value of every (product, branch)
always equal the sums of their movements and reservations, and never go below zero."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from accounts.tests.factories import BranchFactory, MembershipFactory, WorkshopFactory
from orders import services as order_services
from orders.workflow import Status
from warehouse import services
from warehouse.models import Movement, Reservation, ReservationState, Stock
from warehouse.services import Row
from warehouse.tests.conftest import add_line, make_order, make_product

pytestmark = pytest.mark.django_db

D = Decimal
product_no = st.integers(0, 1)
branch_no = st.integers(0, 1)
qty = st.integers(1, 6)
cost = st.integers(0, 100_000).map(lambda k: D(k) / 100)
order_no = st.integers(0, 20)

operations = st.one_of(
    st.tuples(st.just("receive"), product_no, branch_no, qty, cost),
    st.tuples(st.just("transfer"), product_no, branch_no, qty),
    st.tuples(st.just("reserve"), product_no, branch_no, qty),
    st.tuples(st.just("change"), order_no, qty),
    st.tuples(st.just("remove"), order_no),
    st.tuples(st.just("issue"), order_no),
    st.tuples(st.just("cancel"), order_no),
    st.tuples(st.just("write_off"), product_no, branch_no, qty),
    st.tuples(st.just("count"), product_no, branch_no, st.integers(0, 12)),
    st.tuples(st.just("supplier_return"), product_no, branch_no, qty),
    st.tuples(st.just("unissue"), order_no),
)


def _world():
    workshop = WorkshopFactory()
    branches = [BranchFactory(workshop=workshop), BranchFactory(workshop=workshop)]
    director = MembershipFactory(workshop=workshop, role=Role.DIRECTOR)
    products = [make_product(workshop, "Part A"), make_product(workshop, "Part B")]
    return workshop, branches, director, products


def _apply(op, *, workshop, branches, director, products, orders):
    name, *args = op
    if name == "receive":
        p, b, q, c = args
        services.receipt_post(branch=branches[b], by=director, rows=[Row(products[p], D(q), c)])
    elif name == "transfer":
        p, b, q = args
        services.transfer_post(
            branch=branches[b],
            to_branch=branches[1 - b],
            rows=[Row(products[p], D(q))],
            by=director,
        )
    elif name == "reserve":
        p, b, q = args
        order = make_order(workshop, branches[b], director)
        orders.append((order, add_line(order, director, products[p].name, q)))
    elif name == "supplier_return":
        p, b, q = args
        services.supplier_return_post(
            branch=branches[b], rows=[Row(products[p], D(q))], supplier="Back", by=director
        )
    elif name == "unissue":
        # The director's correction of an issued order: a line removed, its goods back.
        issued = [(o, ln) for o, ln in orders if o.status == Status.ISSUED]
        if issued:
            order, line = issued[args[0] % len(issued)]
            services.release_for_line(line=line, by=director)
            orders.remove((order, line))
    elif name in {"change", "remove", "issue", "cancel"}:
        if not orders:
            return
        order, line = orders[args[0] % len(orders)]
        order.refresh_from_db()
        if order.status != Status.SALE:
            return  # closed: its lines are frozen
        if name == "change":
            old = line.quantity
            order_services.line_update(line=line, by=director, data={"quantity": args[1]})
            line.refresh_from_db()
            line.order = order
            services.line_changed(line=line, old_quantity=old, old_name=line.name, by=director)
        elif name == "remove":
            services.release_for_line(line=line, by=director)
            order_services.line_remove(line=line, by=director)
            orders.remove((order, line))
        else:
            to = Status.ISSUED if name == "issue" else Status.CANCELLED
            services.order_moved(order=order, old_status=order.status, new_status=to, by=director)
            order.status = to  # what orders' transition saves, in the same transaction
            order.save(update_fields=["status"])
    elif name == "write_off":
        p, b, q = args
        services.write_off_post(
            branch=branches[b], rows=[Row(products[p], D(q))], reason="property", by=director
        )
    elif name == "count":
        p, b, n = args
        services.count_post(branch=branches[b], counted={products[p]: D(n)}, by=director)


def _check(workshop, branches, products) -> None:
    for product in products:
        for branch in branches:
            moves = Movement.objects.filter(workshop=workshop, product=product, branch=branch)
            sums = moves.aggregate(q=Sum("quantity"), v=Sum("value"))
            held = Reservation.objects.filter(
                workshop=workshop, product=product, branch=branch, state=ReservationState.ACTIVE
            ).aggregate(q=Sum("quantity"))["q"]
            stock = Stock.objects.filter(workshop=workshop, product=product, branch=branch).first()
            on_hand = stock.on_hand if stock else D(0)
            assert on_hand == (sums["q"] or 0)
            assert (stock.value if stock else D(0)) == (sums["v"] or 0)
            assert (stock.reserved if stock else D(0)) == (held or 0)
            assert on_hand >= 0
            assert (stock.available if stock else D(0)) >= 0
            if stock:
                assert stock.value >= 0
                if on_hand == 0:
                    assert stock.value == 0  # no kopeck is stranded on an empty shelf


class Rollback(Exception):
    pass


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operations, min_size=1, max_size=20))
def test_property_stock_is_the_sum_of_its_movements(ops):
    try:
        with transaction.atomic():
            workshop, branches, director, products = _world()
            orders: list = []
            for op in ops:
                before = Movement.objects.filter(workshop=workshop).count()
                try:
                    with transaction.atomic():
                        _apply(
                            op,
                            workshop=workshop,
                            branches=branches,
                            director=director,
                            products=products,
                            orders=orders,
                        )
                    event(f"{op[0]} done")
                except (services.WarehouseError, ValidationError):
                    event(f"{op[0]} refused")
                    assert Movement.objects.filter(workshop=workshop).count() == before
                _check(workshop, branches, products)
            raise Rollback
    except Rollback:
        pass
