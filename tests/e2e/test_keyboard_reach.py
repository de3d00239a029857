"""Keyboard only, in Russian: Tab reaches every visible control of the main pages, each
with a visible focus ring, and a directory row keeps the focus after its rename."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.utils import translation

from accounts.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/orders/today/",
    "/orders/?tab=all",
    "/orders/new/repair/",
    "/orders/clients/",
    "/directories/",
    "/directories/service/",
    "/accounts/staff/",
    "/accounts/invitations/",
    "/accounts/branches/",
    "/accounts/sign-ins/",
    "/cashdesk/",
    "/warehouse/",
    "/warehouse/receipts/new/",
    "/notifications/",
    "/notifications/uncollected/",
]
# The focused element, marked as reached (its HTML may change on focus: a combobox opens),
# with a key to see when Tab has gone round the page, and whether a focus ring shows.
FOCUSED = """() => { const el = document.activeElement;
  if (!el || el === document.body) return null;
  el.dataset.kbReached = '1';
  const cs = getComputedStyle(el);
  const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0)
    || (cs.boxShadow && cs.boxShadow !== 'none');
  return {key: el.outerHTML.slice(0, 160), ring}; }"""
# Every control a sighted user sees, except those inside a closed menu or <details> and
# the radios after the first of a group (arrow keys move within a group).
CONTROLS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]
  .filter(el => { const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && !el.disabled
      && el.tabIndex >= 0 && !el.closest('details:not([open])') && !el.dataset.kbReached
      && !(el.type === 'radio' && document.querySelector(
             `input[type=radio][name="${el.name}"]`) !== el); })
  .map(el => el.outerHTML.slice(0, 160))"""


def _sign_in(page, base):
    page.goto(f"{base}/accounts/sign-in/")
    page.keyboard.type("demo@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^(?!.*sign-in)"))


def test_keyboard_reach_every_control_of_the_main_pages(live_server, browser, settings):
    settings.LANGUAGE_CODE = "ru"
    with translation.override("ru"):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url
    _sign_in(page, base)
    unreached, no_ring = {}, {}
    for path in PAGES:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        seen: list[str] = []
        for _ in range(400):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused is None:
                continue
            if seen and focused["key"] == seen[0]:
                break  # round the page once
            if focused["key"] not in seen:
                seen.append(focused["key"])
                if not focused["ring"]:
                    no_ring.setdefault(path, []).append(focused["key"])
        missed = page.evaluate(CONTROLS)
        if missed:
            unreached[path] = missed
    context.close()
    assert unreached == {}, f"controls Tab never reaches: {unreached}"
    assert no_ring == {}, f"focused without a visible ring: {no_ring}"


def test_keyboard_directory_rename_keeps_the_focus_on_the_row(live_server, browser, settings):
    settings.LANGUAGE_CODE = "ru"
    with translation.override("ru"):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, live_server.url)
    page.goto(live_server.url + "/directories/partner/")
    page.wait_for_load_state("networkidle")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.innerText === 'Переименовать'"):
            break
    page.keyboard.press("Enter")
    page.wait_for_selector("form.dir-rename input:focus")
    page.keyboard.press("End")
    page.keyboard.type(" (Москва)")
    page.keyboard.press("Enter")
    page.wait_for_selector("a:focus", state="attached")
    focused = page.evaluate("() => document.activeElement.innerText")
    row = page.evaluate("() => document.activeElement.closest('tr').innerText")
    context.close()
    assert focused == "Переименовать"
    assert "(Москва)" in row
