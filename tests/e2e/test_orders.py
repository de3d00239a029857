"""Intake of two repairs for one client, the workflow buttons, a save conflict, suggestions."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import TEST_PASSWORD
from directories.services import remember
from orders.models import Order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str, membership) -> None:
    page.goto(f"{base}/accounts/sign-in/")
    page.fill("input[name=username]", membership.user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_orders_two_repairs_for_one_client_and_the_workflow(
    live_server, page, manager, branch, console_errors
):
    base = live_server.url
    sign_in(page, base, manager)
    page.click("text=+ Repair")
    page.fill("#id_phone", "8 912 345-67-89")
    page.keyboard.press("Tab")
    expect(page.locator("#client-block")).to_contain_text("New client: fill in the name.")
    page.fill("#id_name", "Иван Петров")
    page.fill("#id_device_type", "Ноутбук")
    page.fill("#id_brand", "Lenovo")
    page.fill("#id_model", "IdeaPad 5")
    page.fill("#id_serial", "PF2ABC")
    page.fill("#id_problem", "Не включается")
    page.click("text=Save the order")
    page.wait_for_url(re.compile(r"/orders/1/$"))
    expect(page.locator("h1")).to_contain_text("Order №1")

    # The second repair: leaving the phone field finds him and his laptop.
    page.click("text=+ Repair")
    page.fill("#id_phone", "+7 912 345 67 89")
    page.keyboard.press("Tab")
    expect(page.locator("#client-block .found")).to_contain_text("Returning client: Иван Петров.")
    expect(page.locator("#id_name")).to_have_value("Иван Петров")
    page.click("text=Use this device")
    expect(page.locator("#id_brand")).to_have_value("Lenovo")
    expect(page.locator("#id_serial")).to_have_value("PF2ABC")
    page.fill("#id_problem", "Шумит вентилятор")
    page.click("text=Save the order")
    page.wait_for_url(re.compile(r"/orders/2/$"))
    first, second = Order.objects.order_by("number")
    assert (second.client_id, second.device_id) == (first.client_id, first.device_id)

    for label, status in (
        ("Diagnostics", "Diagnostics"),
        ("In work", "In work"),
        ("Ready: notify", "Ready: notify"),
    ):
        page.click(f"button:has-text('→ {label}')")
        expect(page.locator("#order-status")).to_have_text(status)
    expect(page.locator("#journal")).to_contain_text("moved In work → Ready: notify")
    assert Order.objects.get(number=2).status == "ready_notify"

    # Saving in place, with htmx: the journal shows the change without a reload.
    page.fill("#id_diagnosis", "Забит радиатор")
    page.click("#card-form button[type=submit]")
    expect(page.locator("#card-form")).to_contain_text("Saved.")
    expect(page.locator("#journal")).to_contain_text("Забит радиатор")
    assert console_errors == []


def test_orders_second_editor_gets_the_conflict_message(
    live_server, new_page, manager, director, branch, console_errors
):
    from orders import services

    order = services.order_create(
        workshop=manager.workshop,
        branch=branch,
        kind="repair",
        by=manager,
        client_data={"phone": "+79161234567", "name": "Ольга"},
        device_data={"brand": "Apple", "model": "iPhone 12"},
        order_data={"problem": "Трещина"},
    )
    base = live_server.url
    one, two = new_page(), new_page()
    sign_in(one, base, manager)
    sign_in(two, base, director)
    url = f"{base}/orders/{order.number}/"
    one.goto(url)
    two.goto(url)
    one.fill("#id_diagnosis", "Нужна замена стекла")
    one.click("#card-form button[type=submit]")
    expect(one.locator("#card-form")).to_contain_text("Saved.")
    two.fill("#id_notes", "Позвонить вечером")
    two.click("#card-form button[type=submit]")
    conflict = two.locator(".conflict")
    expect(conflict).to_contain_text("Someone else saved this order while you were editing it.")
    expect(conflict).to_contain_text("Нужна замена стекла")
    expect(two.locator("#id_notes")).to_have_value("Позвонить вечером")
    expect(two.locator("#id_diagnosis")).to_have_value("Нужна замена стекла")
    # Saving again applies this person's edit on top of the other one.
    two.click("#card-form button[type=submit]")
    expect(two.locator("#card-form")).to_contain_text("Saved.")
    order.refresh_from_db()
    assert (order.diagnosis, order.notes) == ("Нужна замена стекла", "Позвонить вечером")
    assert console_errors == []


def test_orders_brand_suggestion_picked_with_the_keyboard(
    live_server, page, manager, branch, console_errors
):
    remember(workshop=manager.workshop, kind="brand", value="Lenovo")
    remember(workshop=manager.workshop, kind="brand", value="LG")
    sign_in(page, live_server.url, manager)
    page.goto(f"{live_server.url}/orders/new/repair/")
    page.click("#id_brand")
    page.keyboard.type("Len")
    suggestions = page.locator("#id_brand-suggestions")
    expect(suggestions).to_contain_text("Lenovo")
    expect(suggestions).not_to_contain_text("LG")  # the list for "Len", not the one on focus
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_brand")).to_have_value("Lenovo")
    assert console_errors == []


def test_orders_client_card_search_edit_and_restore(
    live_server, new_page, manager, director, branch, console_errors
):
    from orders import services
    from orders.models import Client

    order = services.order_create(
        workshop=manager.workshop,
        branch=branch,
        kind="repair",
        by=manager,
        client_data={"phone": "+79123456789", "name": "Иван Петров"},
        device_data={"device_type": "Ноутбук", "brand": "Lenovo", "serial": "PF2ABC"},
        order_data={"problem": "Не включается"},
    )
    base = live_server.url
    page = new_page()
    sign_in(page, base, manager)
    page.click(".topbar >> text=Clients")
    page.fill("#clients-q", "петров")
    expect(page.locator("#client-list")).to_contain_text("Иван Петров")
    page.click("#client-list >> text=Иван Петров")
    expect(page.locator("h1")).to_contain_text("Иван Петров")
    expect(page.locator(".client-device")).to_contain_text("Ноутбук Lenovo")
    expect(page.locator(".client-device")).to_contain_text("Не включается")

    # A bad phone: the message next to the field, nothing saved.
    page.fill("#id_phone", "12")
    page.fill("#id_notes", "Звонить вечером")
    page.click("#client-form button[type=submit]")
    expect(page.locator("#client-form .field--error")).to_contain_text("does not exist")
    assert Client.objects.get().notes == ""
    page.fill("#id_phone", "8 916 000-11-22")
    page.click("#client-form button[type=submit]")
    expect(page.locator("#client-form")).to_contain_text("Saved.")
    expect(page.locator("#record-history")).to_contain_text("+7 916 000-11-22")
    assert (Client.objects.get().phone, Client.objects.get().notes) == (
        "+79160001122",
        "Звонить вечером",
    )
    page.click(f".client-device >> text={order.number}")
    expect(page.locator("h1")).to_contain_text(f"Order №{order.number}")

    # The director deletes and restores the client.
    boss = new_page()
    sign_in(boss, base, director)
    boss.goto(f"{base}/orders/clients/{order.client_id}/")
    boss.once("dialog", lambda dialog: dialog.accept())
    boss.click("text=Delete the client")
    expect(boss.locator(".messages")).to_contain_text("Client deleted")
    assert Client.objects.get().is_deleted
    boss.click("text=Restore the client")
    expect(boss.locator(".messages")).to_contain_text("Client restored.")
    assert not Client.objects.get().is_deleted
    assert console_errors == []
