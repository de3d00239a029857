"""The "ready but not collected" panel on Today and the director's links to the map."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders import services as orders_services
from orders.models import Order
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db

TODAY = reverse("orders:today")


def _ready_for(order, manager, days: int):
    orders_services.order_transition(order=order, to=Status.IN_WORK, by=manager)
    orders_services.order_transition(order=order, to=Status.READY_NOTIFY, by=manager)
    Order.objects.filter(pk=order.pk).update(
        status_changed_at=timezone.now() - datetime.timedelta(days=days)
    )


def _repair(workshop, branch, by, phone):
    return orders_services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.REPAIR,
        by=by,
        client_data={"phone": phone, "name": "Client " + phone[-2:]},
        device_data={"device_type": "Laptop"},
        order_data={"problem": "Broken"},
    )


def _panel(page: str) -> str:
    start = page.index('id="today-uncollected"')
    return page[start : page.index("</section>", start)]


def test_today_panel_lists_the_members_uncollected_orders_with_links(
    manager_client, workshop, branch, other_branch, manager, director, order
):
    north = _repair(workshop, other_branch, director, "+79160000077")
    _ready_for(north, director, 10)
    fresh = _repair(workshop, branch, manager, "+79160000078")
    _ready_for(fresh, manager, 1)
    _ready_for(order, manager, 4)
    panel = _panel(manager_client.get(TODAY).content.decode())
    assert f'href="{reverse("orders:card", args=[order.number])}"' in panel
    assert f'href="{reverse("orders:card", args=[north.number])}"' not in panel  # other branch
    assert f'href="{reverse("orders:card", args=[fresh.number])}"' not in panel  # not yet N days
    assert "waiting 4 days" in panel
    assert f'href="{reverse("notifications:uncollected")}"' in panel


def test_today_panel_says_when_nothing_waits(manager_client):
    assert "Nothing is waiting too long." in _panel(manager_client.get(TODAY).content.decode())


def test_today_panel_queries_do_not_grow_with_the_rows(manager_client, workshop, branch, manager):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get(TODAY).status_code == 200
        return len(queries)

    first = _repair(workshop, branch, manager, "+79160000001")
    _ready_for(first, manager, 5)
    count()  # the first request of a session does some work of its own
    one = count()
    for n in range(2, 6):
        _ready_for(_repair(workshop, branch, manager, f"+7916000000{n}"), manager, 5)
    assert count() == one


def test_director_reaches_the_map_and_the_list_from_home_and_the_settings_tabs(director_client):
    home = director_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("notifications:map")}"' in home
    assert f'href="{reverse("notifications:uncollected")}"' in home
    staff = director_client.get(reverse("accounts:staff")).content.decode()
    assert f'href="{reverse("notifications:map")}"' in staff
    the_map = director_client.get(reverse("notifications:map")).content.decode()
    assert f'href="{reverse("accounts:staff")}"' in the_map  # the same tabs on the map


def test_manager_sees_no_map_tab(manager_client):
    today = manager_client.get(TODAY).content.decode()
    assert f'href="{reverse("notifications:map")}"' not in today
