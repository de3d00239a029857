from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import links
from notifications.models import Message

pytestmark = pytest.mark.django_db


def _messages(order, n: int, start: int = 0) -> None:
    Message.objects.bulk_create(
        Message(
            workshop=order.workshop,
            order=order,
            event="ready",
            channel="sms",
            key=f"k{i}",
            status="sent",
            body="x",
        )
        for i in range(start, start + n)
    )


def _count(browser, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert browser.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_queries_card_panel_costs_the_same_with_1_and_60_messages(order, manager):
    links.link_for(order)
    browser = Client()
    browser.force_login(manager.user)
    url = reverse("orders:card", kwargs={"order_number": order.number})
    _messages(order, 1)
    browser.get(url)  # warm: the session, the render worker
    few = _count(browser, url)
    _messages(order, 59, start=1)
    assert _count(browser, url) == few


def test_queries_status_page_costs_the_same_with_more_lines(order, manager):
    from orders import services as orders_services
    from orders.models import OrderLine

    link = links.link_for(order)
    browser = Client()
    url = reverse("status", kwargs={"status_token": link.token})
    browser.get(url)
    one = _count(browser, url)
    for i in range(20):
        orders_services.line_add(
            order=order,
            by=manager,
            data={
                "kind": OrderLine.LineKind.SERVICE,
                "name": f"Work {i}",
                "quantity": 1,
                "unit_price": "10",
            },
        )
    assert _count(browser, url) == one
