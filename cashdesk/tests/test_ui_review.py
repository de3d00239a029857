"""Defects from the Russian UI review of the cash desk: the pay page's words, field cash
names without declension, the entry-number column's heading, the minus sign."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from cashdesk import services
from cashdesk.templatetags.cashdesk_money import money
from cashdesk.tests.conftest import make_order
from orders.workflow import Status
from workshop.lib.money import format_money, to_decimal

pytestmark = pytest.mark.django_db

D = Decimal
MINUS = "\u2212"


def _expense(branch, director):
    """500 spent from a drawer that was given 1 000 first."""
    services.deposit_record(branch=branch, amount=D("1000"), by=director, key=uuid.uuid4())
    return services.expense_record(
        branch=branch, amount=D("500"), by=director, key=uuid.uuid4(), category="parts"
    )


def test_pay_page_of_an_order_in_work_says_it_is_paid_at_the_issue(
    manager_client, workshop, branch, manager
):
    order = make_order(workshop, branch, manager, to=(Status.IN_WORK,))
    services.prepayment_take(order=order, amounts={"cash": D("1000")}, by=manager, key=None)
    page = manager_client.get(reverse("cashdesk:order_pay", kwargs={"order_number": order.number}))
    assert page.context["money"].due == D("3200.00")
    assert page.context["unavailable"] == (
        "Payment is taken when the order is issued; before that, take a prepayment."
    )
    assert "Nothing is due" not in page.content.decode()


def test_pay_page_of_a_paid_up_issued_order_says_nothing_is_due(
    manager_client, workshop, branch, manager
):
    order = make_order(workshop, branch, manager, to=(Status.IN_WORK, Status.READY_NOTIFY))
    services.payment_take(
        order=order,
        amounts={"cash": D("4200")},
        by=manager,
        key=uuid.uuid4(),
        version=order.version,
        issue=True,
    )
    page = manager_client.get(reverse("cashdesk:order_pay", kwargs={"order_number": order.number}))
    assert page.context["unavailable"] == "Nothing is due on this order."


def test_field_cash_names_the_holder_after_a_colon_in_russian(
    technician_client, workshop, branch, manager, technician
):
    order = make_order(workshop, branch, manager, to=(Status.ON_SITE,), kind="call_out")
    services.field_cash_take(
        order=order, amount=D("1500"), by=technician, key=uuid.uuid4(), version=order.version
    )
    html = technician_client.get(
        reverse("cashdesk:field_cash"), headers={"Accept-Language": "ru"}
    ).content.decode()
    assert "(на руках: Tom Tech)" in html
    assert "на руках у" not in html


def test_entries_table_heads_the_entry_number_column(director_client, workshop, branch, director):
    _expense(branch, director)
    with translation.override("ru"):
        html = director_client.get(
            reverse("cashdesk:desk"), headers={"Accept-Language": "ru"}
        ).content.decode()
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert head.count("<th></th>") == 0
    assert "<th>№</th>" in head


def test_desk_prints_a_negative_amount_with_the_minus_sign(director_client, branch, director):
    entry = _expense(branch, director)
    html = director_client.get(reverse("cashdesk:desk")).content.decode()
    row = html[html.index(f'id="entry-{entry.pk}"') :]
    assert f"{MINUS}500.00" in row[: row.index("</tr>")]
    assert "-500.00" not in html


def test_money_display_uses_the_minus_sign_but_input_still_reads_a_hyphen():
    with translation.override("ru"):
        assert format_money(D("-1234.5")) == f"{MINUS}1\u00a0234,50"
        assert money(D("-500")) == f"{MINUS}500,00"
        assert money(D("500")) == "500,00"
        assert money(None) == ""
    assert to_decimal("-500,00") == D("-500.00")
