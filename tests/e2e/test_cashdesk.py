"""The cash desk in a browser: a prepayment at intake, issue with a split payment, another
order's debt, a refund, closing the shift and its Z-report."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cashdesk import services
from cashdesk.models import CashEntry, EntryKind, Shift
from orders import services as order_services
from orders.models import Order, OrderLine
from orders.workflow import Status
from tests.e2e.test_orders import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _debtor(workshop, branch, director) -> Order:
    """Another order, issued by the director with 700 of its 1 000 left unpaid."""
    order = order_services.order_create(
        workshop=workshop,
        branch=branch,
        kind="repair",
        by=director,
        client_data={"phone": "+79165550000", "name": "Должник Иванов"},
        device_data={"device_type": "Phone"},
        order_data={"problem": "Кнопка"},
        lines=[
            {
                "kind": OrderLine.LineKind.SERVICE,
                "name": "Замена кнопки",
                "quantity": 1,
                "unit_price": Decimal("1000"),
            }
        ],
    )
    for status in (Status.IN_WORK, Status.READY_NOTIFY):
        order_services.order_transition(order=order, to=status, by=director)
    services.payment_take(
        order=order,
        amounts={"cash": Decimal("300")},
        by=director,
        key=uuid.uuid4(),
        version=order.version,
        issue=True,
        debt=True,
    )
    return order


def test_cashdesk_intake_prepayment_split_issue_debt_refund_close_and_z_report(
    live_server, page, director, branch, console_errors
):
    base = live_server.url
    sign_in(page, base, director)

    # + Repair with a prepayment of 1 000 by card, taken with the new order.
    page.click("text=+ Repair")
    page.fill("#id_phone", "8 912 000-11-22")
    page.keyboard.press("Tab")
    page.fill("#id_name", "Мария Кассова")
    page.fill("#id_device_type", "Ноутбук")
    page.fill("#id_problem", "Не заряжается")
    page.fill("#id_cashdesk-prepayment-amount", "1 000")
    page.select_option("#id_cashdesk-prepayment-method", "card")
    page.click("text=Save the order")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get(client__name="Мария Кассова")
    expect(page.locator("#order-paid")).to_have_text("1,000.00")

    # The work: a line of 4 200, then ready. The plain "→ Issued" is not offered.
    order_services.line_add(
        order=order,
        data={
            "kind": "service",
            "name": "Замена разъёма",
            "quantity": 1,
            "unit_price": Decimal("4200"),
        },
        by=director,
    )
    for status in (Status.IN_WORK, Status.READY_NOTIFY):
        order_services.order_transition(order=order, to=status, by=director)
    page.reload()
    expect(page.locator("button[data-to=issued]")).to_have_count(0)

    # Issue and take payment: 3 200 due, split as 1 200 by card and the rest in cash.
    page.click("#issue-and-pay")
    form = page.locator("#cash-form")
    expect(form.locator("#pay-due")).to_have_text("3,200.00")
    form.locator("[name=card]").fill("1200")
    expect(form.locator("[name=cash]")).to_have_value("2000.00")
    form.locator("#cash-submit").click()
    expect(page.locator("#order-status")).to_have_text("Issued")
    expect(page.locator("#order-paid")).to_have_text("4,200.00")
    assert sorted(
        CashEntry.objects.filter(order=order).values_list("kind", "method", "amount")
    ) == [
        (EntryKind.PAYMENT, "card", Decimal("1200.00")),
        (EntryKind.PAYMENT, "cash", Decimal("2000.00")),
        (EntryKind.PREPAYMENT, "card", Decimal("1000.00")),
    ]

    # Another order's debt, on the Debts list.
    debtor = _debtor(order.workshop, branch, director)
    page.goto(f"{base}/cashdesk/debts/")
    row = page.locator(f"tr:has(a[href='/orders/{debtor.number}/'])")
    expect(row.locator(".debt")).to_have_text("700.00")

    # A refund of 500 in cash on the first order, with its reason.
    page.goto(f"{base}/orders/{order.number}/")
    page.click("#cash-cashdesk\\:order_refund")
    refund = page.locator("#cash-form")
    refund.locator("[name=cash]").fill("500")
    refund.locator("[name=reason]").fill("Царапина на корпусе")
    refund.locator("#cash-submit").click()
    expect(page.locator("#order-paid")).to_have_text("3,700.00")
    expect(page.locator("#cash-panel")).to_contain_text("Царапина на корпусе")

    # Close the shift with what is in the drawer, then the Z-report.
    page.click("nav >> text=Cash desk")
    expect(page.locator("#drawer-cash")).to_have_text("1,800.00")  # 2 000 + 300 − 500
    page.click("#close-shift")
    page.fill("#id_counted", "1 800")
    page.click("button:has-text('Close the shift')")
    page.wait_for_url(re.compile(r"/cashdesk/shifts/\d+/z-report/$"))
    expect(page.locator("#zreport h1")).to_contain_text("Z-report №1")
    expect(page.locator("#z-counted")).to_have_text("1,800.00")
    expect(page.locator("#z-difference")).to_have_text("0.00")
    closed = Shift.objects.get(number=1)
    assert (closed.is_open, closed.counted_cash) == (False, Decimal("1800.00"))
    assert Shift.objects.get(number=2).is_open
    page.click("text=Receipt 80 mm")
    expect(page.locator("#zreport")).to_have_class(re.compile("zreport--80mm"))
    assert console_errors == []


def test_cashdesk_intake_suggestion_overtaken_by_typing_is_not_aborted(
    live_server, page, director, console_errors
):
    """A slow focus request of a suggestion list, overtaken by the first keystroke, used to
    be aborted (hx-sync "replace"), which htmx logs as an htmx:sendAbort console error;
    "queue last" waits for it and sends only the newest."""
    import time

    base = live_server.url
    sign_in(page, base, director)
    page.goto(f"{base}/orders/new/repair/")
    seen = []

    def slow(route):
        seen.append(route.request.url)
        if len(seen) == 1:
            time.sleep(0.6)  # the focus request is still in flight when typing starts
        route.continue_()

    page.route("**/directories/suggest/problem/**", slow)
    page.focus("#id_problem")
    page.keyboard.type("Не")
    expect(page.locator("#id_problem")).to_have_value("Не")
    page.wait_for_timeout(1500)
    assert any("q=%D0%9D%D0%B5" in url for url in seen)
    page.fill("#id_cashdesk-prepayment-amount", "100")
    assert console_errors == []
