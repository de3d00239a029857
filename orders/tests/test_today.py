from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import extensions
from orders.models import Order
from orders.tests.factories import ClientFactory, DeviceFactory, OrderFactory
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db


def _order(workshop, branch, **kw):
    return OrderFactory(workshop=workshop, branch=branch, **kw)


def _back(order, **fields):
    Order.objects.filter(pk=order.pk).update(**fields)


def test_today_lists_each_section_with_links_to_cards(manager_client, workshop, branch):
    now = timezone.localtime()
    today = now.date()
    ready = _order(workshop, branch, status=Status.READY_NOTIFY)
    late = _order(workshop, branch, status=Status.IN_WORK, due_date=today - dt.timedelta(days=2))
    due = _order(workshop, branch, status=Status.QUEUE, due_date=today)
    later = _order(workshop, branch, status=Status.QUEUE, due_date=today + dt.timedelta(days=1))
    visit = now.replace(hour=15, minute=30, second=0, microsecond=0)
    call = _order(
        workshop,
        branch,
        kind=Kind.CALL_OUT,
        status=Status.CALL_OUT,
        visit_at=visit,
        address="Lenina 5",
    )
    _order(
        workshop,
        branch,
        kind=Kind.CALL_OUT,
        status=Status.CALL_OUT,
        visit_at=visit + dt.timedelta(days=1),
    )
    long_wait = _order(workshop, branch, status=Status.WAITING_PART)
    _back(long_wait, status_changed_at=now - dt.timedelta(days=4))
    _order(workshop, branch, status=Status.WAITING_PART)  # waiting a day: not yet listed
    issued = _order(workshop, branch, status=Status.ISSUED, due_date=today - dt.timedelta(days=9))

    response = manager_client.get(reverse("orders:today"))

    assert response.status_code == 200
    ctx = response.context
    assert ctx["ready"] == [ready]
    assert ctx["due"] == [late, due]
    assert [o.overdue_days for o in ctx["due"]] == [2, 0]
    assert ctx["callouts"] == [call]
    assert ctx["waiting"] == [long_wait]
    html = response.content.decode()
    for order in (ready, late, due, call, long_wait):
        assert f'href="{reverse("orders:card", args=[order.number])}"' in html
    for order in (later, issued):
        assert f'href="{reverse("orders:card", args=[order.number])}"' not in html
    assert "2 days late" in html
    assert "15:30" in html and "Lenina 5" in html


def test_today_shows_only_the_members_branches(manager_client, workshop, branch, other_branch):
    mine = _order(workshop, branch, status=Status.READY_NOTIFY)
    _order(workshop, other_branch, status=Status.READY_NOTIFY)
    assert manager_client.get(reverse("orders:today")).context["ready"] == [mine]


def test_today_outsider_sees_nothing_of_the_workshop(outsider_client, workshop, branch):
    order = _order(workshop, branch, status=Status.READY_NOTIFY)
    response = outsider_client.get(reverse("orders:today"))
    assert response.context["ready"] == []
    assert reverse("orders:card", args=[order.number]) not in response.content.decode()


@pytest.mark.parametrize("client_fixture", ["manager_client", "technician_client"])
def test_home_sends_front_desk_staff_to_today(request, client_fixture):
    response = request.getfixturevalue(client_fixture).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("orders:today")


def test_director_home_stays_with_links_to_today_and_staff(director_client):
    response = director_client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{reverse("orders:today")}"' in html
    assert f'href="{reverse("accounts:staff")}"' in html


def test_today_renders_registered_panels(manager_client):
    extensions.register_today_panel(
        "testapp.figures",
        context=lambda request: {"title": "Figures", "rows": [("Shown", "42")], "link": None},
    )
    extensions.register_today_panel(
        "testapp.hidden",
        context=lambda request: {"title": "Hidden", "rows": []},
        permission="orders.delete",
    )
    try:
        html = manager_client.get(reverse("orders:today")).content.decode()
    finally:
        extensions.unregister_today_panel("testapp.figures")
        extensions.unregister_today_panel("testapp.hidden")
    assert "Figures" in html and "42" in html
    assert "Hidden" not in html


def _fill(workshop, branch, manager, n: int) -> None:
    client = ClientFactory(workshop=workshop)
    device = DeviceFactory(workshop=workshop, client=client)
    now = timezone.now()
    today = timezone.localdate()
    rows = []
    for _ in range(n):
        for status, kind, extra in (
            (Status.READY_NOTIFY, Kind.REPAIR, {}),
            (Status.IN_WORK, Kind.REPAIR, {"due_date": today - dt.timedelta(days=1)}),
            (Status.CALL_OUT, Kind.CALL_OUT, {"visit_at": now, "address": "Street"}),
            (Status.WAITING_PART, Kind.REPAIR, {"status_changed_at": now - dt.timedelta(days=9)}),
        ):
            rows.append(
                Order(
                    workshop=workshop,
                    branch=branch,
                    number=len(rows) + 1,
                    kind=kind,
                    status=status,
                    client=client,
                    device=device,
                    assignee=manager,
                    **extra,
                )
            )
    Order.objects.bulk_create(rows)


@pytest.mark.parametrize("n", [1, 30])
def test_today_query_count_is_fixed(
    n, manager_client, workshop, branch, manager, django_assert_num_queries
):
    _fill(workshop, branch, manager, n)
    manager_client.get(reverse("orders:today"))  # session and caches warm
    with django_assert_num_queries(TODAY_BUDGET):
        response = manager_client.get(reverse("orders:today"))
    assert len(response.context["ready"]) == n
    assert len(response.context["waiting"]) == n


# +2 for the notifications' "ready but not collected" panel: its settings and its rows.
TODAY_BUDGET = 10
