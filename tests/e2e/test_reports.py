"""Employees' work, reports and payroll in a browser: the director opens this month's work,
a report with its chart, exports it to Excel, closes last month's payroll and pays one
employee from the drawer. Screenshots at desktop and phone width and a print PDF are kept
in test-artifacts/ for looking at the charts."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import Membership
from cashdesk import payroll, services
from cashdesk.models import CashEntry, EntryKind, Payroll
from cashdesk.tests.test_payroll import issued_order
from orders.models import OrderLine
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_orders import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SERVICE, GOODS = OrderLine.LineKind.SERVICE, OrderLine.LineKind.GOODS


def test_reports_work_chart_excel_payroll_close_and_pay(
    live_server, new_page, director, manager, technician, workshop, branch, console_errors
):
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    last_month_start = last_month_end.replace(day=1)
    Membership.objects.filter(pk=technician.pk).update(
        created_at=timezone.now() - dt.timedelta(days=90)
    )
    technician.refresh_from_db()
    payroll.rule_add(
        member=technician,
        effective_from=last_month_start,
        services_percent=Decimal("40"),
        monthly_base=Decimal("30000"),
        by=director,
    )
    for price in ("4200", "1500", "990"):
        issued_order(
            workshop,
            branch,
            manager,
            assignee=technician,
            lines=[
                (SERVICE, "Замена экрана", price, technician),
                (GOODS, "Экран", "3000", manager),
            ],
        )
    services.deposit_record(branch=branch, amount=Decimal("50000"), by=director, key=None)

    page = new_page()
    base = live_server.url
    sign_in(page, base, director)

    # The employees' work for this month, from the Cash desk's tabs.
    page.goto(f"{base}/cashdesk/")
    page.click("text=Employees' work")
    page.wait_for_url(re.compile(r"/cashdesk/work/"))
    row = page.locator("tr", has_text="Tom Tech")
    expect(row.locator("td").nth(1)).to_have_text("3")
    expect(row.locator("td").nth(2)).to_have_text("6,690.00")
    row.locator("td").nth(1).locator("a").click()
    expect(page.locator("tbody tr")).to_have_count(3)

    # A report with its chart: revenue by day.
    page.click("nav.cash-tabs >> text=Reports")
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator("tfoot").first).to_contain_text("15,690.00")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reports-revenue-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "reports-revenue-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(media="print")
    page.pdf(path=str(ARTIFACTS / "reports-revenue-print.pdf"), format="A4")
    page.emulate_media(media="screen")
    page.click("nav.report-tabs >> text=Revenue by employee")
    expect(page.locator("svg.chart--bars")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "reports-employees-desktop.png"), full_page=True)

    # Export it to Excel: the file is built in the background, then downloaded.
    page.click("button:has-text('Excel')")
    page.wait_for_url(re.compile(r"/cashdesk/exports/\d+/"))
    with page.expect_download() as download_info:
        page.click("text=Download")
    data = download_info.value.path().read_bytes()
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Revenue by employee"]
    assert book.active.freeze_panes == "A2"

    # Close last month's payroll and pay Tom his monthly base.
    page.click("nav.cash-tabs >> text=Payroll")
    page.fill("#id_start", last_month_start.isoformat())
    page.fill("#id_end", last_month_end.isoformat())
    page.click("button:has-text('Show')")
    expect(page.locator(".pay-employee", has_text="Tom Tech")).to_contain_text("30,000.00")
    page.click("text=Close this payroll")
    page.wait_for_url(re.compile(r"/cashdesk/payroll/\d+/"))
    closed = Payroll.objects.get()
    assert closed.number == 1
    section = page.locator(f"#pay-{technician.pk}")
    section.locator("input[name=amount]").fill("30 000")
    section.locator("button:has-text('Pay out')").click()
    expect(page.locator(".messages, [role=status], .message").first).to_contain_text("30,000.00")
    entry = CashEntry.objects.get(kind=EntryKind.SALARY)
    assert (entry.amount, entry.counterpart_id) == (Decimal("-30000.00"), technician.pk)
    page.screenshot(path=str(ARTIFACTS / "payroll-detail-desktop.png"), full_page=True)
    assert console_errors == []
