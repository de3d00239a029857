from __future__ import annotations

import pytest

from accounts.tests.factories import TEST_PASSWORD
from directories.models import Entry, Kind
from directories.services import remember

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, url, membership) -> None:
    page.goto(f"{url}/accounts/sign-in/")
    page.fill("input[name=username]", membership.user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def test_merge_target_picked_from_suggestions_with_the_keyboard(
    live_server, page, director, workshop, other_workshop, console_errors
):
    typo = remember(workshop=workshop, kind=Kind.BRAND, value="Samsnug")
    remember(workshop=workshop, kind=Kind.BRAND, value="Samsung")
    remember(workshop=workshop, kind=Kind.BRAND, value="Sony")
    remember(workshop=workshop, kind=Kind.BRAND, value="Lenovo")
    remember(workshop=other_workshop, kind=Kind.BRAND, value="Samsung Elsewhere")
    sign_in(page, live_server.url, director)
    page.goto(f"{live_server.url}/directories/entry/{typo.pk}/")

    target = page.locator("input[name=target]")
    target.click()
    target.press_sequentially("sa", delay=60)
    options = page.locator(".suggest__list:not([hidden]) [role=option]")
    options.first.wait_for()
    # Only this workshop's entries that start with "sa" (the entry itself included).
    page.wait_for_function(
        "() => document.querySelectorAll('.suggest__list [role=option]').length === 2"
    )
    assert sorted(options.all_inner_texts()) == ["Samsnug", "Samsung"]
    assert target.get_attribute("aria-expanded") == "true"

    # Walk down to Samsung with the arrow keys; the active option is announced.
    index = [o.strip() for o in options.all_inner_texts()].index("Samsung")
    for _ in range(index + 1):
        target.press("ArrowDown")
    active_id = target.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active_id}").inner_text() == "Samsung"
    target.press("Enter")

    assert target.input_value() == "Samsung"
    assert page.locator(".suggest__list").is_hidden()
    assert target.get_attribute("aria-expanded") == "false"
    # Enter chose the option; it did not submit the form.
    assert page.url.endswith(f"/directories/entry/{typo.pk}/")

    page.click("button:has-text('Merge') >> nth=-1")
    page.wait_for_url(f"{live_server.url}/directories/entry/*/")
    assert page.locator("h1").inner_text() == "Samsung"
    assert Entry.objects.get(pk=typo.pk).merged_into.value == "Samsung"
    assert console_errors == []


def test_escape_closes_and_inline_rename_works(
    live_server, page, director, workshop, console_errors
):
    entry = remember(workshop=workshop, kind=Kind.DEVICE_TYPE, value="Ноутбкук")
    remember(workshop=workshop, kind=Kind.DEVICE_TYPE, value="Ноутбук игровой")
    sign_in(page, live_server.url, director)
    page.goto(f"{live_server.url}/directories/entry/{entry.pk}/")
    target = page.locator("input[name=target]")
    target.click()
    target.press_sequentially("НОУТБУК", delay=40)
    # The answers for "Н", "НО"... arrive in turn; the last one narrows to one option.
    page.wait_for_function(
        "() => document.querySelectorAll('.suggest__list [role=option]').length === 1"
    )
    assert page.locator(".suggest__list [role=option]").all_inner_texts() == ["Ноутбук игровой"]
    assert page.locator(".suggest__list").is_visible()
    target.press("Escape")
    assert page.locator(".suggest__list").is_hidden()

    page.goto(f"{live_server.url}/directories/device_type/")
    # Type into the inline form only once htmx has processed it, as a person would.
    page.evaluate(
        "() => { window.settled = new Promise(done =>"
        " document.body.addEventListener('htmx:afterSettle', done, {once: true})); }"
    )
    page.click(f"#entry-{entry.pk} >> text=Rename")
    page.evaluate("() => window.settled.then(() => true)")
    field = page.locator(f"#rename-{entry.pk}")
    field.fill("Ноутбук")
    field.press("Enter")
    page.locator(f"#entry-{entry.pk} a:has-text('Ноутбук')").wait_for()
    entry.refresh_from_db()
    assert entry.value == "Ноутбук"
    assert console_errors == []


def test_delete_on_the_entry_page_asks_first(live_server, page, director, workshop, console_errors):
    entry = remember(workshop=workshop, kind=Kind.BRAND, value="Acme & Co")
    sign_in(page, live_server.url, director)
    page.goto(f"{live_server.url}/directories/entry/{entry.pk}/")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.click("button.btn--danger:has-text('Delete')")
    page.wait_for_timeout(300)
    assert asked == ["Delete “Acme & Co”? Orders keep their text."]
    assert Entry.objects.filter(pk=entry.pk).exists()

    page.once("dialog", lambda dialog: answer(dialog, True))
    page.click("button.btn--danger:has-text('Delete')")
    page.wait_for_url(f"{live_server.url}/directories/brand/")
    assert not Entry.objects.filter(pk=entry.pk).exists()
    assert console_errors == []
