"""Finding clients and their orders by any word of the name, by phone and by e-mail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orders.models import Client, Order, fold, name_key
from orders.tests.factories import ClientFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Иван Петров", " иван петров"),
        ("  ИВАН   ПЕТРОВ ", " иван петров"),
        ("Пётр Ёлкин", " петр елкин"),
        ("Мамин-Сибиряк Д. Н.", " мамин сибиряк д н"),
        ("ООО «Ромашка»", " ооо ромашка"),
        ("Straße", " strasse"),
        ("!!!", ""),
        ("", ""),
    ],
)
def test_search_name_key_is_folded_words_each_after_a_space(name, key):
    assert name_key(name) == key


def test_search_client_save_keeps_the_key_in_step(workshop):
    client = ClientFactory(workshop=workshop, name="Иван Петров")
    assert Client.objects.get(pk=client.pk).name_folded == " иван петров"
    client.name = "Пётр Иванов"
    client.save(update_fields=["name"])
    assert Client.objects.get(pk=client.pk).name_folded == " петр иванов"


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("Петров", True),
        ("петров", True),
        ("ПЕТР", True),  # a word start
        ("иван", True),
        ("Ива", True),
        ("петров иван", True),  # every word, any order
        ("иван петров", True),
        ("Пётр", True),  # folds to "петр", which begins "петров": ё and е are one letter
        ("ван", False),  # the middle of a word is not a word start
        ("етров", False),
        ("иван сидоров", False),
        ("%", False),
        ("_", False),
    ],
)
def test_search_clients_by_any_word_start(workshop, term, found):
    client = ClientFactory(workshop=workshop, name="Иван Петров")
    ClientFactory(workshop=workshop, name="Сидор Сидоров")
    expected = [client] if found else []
    assert list(Client.objects.filter(workshop=workshop).search(term, "RU")) == expected


def test_search_clients_by_phone_and_email(workshop):
    ivan = ClientFactory(workshop=workshop, name="Иван", phone="+79123456789", email="Ivan@Mail.ru")
    ClientFactory(workshop=workshop, name="Олег", phone="+79160000000")
    qs = Client.objects.filter(workshop=workshop)
    assert list(qs.search("8 (912) 345-67-89", "RU")) == [ivan]
    assert list(qs.search("6789", "RU")) == [ivan]  # the last digits people remember
    assert list(qs.search("ivan@mail", "RU")) == [ivan]
    assert list(qs.search("123", "RU")) == []  # too few digits to mean a phone


def test_search_fold_reads_yo_as_ye_and_drops_punctuation():
    assert fold("Пётр-ЁЖИКОВ, «ООО»") == "петр ежиков ооо"


@pytest.mark.parametrize("term", ["Петров", "иван", "ПЕТР", "Иван Петров"])
def test_search_work_page_finds_an_order_by_any_word_of_the_name(
    workshop, branch, manager_client, term
):
    client = ClientFactory(workshop=workshop, name="Иван Петров")
    order = OrderFactory(workshop=workshop, branch=branch, client=client)
    OrderFactory(workshop=workshop, branch=branch, client=ClientFactory(workshop=workshop))
    response = manager_client.get(reverse("orders:work"), {"q": term})
    assert response.context["rows"] == [order]


def test_search_work_page_ignores_deleted_clients_except_for_the_director(
    workshop, branch, manager_client, director_client
):
    client = ClientFactory(workshop=workshop, name="Иван Петров", is_deleted=True)
    order = OrderFactory(workshop=workshop, branch=branch, client=client)
    assert manager_client.get(reverse("orders:work"), {"q": "Петров"}).context["rows"] == []
    assert director_client.get(reverse("orders:work"), {"q": "Петров"}).context["rows"] == [order]


@pytest.mark.parametrize("q", ["\x00", "abc\x00", "SN\x00123", "²", "№²", "9" * 9])
def test_search_odd_input_is_an_answer_not_a_500(manager_client, workshop, branch, q):
    # A name of words only: the factory's "Client <n>" matched "²" (read as "2") when
    # the sequence had reached 2x.
    OrderFactory(workshop=workshop, branch=branch, client__name="Иван Петров")
    response = manager_client.get(reverse("orders:work"), {"q": q})
    assert response.status_code == 200
    # A lone NUL is an empty search: the page shows its tab.
    assert len(response.context["rows"]) == (1 if q == "\x00" else 0)
    assert manager_client.get(reverse("orders:clients"), {"q": q}).status_code == 200


def test_search_nul_is_dropped_from_the_term(manager_client, workshop, branch):
    order = OrderFactory(workshop=workshop, branch=branch, client__name="Иван Петров")
    response = manager_client.get(reverse("orders:work"), {"q": "Пет\x00ров"})
    assert (response.context["q"], response.context["rows"]) == ("Петров", [order])


def test_search_finds_every_match_past_two_hundred_clients(manager_client, workshop, branch):
    for i in range(201):
        client = ClientFactory(workshop=workshop, name=f"Иванов {i}")
        OrderFactory(workshop=workshop, branch=branch, client=client, device__client=client)
    rows = manager_client.get(reverse("orders:work"), {"q": "Иванов"}).context["rows"]
    assert len(rows) == 50
    assert rows[0] == Order.objects.order_by("-id").first()
