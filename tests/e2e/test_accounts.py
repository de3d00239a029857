from __future__ import annotations

import re
import time

import pytest
from django.core import mail

from accounts.models import Membership, Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough passphrase"


def mail_to(address: str):
    """The newest letter to `address`: mail leaves after the response, so wait a moment."""
    for _ in range(50):
        letters = [m for m in mail.outbox if m.to == [address]]
        if letters:
            return letters[-1]
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {address}")


def set_pin(page, pin: str) -> None:
    page.fill("input[name=pin]", pin)
    page.fill("input[name=pin_again]", pin)
    page.click("button[type=submit]")


def test_sign_up_confirm_invite_and_join(live_server, new_page, console_errors):
    url = live_server.url
    director = new_page()
    director.goto(f"{url}/accounts/register/")
    director.fill("input[name=email]", "owner@example.com")
    director.fill("input[name=full_name]", "Olga Owner")
    director.fill("input[name=workshop_name]", "Fix It Fast")
    director.fill("input[name=password]", PASSWORD)
    director.click("button[type=submit]")
    director.wait_for_url(f"{url}/accounts/register/sent/")
    assert "Instructions have been sent to your e-mail." in director.inner_text("main")

    letter = mail_to("owner@example.com")
    confirm = re.search(r"https?://\S+/accounts/confirm/\S+/", letter.body).group(0)
    director.goto(confirm)
    director.fill("input[name=password]", PASSWORD)
    director.click("button[type=submit]")
    director.wait_for_url(f"{url}/accounts/pin/set/")
    set_pin(director, "2468")
    director.wait_for_url(f"{url}/")
    assert director.locator("h1").inner_text() == "Fix It Fast"

    director.goto(f"{url}/accounts/invitations/")
    director.fill("input[name=email]", "mike@example.com")
    director.fill("input[name=full_name]", "Mike Manager")
    director.select_option("select[name=role]", Role.MANAGER.value)
    director.check("input[name=branches]")
    director.click("form button[type=submit]:has-text('Invite')")
    director.wait_for_url(f"{url}/accounts/invitations/")
    link = director.locator(".copy-link__input").first.input_value()
    assert link.startswith(f"{url}/accounts/join/")
    assert mail_to("mike@example.com").subject == "You are invited to join Fix It Fast"

    manager = new_page()
    manager.goto(link)
    assert manager.locator("h1").inner_text() == "Join Fix It Fast as an employee"
    assert manager.input_value("input[name=full_name]") == "Mike Manager"
    manager.fill("input[name=password]", PASSWORD)
    manager.click("button[type=submit]:has-text('Next')")
    manager.wait_for_url(f"{url}/accounts/pin/set/")
    set_pin(manager, "1357")
    manager.wait_for_url(f"{url}/orders/today/")  # staff start their day on Today
    assert "Fix It Fast" in manager.locator(".topbar__workshop").inner_text()
    membership = Membership.objects.get(user__email="mike@example.com")
    assert membership.role == Role.MANAGER

    # The lock button shows only the unlock screen; the PIN brings the page back.
    manager.click(".topbar button:has-text('Lock')")
    manager.wait_for_url(f"{url}/accounts/lock/")
    assert manager.locator(".topbar").count() == 0
    manager.fill("input[name=pin]", "1357")
    manager.click("button:has-text('Unlock')")
    manager.wait_for_url(f"{url}/orders/today/")
    assert console_errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_sign_in_register_and_reset_pages_fit_and_link_up(
    live_server, new_page, console_errors, width
):
    url = live_server.url
    page = new_page()
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{url}/accounts/sign-in/")
    for path, heading in [
        ("/accounts/sign-in/", "Sign in"),
        ("/accounts/register/", "Register a workshop"),
        ("/accounts/password/reset/", "Reset password"),
    ]:
        page.goto(f"{url}{path}")
        assert page.locator(".auth-brand").inner_text() == "Workshop"
        assert page.locator("h1").inner_text() == heading
        # The product name sits above the card, and nothing scrolls sideways.
        brand, card = (
            page.locator(".auth-brand").bounding_box(),
            page.locator(".auth-card").bounding_box(),
        )
        assert brand["y"] + brand["height"] <= card["y"]
        assert card["x"] >= 0 and card["x"] + card["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") == width
    page.goto(f"{url}/accounts/sign-in/")
    page.click("a:has-text('Create a workshop')")
    page.wait_for_url(f"{url}/accounts/register/")
    page.goto(f"{url}/accounts/sign-in/")
    page.click("a:has-text('Forgot your password?')")
    page.wait_for_url(f"{url}/accounts/password/reset/")
    assert console_errors == []
