from __future__ import annotations

import pytest
from django.urls import reverse

from orders.models import JournalEntry, Order
from orders.tests.factories import OrderFactory
from orders.workflow import (
    TAB_ORDER,
    TAB_STATUS,
    TRANSITIONS,
    Status,
    Tab,
    allowed,
    tab_of,
)

pytestmark = pytest.mark.django_db

ALL_PAIRS = [(a, b) for a in Status for b in Status]


def test_workflow_tabs_are_the_spec_fourteen_in_order():
    # The one spec snapshot: a new tab is a deliberate change of the product.
    assert [t.value for t in TAB_ORDER] == [
        "sales",
        "pc_builds",
        "call_outs",
        "on_site",
        "queue",
        "in_work",
        "ready_notify",
        "ready_delivery",
        "out_for_delivery",
        "diagnostics",
        "waiting_part",
        "at_partner",
        "refused",
        "cash_desk",
    ]


def test_workflow_every_status_but_cancelled_is_in_exactly_one_tab():
    assert set(TRANSITIONS) == set(Status)
    assert tab_of(Status.ISSUED) == Tab.CASH_DESK
    assert tab_of(Status.CANCELLED) is None
    tabbed = [s for s in Status if tab_of(s) is not None]
    assert sorted(tabbed) == sorted(TAB_STATUS.values())
    assert len(tabbed) == len(set(tabbed)) == len(TAB_ORDER)


def test_workflow_every_status_is_reachable_and_targets_are_statuses():
    reachable = {t for targets in TRANSITIONS.values() for t in targets}
    starts = {Status.SALE, Status.PC_BUILD, Status.CALL_OUT, Status.QUEUE}
    assert set(Status) == reachable | starts
    assert allowed("nonsense") == ()


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS)
def test_workflow_walk_every_pair_through_the_server(
    source, target, workshop, branch, manager, manager_client
):
    order = OrderFactory(workshop=workshop, branch=branch, status=source)
    url = reverse("orders:transition", kwargs={"order_number": order.number})
    response = manager_client.post(url, {"to": target, "version": 1})
    order.refresh_from_db()
    journal = list(
        JournalEntry.objects.filter(order=order).values_list(
            "action", "old_value", "new_value", "by"
        )
    )
    if target in TRANSITIONS[source]:
        assert response.status_code == 302
        assert order.status == target
        assert order.version == 2
        assert journal == [("transition", source.value, target.value, manager.pk)]
    else:
        assert response.status_code == 302  # back to the card with a message
        assert order.status == source
        assert order.version == 1
        assert journal == []
        messages = [str(m) for m in response.wsgi_request._messages]
        assert len(messages) == 1 and "cannot be moved" in messages[0]


def test_workflow_refused_move_over_htmx_is_409(workshop, branch, manager_client):
    order = OrderFactory(workshop=workshop, branch=branch, status=Status.QUEUE)
    url = reverse("orders:transition", kwargs={"order_number": order.number})
    response = manager_client.post(
        url, {"to": Status.ISSUED, "version": 1}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert Order.objects.get(pk=order.pk).status == Status.QUEUE


def test_workflow_card_offers_exactly_the_allowed_moves(workshop, branch, manager_client):
    order = OrderFactory(workshop=workshop, branch=branch, status=Status.IN_WORK)
    html = manager_client.get(
        reverse("orders:card", kwargs={"order_number": order.number})
    ).content.decode()
    offered = {s for s in Status if f'data-to="{s.value}"' in html}
    assert offered == set(TRANSITIONS[Status.IN_WORK])


def test_workflow_unknown_target_is_refused(workshop, branch, manager_client):
    order = OrderFactory(workshop=workshop, branch=branch, status=Status.QUEUE)
    url = reverse("orders:transition", kwargs={"order_number": order.number})
    manager_client.post(url, {"to": "<script>", "version": 1})
    assert Order.objects.get(pk=order.pk).status == Status.QUEUE


def test_workflow_move_from_a_stale_card_is_refused(workshop, branch, director, manager_client):
    from orders import services

    order = OrderFactory(workshop=workshop, branch=branch, status=Status.QUEUE)
    seen = order.version  # the card, opened in the queue, offers "Refused"
    services.order_transition(order=order, to=Status.DIAGNOSTICS, by=director)
    url = reverse("orders:transition", kwargs={"order_number": order.number})
    response = manager_client.post(
        url, {"to": Status.REFUSED, "version": seen}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert response.content.decode() == (
        "Someone else saved this order while you were editing it. Nothing was saved."
    )
    assert manager_client.post(url, {"to": Status.REFUSED}).status_code == 400
    assert Order.objects.get(pk=order.pk).status == Status.DIAGNOSTICS


@pytest.mark.parametrize(
    ("source", "target"), [(Status.QUEUE, Status.CANCELLED), (Status.SALE, Status.ISSUED)]
)
def test_workflow_technician_cannot_issue_or_cancel(
    workshop, branch, technician_client, source, target
):
    order = OrderFactory(workshop=workshop, branch=branch, status=source)
    card = technician_client.get(reverse("orders:card", kwargs={"order_number": order.number}))
    offered = {to for to, _label in card.context["transitions"]}
    assert offered == set(TRANSITIONS[source]) - {Status.ISSUED, Status.CANCELLED}
    url = reverse("orders:transition", kwargs={"order_number": order.number})
    response = technician_client.post(url, {"to": target, "version": 1})
    assert [str(m) for m in response.wsgi_request._messages] == [
        "Only the front desk may issue or cancel an order."
    ]
    assert Order.objects.get(pk=order.pk).status == source
