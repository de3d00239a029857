from __future__ import annotations

import pytest

from accounts.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_signin_page_renders_without_console_errors(live_server, page, console_errors):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    assert page.locator("h1").inner_text() == "Sign in"
    assert page.locator("input[type=password]").get_attribute("autocomplete") == "current-password"
    assert console_errors == []


def test_director_signs_in_and_sees_home(live_server, page, director, branch, console_errors):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.fill("input[name=username]", director.user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Alpha Repair"
    assert "Central" in page.locator("main").inner_text()
    assert console_errors == []
