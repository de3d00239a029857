from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import Membership, Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough passphrase"


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

    confirm = re.search(r"https?://\S+/accounts/confirm/\S+/", mail.outbox[-1].body).group(0)
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
    assert mail.outbox[-1].to == ["mike@example.com"]

    manager = new_page()
    manager.goto(link)
    assert manager.locator("h1").inner_text() == "Join Fix It Fast as an employee"
    assert manager.input_value("input[name=full_name]") == "Mike Manager"
    manager.fill("input[name=password]", PASSWORD)
    manager.click("button[type=submit]:has-text('Next')")
    manager.wait_for_url(f"{url}/accounts/pin/set/")
    set_pin(manager, "1357")
    manager.wait_for_url(f"{url}/")
    assert "Fix It Fast" in manager.locator("h1").inner_text()
    membership = Membership.objects.get(user__email="mike@example.com")
    assert membership.role == Role.MANAGER

    # The lock button shows only the unlock screen; the PIN brings the page back.
    manager.click(".topbar button:has-text('Lock')")
    manager.wait_for_url(f"{url}/accounts/lock/")
    assert manager.locator(".topbar").count() == 0
    manager.fill("input[name=pin]", "1357")
    manager.click("button:has-text('Unlock')")
    manager.wait_for_url(f"{url}/")
    assert console_errors == []
