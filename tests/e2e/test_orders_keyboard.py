"""Keyboard at the front desk: Enter in the phone field looks the client up and moves
on (never submits), and a refused form puts focus on its first field with an error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from orders import services
from orders.models import Order
from orders.workflow import Kind
from tests.e2e.test_orders import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _focused(page) -> str:
    return page.evaluate(
        "() => document.activeElement.id || document.activeElement.getAttribute('data-use-device') || document.activeElement.tagName"
    )


def test_keyboard_enter_in_the_phone_looks_up_and_moves_on(
    live_server, page, workshop, branch, manager, console_errors
):
    first = services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.REPAIR,
        by=manager,
        client_data={"phone": "+79162001102", "name": "Мария Иванова"},
        device_data={"device_type": "Телефон", "brand": "Apple", "model": "iPhone 12"},
        order_data={"problem": "Разбит экран", "condition": "царапины"},
    )
    sign_in(page, live_server.url, manager)
    page.goto(f"{live_server.url}/orders/new/repair/")
    assert _focused(page) == "id_phone"
    page.keyboard.type("89162001102")
    page.keyboard.press("Enter")
    expect(page.locator("#client-block .found")).to_contain_text("Мария Иванова")
    expect(page.locator("[data-use-device]")).to_be_focused()
    assert page.url.endswith("/orders/new/repair/")
    assert page.locator(".field--error").count() == 0
    page.keyboard.press("Enter")  # "Use this device": the device block fills, focus on
    expect(page.locator("#id_brand")).to_have_value("Apple")
    expect(page.locator("#id_condition")).to_have_value("царапины")
    page.keyboard.type("Не включается")
    page.click("text=Save the order")
    page.wait_for_url(re.compile(r"/orders/2/$"))
    second = Order.objects.get(number=2)
    assert (second.device_id, second.problem) == (first.device_id, "Не включается")

    # Tab out of the phone does the same for a returning client.
    page.goto(f"{live_server.url}/orders/new/repair/")
    page.keyboard.type("+7 916 200-11-02")
    page.keyboard.press("Tab")
    expect(page.locator("#client-block .found")).to_contain_text("Мария Иванова")
    expect(page.locator("[data-use-device]")).to_be_focused()

    page.goto(f"{live_server.url}/orders/new/repair/")
    page.keyboard.type("+7 999 000-11-22")
    page.keyboard.press("Enter")
    expect(page.locator("#client-block")).to_contain_text("New client: fill in the name.")
    expect(page.locator("#id_name")).to_be_focused()
    assert console_errors == []


def test_keyboard_refused_form_focuses_the_first_field_with_an_error(
    live_server, page, branch, manager
):
    sign_in(page, live_server.url, manager)
    page.goto(f"{live_server.url}/orders/new/repair/")
    page.fill("#id_phone", "+7 999 000-11-22")
    page.keyboard.press("Enter")
    expect(page.locator("#client-block")).to_contain_text("New client: fill in the name.")
    page.keyboard.type("Пётр")
    page.click("text=Save the order")
    page.wait_for_load_state()
    expect(page.locator(".field--error").first).to_be_visible()
    expect(page.locator("#id_device_type")).to_be_focused()


def test_keyboard_a_name_typed_while_the_lookup_runs_is_kept(live_server, page, branch, manager):
    sign_in(page, live_server.url, manager)
    page.goto(f"{live_server.url}/orders/new/repair/")
    # Hold the lookup's answer until the name has been typed.
    held = []
    page.route("**/orders/lookup/**", lambda route: held.append(route))
    page.keyboard.type("+7 999 000-11-22")
    page.keyboard.press("Tab")
    page.keyboard.type("Пётр")
    page.wait_for_timeout(100)
    assert held, "the lookup was sent"
    held[0].continue_()
    expect(page.locator("#client-block")).to_contain_text("New client: fill in the name.")
    expect(page.locator("#id_name")).to_have_value("Пётр")


def test_keyboard_slash_goes_to_the_work_search(live_server, page, branch, manager):
    sign_in(page, live_server.url, manager)
    page.goto(f"{live_server.url}/orders/")
    page.keyboard.press("/")
    expect(page.locator("#work-q")).to_be_focused()
    expect(page.locator("#work-q")).to_have_value("")
