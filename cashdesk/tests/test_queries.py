"""Query budgets: the Cash desk page and the issue form cost the same at any size."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cashdesk import services
from cashdesk.models import CashEntry, EntryKind, OrderBalance
from cashdesk.tests.conftest import READY, make_order
from orders.models import Order
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db

# Pinned: a change that adds a query per page shows up here first.
DESK_QUERIES = 13
ISSUE_FORM_QUERIES = 7
CARD_SLOT_QUERIES = 1
DEBTS_QUERIES = 6
WORK_TAB_QUERIES = 7


def fill(workshop, branch, manager, technician, n: int, *, start: int = 1000):
    """n issued orders, each with a payment entry (half of them with a debt), in one shift,
    and n field-cash entries held by the technician."""
    shift = services.shift_open(branch=branch, by=manager)
    orders = Order.objects.bulk_create(
        [
            Order(
                workshop=workshop,
                branch=branch,
                number=start + i,
                kind=Kind.SALE,
                status=Status.ISSUED,
                lines_total=Decimal("100.00"),
                total=Decimal("100.00"),
                status_changed_at=timezone.now(),
            )
            for i in range(n)
        ]
    )
    paid = [Decimal("100.00") if i % 2 else Decimal("60.00") for i in range(n)]
    CashEntry.objects.bulk_create(
        [
            CashEntry(
                workshop=workshop,
                branch=branch,
                shift=shift,
                kind=EntryKind.PAYMENT,
                method=("cash", "card", "transfer")[i % 3],
                amount=paid[i],
                by=manager if i % 2 else technician,
                order=o,
                key=uuid.uuid4(),
            )
            for i, o in enumerate(orders)
        ]
        + [
            CashEntry(
                workshop=workshop,
                branch=branch,
                holder=technician,
                kind=EntryKind.PAYMENT,
                method="cash",
                amount=Decimal("10"),
                by=technician,
                key=uuid.uuid4(),
            )
            for _ in range(n)
        ]
    )
    OrderBalance.objects.bulk_create(
        [
            OrderBalance(workshop=workshop, order=o, paid=p)
            for o, p in zip(orders, paid, strict=True)
        ]
    )


@pytest.mark.parametrize("n", [5, 300])
def test_queries_desk_page_is_constant(
    n, workshop, branch, manager, technician, director_client, django_assert_num_queries
):
    fill(workshop, branch, manager, technician, n)
    with django_assert_num_queries(DESK_QUERIES):
        response = director_client.get(reverse("cashdesk:desk"))
    assert response.status_code == 200
    assert len(response.context["page"].rows) == min(n, 50)


@pytest.mark.parametrize("n", [5, 300])
def test_queries_issue_form_is_constant(
    n, workshop, branch, manager, technician, manager_client, django_assert_num_queries
):
    fill(workshop, branch, manager, technician, n)
    order = make_order(
        workshop, branch, manager, lines=[(f"line {i}", "10") for i in range(3)], to=READY
    )
    services.prepayment_take(order=order, amounts={"cash": Decimal("5")}, by=manager, key=None)
    url = reverse("cashdesk:order_issue", kwargs={"order_number": order.number})
    with django_assert_num_queries(ISSUE_FORM_QUERIES):
        response = manager_client.get(url, headers={"HX-Request": "true"})
    assert response.context["money"].due == Decimal("25.00")


@pytest.mark.parametrize("n", [5, 300])
def test_queries_card_slots_read_the_money_once(
    n, workshop, branch, manager, technician, rf, django_assert_num_queries
):
    """The head's action and the payments panel share one query, whatever the ledger holds."""
    from cashdesk import integrations

    fill(workshop, branch, manager, technician, n)
    order = make_order(workshop, branch, manager, to=READY)
    for _ in range(3):
        services.prepayment_take(order=order, amounts={"cash": Decimal("5")}, by=manager, key=None)
    request = rf.get("/")
    request.membership, request.workshop = manager, workshop
    with django_assert_num_queries(CARD_SLOT_QUERIES):
        head = integrations.head_context(order, request)
        panel = integrations.panel_context(order, request)
    assert head["due"] == Decimal("4185.00") and panel["money"].paid == Decimal("15.00")


def test_queries_card_with_the_cash_panel_is_the_same_at_two_sizes(
    workshop, branch, manager, technician, manager_client
):
    """The whole card (other apps' slots included) costs the same with 5 or 305 orders paid."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    order = make_order(workshop, branch, manager, to=READY)
    services.prepayment_take(order=order, amounts={"cash": Decimal("5")}, by=manager, key=None)
    url = reverse("orders:card", kwargs={"order_number": order.number})
    manager_client.get(url)  # the session settles on the first visit
    counts = []
    for n, start in ((5, 1000), (300, 2000)):
        fill(workshop, branch, manager, technician, n, start=start)
        with CaptureQueriesContext(connection) as ctx:
            response = manager_client.get(url)
        assert 'id="order-paid">5.00' in response.content.decode()
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("n", [5, 300])
def test_queries_debts_and_work_tab_are_constant(
    n, workshop, branch, manager, technician, director_client, django_assert_num_queries
):
    fill(workshop, branch, manager, technician, n)
    with django_assert_num_queries(DEBTS_QUERIES):
        response = director_client.get(reverse("cashdesk:debts"))
    assert len(response.context["page"].rows) == min((n + 1) // 2, 50)
    with django_assert_num_queries(WORK_TAB_QUERIES):
        work = director_client.get(reverse("orders:work"), {"tab": "cash_desk"})
    assert work.content.decode().count("debt 40.00") == min((n + 1) // 2, 25)
