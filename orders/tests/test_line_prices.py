"""A line typed without picking the suggestion is never silently saved at 0,00."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from directories.models import Kind as DirKind
from directories.services import remember
from orders.models import Order, OrderLine

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _add(client, order, **row):
    data = {"kind": "service", "quantity": "1", "version": order.version, **row}
    return client.post(reverse("orders:line_add", args=[order.number]), data, headers=HX)


def test_line_price_left_empty_takes_the_directorys_last_price(
    workshop, manager_client, repair_order
):
    remember(workshop=workshop, kind=DirKind.SERVICE, value="Ремонт цепи питания", price=3500)
    _add(manager_client, repair_order, name="ремонт цепи  питания", unit_price="")
    line = OrderLine.objects.get()
    assert (line.name, line.unit_price) == ("ремонт цепи  питания", Decimal("3500.00"))
    assert Order.objects.get().lines_total == Decimal("3500.00")


def test_line_without_a_price_anywhere_asks_for_one(manager_client, repair_order):
    response = _add(manager_client, repair_order, name="Чистка", unit_price="")
    assert not OrderLine.objects.exists()
    assert "“Чистка” has no price yet: enter one, or tick “free / warranty”." in (
        response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")
    )


def test_line_zero_price_only_when_confirmed_free(workshop, manager_client, repair_order):
    remember(workshop=workshop, kind=DirKind.SERVICE, value="Чистка", price=500)
    response = _add(manager_client, repair_order, name="Чистка", unit_price="0")
    assert not OrderLine.objects.exists()
    assert response.context["new_line"].errors == {
        "unit_price": ["A price of 0 needs “free / warranty” ticked; or enter the price."]
    }
    repair_order.refresh_from_db()
    _add(manager_client, repair_order, name="Чистка", unit_price="", free="on")
    assert OrderLine.objects.get().unit_price == Decimal("0.00")


def test_line_on_the_sale_form_takes_the_directory_price(workshop, branch, manager_client):
    remember(workshop=workshop, kind=DirKind.GOODS, value="Кабель USB-C", price=450)
    data = {
        "branch": branch.pk,
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-kind": "goods",
        "lines-0-name": "Кабель USB-C",
        "lines-0-quantity": "2",
        "lines-1-kind": "goods",
        "lines-1-quantity": "1",
    }
    response = manager_client.post(reverse("orders:new_sale"), data)
    assert response.status_code == 302
    assert Order.objects.get().lines_total == Decimal("900.00")
    data["lines-0-name"] = "Неизвестный товар"
    response = manager_client.post(reverse("orders:new_sale"), data)
    assert response.status_code == 200
    assert Order.objects.count() == 1
