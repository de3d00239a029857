"""Races on PostgreSQL: ten people paying the same order at once, payments during a close.

SQLite serialises every writer (BEGIN IMMEDIATE), so these run on PostgreSQL only.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django_scopes import scope

from cashdesk import services
from cashdesk.models import CashEntry, EntryKind, Shift
from cashdesk.tests.conftest import READY, make_order
from orders.models import Order
from orders.workflow import Status

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 10


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers")


def _race(workshop, jobs) -> list:
    """Run the jobs at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            with scope(workshop=workshop):
                barrier.wait()
                results[i] = ("ok", job())
        except services.CashError as exc:
            results[i] = (type(exc).__name__, str(exc.message))
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


def _issue_job(order_pk, workshop, manager, version, key):
    def job():
        order = Order.objects.get(pk=order_pk, workshop=workshop)
        return services.payment_take(
            order=order,
            amounts={"cash": Decimal("4200")},
            by=manager,
            key=key,
            version=version,
            issue=True,
        )

    return job


@pytest.mark.parametrize("same_key", [False, True], ids=["ten-forms", "one-form-resent"])
def test_concurrency_ten_threads_pay_the_same_order_once(workshop, branch, manager, same_key):
    order = make_order(workshop, branch, manager, to=READY)
    key = uuid.uuid4()
    jobs = [
        _issue_job(order.pk, workshop, manager, order.version, key if same_key else uuid.uuid4())
        for _ in range(THREADS)
    ]
    results = _race(workshop, jobs)
    refusal = "AlreadyRecorded" if same_key else "StaleCard"
    assert Counter(r[0] for r in results) == {"ok": 1, refusal: THREADS - 1}, results
    assert list(CashEntry.objects.filter(order=order).values_list("kind", "amount")) == [
        (EntryKind.PAYMENT, Decimal("4200.00"))
    ]
    order.refresh_from_db()
    assert order.status == Status.ISSUED
    assert services.order_money(order)[2] == Decimal("0.00")


def test_concurrency_payments_during_a_close_land_in_exactly_one_shift(
    workshop, branch, manager, director
):
    shift = services.shift_open(branch=branch, by=director)
    services.deposit_record(branch=branch, amount=Decimal("100"), by=director, key=None)

    def deposit():
        return services.deposit_record(
            branch=branch, amount=Decimal("10"), by=director, key=uuid.uuid4()
        )

    def close():
        return services.shift_close(shift=shift, counted=Decimal("100"), by=director)

    def close_again():
        return services.shift_close(shift=shift, counted=Decimal("100"), by=director)

    jobs = [deposit] * (THREADS - 2) + [close, close_again]
    results = _race(workshop, jobs)
    assert Counter(r[0] for r in results) == {"ok": THREADS - 1, "CashError": 1}, results
    assert [r[1] for r in results if r[0] == "CashError"] == ["This shift is already closed."]
    closed = Shift.objects.get(pk=shift.pk)
    following = Shift.objects.get(branch=branch, closed_at__isnull=True)
    deposits = CashEntry.objects.filter(kind=EntryKind.DEPOSIT)
    assert deposits.count() == THREADS - 1  # the first one and the eight racers
    assert set(deposits.values_list("shift", flat=True)) <= {closed.pk, following.pk}
    in_closed = deposits.filter(shift=closed).count()
    # The close counted exactly what was in its shift when it took the drawer.
    assert closed.expected_cash == Decimal("100") + Decimal("10") * (in_closed - 1)
    assert services.drawer_cash(closed) == Decimal("100.00")
    assert following.opening_cash == Decimal("100.00")
    assert services.drawer_cash(following) == Decimal("100") + Decimal("10") * (
        THREADS - 1 - in_closed
    )
