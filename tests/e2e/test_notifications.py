"""Customers' messages in a browser: the estimate approved from the public status page,
the order moved to "ready" sends its messages, the page follows the status."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from notifications import sms
from notifications.models import Message, Settings, StatusLink
from orders import services as order_services
from orders.models import JournalEntry
from orders.workflow import Kind, Status
from tests.e2e.test_orders import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order(manager, branch):
    order = order_services.order_create(
        workshop=manager.workshop,
        branch=branch,
        kind=Kind.REPAIR,
        by=manager,
        client_data={"phone": "+79161234567", "name": "Ольга Иванова", "email": "olga@example.com"},
        device_data={"device_type": "Телефон", "brand": "Apple", "model": "iPhone 12"},
        order_data={"problem": "Трещина на экране", "notes": "Внутренняя заметка"},
    )
    order_services.order_transition(order=order, to=Status.DIAGNOSTICS, by=manager)
    order.estimate = Decimal("4500.00")
    order.save(update_fields=["estimate"])
    return order


@pytest.fixture(autouse=True)
def _messages(settings, manager):
    settings.SMS_BACKEND = "notifications.sms.LocmemBackend"
    Settings.objects.create(
        workshop=manager.workshop, quiet_from="00:00", quiet_until="00:00", language="en"
    )
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_notifications_estimate_approved_and_ready_from_the_status_page(
    live_server, settings, new_page, manager, order, console_errors
):
    base = live_server.url
    settings.PUBLIC_BASE_URL = base
    staff = new_page()
    sign_in(staff, base, manager)
    staff.goto(f"{base}/orders/{order.number}/")
    staff.click("#estimate-send")
    expect(staff.locator("#estimate-waiting")).to_be_visible()
    expect(staff.locator("#notif-log")).to_contain_text("Diagnosis done: the estimate")
    link = staff.locator("#status-link").get_attribute("href")
    assert link == f"{base}/s/{StatusLink.objects.get(order=order).token}"

    # The client, on a phone, signed in nowhere.
    client = new_page()
    client.set_viewport_size({"width": 390, "height": 800})
    client.goto(link)
    expect(client.locator("#order-status")).to_contain_text("Diagnostics")
    expect(client.locator("#order-estimate")).to_contain_text("4,500.00")
    assert "Ольга" not in client.content() and "Внутренняя" not in client.content()
    client.click("#approve")
    expect(client.locator("#estimate-approved")).to_contain_text("You approved the estimate")
    entry = JournalEntry.objects.get(order=order, action="notifications.estimate_approved")
    assert entry.subject == "127.0.0.1"

    # The front desk moves the repair on; "ready" sends the e-mail and the SMS.
    staff.reload()
    expect(staff.locator("#journal")).to_contain_text("the client approved the estimate")
    staff.click("button:has-text('→ In work')")
    expect(staff.locator("#order-status")).to_have_text("In work")
    staff.click("button:has-text('→ Ready: notify')")
    expect(staff.locator("#order-status")).to_have_text("Ready: notify")
    staff.reload()
    expect(staff.locator("#notif-log")).to_contain_text("Ready to collect")
    ready = Message.objects.filter(order=order, event="ready")
    assert sorted(ready.values_list("channel", "status")) == [("email", "sent"), ("sms", "sent")]
    assert sms.outbox[-1]["text"].startswith(f"Order #{order.number} is ready.")

    client.reload()
    expect(client.locator("#order-status")).to_contain_text("Ready: you can collect it")
    client.screenshot(path="test-artifacts/notifications-status-phone.png", full_page=True)
    staff.screenshot(path="test-artifacts/notifications-card.png", full_page=True)
    assert console_errors == []
    assert re.search(r"/s/[A-Za-z0-9_-]{24}$", link)


def test_notifications_sms_text_counts_its_parts_as_you_type(
    live_server, new_page, director, console_errors
):
    base = live_server.url
    page = new_page()
    sign_in(page, base, director)
    page.goto(f"{base}/notifications/")
    page.click("#rule-ready-sms")
    page.wait_for_url(re.compile(r"/notifications/rule/\?event=ready&channel=sms$"))
    page.fill("textarea[name=body]", "Order {order.number} is ready")
    expect(page.locator("#sms-count")).to_have_text("19 characters, 1 SMS (GSM-7, 160 per part)")
    expect(page.locator("#rule-text")).to_have_text("Order 1042 is ready")
    page.fill("textarea[name=body]", "Заказ №{order.number} готов, " + "ж" * 51)
    expect(page.locator("#sms-count")).to_have_text("70 characters, 1 SMS (UCS-2, 70 per part)")
    page.fill("textarea[name=body]", "Заказ №{order.number} готов, " + "ж" * 52)
    expect(page.locator("#sms-count")).to_have_text("71 characters, 2 SMS (UCS-2, 67 per part)")
    page.fill("textarea[name=body]", "{client.nmae}")
    expect(page.locator("#rule-preview")).to_contain_text("Unknown variable “client.nmae”")
    page.fill("textarea[name=body]", "Ready: {order.number}")
    page.click("text=Save")
    page.wait_for_url(re.compile(r"/notifications/$"))
    expect(page.locator("#rule-ready-sms")).to_contain_text("Ready: {order.number}")
    assert console_errors == []
