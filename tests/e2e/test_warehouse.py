"""The warehouse in a browser: receive goods by scanning, sell one on a + Sale by scanning
its barcode (typed code + Enter), hold a part on a repair and issue it, transfer between
branches, and count the stock."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders import services as order_services
from orders.models import Order
from orders.workflow import Status
from tests.e2e.test_orders import sign_in
from warehouse import services
from warehouse.models import Movement, MovementKind, Product, Stock
from warehouse.tests.conftest import make_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def on_hand(product, branch) -> Decimal:
    stock = Stock.objects.filter(product=product, branch=branch).first()
    return stock.on_hand if stock else Decimal(0)


def scan(page, selector: str, code: str) -> None:
    """What a barcode scanner does: type the code, then Enter."""
    page.click(selector)
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_warehouse_receive_sell_transfer_and_count(
    live_server, page, director, workshop, branch, other_branch, console_errors
):
    base = live_server.url
    ssd = Product(
        workshop=workshop,
        name="SSD 1 TB",
        sku="SSD-1T",
        barcode="4601234567890",
        price=Decimal("6490"),
    )
    ssd.save()
    paste = Product(
        workshop=workshop, name="Thermal paste", barcode="4600000000116", price=Decimal("500")
    )
    paste.save()
    sign_in(page, base, director)

    # Receive: two scans fill two rows; the quantities and costs are typed.
    page.goto(f"{base}/warehouse/?branch={branch.pk}")
    page.click("text=+ Receipt")
    scan(page, "[name=rows-0-product]", "4601234567890")
    expect(page.locator("[name=rows-0-product]")).to_have_value("SSD 1 TB")
    expect(page.locator("[name=rows-1-product]")).to_be_focused()
    page.keyboard.type("4600000000116")
    page.keyboard.press("Enter")
    expect(page.locator("[name=rows-1-product]")).to_have_value("Thermal paste")
    page.fill("[name=rows-0-quantity]", "3")
    page.fill("[name=rows-0-cost]", "4600")
    page.fill("[name=rows-1-quantity]", "10")
    page.fill("[name=rows-1-cost]", "350")
    page.fill("[name=supplier]", "ООО Комплект")
    page.click("text=Post")
    # Documents are numbered by their id, which other browser tests' data has advanced.
    expect(page.locator(".message")).to_contain_text(re.compile(r"Receipt №\d+ posted\."))
    assert on_hand(ssd, branch) == 3

    # A scanned code nobody knows says so by the field, and Enter posts nothing.
    page.goto(f"{base}/warehouse/receipts/new/?branch={branch.pk}")
    scan(page, "[name=rows-0-product]", "999999")
    expect(page.locator("[data-wh-hint]").first).to_contain_text("No product with this barcode")
    assert page.url.endswith(f"/warehouse/receipts/new/?branch={branch.pk}")

    # + Sale: scanning the barcode into the goods line fills its name and price.
    page.click("text=+ Sale")
    page.select_option("[name=branch]", str(branch.pk))
    scan(page, "[name=lines-0-name]", "4601234567890")
    expect(page.locator("[name=lines-0-name]")).to_have_value("SSD 1 TB")
    expect(page.locator("[name=lines-0-unit_price]")).to_have_value("6490.00")
    expect(page.locator("[name=lines-0-quantity]")).to_be_focused()
    page.click("text=Save the order")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    sale = Order.objects.get()
    assert [line.name for line in sale.lines.all()] == ["SSD 1 TB"]
    assert Stock.objects.get(product=ssd, branch=branch).reserved == 1
    expect(page.locator("#warehouse-stock")).to_contain_text("reserved")

    # Issued at the cash desk: the held SSD leaves the stock at its cost.
    page.goto(f"{base}/cashdesk/orders/{sale.number}/issue/")
    page.click("#cash-submit")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    assert (on_hand(ssd, branch), Stock.objects.get(product=ssd, branch=branch).reserved) == (2, 0)
    assert services.line_cost(sale.lines.get()) == Decimal("4600.00")
    page.goto(f"{base}/warehouse/?branch={branch.pk}&q=4601234567890")
    expect(page.locator(".wh-table tbody tr").first).to_contain_text("2")

    # A part held by a repair (a goods line added on its card), issued with the repair.
    repair = make_order(workshop, branch, director, kind="repair")
    line = order_services.line_add(
        order=repair,
        by=director,
        data={
            "kind": "goods",
            "name": "Thermal paste",
            "quantity": 2,
            "unit_price": Decimal("500"),
        },
    )
    page.goto(f"{base}/warehouse/products/{paste.pk}/?branch={branch.pk}")
    expect(page.locator(".wh-orders")).to_contain_text(f"№{repair.number}")
    for step in (Status.IN_WORK, Status.READY_NOTIFY):
        order_services.order_transition(order=repair, to=step, by=director)
    page.goto(f"{base}/cashdesk/orders/{repair.number}/issue/")
    page.click("#cash-submit")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    assert on_hand(paste, branch) == 8
    assert services.line_cost(line) == Decimal("700.00")
    page.goto(f"{base}/warehouse/products/{paste.pk}/?branch={branch.pk}")
    expect(page.locator("text=Issued on an order").first).to_be_visible()

    # Transfer one SSD to the other branch by scanning it.
    page.goto(f"{base}/warehouse/?branch={branch.pk}")
    page.click("a.btn:text-is('Transfer')")
    page.select_option("[name=to_branch]", str(other_branch.pk))
    scan(page, "[name=rows-0-product]", "SSD-1T")
    page.fill("[name=rows-0-quantity]", "1")
    page.click("text=Post")
    expect(page.locator(".message")).to_contain_text("posted")
    assert (on_hand(ssd, branch), on_hand(ssd, other_branch)) == (1, 1)

    # Count: each scan adds one to the counted field; the difference is adjusted.
    page.goto(f"{base}/warehouse/counts/new/?branch={branch.pk}")
    for _ in range(7):
        scan(page, "[data-wh-count-scan]", "4600000000116")
    expect(page.locator(f"[name=c{paste.pk}]")).to_have_value("7")
    page.click("text=Post the count")
    expect(page.locator(".message")).to_contain_text("Inventory count")
    assert on_hand(paste, branch) == 7
    assert Movement.objects.filter(kind=MovementKind.COUNT).get().quantity == -1
    assert console_errors == []
