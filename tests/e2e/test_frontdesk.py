"""The front desk by keyboard only: the top-bar shortcuts, the "?" help, "/" from any
page, and the intake journeys measured in keys (printed, and held to the issue's targets)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import TEST_PASSWORD
from orders import services
from orders.models import Order
from orders.workflow import Kind

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Counts pointer presses across navigations, so "zero clicks" is measured, not assumed.
COUNT_CLICKS = (
    "document.addEventListener('pointerdown', function () {"
    " sessionStorage.clicks = String(Number(sessionStorage.clicks || 0) + 1); }, true);"
)


class Keys:
    """Every key press of a journey, split into typed fields and other keys."""

    def __init__(self, page):
        self.page = page
        self.fields = 0
        self.chars = 0
        self.other = 0

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.fields += 1
        self.chars += len(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.other += 1

    def tab_to(self, element_id: str, limit: int = 15) -> None:
        for _ in range(limit):
            if self.page.evaluate("() => document.activeElement.id") == element_id:
                return
            self.press("Tab")
        raise AssertionError(f"#{element_id} not reached with {limit} Tabs")


def _focused(page) -> str:
    return page.evaluate("() => document.activeElement.id")


def _sign_in(page, base: str, membership) -> None:
    page.add_init_script(COUNT_CLICKS)
    page.goto(f"{base}/accounts/sign-in/")
    page.keyboard.type(membership.user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/orders/today/$"))


def _clicks(page) -> int:
    return page.evaluate("() => Number(sessionStorage.clicks || 0)")


def test_frontdesk_shortcuts_help_and_search(live_server, page, branch, manager, console_errors):
    base = live_server.url
    _sign_in(page, base, manager)
    for key, path in (("1", "sale"), ("2", "pc-build"), ("3", "call-out"), ("4", "repair")):
        link = page.locator(f'.topbar [data-shortcut="{key}"]')
        assert f"(Alt+{key})" in link.get_attribute("title")
        page.keyboard.press(f"Alt+{key}")
        page.wait_for_url(re.compile(rf"/orders/new/{path}/$"))
        assert _focused(page) == "id_phone", path
    page.keyboard.press("Alt+5")
    page.wait_for_url(re.compile(r"/orders/(\?.*)?$"))
    page.keyboard.press("Alt+7")
    page.wait_for_url(re.compile(r"/orders/clients/"))
    page.keyboard.press("Alt+0")
    page.wait_for_url(re.compile(r"/orders/today/$"))
    page.keyboard.press("/")
    page.wait_for_url(re.compile(r"/orders/#search$"))
    expect(page.locator("#work-q")).to_be_focused()
    page.keyboard.press("Escape")
    page.locator("#work-q").blur()
    page.keyboard.press("?")
    help_ = page.locator("#shortcuts-help")
    expect(help_).to_be_visible()
    expect(help_).to_contain_text("Alt+4")
    page.keyboard.press("Escape")
    expect(help_).to_be_hidden()
    assert _clicks(page) == 0
    assert console_errors == []


def test_frontdesk_intake_by_keyboard_meets_the_targets(
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
    base = live_server.url
    _sign_in(page, base, manager)

    # A returning client's repair, from the Today view (any page) to the saved order.
    keys = Keys(page)
    keys.press("Alt+4")
    page.wait_for_url(re.compile(r"/orders/new/repair/$"))
    assert _focused(page) == "id_phone"
    before_phone = keys.other
    keys.type("89162001102")
    keys.press("Enter")  # the lookup; focus moves to "Use this device"
    expect(page.locator("[data-use-device]")).to_be_focused()
    keys.press("Enter")  # the device block fills; focus on the problem
    expect(page.locator("#id_brand")).to_have_value("Apple")
    keys.type("Не включается")
    keys.press("Control+Enter")
    page.wait_for_url(re.compile(r"/orders/2/$"))
    order = Order.objects.get(workshop=workshop, number=2)
    assert (order.client_id, order.device_id, order.problem) == (
        first.client_id,
        first.device_id,
        "Не включается",
    )
    after_phone = keys.other - before_phone
    print(  # noqa: T201 -- the figures are what this test reports
        f"intake_returning_typed_fields: {keys.fields}\n"
        f"intake_returning_chars: {keys.chars}\n"
        f"intake_returning_keys_before_phone: {before_phone}\n"
        f"intake_returning_keys_after_phone: {after_phone}\n"
        f"intake_returning_clicks: {_clicks(page)}"
    )
    assert keys.fields <= 2
    assert after_phone <= 6

    # A new client's repair: phone, name, device type, problem.
    keys = Keys(page)
    keys.press("Alt+4")
    page.wait_for_url(re.compile(r"/orders/new/repair/$"))
    keys.type("+7 999 000-11-22")
    keys.press("Enter")
    expect(page.locator("#client-block")).to_contain_text("New client: fill in the name.")
    expect(page.locator("#id_name")).to_be_focused()
    keys.type("Пётр Сидоров")
    keys.tab_to("id_device_type")
    keys.type("Ноутбук")
    keys.press("Escape")  # close the suggestions
    keys.tab_to("id_problem")
    keys.type("Не заряжается")
    keys.press("Control+Enter")
    page.wait_for_url(re.compile(r"/orders/3/$"))
    new = Order.objects.select_related("client", "device").get(workshop=workshop, number=3)
    assert (new.client.name, new.device.device_type, new.problem) == (
        "Пётр Сидоров",
        "Ноутбук",
        "Не заряжается",
    )
    print(  # noqa: T201 -- the figures are what this test reports
        f"intake_new_typed_fields: {keys.fields}\n"
        f"intake_new_chars: {keys.chars}\n"
        f"intake_new_other_keys: {keys.other}\n"
        f"intake_new_clicks: {_clicks(page)}"
    )
    assert keys.fields <= 4
    assert _clicks(page) == 0
    assert console_errors == []
