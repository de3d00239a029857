"""The print screen in a browser: live preview, full screen and back, PDF, hostile HTML."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from documents import services
from documents.types import TYPES, DocType
from orders import services as order_services
from orders.workflow import Kind
from tests.e2e.test_orders import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order(manager, branch):
    return order_services.order_create(
        workshop=manager.workshop,
        branch=branch,
        kind=Kind.REPAIR,
        by=manager,
        client_data={"phone": "+79161234567", "name": "Ольга Иванова"},
        device_data={
            "device_type": "Телефон",
            "brand": "Apple",
            "model": "iPhone 12",
            "serial": "F2LXK",
        },
        order_data={"problem": "Трещина на экране"},
    )


def screen_url(base, order, doc=DocType.ACCEPTANCE):
    return f"{base}/documents/orders/{order.number}/{doc}/"


def test_documents_edit_and_see_the_preview_change(
    live_server, page, manager, order, console_errors
):
    base = live_server.url
    sign_in(page, base, manager)
    page.goto(f"{base}/orders/{order.number}/")
    page.click("a[data-doc='acceptance']")
    page.wait_for_url(re.compile(r"/documents/orders/\d+/acceptance/$"))
    frame = page.frame_locator("#own-frame")
    expect(frame.locator("body")).to_contain_text("Ольга Иванова")
    page.fill("#own-source", "<h1>Квитанция для {client.name}</h1>[[<p>S/N {device.serial}</p>]]")
    expect(page.frame_locator("#own-frame").locator("h1")).to_have_text(
        "Квитанция для Ольга Иванова"
    )
    expect(page.frame_locator("#own-frame").locator("p")).to_have_text("S/N F2LXK")
    # A mistake shows where it is, and the preview waits for a fix.
    page.fill("#own-source", "<h1>{client.nmae}</h1>")
    expect(page.locator("#preview-problems")).to_contain_text(
        "Line 1: Unknown variable “client.nmae”"
    )
    page.fill("#own-source", "<h1>Квитанция {order.number}</h1>")
    expect(page.frame_locator("#own-frame").locator("h1")).to_have_text(f"Квитанция {order.number}")
    page.click("#save-template")
    expect(page.locator("#save-result")).to_have_text("Saved as version 1.")
    expect(page.locator("#doc-versions")).to_contain_text("Version 1")
    assert console_errors == []


def test_documents_full_screen_and_a_click_goes_back(
    live_server, page, manager, order, console_errors
):
    base = live_server.url
    sign_in(page, base, manager)
    page.goto(screen_url(base, order))
    page.click("#default-preview .doc-fullscreen")
    page.wait_for_url(re.compile(r"/print/\?source=default$"))
    expect(page.locator("#document")).to_contain_text("Ольга Иванова")
    expect(page.locator(".topbar")).to_have_count(0)  # nothing but the document
    # A person clicks on the document itself (the whole page is the way back).
    box = page.locator("#document").bounding_box()
    page.mouse.click(box["x"] + 200, box["y"] + 300)
    page.wait_for_url(re.compile(rf"/orders/{order.number}/$"))
    expect(page.locator("h1")).to_contain_text(f"Order №{order.number}")
    assert console_errors == []


def test_documents_pdf_download_with_an_indicator(
    live_server, page, manager, order, console_errors
):
    base = live_server.url
    sign_in(page, base, manager)
    page.goto(screen_url(base, order, DocType.LABEL))
    with page.expect_download() as download:
        page.click("#own-preview .doc-pdf")
    assert download.value.suggested_filename == f"label-{order.number}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    assert console_errors == []


def test_documents_hostile_html_fires_nothing(live_server, page, manager, order, console_errors):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    hostile = (
        "<p>Текст</p><img src=x onerror=alert(1)><script>alert(2)</script>"
        "<svg onload=alert(3)></svg><iframe src=javascript:alert(4)></iframe>"
        '<p style="background:url(http://127.0.0.1:9/x)" onclick="alert(5)">Ещё</p>'
    )
    # As if stored before today's rules: printing sanitises it anyway.
    template = services._template_for_update(manager, TYPES[DocType.ACCEPTANCE])
    services._add_version(template, source=hostile, paper="a4")
    base = live_server.url
    sign_in(page, base, manager)
    page.goto(screen_url(base, order))
    expect(page.frame_locator("#own-frame").locator("body")).to_contain_text("Текст")
    # Typed into the editor it is refused with its line, and nothing runs either.
    page.fill("#own-source", "<p>x</p>\n<img src=x onerror=alert(6)>")
    expect(page.locator("#preview-problems")).to_contain_text(
        "Line 2: Event handlers such as onerror"
    )
    page.goto(f"{base}/documents/orders/{order.number}/acceptance/print/?source=own")
    expect(page.locator("#document")).to_contain_text("Ещё")
    page.wait_for_timeout(300)
    assert dialogs == []
    assert console_errors == []  # no CSP violation: nothing tried to load or run
