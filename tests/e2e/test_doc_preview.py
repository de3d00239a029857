"""The A4 preview on the print screen fits its frame: on a phone (390×844) the sheet is
scaled down to the frame's width instead of scrolling sideways inside it, and at a desk
(1280×800) it keeps its zoom of .7. Screenshots in test-artifacts/doc-preview/."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_screens import SIZES, _sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "doc-preview"
A4_PX = 210 / 25.4 * 96  # the sheet's width in CSS pixels, unzoomed

MEASURE = """() => {
  const doc = document, sheet = doc.querySelector('.sheet');
  const box = sheet.getBoundingClientRect();
  return {frame: doc.documentElement.clientWidth, scroll: doc.documentElement.scrollWidth,
          left: box.left, right: box.right, width: box.width};
}"""


def _repair_number() -> int:
    from django_scopes import scopes_disabled

    from orders.models import Order

    with translation.override("ru"):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with scopes_disabled():
        return Order.objects.alive().filter(kind="repair", status="in_work").first().number


@pytest.mark.parametrize("size_name", list(SIZES))
def test_doc_preview_a4_sheet_fits_its_frame(live_server, browser, settings, size_name):
    settings.LANGUAGE_CODE = "ru"
    number = _repair_number()
    size = SIZES[size_name]
    phone = size_name == "phone"
    context = browser.new_context(
        locale="ru-RU", viewport=size, is_mobile=phone, has_touch=phone, device_scale_factor=1
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, live_server.url, "demo@example.com")
    page.goto(f"{live_server.url}/documents/orders/{number}/acceptance/")
    page.wait_for_load_state("networkidle")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{size_name}.png"), full_page=True)
    frame = page.locator("#default-preview iframe.doc-frame")
    frame.scroll_into_view_if_needed()
    frame.screenshot(path=str(SHOTS / f"{size_name}-frame.png"))
    m = frame.element_handle().content_frame().evaluate(MEASURE)
    context.close()

    assert m["scroll"] <= m["frame"], f"the sheet scrolls sideways in its frame: {m}"
    assert m["left"] >= 0 and m["right"] <= m["frame"], m
    if phone:
        # Fills the frame (less a hair), so the text stays as large as the screen allows.
        assert m["width"] >= m["frame"] * 0.9, m
    else:
        assert m["width"] == pytest.approx(A4_PX * 0.7, abs=1), m  # unchanged on a desk
