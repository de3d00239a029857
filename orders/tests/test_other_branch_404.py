"""The friendly 404 for an order of another branch of one's own workshop, and the plain
404 (the same body) for another workshop's order and a missing number."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from orders import services
from orders.views.common import OrderInOtherBranch
from orders.workflow import Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def north_order(workshop, other_branch, director):
    return services.order_create(
        workshop=workshop,
        branch=other_branch,
        kind=Kind.REPAIR,
        by=director,
        client_data={"phone": "+79160001122", "name": "Секретная Клиентка"},
        device_data={"device_type": "Ноутбук", "brand": "Asus", "model": "Zenbook"},
        order_data={"problem": "СЕКРЕТ северного филиала"},
    )


ORDER_PAGES = [
    ("orders:card", {}),
    ("orders:journal", {}),
    ("documents:print_screen", {"doc_type": "acceptance"}),
    ("cashdesk:order_pay", {}),
]


@pytest.mark.parametrize(("name", "extra"), ORDER_PAGES)
def test_other_branch_order_pages_say_so_and_show_nothing_of_it(
    manager_client, north_order, name, extra
):
    url = reverse(name, kwargs={"order_number": north_order.number, **extra})
    response = manager_client.get(url)
    assert response.status_code == 404
    body = response.content.decode()
    assert 'id="other-branch"' in body
    assert "belongs to another branch" in body
    assert "North" in body  # the branch's name, which every member of the workshop may know
    for secret in ("Секретная", "Клиентка", "+7 916", "9160001122", "СЕКРЕТ", "Asus", "Zenbook"):
        assert secret not in body
    assert north_order.get_status_display() not in body
    assert f'href="{reverse("orders:today")}"' in body
    assert f'href="{reverse("orders:work")}"' in body


def test_other_branch_404_is_in_russian(manager_client, north_order, settings):
    settings.LANGUAGE_CODE = "ru"
    with translation.override("ru"):
        response = manager_client.get(
            reverse("orders:card", kwargs={"order_number": north_order.number}),
            HTTP_ACCEPT_LANGUAGE="ru",
        )
    body = response.content.decode()
    assert response.status_code == 404
    assert "Этот заказ принадлежит другому филиалу" in body
    assert "Сегодня" in body and "Работа" in body


def test_other_branch_deleted_order_is_a_plain_404(manager_client, north_order, director, manager):
    services.order_soft_delete(order=north_order, by=director)
    response = manager_client.get(
        reverse("orders:card", kwargs={"order_number": north_order.number})
    )
    assert response.status_code == 404
    assert 'id="other-branch"' not in response.content.decode()


def test_missing_number_in_own_workshop_is_a_plain_404(manager_client, north_order):
    response = manager_client.get(reverse("orders:card", kwargs={"order_number": 99999}))
    assert response.status_code == 404
    assert 'id="other-branch"' not in response.content.decode()


def test_get_order_or_404_raises_the_branch_404_only_inside_the_workshop(
    rf, manager, outsider, north_order
):
    from orders.views.common import get_order_or_404

    request = rf.get("/")
    request.workshop, request.membership = manager.workshop, manager
    with pytest.raises(OrderInOtherBranch) as raised:
        get_order_or_404(request, north_order.number)
    assert raised.value.context == {"branch_name": "North"}
    request.workshop, request.membership = outsider.workshop, outsider
    with pytest.raises(Exception) as plain:
        get_order_or_404(request, north_order.number)
    assert type(plain.value).__name__ == "Http404"


def _normalised(response, number: int) -> str:
    body = response.content.decode()
    body = re.sub(r"/orders/\d+/", "/orders/N/", body)
    body = re.sub(r'(csrfmiddlewaretoken" value=|x-csrftoken": )"[^"]*"', r"\1TOKEN", body)
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", body)


def test_other_workshops_order_and_a_missing_number_give_the_same_body(
    outsider_client, north_order, repair_order
):
    """No oracle across workshops: the only difference is the number in the address."""
    taken = outsider_client.get(reverse("orders:card", kwargs={"order_number": north_order.number}))
    missing = outsider_client.get(reverse("orders:card", kwargs={"order_number": 99999}))
    assert taken.status_code == missing.status_code == 404
    assert _normalised(taken, north_order.number) == _normalised(missing, 99999)
    assert 'id="other-branch"' not in taken.content.decode()
    assert "North" not in taken.content.decode()
