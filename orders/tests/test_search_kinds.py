"""The search by kind of term: serial tails, models, words of the problem, diagnosis and
notes, numbers; common terms (over the lookup cap) give the same orders as rare ones;
the query count does not grow with the data; the indexes' tables stay in step."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders import search
from orders.models import Client, Order
from orders.selectors import search_orders
from orders.tests.factories import ClientFactory, DeviceFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("term", "kind"),
    [
        ("№12", "number"),
        ("#12", "number"),
        ("4512345", "digits"),
        ("8 (912) 345-67-89", "phone"),
        ("+79123456789", "phone"),
        ("olga@", "email"),
        ("SN123", "token"),
        ("T480", "token"),
        ("iPhone", "words"),
        ("Иван Петров", "words"),
        ("разбит экран", "words"),
        ("", "empty"),
        ("%", "empty"),
        ("\x00", "empty"),
    ],
)
def test_search_classifies_the_term(term, kind):
    assert search.classify(term).kind == kind


def _rows(http, q):
    response = http.get(reverse("orders:work"), {"q": q})
    assert response.status_code == 200
    return response.context["rows"]


@pytest.fixture
def shop(workshop, branch):
    ivan = ClientFactory(workshop=workshop, name="Иван Петров", phone="+79123456789")
    phone = DeviceFactory(
        client=ivan, device_type="Смартфон", brand="Apple", model="iPhone 12",
        serial="356789014512345",
    )  # fmt: skip
    laptop = DeviceFactory(
        client=ivan, device_type="Ноутбук", brand="Lenovo", model="ThinkPad T480",
        serial="PF1ABC77",
    )  # fmt: skip
    screen = OrderFactory(
        workshop=workshop, branch=branch, client=ivan, device=phone,
        problem="Разбит экран", diagnosis="", notes="",
    )  # fmt: skip
    water = OrderFactory(
        workshop=workshop, branch=branch, client=ivan, device=laptop,
        problem="Не включается", diagnosis="Окисление платы после залития", notes="Срочно",
    )  # fmt: skip
    other = OrderFactory(workshop=workshop, branch=branch, problem="Шумит вентилятор")
    return {"screen": screen, "water": water, "other": other}


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("4512345", ["screen"]),  # the last digits of the IMEI
        ("512345", ["screen"]),
        ("356789014512345", ["screen"]),
        ("abc77", ["water"]),  # a serial's tail, any case
        ("PF1ABC77", ["water"]),
        ("iPhone", ["screen"]),  # the model
        ("iphone 12", ["screen"]),
        ("ThinkPad", ["water"]),
        ("T480", ["water"]),
        ("lenovo", ["other", "water"]),  # the factory's device is a Lenovo too
        ("смартфон", ["screen"]),  # the device type
        ("экран", ["screen"]),  # a word of the problem
        ("ЭКРАН", ["screen"]),
        ("разбит экр", ["screen"]),  # every word, the last one a prefix
        ("окисление", ["water"]),  # of the diagnosis
        ("срочно", ["water"]),  # of the notes
        ("6789", ["water", "screen"]),  # the phone's last digits
        ("Петров", ["water", "screen"]),
        ("вентилятор", ["other"]),
        ("кран", []),  # the middle of a word is not a word start
        ("4513", []),
    ],
)
def test_search_finds_orders_by_serial_tail_model_and_text(manager_client, shop, term, found):
    assert _rows(manager_client, term) == [shop[k] for k in found]


def test_search_by_number_and_bare_digits(manager_client, shop):
    screen = shop["screen"]
    assert _rows(manager_client, f"№{screen.number}") == [screen]
    assert screen in _rows(manager_client, str(screen.number))


def test_search_text_index_follows_edits(manager_client, shop, workshop):
    water = shop["water"]
    Order.objects.filter(pk=water.pk).update(problem="Треснул корпус")
    assert _rows(manager_client, "корпус") == [water]
    assert _rows(manager_client, "включается") == []
    client = Client.objects.get(pk=water.client_id)
    client.name = "Пётр Сидоров"
    client.save()
    assert _rows(manager_client, "сидоров") == [shop["water"], shop["screen"]]
    assert _rows(manager_client, "петров") == []


def test_search_keeps_workshops_apart(manager_client, shop, workshop):
    from accounts.tests.factories import BranchFactory, WorkshopFactory

    elsewhere = WorkshopFactory(name="Other")
    their = ClientFactory(workshop=elsewhere, name="Иван Петров")
    OrderFactory(
        workshop=elsewhere, branch=BranchFactory(workshop=elsewhere), client=their,
        device=DeviceFactory(client=their, model="iPhone 12", serial="356789014512345"),
        problem="Разбит экран",
    )  # fmt: skip
    assert _rows(manager_client, "экран") == [shop["screen"]]
    assert _rows(manager_client, "iphone") == [shop["screen"]]
    assert _rows(manager_client, "4512345") == [shop["screen"]]


@pytest.mark.parametrize("term", ["клиент", "iphone", "экран", "клиент 1", "0000"])
def test_search_common_terms_over_the_cap_find_the_same_orders(
    manager_client, workshop, branch, monkeypatch, term
):
    orders = []
    for i in range(12):
        client = ClientFactory(workshop=workshop, name=f"Клиент {i}", phone=f"+7912000{i:04d}")
        device = DeviceFactory(client=client, model="iPhone 12", serial=f"IMEI{i:04d}0000")
        orders.append(
            OrderFactory(
                workshop=workshop,
                branch=branch,
                client=client,
                device=device,
                problem="Разбит экран",
            )  # fmt: skip
        )
    below = [o.pk for o in _rows(manager_client, term)]
    monkeypatch.setattr(search, "CAP", 2)
    over = [o.pk for o in _rows(manager_client, term)]
    # SQLite tests the newest WALK orders row by row, the older against every match.
    monkeypatch.setattr(search, "WALK", 3)
    split = [o.pk for o in _rows(manager_client, term)]
    assert below == over == split
    assert below  # the term matches


def _search_queries(http, q) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(reverse("orders:work"), {"q": q}).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "term", ["+79120000003", "Клиент 3", "№3", "00030003", "iPhone", "экран", "Клиент"]
)
def test_search_query_count_is_the_same_at_two_sizes(manager_client, workshop, branch, term):
    def grow(to):
        for i in range(Order.objects.filter(workshop=workshop).count(), to):
            client = ClientFactory(workshop=workshop, name=f"Клиент {i}", phone=f"+7912{i:07d}")
            device = DeviceFactory(client=client, model="iPhone 12", serial=f"35{i:04d}0003")
            OrderFactory(
                workshop=workshop, branch=branch, client=client, device=device,
                problem="Разбит экран",
            )  # fmt: skip

    grow(5)
    _search_queries(manager_client, term)  # the first request of a session costs more
    small = _search_queries(manager_client, term)
    grow(40)
    assert _search_queries(manager_client, term) == small
    # The fixed cost: the session, the user and memberships, the branches, one lookup
    # per branch of the term's kind, the page and the tab counts.
    assert small <= 11


def test_search_phone_term_never_tests_names(workshop):
    with CaptureQueriesContext(connection) as captured:
        list(Client.objects.filter(workshop=workshop).search("+79123456789", "RU"))
    where = captured.captured_queries[0]["sql"].split(" WHERE ", 1)[1]
    assert "name_folded" not in where


def test_search_orders_selector_sees_deleted_clients_only_when_asked(workshop, branch):
    client = ClientFactory(workshop=workshop, name="Удалённый Клиент", is_deleted=True)
    order = OrderFactory(workshop=workshop, branch=branch, client=client)
    qs = Order.objects.filter(workshop=workshop)
    assert list(search_orders(qs, "удаленный", workshop)) == []
    assert list(search_orders(qs, "удаленный", workshop, with_deleted_clients=True)) == [order]
