"""The warranty card, end to end: a period typed on the order's card makes its button
appear once the order is issued, and the card prints the period."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from documents.context import warranty_text
from documents.types import DocType
from orders.models import Order
from orders.tests.test_card import card_post, card_url

pytestmark = pytest.mark.django_db

BUTTON = f'data-doc="{DocType.WARRANTY}"'


def _save_warranty(client, order, days: str):
    data = card_post(client, order, warranty_days=days)
    return client.post(card_url(order), data, headers={"HX-Request": "true"})


def test_warranty_days_on_the_card_bring_the_button_and_print_the_period(
    manager_client, issued_order
):
    assert BUTTON not in manager_client.get(card_url(issued_order)).content.decode()
    response = _save_warranty(manager_client, issued_order, "90")
    assert response.status_code == 200
    issued_order.refresh_from_db()
    assert issued_order.warranty_days == 90
    html = manager_client.get(card_url(issued_order)).content.decode()
    assert BUTTON in html
    # Printing an issued order keeps a copy of what was printed; the copy shows it.
    url = reverse(
        "documents:print",
        kwargs={"order_number": issued_order.number, "doc_type": DocType.WARRANTY},
    )
    printed = manager_client.post(url, {"source": "default"}, follow=True)
    assert printed.status_code == 200
    assert "<strong>90 days</strong> from the date of issue" in printed.content.decode()


def test_warranty_days_refuse_zero_negative_and_too_long_next_to_the_field(
    manager_client, issued_order
):
    for typed, message in (
        ("0", "A warranty is at least one day; leave it empty for none."),
        ("-5", "A warranty is at least one day; leave it empty for none."),
        ("4000", "At most 3650 days (ten years)."),
        ("три", "Enter the warranty as a whole number of days."),
    ):
        response = _save_warranty(manager_client, issued_order, typed)
        assert message in response.content.decode(), typed
        assert response.context["form"].errors["warranty_days"] == [message]
    issued_order.refresh_from_db()
    assert issued_order.warranty_days is None


def test_warranty_days_shown_on_repairs_and_sales_only(manager_client, issued_order, workshop):
    from orders import services
    from orders.workflow import Kind

    form = manager_client.get(card_url(issued_order)).context["form"]
    assert "warranty_days" in form.fields
    call_out = services.order_create(
        workshop=workshop,
        branch=issued_order.branch,
        kind=Kind.CALL_OUT,
        by=issued_order.accepted_by,
        client_data={"phone": "+79990001122", "name": "Выезд"},
        order_data={"address": "ул. Ленина, 1"},
    )
    assert "warranty_days" not in manager_client.get(card_url(call_out)).context["form"].fields


def test_warranty_text_in_russian_declines_the_days():
    order = Order(warranty_days=1)
    with translation.override("ru"):
        assert warranty_text(order) == "1 день"
        order.warranty_days = 3
        assert warranty_text(order) == "3 дня"
        order.warranty_days = 90
        assert warranty_text(order) == "90 дней"
