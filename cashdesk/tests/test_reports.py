"""Employees' work, reports, their pages, query budgets and Excel files."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cashdesk import payroll, reports, services
from cashdesk.models import CashEntry, Earning, EarningKind, EarningLine, EntryKind, Export
from cashdesk.tests.test_payroll import issued_order, joined
from orders.models import Order, OrderLine
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db

SERVICE, GOODS = OrderLine.LineKind.SERVICE, OrderLine.LineKind.GOODS
D = Decimal
INJECTIONS = ['=HYPERLINK("http://example.com","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


def login(client, member):
    client.force_login(member.user)
    return client


@pytest.fixture
def done(workshop, branch, manager, technician):
    """Two orders issued and paid this month: Tom's repair and Max's sale."""
    a = issued_order(
        workshop,
        branch,
        manager,
        assignee=technician,
        lines=[
            (SERVICE, "Screen replacement", "4200", technician),
            (GOODS, "Screen", "3000", technician),
        ],
    )
    b = issued_order(
        workshop, branch, manager, assignee=manager, lines=[(SERVICE, "Cleaning", "1500", manager)]
    )
    return a, b


def test_work_counts_each_employee(workshop, branch, manager, technician, done):
    period = reports.named_period(reports.PeriodKey.MONTH)
    rows = {r.member.pk: r for r in reports.work(workshop, period, None)}
    tom, max_ = rows[technician.pk], rows[manager.pk]
    assert (tom.services_count, tom.services_sum, tom.goods_count, tom.goods_sum) == (
        1,
        D("4200.00"),
        1,
        D("3000.00"),
    )
    assert (tom.accepted, tom.issued) == (0, 1)
    assert (max_.services_count, max_.services_sum, max_.accepted, max_.issued) == (
        1,
        D("1500.00"),
        2,
        1,
    )
    assert tom.lead is not None and tom.lead < dt.timedelta(minutes=5)


def test_work_page_technician_sees_only_own(client, technician, manager, done):
    response = login(client, technician).get(reverse("cashdesk:work"))
    assert response.status_code == 200
    assert [r.member for r in response.context["rows"]] == [technician]
    assert b"Max Manager" not in response.content
    # Asking for a colleague's orders shows one's own.
    url = reverse("cashdesk:work_orders", kwargs={"work_member_id": manager.pk})
    response = client.get(url + "?what=services")
    assert response.status_code == 302
    assert str(technician.pk) in response["Location"]


def test_work_page_director_sees_everyone_and_clicks_through(
    client, director, technician, manager, done
):
    a, b = done
    response = login(client, director).get(reverse("cashdesk:work") + "?period=month")
    assert {r.member for r in response.context["rows"]} >= {technician, manager}
    url = reverse("cashdesk:work_orders", kwargs={"work_member_id": technician.pk})
    response = client.get(url + "?period=month&what=goods")
    assert response.status_code == 200
    assert list(response.context["page"].rows) == [a]


def test_work_orders_another_workshops_member_is_404(client, director, other_workshop):
    from accounts.tests.factories import MembershipFactory

    stranger = MembershipFactory(workshop=other_workshop)
    url = reverse("cashdesk:work_orders", kwargs={"work_member_id": stranger.pk})
    assert login(client, director).get(url).status_code == 404
    url = reverse("cashdesk:salary_member", kwargs={"salary_member_id": stranger.pk})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "period=custom&start=2026-05-10&end=2026-05-01",
        "period=custom&start=1999-01-01&end=2026-05-01",
        "period=custom&start=2026-01-01&end=2101-01-01",
        "period=custom&start=nonsense&end=2026-05-01",
    ],
)
def test_report_bad_period_says_why(client, director, query):
    response = login(client, director).get(reverse("cashdesk:report") + "?report=revenue&" + query)
    assert response.status_code == 200
    assert response.context["period_form"].errors
    assert response.context["period"] == reports.named_period(reports.PeriodKey.MONTH)


@pytest.mark.parametrize("name", list(reports.REPORTS))
def test_report_pages_render_with_charts(client, director, done, name):
    response = login(client, director).get(
        reverse("cashdesk:report") + f"?report={name}&period=month"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    assert "style=" not in html
    if name in ("revenue", "employees", "orders"):
        assert '<svg class="chart' in html


def test_revenue_equals_ledger(workshop, branch, director, done):
    period = reports.named_period(reports.PeriodKey.MONTH)
    series = reports.revenue_by_day(workshop, period, None)
    assert series.total[1] == D("8700.00")
    assert sum((r[1] for r in reports.revenue_by_method(workshop, period, None).rows), D(0)) == D(
        "8700.00"
    )


def test_salary_rule_form_refuses_bad_percent(client, director, technician):
    joined(technician, dt.date(2026, 1, 1))
    url = reverse("cashdesk:salary_member", kwargs={"salary_member_id": technician.pk})
    response = login(client, director).post(
        url, {"effective_from": "2026-11-01", "services_percent": "140", "goods_basis": "margin"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["services_percent"]
    assert not payroll.SalaryRule.objects.exists()
    response = client.post(
        url,
        {"effective_from": "2025-11-01", "services_percent": "40", "goods_basis": "margin"},
    )
    assert "effective_from" in response.context["form"].errors  # before they joined
    response = client.post(
        url, {"effective_from": "2026-11-01", "services_percent": "40", "goods_basis": "margin"}
    )
    assert response.status_code == 302
    assert payroll.SalaryRule.objects.get().services_percent == D("40")


def test_payroll_close_and_pay_through_pages(client, workshop, branch, director, technician):
    joined(technician, dt.date(2026, 1, 1))
    payroll.rule_add(
        member=technician, effective_from=dt.date(2026, 10, 1), monthly_base=D("31000"), by=director
    )
    login(client, director)
    response = client.get(reverse("cashdesk:payroll") + "?start=2026-10-01&end=2026-10-31")
    assert response.context["sheet"].employee(technician.pk).total == D("31000.00")
    response = client.post(
        reverse("cashdesk:payroll_close"), {"start": "2026-10-01", "end": "2026-10-31"}
    )
    closed = payroll.Payroll.objects.get()
    assert response["Location"] == reverse(
        "cashdesk:payroll_detail", kwargs={"payroll_id": closed.pk}
    )
    response = client.post(
        reverse("cashdesk:payroll_close"), {"start": "2026-10-01", "end": "2026-10-31"}
    )
    assert payroll.Payroll.objects.count() == 1  # already closed: a message, nothing saved
    services.deposit_record(branch=branch, amount=D("40000"), by=director, key=None)
    url = reverse("cashdesk:payroll_detail", kwargs={"payroll_id": closed.pk})
    form = {
        "key": str(uuid.uuid4()),
        "member": technician.pk,
        "amount": "31000,01",
        "branch": branch.pk,
    }
    response = client.post(url, form)
    assert response.status_code == 200  # more than owed
    assert not CashEntry.objects.filter(kind=EntryKind.SALARY).exists()
    form["amount"] = "31000"
    response = client.post(url, form)
    assert response.status_code == 302
    entry = CashEntry.objects.get(kind=EntryKind.SALARY)
    assert (entry.amount, entry.counterpart_id, entry.branch_id) == (
        D("-31000.00"),
        technician.pk,
        branch.pk,
    )


# ---------------------------------------------------------------- query budgets


def bulk_world(workshop, branch, manager, technician, n: int, start: int):
    """n issued and paid orders with a service and a goods line, their earnings and
    payments, spread over this month: built in bulk, as the services would leave them."""
    now = timezone.now()
    shift = services.shift_open(branch=branch, by=manager)
    orders = Order.objects.bulk_create(
        [
            Order(
                workshop=workshop,
                branch=branch,
                number=start + i,
                kind=(Kind.REPAIR, Kind.SALE)[i % 2],
                status=Status.ISSUED,
                lines_total=D("300.00"),
                total=D("300.00"),
                accepted_by=manager,
                assignee=technician,
                created_at=now - dt.timedelta(hours=i % 48 + 1),
                status_changed_at=now,
            )
            for i in range(n)
        ]
    )
    CashEntry.objects.bulk_create(
        [
            CashEntry(
                workshop=workshop,
                branch=branch,
                shift=shift,
                kind=EntryKind.PAYMENT,
                method=("cash", "card", "transfer")[i % 3],
                amount=D("300.00"),
                by=manager,
                order=o,
                key=uuid.uuid4(),
            )
            for i, o in enumerate(orders)
        ]
    )
    earnings = Earning.objects.bulk_create(
        [
            Earning(
                workshop=workshop,
                order=o,
                kind=EarningKind.SETTLED,
                branch=branch,
                assignee=technician,
            )
            for o in orders
        ]
    )
    EarningLine.objects.bulk_create(
        [
            EarningLine(
                workshop=workshop,
                earning=e,
                kind=kind,
                name=f"{kind} {i % 7}",
                performer=technician,
                amount=D("150.00"),
                cost=D("100.00") if kind == GOODS and i % 2 else None,
            )
            for i, e in enumerate(earnings)
            for kind in (SERVICE, GOODS)
        ]
    )


@pytest.mark.parametrize("size", [3, 60])
@pytest.mark.parametrize("name", list(reports.REPORTS))
def test_report_query_budget_is_flat(
    client,
    django_assert_max_num_queries,
    workshop,
    branch,
    director,
    manager,
    technician,
    size,
    name,
):
    bulk_world(workshop, branch, manager, technician, size, start=5000)
    login(client, director)
    url = reverse("cashdesk:report") + f"?report={name}&period=month"
    client.get(url)  # warm the session and the caches
    budget = REPORT_QUERIES[name]
    with django_assert_max_num_queries(budget) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert len(ctx.captured_queries) == budget


# The request's own queries (session, member, workshop…) plus each report's grouped ones.
BASE_QUERIES = 3
REPORT_QUERIES = {
    "revenue": BASE_QUERIES + 4,
    "margin": BASE_QUERIES + 2,
    "employees": BASE_QUERIES + 2,
    "orders": BASE_QUERIES + 4,
    "top": BASE_QUERIES + 2,
    "debts": BASE_QUERIES + 2,
}


@pytest.mark.parametrize("size", [3, 60])
def test_work_page_query_budget_is_flat(
    client, django_assert_num_queries, workshop, branch, director, manager, technician, size
):
    bulk_world(workshop, branch, manager, technician, size, start=7000)
    login(client, director)
    url = reverse("cashdesk:work") + "?period=month"
    client.get(url)
    with django_assert_num_queries(BASE_QUERIES + 4):
        assert client.get(url).status_code == 200


# ---------------------------------------------------------------- Excel


def _export(client, director, django_capture_on_commit_callbacks, **data):
    login(client, director)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cashdesk:export_start"), data)
    export = Export.objects.latest("id")
    assert response["Location"] == reverse("cashdesk:export", kwargs={"export_id": export.pk})
    status = client.get(response["Location"])
    assert status.status_code == 200
    export.refresh_from_db()
    assert export.status == "done", export.error
    download = client.get(reverse("cashdesk:export_download", kwargs={"export_id": export.pk}))
    assert download.status_code == 200
    return load_workbook(io.BytesIO(b"".join(download.streaming_content)))


def test_excel_cash_entries_are_typed_and_inert(
    client, workshop, branch, director, manager, django_capture_on_commit_callbacks
):
    for text in INJECTIONS:
        services.deposit_record(
            branch=branch, amount=D("12.5"), by=director, key=None, comment=text
        )
    book = _export(
        client, director, django_capture_on_commit_callbacks, what="entries", period="month"
    )
    assert book.sheetnames == ["Cash entries"]
    ws = book["Cash entries"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header[:6] == ["No.", "Time", "Branch", "Kind", "Method", "Amount"]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == 4
    comments = [row[10] for row in rows]
    assert [c.value for c in comments] == INJECTIONS
    assert all(c.data_type == "s" for c in comments)
    amount, at = rows[0][5], rows[0][1]
    assert amount.value == 12.5 and amount.data_type == "n" and amount.number_format == "#,##0.00"
    assert isinstance(at.value, dt.datetime) and at.is_date
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_excel_report_sheet_names_in_russian(
    client,
    workshop,
    branch,
    director,
    manager,
    technician,
    done,
    django_capture_on_commit_callbacks,
):
    from django.utils import translation

    with translation.override("ru"):
        client.cookies["django_language"] = "ru"
        book = _export(
            client,
            director,
            django_capture_on_commit_callbacks,
            what="report:revenue",
            period="month",
            HTTP_ACCEPT_LANGUAGE="ru",
        )
    assert book.sheetnames[0] == "Выручка по дням"


def test_excel_payroll_with_injected_names(
    client, workshop, branch, director, technician, django_capture_on_commit_callbacks
):
    joined(technician, dt.date(2026, 1, 1))
    technician.user.full_name = INJECTIONS[0]
    technician.user.save(update_fields=["full_name"])
    payroll.rule_add(
        member=technician, effective_from=dt.date(2026, 10, 1), monthly_base=D("31000"), by=director
    )
    closed = payroll.payroll_close(
        workshop=workshop, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), by=director
    )
    book = _export(
        client,
        director,
        django_capture_on_commit_callbacks,
        what="payroll",
        period="custom",
        start="2026-10-01",
        end="2026-10-31",
        payroll=closed.pk,
    )
    ws = book["Payroll"]
    name, total = ws["A2"], ws["B2"]
    assert (name.value, name.data_type) == (INJECTIONS[0], "s")
    assert (total.value, total.data_type) == (31000, "n")


def test_export_of_another_director_is_404(client, workshop, director):
    from accounts.models import Role
    from accounts.tests.factories import MembershipFactory

    other = MembershipFactory(workshop=workshop, role=Role.DIRECTOR)
    export = Export.objects.create(workshop=workshop, what="entries", requested_by=other, params={})
    login(client, director)
    assert (
        client.get(reverse("cashdesk:export", kwargs={"export_id": export.pk})).status_code == 404
    )


def test_charts_escape_names_and_use_round_ticks():
    from cashdesk import charts

    svg = charts.bars([("<script>alert(1)</script>", D("10"))], title="<b>", money=True)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert charts._ticks(D("-275"), D("81000")) == [
        D(-25000),
        D(0),
        D(25000),
        D(50000),
        D(75000),
        D(100000),
    ]
    svg = charts.columns([(dt.date(2026, 1, d), D(d)) for d in range(1, 31)], title="t")
    assert svg.count("<rect") == 30 and "style=" not in svg


def test_export_page_polls_until_ready_then_stops(client, workshop, director):
    export = Export.objects.create(
        workshop=workshop, what="entries", requested_by=director, params={}
    )
    login(client, director)
    url = reverse("cashdesk:export", kwargs={"export_id": export.pk})
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b'hx-trigger="every 1s"' in response.content and b"spinner" in response.content
    Export.objects.filter(pk=export.pk).update(status="done", filename="x.xlsx", file="none.xlsx")
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 286  # htmx stops polling
    assert b"Download" in response.content


def test_salary_pages_list_rules_for_the_director_only(client, workshop, director, technician):
    joined(technician, dt.date(2026, 1, 1))
    payroll.rule_add(
        member=technician, effective_from=dt.date(2026, 2, 1), services_percent=D("40"), by=director
    )
    response = login(client, director).get(reverse("cashdesk:salary"))
    rows = {m.pk: rule for m, rule, _history in response.context["rows"]}
    assert rows[technician.pk].services_percent == D("40")
    client.force_login(technician.user)
    assert client.get(reverse("cashdesk:salary")).status_code == 403
    assert client.get(reverse("cashdesk:payroll")).status_code == 403
    assert client.get(reverse("cashdesk:report")).status_code == 403


def test_excel_shifts_carry_their_z_report_figures(
    client, workshop, branch, director, django_capture_on_commit_callbacks
):
    services.deposit_record(branch=branch, amount=D("1000"), by=director, key=None)
    shift = services.shift_open(branch=branch, by=director)
    services.shift_close(shift=shift, counted=D("990"), by=director)
    book = _export(
        client, director, django_capture_on_commit_callbacks, what="shifts", period="month"
    )
    ws = book["Shifts"]
    header = [c.value for c in ws[1]]
    row = dict(zip(header, ws[2], strict=True))
    assert row["Shift"].value == 1 and row["Cash"].value == 990
    assert row["Expected cash"].value == 1000 and row["Counted cash"].value == 990
    assert row["Difference"].value == -10 and row["Difference"].number_format == "#,##0.00"
    assert row["Opened"].is_date


def test_margin_leaves_goods_of_unknown_cost_apart(workshop, branch, manager, technician, done):
    a, _b = done
    period = reports.named_period(reports.PeriodKey.MONTH)
    rows = {r[0]: r for r in reports.revenue_by_employee(workshop, period, None).rows}
    # Tom: a 4 200 service and a 3 000 screen nobody knows the cost of.
    assert rows["Tom Tech"][1:] == [D("7200.00"), D("0.00"), D("4200.00"), D("3000.00")]
    EarningLine.objects.filter(earning__order=a, name="Screen").update(cost=D("1800"))
    rows = {r[0]: r for r in reports.revenue_by_employee(workshop, period, None).rows}
    assert rows["Tom Tech"][1:] == [D("7200.00"), D("1800.00"), D("5400.00"), D("0.00")]
    month = reports.revenue_by_month(workshop, period, None).rows[-1]
    assert month[2:] == [D("8700.00"), D("1800.00"), D("6900.00"), D("0.00")]


def test_excel_cells_keep_plain_decimals_and_take_str_subclasses(tmp_path):
    """A rate of 2.75 % stays 2.75 (no one-decimal format), money shows two decimals,
    and a SafeString (a rendered label) is written as text instead of recursing."""
    from django.utils.safestring import mark_safe
    from openpyxl import load_workbook

    from cashdesk import excel

    path = tmp_path / "cells.xlsx"
    book = excel.Book(path)
    book.sheet(
        "Cells",
        ["Rate", "Amount", "Label"],
        [[D("2.75"), D("1200.50"), mark_safe("=1+1")]],
        plain={0},
    )
    book.save()
    rate, amount, label = load_workbook(path)["Cells"][2]
    assert rate.value == 2.75 and rate.number_format == "General"
    assert amount.value == 1200.5 and amount.number_format == "#,##0.00"
    assert label.value == "=1+1" and label.data_type == "s"
