"""The name-word search read newest order first from the order name-prefix table: the
same orders as the literal word-start test on the client's folded name, page by page,
whatever the table's triggers went through; its cost does not follow the matches."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Branch
from orders import search
from orders.models import Client, Order, name_key
from orders.selectors import list_rows, search_orders, work_orders
from orders.tests.factories import ClientFactory, OrderFactory
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db


def _pages(membership, q, *, with_deleted=False) -> list[int]:
    """Every page of the Work search, "load more" after "load more": the ids in order."""
    ids, after = [], None
    while True:
        found = search_orders(
            work_orders(membership), q, membership.workshop, with_deleted_clients=with_deleted
        )
        page = list_rows(found, after, workshop=membership.workshop)
        ids += [row.pk for row in page.rows]
        if not page.more:
            return ids
        after = page.after


def _expected(membership, q, *, with_deleted=False) -> list[int]:
    """The literal test: every word typed starts a word of the client's folded name."""
    words = search.classify(q).words
    return [
        order.pk
        for order in work_orders(membership).select_related("client").order_by("-id")
        if order.client is not None
        and (with_deleted or not order.client.is_deleted)
        and all(" " + w in order.client.name_folded for w in words)
    ]


def _prefixes(order) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT prefix FROM {search.NAME_PREFIXES} WHERE workshop_id = %s AND order_id = %s",
            [order.workshop_id, order.pk],
        )
        return {row[0] for row in cursor.fetchall()}


def _bulk_orders(workshop, branch, names, start=0) -> list[Order]:
    """One order per name, bulk-created (no save(): the triggers keep the table)."""
    clients = Client.objects.bulk_create(
        [
            Client(workshop=workshop, name=name, name_folded=name_key(name), phone="+79120000000")
            for name in names
        ]
    )
    return Order.objects.bulk_create(
        [
            Order(
                workshop=workshop, branch=branch, number=start + i + 1, kind=Kind.REPAIR,
                status=Status.ISSUED, client=client, device=None, problem="",
            )
            for i, client in enumerate(clients)
        ]
    )  # fmt: skip


def test_search_recency_table_holds_every_prefix_of_every_word(workshop, branch):
    order = OrderFactory(workshop=workshop, branch=branch, client__name="Ёж Константинопольский")
    assert _prefixes(order) == {"е", "еж", *("константинопольский"[:k] for k in range(1, 11))}
    walk_in = OrderFactory(workshop=workshop, branch=branch, client=None, device=None)
    assert _prefixes(walk_in) == set()


def test_search_recency_table_follows_the_order_and_its_client(workshop, branch):
    order = OrderFactory(workshop=workshop, branch=branch, client__name="Иван Петров")
    other = ClientFactory(workshop=workshop, name="Ольга")
    client = order.client
    client.name = "Пётр Сидоров"
    client.save()
    assert "сидоров" in _prefixes(order) and "петров" not in _prefixes(order)
    Order.objects.filter(pk=order.pk).update(client=other)
    assert _prefixes(order) == {"о", "ол", "оль", "ольг", "ольга"}
    Order.objects.filter(pk=order.pk).update(client=None)
    assert _prefixes(order) == set()
    order.client = client
    order.save()
    assert "сидоров" in _prefixes(order)
    Order.objects.filter(pk=order.pk).delete()
    assert _prefixes(order) == set()


