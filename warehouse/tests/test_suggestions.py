from __future__ import annotations

import re

import pytest
from django.urls import reverse

from directories.models import Kind
from directories.services import remember
from warehouse.tests.conftest import make_product, receive

pytestmark = pytest.mark.django_db


def _offered(response) -> list[str]:
    return re.findall(r'data-value="([^"]*)"', response.content.decode())


def test_goods_suggestions_offer_stocked_products_first_with_what_is_on_hand(
    workshop, branch, manager, manager_client
):
    remember(workshop=workshop, kind=Kind.GOODS, value="SSD 512 GB", price="3990")
    empty = make_product(workshop, "SSD 2 TB", price="12990")
    stocked = make_product(workshop, "SSD 1 TB", price="6490")
    receive(branch, manager, (stocked, 3, "5000"))
    url = reverse("directories:suggest", kwargs={"kind": Kind.GOODS})
    response = manager_client.get(url, {"q": "ssd"})
    html = response.content.decode()
    # On hand first, then the product out of stock, then the remembered entry.
    assert _offered(response) == [stocked.name, empty.name, "SSD 512 GB"]
    assert "on hand: 3" in html and "Out of stock" in html
    assert 'data-price="6490.00"' in html


def test_goods_suggestions_without_a_term_are_the_directory_alone(
    workshop, branch, manager, manager_client
):
    remember(workshop=workshop, kind=Kind.GOODS, value="Кабель USB-C", price="490")
    make_product(workshop, "SSD 1 TB")
    url = reverse("directories:suggest", kwargs={"kind": Kind.GOODS})
    assert _offered(manager_client.get(url, {"q": ""})) == ["Кабель USB-C"]


@pytest.mark.parametrize("products", [1, 40])
def test_goods_suggestions_cost_a_fixed_number_of_queries(
    workshop, branch, manager, manager_client, products, django_assert_num_queries
):
    for i in range(products):
        receive(branch, manager, (make_product(workshop, f"SSD {i:03d}"), 1, "100"))
    url = reverse("directories:suggest", kwargs={"kind": Kind.GOODS})
    manager_client.get(url, {"q": "ssd"})  # the session's first request may write it
    # Session and member, the directory, the member's branches, products, their stock.
    with django_assert_num_queries(6):
        assert len(_offered(manager_client.get(url, {"q": "ssd"}))) == min(products, 10)
