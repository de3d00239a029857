"""Races on PostgreSQL: two orders reserving the last unit at once, and transfers racing
a sale. SQLite serialises every writer, so these run on PostgreSQL only."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_scopes import scope

from orders import services as order_services
from orders.models import Order, OrderLine
from warehouse import services
from warehouse.models import Reservation, ReservationState, Stock
from warehouse.services import Row
from warehouse.tests.conftest import GOODS, make_order, receive

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers")


def _race(workshop, jobs) -> list:
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            with scope(workshop=workshop):
                barrier.wait()
                results[i] = ("ok", job())
        except ValidationError as exc:
            results[i] = ("refused", exc.messages)
        except services.WarehouseError as exc:
            results[i] = ("refused", [str(exc.message)])
        except Exception as exc:  # noqa: BLE001 -- reported by the assertion below
            results[i] = ("crash", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _add_line_job(order_pk, workshop, by):
    def job():
        with transaction.atomic():
            order = Order.objects.get(workshop=workshop, pk=order_pk)
            line = order_services.line_add(
                order=order,
                by=by,
                data={"kind": GOODS, "name": "SSD 1 TB", "quantity": 1, "unit_price": Decimal("1")},
            )
            line.order = order
            services.reserve_for_line(line=line, by=by)
            return line.pk

    return job


def test_two_orders_reserving_the_last_unit_exactly_one_wins(workshop, branch, manager, ssd):
    receive(branch, manager, (ssd, 1, "100"))
    orders = [make_order(workshop, branch, manager) for _ in range(2)]
    results = _race(workshop, [_add_line_job(o.pk, workshop, manager) for o in orders])
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["ok", "refused"], results
    refused = next(r for r in results if r[0] == "refused")
    assert refused[1] == ["Only 0 available in Central (1 reserved for orders)."]
    stock = Stock.objects.get(product=ssd, branch=branch)
    assert (stock.on_hand, stock.reserved) == (Decimal("1"), Decimal("1"))
    assert Reservation.objects.filter(state=ReservationState.ACTIVE).count() == 1
    # The losing order's line rolled back with the refusal.
    assert OrderLine.objects.filter(order__in=orders).count() == 1


def test_a_write_off_racing_a_reservation_never_takes_the_same_unit(
    workshop, branch, director, manager, ssd
):
    receive(branch, manager, (ssd, 1, "100"))
    order = make_order(workshop, branch, manager)

    def write_off():
        return services.write_off_post(
            branch=branch, rows=[Row(ssd, Decimal("1"))], reason="race", by=director
        ).pk

    results = _race(workshop, [_add_line_job(order.pk, workshop, manager), write_off])
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    stock = Stock.objects.get(product=ssd, branch=branch)
    assert stock.on_hand - stock.reserved == 0
    assert stock.on_hand >= 0
