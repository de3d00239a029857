"""The name-word index behind the client search: kept by the services, read by prefix."""

from __future__ import annotations

import pytest
from django.db import connection

from orders import services
from orders.models import Client, ClientNameWord, name_words
from orders.tests.factories import ClientFactory
from orders.workflow import Kind

pytestmark = pytest.mark.django_db


def words_of(client: Client) -> list[str]:
    return sorted(ClientNameWord.objects.filter(client=client).values_list("word", flat=True))


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Иван Петров", ["иван", "петров"]),
        ("Пётр Ёлкин-Пётр", ["петр", "елкин"]),
        ("ООО «Ромашка»", ["ооо", "ромашка"]),
        ("!!!", []),
        ("", []),
        ("a" * 150 + " b", ["a" * 100, "b"]),
    ],
)
def test_name_words_are_the_folded_words_once_each(name, words):
    assert name_words(name) == words


def _create(workshop, branch, manager, **client_data):
    return services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.REPAIR,
        by=manager,
        client_data=client_data,
        device_data={"device_type": "Ноутбук"},
        order_data={"problem": "Не включается"},
    )


def test_name_words_written_when_the_order_creates_the_client(workshop, branch, manager):
    order = _create(workshop, branch, manager, phone="+79123456789", name="Иван Петрович Петров")
    assert words_of(order.client) == ["иван", "петров", "петрович"]
    assert set(ClientNameWord.objects.values_list("workshop_id", flat=True)) == {workshop.pk}


def test_name_words_follow_a_returning_clients_new_name(workshop, branch, manager):
    first = _create(workshop, branch, manager, phone="+79123456789", name="Иван Петров")
    second = _create(workshop, branch, manager, phone="+79123456789", name="Иван Сидоров")
    assert second.client == first.client
    assert words_of(first.client) == ["иван", "сидоров"]
    # A returning client with the name left blank keeps the name and its words.
    _create(workshop, branch, manager, phone="+79123456789", name="")
    assert words_of(first.client) == ["иван", "сидоров"]


def test_name_words_follow_a_rename_on_the_client_card(workshop, director):
    client = ClientFactory(workshop=workshop, name="Иван Петров")
    other = ClientFactory(workshop=workshop, name="Иван Иванов")
    services.client_update(client=client, data={"name": "Пётр Иванович"}, by=director)
    assert words_of(client) == ["иванович", "петр"]
    assert words_of(other) == ["иван", "иванов"]
    services.client_update(client=client, data={"email": "p@example.com"}, by=director)
    assert words_of(client) == ["иванович", "петр"]
    assert list(Client.objects.search("петров", "RU", workshop=workshop)) == []
    assert list(Client.objects.search("пет ив", "RU", workshop=workshop)) == [client]


def test_name_words_follow_a_rename_on_the_order_card(workshop, branch, manager):
    order = _create(workshop, branch, manager, phone="+79123456789", name="Иван Петров")
    services.order_update(
        order=order, data={"client_name": "Ольга Петрова"}, version=order.version, by=manager
    )
    assert words_of(order.client) == ["ольга", "петрова"]


def test_name_words_of_a_deleted_client_stay(workshop, director):
    client = ClientFactory(workshop=workshop, name="Иван Петров")
    services.client_soft_delete(client=client, by=director)
    assert words_of(client) == ["иван", "петров"]
    qs = Client.objects.filter(workshop=workshop)
    assert list(qs.search("петров", "RU", workshop=workshop)) == [client]
    assert list(qs.alive().search("петров", "RU", workshop=workshop)) == []


def test_name_words_search_stays_in_the_workshop(workshop, other_workshop):
    mine = ClientFactory(workshop=workshop, name="Иван Петров")
    ClientFactory(workshop=other_workshop, name="Иван Петров")
    qs = Client.objects.filter(workshop=workshop)
    assert list(qs.search("петров иван", "RU", workshop=workshop)) == [mine]
    assert list(qs.search("петров иван", "RU")) == [mine]


def fill(workshop, n: int, start: int = 0) -> None:
    clients = Client.objects.bulk_create(
        [
            Client(workshop=workshop, name=f"Клиент{i} Фамилия{i % 97}", phone=f"+7912{i:07d}")
            for i in range(start, start + n)
        ]
    )
    ClientNameWord.objects.bulk_create(
        [
            ClientNameWord(workshop=workshop, client=c, word=word)
            for c in clients
            for word in name_words(c.name)
        ]
    )


@pytest.mark.postgres
def test_name_words_lookup_uses_the_prefix_index_on_postgresql(workshop, other_workshop):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN of the PostgreSQL plan")
    fill(workshop, 4000)
    fill(other_workshop, 3000, start=4000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_clientnameword")
        cursor.execute("ANALYZE orders_client")
    words = ClientNameWord.objects.filter(workshop=workshop, word__startswith="клиент123")
    plan = words.explain()
    # The prefix is an index condition (a range on the word), not a filter afterwards.
    assert "client_word_prefix_idx" in plan, plan
    assert "Index Cond: ((workshop_id = " in plan and "(word)::text ~>=~" in plan, plan
    assert "Seq Scan" not in plan, plan
    qs = Client.objects.filter(workshop=workshop).search("клиент123", "RU", workshop=workshop)
    plan = qs.explain()
    assert "client_word_prefix_idx" in plan, plan
    assert "Seq Scan on orders_clientnameword" not in plan, plan
    expected = [123, *range(1230, 1240)]
    assert sorted(c.name for c in qs) == sorted(f"Клиент{i} Фамилия{i % 97}" for i in expected)


def test_name_words_lookup_uses_the_prefix_index_on_sqlite(workshop, other_workshop):
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN of SQLite")
    fill(workshop, 3000)
    fill(other_workshop, 2000, start=3000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    qs = Client.objects.filter(workshop=workshop).search("клиент123", "RU", workshop=workshop)
    plan = qs.explain()
    assert "USING INDEX client_word_prefix_idx (workshop_id=? AND word>? AND word<?)" in plan, plan
    assert len(list(qs)) == 11
