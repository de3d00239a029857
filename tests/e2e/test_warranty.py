"""The warranty card in a browser, in Russian: the period typed on an issued repair's
card brings the warranty card's button, and the print screen shows the period."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from orders import services as order_services
from orders.workflow import Kind, Status
from tests.e2e.test_orders import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "warranty"


@pytest.fixture
def issued_repair(manager, branch):
    order = order_services.order_create(
        workshop=manager.workshop,
        branch=branch,
        kind=Kind.REPAIR,
        by=manager,
        client_data={"phone": "+79161234567", "name": "Ольга Иванова"},
        device_data={"device_type": "Телефон", "brand": "Apple", "model": "iPhone 12"},
        order_data={"problem": "Трещина на экране"},
        lines=[{"kind": "service", "name": "Замена экрана", "quantity": 1, "unit_price": 4200}],
    )
    for status in (Status.IN_WORK, Status.READY_NOTIFY, Status.ISSUED):
        order_services.order_transition(order=order, to=status, by=manager, check_guards=False)
    return order


def test_warranty_days_on_the_card_then_the_warranty_card_prints_them(
    live_server, new_page, settings, manager, issued_repair, console_errors
):
    settings.LANGUAGE_CODE = "ru"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_page("ru-RU")
    base = live_server.url
    sign_in(page, base, manager)
    page.goto(f"{base}/orders/{issued_repair.number}/")
    expect(page.locator("a[data-doc='warranty']")).to_have_count(0)
    page.fill("#id_warranty_days", "90")
    page.click("button[type=submit]:has-text('Сохранить')")
    expect(page.locator("a[data-doc='warranty']")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "card-ru.png"), full_page=True)
    page.click("a[data-doc='warranty']")
    page.wait_for_url(re.compile(r"/documents/orders/\d+/warranty/$"))
    expect(page.frame_locator("#own-frame").locator("body")).to_contain_text("90 дней")
    page.screenshot(path=str(SHOTS / "print-screen-ru.png"), full_page=True)
    assert console_errors == []
