"""Every main page at 390×844 (a phone): screenshots in test-artifacts/phone/ and no page
wider than the screen; the six top-bar buttons reachable without sideways scrolling."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import TEST_PASSWORD
from orders import services
from orders.workflow import Kind
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = ARTIFACTS / "phone"


def _data(workshop, branch, director, manager):
    repair = services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.REPAIR,
        by=manager,
        client_data={"phone": "+79162001102", "name": "Мария Александровна Иванова-Петрова"},
        device_data={
            "device_type": "Ноутбук",
            "brand": "Lenovo",
            "model": "IdeaPad 5 Pro 16ACH6",
            "serial": "PF3ABCDEF1234567890",
        },
        order_data={
            "problem": "Не включается после попадания воды, мигает индикатор зарядки",
            "due_date": timezone.localdate() - dt.timedelta(days=2),
            "assignee": manager,
        },
    )
    services.line_add(
        order=repair,
        data={"name": "Замена цепи питания материнской платы", "unit_price": Decimal("3500")},
        by=manager,
    )
    services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.CALL_OUT,
        by=manager,
        client_data={"phone": "+79160000001", "name": "Пётр Сидоров"},
        device_data={},
        order_data={
            "problem": "Не работает принтер в офисе",
            "address": "ул. Большая Никитская, д. 24/1, стр. 5, офис 312",
            "visit_at": timezone.localtime().replace(hour=15, minute=0),
        },
    )
    return repair


def _main_pages(repair) -> list[tuple[str, str]]:
    n = repair.number
    return [
        ("home", "/"),
        ("today", "/orders/today/"),
        ("work-all", "/orders/?tab=all"),
        ("work-queue", "/orders/?tab=queue"),
        ("work-callouts", "/orders/?tab=call_out"),
        ("work-search", "/orders/?q=Иванова"),
        ("card", f"/orders/{n}/"),
        ("new-repair", "/orders/new/repair/"),
        ("new-sale", "/orders/new/sale/"),
        ("new-call-out", "/orders/new/call-out/"),
        ("clients", "/orders/clients/"),
        ("client", f"/orders/clients/{repair.client_id}/"),
        ("device", f"/orders/devices/{repair.device_id}/"),
        ("staff", "/accounts/staff/"),
        ("sign-ins", "/accounts/sign-ins/"),
        ("branches", "/accounts/branches/"),
        ("directories", "/directories/"),
        ("directory-services", "/directories/service/"),
        ("cash-desk", "/cashdesk/"),
    ]


def test_phone_layout_every_main_page_fits_the_screen(
    live_server, browser, workshop, branch, director, manager
):
    repair = _data(workshop, branch, director, manager)
    context = browser.new_context(
        locale="ru-RU", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    base = live_server.url
    page.goto(f"{base}/accounts/sign-in/")
    page.fill("input[name=username]", director.user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^(?!.*sign-in)"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    too_wide = {}
    hidden_buttons = {}
    for name, path in _main_pages(repair):
        response = page.goto(base + path)
        assert response.status == 200, (name, response.status)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[name] = width
        # Each top-bar button lies inside the screen, with no scrolling of the bar.
        off = page.evaluate(
            """() => [...document.querySelectorAll('.topbar__main .nav-btn')]
                .filter(a => { const r = a.getBoundingClientRect();
                               return r.left < 0 || r.right > window.innerWidth; })
                .map(a => a.textContent.trim())"""
        )
        if off:
            hidden_buttons[name] = off
    context.close()
    assert too_wide == {}, f"pages wider than {PHONE['width']} px: {too_wide}"
    assert hidden_buttons == {}, f"top-bar buttons off the screen: {hidden_buttons}"
