"""Who sees money (accounts/permissions.py: cashdesk.order_money, cashdesk.money_lists).

A technician hands devices over and takes cash on call-outs, so the order's own paid and
due are on its card for them; money across orders (the Debts list, the Cash desk tab's
paid column, a client's debts, the open shift's takings, reports, others' payroll) is
the desk's and the director's."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.permissions import role_can

pytestmark = pytest.mark.django_db


def _issue_with_debt(director_client, order):
    response = director_client.post(
        reverse("cashdesk:order_issue", kwargs={"order_number": order.number}),
        {
            "key": str(uuid.uuid4()),
            "version": order.version,
            "total": "3000",
            "cash": "3000",
            "debt": "on",
        },
    )
    assert response.status_code == 302


def test_money_rule_is_one_row_per_question():
    assert {r for r in Role.values if role_can(r, "cashdesk.order_money")} == set(Role.values)
    assert {r for r in Role.values if role_can(r, "cashdesk.money_lists")} == {
        Role.DIRECTOR,
        Role.MANAGER,
    }
    for permission in ("cashdesk.reports", "cashdesk.payroll", "cashdesk.work_all"):
        assert not role_can(Role.TECHNICIAN, permission)


def test_money_screens_across_orders_stay_within_money_lists():
    """The shift page and its archive (takings), the Work list's "issue, due" column and
    the reports show money across orders under their own rows; whoever has one of them
    must be in cashdesk.money_lists, so taking a role out of that row cannot leave them
    seeing takings or amounts due elsewhere (change both rows together)."""
    across = ("cashdesk.view", "cashdesk.take_payment", "cashdesk.reports", "cashdesk.payroll")
    for permission in across:
        for role in Role.values:
            if role_can(role, permission):
                assert role_can(role, "cashdesk.money_lists"), (permission, role)


def test_money_technician_sees_the_orders_own_paid_and_due_on_its_card(
    director_client, technician_client, ready_order
):
    _issue_with_debt(director_client, ready_order)
    card = technician_client.get(
        reverse("orders:card", kwargs={"order_number": ready_order.number})
    ).content.decode()
    assert 'id="order-paid">3,000.00' in card
    assert 'id="order-debt">1,200.00' in card


def test_money_technician_gets_no_money_lists(director_client, technician_client, ready_order):
    _issue_with_debt(director_client, ready_order)
    assert technician_client.get(reverse("cashdesk:debts")).status_code == 403
    for name in ("cashdesk:report", "cashdesk:payroll"):
        assert technician_client.get(reverse(name)).status_code == 403
    work = technician_client.get(reverse("orders:work"), {"tab": "cash_desk"}).content.decode()
    assert "debt 1,200.00" not in work and "3,000.00 ·" not in work
    client_card = technician_client.get(
        reverse("orders:client", kwargs={"client_id": ready_order.client_id})
    ).content.decode()
    assert 'id="client-debts"' not in client_card
    nav = technician_client.get(reverse("cashdesk:field_cash")).content.decode()
    assert reverse("cashdesk:debts") not in nav


def test_money_manager_sees_the_lists(director_client, manager_client, ready_order):
    _issue_with_debt(director_client, ready_order)
    debts = manager_client.get(reverse("cashdesk:debts"))
    assert [o.number for o in debts.context["page"].rows] == [ready_order.number]
    work = manager_client.get(reverse("orders:work"), {"tab": "cash_desk"}).content.decode()
    assert "debt 1,200.00" in work
