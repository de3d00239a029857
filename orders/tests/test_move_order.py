from __future__ import annotations

import pytest
from django.urls import reverse

from orders.tests.factories import OrderFactory
from orders.workflow import EXITS, USUAL_NEXT, Status, allowed, moves_in_order

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", list(Status))
def test_move_order_holds_every_allowed_move_usual_next_first_exits_last(status):
    moves = moves_in_order(status)
    assert sorted(moves) == sorted(allowed(status))
    if status in USUAL_NEXT:
        assert moves[0] == USUAL_NEXT[status]
    exits = [m for m in moves if m in EXITS]
    assert moves[len(moves) - len(exits) :] == exits


def test_move_order_of_in_work():
    assert moves_in_order(Status.IN_WORK) == [
        Status.READY_NOTIFY,
        Status.WAITING_PART,
        Status.AT_PARTNER,
        Status.READY_DELIVERY,
        Status.DIAGNOSTICS,
        Status.REFUSED,
    ]


def test_move_order_card_buttons_follow_it_and_delete_stands_apart(
    director_client, workshop, branch
):
    order = OrderFactory(workshop=workshop, branch=branch, status=Status.IN_WORK)
    html = director_client.get(reverse("orders:card", args=[order.number])).content.decode()
    positions = [html.index(f'data-to="{s}"') for s in moves_in_order(Status.IN_WORK)]
    assert positions == sorted(positions)
    apart = html.index('class="order-actions__apart"')
    assert positions[-1] < apart < html.index(reverse("orders:delete", args=[order.number]))
