"""Every main page of the demo workshop, in Russian, at 1280×800 (a desk) and 390×844 (a
phone): a screenshot of each in test-artifacts/screens/<size>/ to look at (with
latin-words.txt, the Latin words of each page), and no page wider than its screen. The demo data is the one a newcomer sees after `make run`.

The phone-only checks (the six top-bar buttons on the screen) stay in
test_phone_layout.py; this test adds the desk size and the pages that one lacks (each
kind of card and "+" form, the cash desk, documents, the warehouse, the message map).
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.utils import translation

from accounts.demo import DEMO_PASSWORD
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {
    "desk": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
SHOTS = ARTIFACTS / "screens"
# Pages allowed to be wider than a phone, and why.
WIDE_OK = {
    # A sheet of paper at its printed size; with no viewport of its own the phone shows
    # it whole, zoomed out, as it shows a PDF.
    "doc-print",
}
# Latin words that are not English left untranslated: brands, models, formats, units.
LATIN_OK = re.compile(
    r"^(PIN|IMEI|SMS|PDF|HTML|Excel|xlsx|A4|SSD|HDD|DDR\d?|RAM|USB|HDMI|Wi-Fi|MHz|GHz|"
    r"iPhone|iPad|MacBook|Apple|Samsung|Galaxy|Lenovo|IdeaPad|ThinkPad|Asus|ASUS|Acer|HP|Dell|"
    r"Xiaomi|Redmi|Huawei|Honor|Sony|LG|Canon|Epson|Kingston|Intel|AMD|Ryzen|Core|GeForce|"
    r"RTX|GTX|NVIDIA|Windows|Chrome|Chromium|Linux|Firefox|Safari|Android|iOS|Jinja|"
    r"Pro|Max|Mini|Plus|Ultra|Air|Note|Zenbook|Vivobook|Aspire|Pavilion|Type-C|Lightning|"
    r"SIM|NVMe|SATA|ATX|PSU|CPU|GPU|Mi|OK|ID|IP|URL|e-mail|email|com|example|ru|www|https?)$"
)


def _demo():
    """Seed the demo as `make run` does, and find the rows the pages are about."""
    from django_scopes import scopes_disabled

    with translation.override("ru"):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from accounts.models import Branch, Membership
    from cashdesk.models import Shift
    from directories.models import Entry
    from orders.models import Order
    from warehouse.models import Document, Product

    with scopes_disabled():
        orders = Order.objects.alive()
        repair = orders.filter(kind="repair", status="in_work").first()
        return {
            "repair": repair,
            "issued": orders.filter(kind="repair", status="issued").first(),
            "sale": orders.filter(kind="sale").first(),
            "pc_build": orders.filter(kind="pc_build").first(),
            "call_out": orders.filter(kind="call_out").first(),
            "entry": Entry.objects.filter(kind="service").first(),
            "member": Membership.objects.filter(user__email="manager@example.com").first(),
            "branch": Branch.objects.first(),
            "shift": Shift.objects.filter(closed_at__isnull=False).first(),
            "product": Product.objects.first(),
            "receipt": Document.objects.filter(kind="receipt").first(),
        }


def _pages(d) -> list[tuple[str, str]]:
    from orders.workflow import Tab

    r = d["repair"]
    pages = [
        ("home", "/"),
        ("today", "/orders/today/"),
        ("work-all", "/orders/?tab=all"),
        *[(f"work-{tab.value}", f"/orders/?tab={tab.value}") for tab in Tab],
        ("work-search", "/orders/?q=Иванова"),
        ("card-repair", f"/orders/{r.number}/"),
        ("card-issued", f"/orders/{d['issued'].number}/"),
        ("card-sale", f"/orders/{d['sale'].number}/"),
        ("card-pc-build", f"/orders/{d['pc_build'].number}/"),
        ("card-call-out", f"/orders/{d['call_out'].number}/"),
        ("new-repair", "/orders/new/repair/"),
        ("new-sale", "/orders/new/sale/"),
        ("new-pc-build", "/orders/new/pc-build/"),
        ("new-call-out", "/orders/new/call-out/"),
        ("clients", "/orders/clients/"),
        ("client", f"/orders/clients/{r.client_id}/"),
        ("device", f"/orders/devices/{r.device_id}/"),
        ("directories", "/directories/"),
        ("directory-services", "/directories/service/"),
        ("directory-entry", f"/directories/entry/{d['entry'].pk}/"),
        ("staff", "/accounts/staff/"),
        ("member-edit", f"/accounts/staff/{d['member'].pk}/"),
        ("invitations", "/accounts/invitations/"),
        ("branches", "/accounts/branches/"),
        ("branch-edit", f"/accounts/branches/{d['branch'].pk}/"),
        ("sign-ins", "/accounts/sign-ins/"),
        ("pin-change", "/accounts/pin/change/"),
        ("password-change", "/accounts/password/change/"),
        ("cash-desk", "/cashdesk/"),
        ("cash-expense", "/cashdesk/expense/"),
        ("cash-shifts", "/cashdesk/shifts/"),
        ("cash-shift", f"/cashdesk/shifts/{d['shift'].pk}/"),
        ("cash-debts", "/cashdesk/debts/"),
        ("cash-field", "/cashdesk/field-cash/"),
        ("cash-work", "/cashdesk/work/"),
        ("cash-salary", "/cashdesk/salary/"),
        ("cash-payroll", "/cashdesk/payroll/"),
        ("cash-reports", "/cashdesk/reports/"),
        ("cash-pay", f"/cashdesk/orders/{r.number}/pay/"),
        ("doc-print-screen", f"/documents/orders/{r.number}/acceptance/"),
        ("doc-print", f"/documents/orders/{r.number}/acceptance/print/"),
        ("stock", "/warehouse/"),
        ("stock-low", "/warehouse/low/"),
        ("product", f"/warehouse/products/{d['product'].pk}/"),
        ("product-new", "/warehouse/products/new/"),
        ("receipts", "/warehouse/receipts/"),
        ("receipt", f"/warehouse/documents/{d['receipt'].pk}/"),
        ("receipt-new", "/warehouse/receipts/new/"),
        ("transfers", "/warehouse/transfers/"),
        ("counts", "/warehouse/counts/"),
        ("warehouse-settings", "/warehouse/settings/"),
        ("notifications-map", "/notifications/"),
        ("notifications-rule", "/notifications/rule/?event=ready&channel=sms"),
        ("uncollected", "/notifications/uncollected/"),
        ("not-found", "/orders/99999/"),
    ]
    return pages


def _sign_in(page, base, email):
    page.goto(f"{base}/accounts/sign-in/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^(?!.*sign-in)"))


def _look(page, name, folder, size, too_wide, latin):
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > size["width"] and name not in WIDE_OK:
        too_wide[name] = width
    words = set(re.findall(r"[A-Za-z][A-Za-z-]{2,}", page.evaluate("document.body.innerText")))
    odd = sorted(w for w in words if not LATIN_OK.match(w))
    if odd:
        latin[name] = odd


@pytest.mark.parametrize("size_name", list(SIZES))
def test_screens_every_main_page_in_russian_fits_its_screen(
    live_server, browser, settings, size_name
):
    settings.LANGUAGE_CODE = "ru"
    demo = _demo()
    size = SIZES[size_name]
    phone = size_name == "phone"
    folder = SHOTS / size_name
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    too_wide: dict[str, int] = {}
    latin: dict[str, list[str]] = {}
    statuses: dict[str, int] = {}

    def new_context():
        return browser.new_context(
            locale="ru-RU",
            timezone_id="Europe/Moscow",
            viewport=size,
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=1,
        )

    context = new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/sign-in/")
    _look(page, "sign-in", folder, size, too_wide, latin)
    _sign_in(page, base, "demo@example.com")
    for name, path in _pages(demo):
        response = page.goto(base + path)
        if response.status != (404 if name == "not-found" else 200):
            statuses[name] = response.status
        _look(page, name, folder, size, too_wide, latin)
    # The user menu, open.
    page.goto(base + "/orders/today/")
    page.click("summary.topbar__person")
    _look(page, "usermenu", folder, size, too_wide, latin)
    context.close()

    # A manager of the other branch opens a Central order: the friendly 404.
    context = new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, base, "north@example.com")
    response = page.goto(f"{base}/orders/{demo['repair'].number}/")
    assert response.status == 404
    assert "другому филиалу" in page.content()
    _look(page, "other-branch-404", folder, size, too_wide, latin)
    context.close()

    # For the reader of the screenshots: Latin words per page, to spot untranslated English.
    (folder / "latin-words.txt").write_text(
        "".join(f"{name}: {' '.join(words)}\n" for name, words in sorted(latin.items())),
        encoding="utf-8",
    )
    assert statuses == {}, f"unexpected statuses: {statuses}"
    assert too_wide == {}, f"pages wider than {size['width']} px: {too_wide}"
