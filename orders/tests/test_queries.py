from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import JournalEntry, Order, OrderLine
from orders.tests.factories import ClientFactory, DeviceFactory
from orders.workflow import TAB_STATUS, Kind, Status

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


def test_queries_tab_counts_are_grouped_by_status(workshop, branch, manager, manager_client):
    per_status = 4
    make_orders(workshop, branch, manager, per_status * len(Status))
    response = manager_client.get(reverse("orders:work"))
    counts = dict(response.context["tabs"])
    # Spread evenly over the statuses; those in no tab (cancelled) are not counted.
    assert sum(counts.values()) == per_status * len(TAB_STATUS)
    assert all(v == per_status for v in counts.values())


def make_clients(workshop, branch, n: int):
    """n clients, each with two devices and three orders (one without a device)."""
    from orders.models import Client, Device, name_key

    clients = Client.objects.bulk_create(
        [
            Client(
                workshop=workshop,
                name=f"Иван Петров {i}",
                name_folded=name_key(f"Иван Петров {i}"),  # bulk_create skips save()
                phone=f"+7912{i:07d}",
            )
            for i in range(n)
        ]
    )
    devices = Device.objects.bulk_create(
        [Device(workshop=workshop, client=c, brand="Lenovo") for c in clients for _ in range(2)]
    )
    start = Order.objects.count() + 1
    Order.objects.bulk_create(
        [
            Order(
                workshop=workshop,
                branch=branch,
                number=start + i,
                kind=Kind.REPAIR,
                status=Status.QUEUE,
                client=d.client,
                device=d,
            )
            for i, d in enumerate(devices)
        ]
        + [
            Order(
                workshop=workshop,
                branch=branch,
                number=start + len(devices) + i,
                kind=Kind.SALE,
                status=Status.SALE,
                client=c,
            )
            for i, c in enumerate(clients)
        ]
    )
    return clients


def _count(client, url, params=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    if "rows" in response.context:
        assert len(response.context["rows"]) >= 10
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["director_client", "manager_client"])
def test_queries_client_list_is_constant(request, who, workshop, branch):
    http = request.getfixturevalue(who)
    url = reverse("orders:clients")
    make_clients(workshop, branch, 10)
    http.get(url)  # the session's first request does its own set-up
    small = (_count(http, url), _count(http, url, {"q": "петров"}))
    make_clients(workshop, branch, 300)
    large = (_count(http, url), _count(http, url, {"q": "петров"}))
    print(f"client list, 10 vs 310 clients, {who}: {small} vs {large} queries")  # noqa: T201
    assert small == large
    assert max(large) <= BUDGET


@pytest.mark.parametrize("who", ["director_client", "manager_client"])
def test_queries_client_card_is_constant(request, who, workshop, branch, director):
    from orders import services
    from orders.models import Client, Device

    http = request.getfixturevalue(who)
    client = make_clients(workshop, branch, 1)[0]
    client = Client.objects.get(pk=client.pk)
    url = reverse("orders:client", kwargs={"client_id": client.pk})
    http.get(url)
    small = _count(http, url)
    device_small = _count(
        http, reverse("orders:device", kwargs={"device_id": client.devices.first().pk})
    )
    # A long history: 60 devices, 120 more orders, 40 saved edits.
    devices = Device.objects.bulk_create(
        [Device(workshop=workshop, client=client, brand="Apple") for _ in range(60)]
    )
    Order.objects.bulk_create(
        [
            Order(
                workshop=workshop,
                branch=branch,
                number=1000 + i,
                kind=Kind.REPAIR,
                status=Status.IN_WORK,
                client=client,
                device=devices[i % 60],
            )
            for i in range(120)
        ]
    )
    for i in range(40):
        services.client_update(client=client, data={"notes": f"заметка {i}"}, by=director)
    large = _count(http, url)
    device_large = _count(http, reverse("orders:device", kwargs={"device_id": devices[0].pk}))
    print(f"client card, 3 vs 183 orders, {who}: {small} vs {large} queries")  # noqa: T201
    print(f"device card, {who}: {device_small} vs {device_large} queries")  # noqa: T201
    assert (small, device_small) == (large, device_large)
    assert max(large, device_large) <= BUDGET
