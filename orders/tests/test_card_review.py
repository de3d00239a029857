"""The screenshot review's fixes on the card head, the Work page and the user menu."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orders import services
from orders.workflow import Kind

pytestmark = pytest.mark.django_db


def _card(client, order):
    return client.get(reverse("orders:card", kwargs={"order_number": order.number}))


def test_card_shows_the_status_once_as_a_link_to_its_tab(manager_client, repair_order):
    html = _card(manager_client, repair_order).content.decode()
    assert html.count(">Queue<") == 1  # the chip, not the chip plus "· Queue"
    assert 'id="order-status" href="/orders/?tab=queue"' in html
    assert "Order №1 · Repair" in html


def test_sale_title_does_not_repeat_its_kind(manager_client, workshop, branch, manager):
    sale = services.order_create(
        workshop=workshop, branch=branch, kind=Kind.SALE, by=manager, client_data=None
    )
    html = _card(manager_client, sale).content.decode()
    assert "Order №1 · Sale" not in html
    assert html.count(">Sale<") == 1


def test_a_move_returns_to_the_card_title(manager_client, repair_order):
    url = reverse("orders:transition", kwargs={"order_number": repair_order.number})
    response = manager_client.post(url, {"to": "in_work", "version": repair_order.version})
    assert response.status_code == 302
    assert response["Location"].endswith("#order-title")
    assert 'id="order-title" tabindex="-1"' in _card(manager_client, repair_order).content.decode()


def test_sale_row_on_work_shows_a_dash(manager_client, workshop, branch, manager):
    services.order_create(
        workshop=workshop, branch=branch, kind=Kind.SALE, by=manager, client_data=None
    )
    html = manager_client.get(reverse("orders:work"), {"tab": "sales"}).content.decode()
    assert '<td><span class="muted">—</span></td>' in html


def test_call_out_tab_heads_the_visit(manager_client):
    html = manager_client.get(reverse("orders:work"), {"tab": "call_outs"}).content.decode()
    assert "Visit / device" in html
    html = manager_client.get(reverse("orders:work"), {"tab": "queue"}).content.decode()
    assert "Device / problem" in html and "Visit / device" not in html


def test_user_menu_links_the_message_map_for_the_director_only(director_client, manager_client):
    url = reverse("notifications:map")
    assert f'href="{url}"' in director_client.get(reverse("orders:work")).content.decode()
    page = manager_client.get(reverse("orders:work")).content.decode()
    assert f'<a href="{url}">' not in page
