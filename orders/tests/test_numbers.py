from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from accounts.tests.factories import BranchFactory, MembershipFactory, WorkshopFactory
from orders import services
from orders.models import Order, OrderCounter
from orders.workflow import Kind

pytestmark = pytest.mark.django_db


def _sale(workshop, branch, by):
    return services.order_create(
        workshop=workshop, branch=branch, kind=Kind.SALE, by=by, client_data=None
    )


def test_numbers_are_per_workshop_and_gap_free(workshop, branch, manager, outsider):
    other_branch = outsider.visible_branches().get()
    mine = [_sale(workshop, branch, manager).number for _ in range(3)]
    theirs = [_sale(outsider.workshop, other_branch, outsider).number for _ in range(2)]
    assert (mine, theirs) == ([1, 2, 3], [1, 2])
    assert OrderCounter.objects.get(workshop=workshop).last_number == 3


def test_numbers_a_failed_create_does_not_burn_a_number(workshop, branch, manager):
    _sale(workshop, branch, manager)
    with pytest.raises(Exception):  # noqa: B017 - any refusal rolls the counter back
        services.order_create(
            workshop=workshop,
            branch=branch,
            kind=Kind.REPAIR,
            by=manager,
            client_data={"phone": "12"},
        )
    assert _sale(workshop, branch, manager).number == 2


@pytest.mark.django_db(transaction=True)
def test_numbers_concurrent_creates_get_distinct_consecutive_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; SQLite serialises writers anyway.")
    from django_scopes import scopes_disabled

    workshop = WorkshopFactory()
    branch = BranchFactory(workshop=workshop)
    by = MembershipFactory(workshop=workshop, role="manager", branches=[branch])
    threads, errors = [], []
    barrier = threading.Barrier(8)

    def worker():
        try:
            with scopes_disabled():
                barrier.wait()
                for _ in range(5):
                    _sale(workshop, branch, by)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    for _ in range(8):
        threads.append(threading.Thread(target=worker))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(Order.objects.filter(workshop=workshop).values_list("number", flat=True))
    assert numbers == list(range(1, 41))