@pytest.mark.parametrize(
    "q",
    [
        "Петров", "иван", "ПЕТР", "Иван Петров", "петров иван", "ив пе", "Ёжиков", "ежик",
        "йогурт", "иогурт", "Константинопольский", "константинопольскии", "константинополь",
        "константинопольх", "сидоров", "ольга", "van", "ван",
    ],
)  # fmt: skip
def test_search_recency_finds_what_the_literal_test_finds(
    workshop, branch, other_workshop, director, manager, q
):
    ivan = ClientFactory(workshop=workshop, name="Иван Петров")
    for name in ["Пётр Ёжиков", "Йогурт", "Константинопольский Иван", "Ivan Petrov"]:
        OrderFactory(workshop=workshop, branch=branch, client__name=name)
    OrderFactory(workshop=workshop, branch=branch, client=ivan)
    gone = ClientFactory(workshop=workshop, name="Иван Сидоров", is_deleted=True)
    OrderFactory(workshop=workshop, branch=branch, client=gone)
    OrderFactory(workshop=workshop, branch=branch, client=ivan, is_deleted=True)
    OrderFactory(workshop=workshop, branch=branch, client=None, device=None)
    ClientFactory(workshop=workshop, name="Ольга Петрова")  # no orders
    elsewhere = Branch.objects.create(workshop=other_workshop, name="Elsewhere")
    OrderFactory(workshop=other_workshop, branch=elsewhere, client__name="Иван Петров Ольга")
    renamed = OrderFactory(workshop=workshop, branch=branch, client__name="Ольга")
    Client.objects.filter(pk=renamed.client_id).update(name_folded=name_key("Иван Ольгин"))
    for membership in (director, manager):
        for with_deleted in (False, True):
            expected = _expected(membership, q, with_deleted=with_deleted)
            assert _pages(membership, q, with_deleted=with_deleted) == expected


def test_search_recency_common_term_pages_through_every_match(
    workshop, branch, other_branch, director, manager
):
    """Past NAME_CAP matches, with matches out of the manager's branch, deleted orders
    and deleted clients among them and newer orders that do not match: every page is
    the newest matches after the last one, down to the oldest."""
    cap = search.NAME_CAP
    orders = _bulk_orders(workshop, branch, [f"Клиент {i}" for i in range(3 * cap)])
    Order.objects.filter(pk__in=[o.pk for o in orders[-cap // 2 :]]).update(branch=other_branch)
    Order.objects.filter(pk__in=[o.pk for o in orders[1::7]]).update(is_deleted=True)
    Client.objects.filter(pk__in=[o.client_id for o in orders[2::5]]).update(is_deleted=True)
    _bulk_orders(workshop, branch, [f"Другой {i}" for i in range(cap)], start=3 * cap)
    for membership in (director, manager):
        for q in ("клиент", "Клиент 1", "клиент 2 клиент"):
            for with_deleted in (False, True):
                expected = _expected(membership, q, with_deleted=with_deleted)
                assert len(expected) > (cap if q == "клиент" else 10)
                assert _pages(membership, q, with_deleted=with_deleted) == expected


def _name_search_queries(membership, q) -> int:
    with CaptureQueriesContext(connection) as captured:
        found = search_orders(work_orders(membership), q, membership.workshop)
        list_rows(found, None, workshop=membership.workshop).rows  # noqa: B018
    return len(captured.captured_queries)


def test_search_recency_common_term_cost_does_not_follow_the_matches(workshop, branch, director):
    """The same queries, and the name walk reads a page's worth of candidates, with
    2 × NAME_CAP matches under newer orders that do not match and with 6 × NAME_CAP."""
    cap = search.NAME_CAP
    _bulk_orders(workshop, branch, [f"Клиент {i}" for i in range(2 * cap)])
    _bulk_orders(workshop, branch, [f"Другой {i}" for i in range(cap)], start=2 * cap)
    small = _name_search_queries(director, "клиент 1")
    walked = _walk_rows(director, "клиент 1")
    _bulk_orders(workshop, branch, [f"Клиент {i}" for i in range(4 * cap)], start=3 * cap)
    _bulk_orders(workshop, branch, [f"Другой {i}" for i in range(8 * cap)], start=7 * cap)
    assert _name_search_queries(director, "клиент 1") == small
    assert _walk_rows(director, "клиент 1") <= walked + 2


def _walk_rows(membership, q) -> int:
    """The rows (steps) of the leapfrog walk for the newest NAME_CAP + 1 matches."""
    lookup = search.NameLookup(
        membership.workshop_id, search.classify(q).words, True, connection.vendor, None
    )
    walk, params = lookup.walk(search.NAME_CAP + 1)
    with connection.cursor() as cursor:
        cursor.execute(f"{walk} SELECT count(*) FROM walk", params)
        return cursor.fetchone()[0]
