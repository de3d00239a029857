"""The screenshot review's keyboard and layout fixes: the user menu closes on Escape and
gives the focus back; the director's top bar is one row at 1280; the Work tabs on a phone
are one row scrolling inside the nav, the page no wider than the screen."""

from __future__ import annotations

import re

import pytest

from accounts.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, membership):
    page.goto(f"{base}/accounts/sign-in/")
    page.fill("input[name=username]", membership.user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^(?!.*sign-in)"))


def test_user_menu_escape_and_one_row_top_bar(live_server, browser, director):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, live_server.url, director)
    page.goto(f"{live_server.url}/orders/")
    heights = page.evaluate(
        "() => [...document.querySelectorAll('.topbar__main .nav-btn')]"
        ".map(a => Math.round(a.getBoundingClientRect().top))"
    )
    assert len(set(heights)) == 1, heights
    page.click("summary.topbar__person")
    assert page.evaluate("document.querySelector('details.usermenu').open")
    page.keyboard.press("Escape")
    assert not page.evaluate("document.querySelector('details.usermenu').open")
    assert page.evaluate("document.activeElement.matches('summary.topbar__person')")
    context.close()


def test_work_tabs_scroll_inside_their_row_on_a_phone(live_server, browser, director):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, live_server.url, director)
    page.goto(f"{live_server.url}/orders/?tab=all")
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.work-tabs .tab')]"
        ".map(a => Math.round(a.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, tops
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
