from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import JournalEntry, Order, OrderLine
from orders.tests.factories import ClientFactory, DeviceFactory
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db

BUDGET = 15
STATUSES = list(Status)


def make_orders(workshop, branch, manager, n: int) -> Order:
    """n orders spread over every status, with lines, journal entries and assignees."""
    client = ClientFactory(workshop=workshop)
    device = DeviceFactory(workshop=workshop, client=client)
    orders = Order.objects.bulk_create(
        [
            Order(
                workshop=workshop,
                branch=branch,
                number=i + 1,
                kind=Kind.REPAIR,
                status=STATUSES[i % len(STATUSES)],
                client=client,
                device=device,
                assignee=manager,
                problem=f"problem {i}",
                lines_total=Decimal("100.00"),
            )
            for i in range(n)
        ]
    )
    last = orders[-1]
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                workshop=workshop,
                order=last,
                name=f"line {i}",
                unit_price=Decimal("10"),
                performer=manager,
            )
            for i in range(n // 10 + 1)
        ]
    )
    JournalEntry.objects.bulk_create(
        [
            JournalEntry(
                workshop=workshop,
                order=last,
                version=1,
                by=manager,
                action="changed",
                field="notes",
                old_value="a",
                new_value="b",
            )
            for _ in range(n)
        ]
    )
    return last


@pytest.mark.parametrize("n", [10, 1000])
@pytest.mark.parametrize("who", ["director_client", "manager_client"])
def test_queries_work_page_is_constant(
    n, who, request, workshop, branch, manager, django_assert_max_num_queries
):
    make_orders(workshop, branch, manager, n)
    client = request.getfixturevalue(who)
    with django_assert_max_num_queries(BUDGET) as ctx:
        response = client.get(reverse("orders:work"), {"tab": "queue"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(50, (n + 14) // 15)
    print(f"work page, {n} orders, {who}: {len(ctx.captured_queries)} queries")  # noqa: T201
    with django_assert_max_num_queries(BUDGET):
        assert client.get(reverse("orders:work"), {"q": "problem"}).status_code == 200


@pytest.mark.parametrize("n", [10, 1000])
def test_queries_card_is_constant(
    n, workshop, branch, manager, manager_client, django_assert_max_num_queries
):
    order = make_orders(workshop, branch, manager, n)
    with django_assert_max_num_queries(BUDGET) as ctx:
        response = manager_client.get(reverse("orders:card", kwargs={"order_number": order.number}))
    assert response.status_code == 200
    assert len(response.context["line_forms"]) == n // 10 + 1
    print(f"card, {n} journal entries, {n // 10 + 1} lines: {len(ctx.captured_queries)} queries")  # noqa: T201


def test_queries_exact_counts_do_not_grow(
    workshop, branch, manager, manager_client, django_assert_num_queries
):
    order = make_orders(workshop, branch, manager, 30)
    manager_client.get(reverse("orders:work"))  # the session's first request does its own set-up
    counts = []
    for extra in (0, 200):
        if extra:
            make_more = Order.objects.bulk_create(
                [
                    Order(
                        workshop=workshop,
                        branch=branch,
                        number=1000 + i,
                        kind=Kind.SALE,
                        status=Status.QUEUE,
                    )
                    for i in range(extra)
                ]
            )
            assert len(make_more) == extra
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as work:
            manager_client.get(reverse("orders:work"))
        with CaptureQueriesContext(connection) as card:
            manager_client.get(reverse("orders:card", kwargs={"order_number": order.number}))
        counts.append((len(work), len(card)))
    assert counts[0] == counts[1]


def test_queries_tab_counts_are_one_grouped_query(workshop, branch, manager, manager_client):
    make_orders(workshop, branch, manager, 60)
    response = manager_client.get(reverse("orders:work"))
    counts = dict(response.context["tabs"])
    # 60 orders over 15 statuses: 4 each; cancelled are in no tab; issued count today's only.
    assert sum(counts.values()) == 56
    assert all(v == 4 for v in counts.values())
